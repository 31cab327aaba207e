"""CLI logging tools can read: JSON on both streams, warnings routed, each record once, rich beside the bar."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import warnings

import pytest

from brecha.cli import _logging
from brecha.pipeline._progress import RichReporter
from test_pipeline_support import brecha_argv


@pytest.fixture
def cli_handler():
    """The CLI's handler installed for one test (pytest's own handlers stay), then removed."""
    root = logging.getLogger()
    level, show = root.level, warnings.showwarning
    root.setLevel(logging.INFO)  # as `brecha` without -q; use() keeps the level it finds
    yield
    for h in [h for h in root.handlers if getattr(h, _logging._TAG, False)]:
        root.removeHandler(h)
    root.setLevel(level)
    warnings.showwarning = show


def test_json_lines_for_our_third_party_and_python_warnings(cli_handler):
    buf = io.StringIO()
    _logging.use("json", stream=buf, force=True)
    logging.getLogger("brecha.reach").info("%d office(s) have no point", 19)
    logging.getLogger("pyogrio._io").warning("a GDAL message\nover two lines")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _logging._show_warning  # catch_warnings restored the default: route it again
        warnings.warn("a library's warning", UserWarning, stacklevel=1)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("brecha").error("failed", exc_info=True)
    recs = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [r["logger"] for r in recs] == ["brecha.reach", "pyogrio._io", "py.warnings", "brecha"]
    assert all(r["event"] == "log" and r["time"].endswith("Z") for r in recs)
    assert recs[0] == {**recs[0], "level": "info", "message": "19 office(s) have no point"}
    assert recs[2]["level"] == "warning" and recs[2]["message"].startswith("UserWarning: a library's warning (")
    assert "ValueError: boom" in recs[3]["traceback"]


def test_a_record_is_shown_once_per_build(cli_handler):
    buf = io.StringIO()
    _logging.use("text", stream=buf, force=True)
    for _ in range(4):  # four layers reach for the same offices
        logging.getLogger("brecha.reach").info("%d office(s) have no point", 19)
    logging.getLogger("brecha.reach").info("%d office(s) have no point", 20)
    lines = [line.split(" ", 2)[2] for line in buf.getvalue().splitlines()]  # after the date and time
    assert lines == ["INFO brecha.reach: 19 office(s) have no point", "INFO brecha.reach: 20 office(s) have no point"]
    buf2 = io.StringIO()
    _logging.use("text", stream=buf2, force=True)  # the next build shows it again
    logging.getLogger("brecha.reach").info("%d office(s) have no point", 19)
    assert buf2.getvalue().count("19 office(s)") == 1


def test_setup_leaves_someone_elses_logging_alone(cli_handler):
    assert logging.getLogger().handlers  # pytest's capture handler
    assert _logging.setup(logging.INFO) is None
    assert _logging.use("json") is None  # nothing to switch


def test_rich_log_lines_print_on_the_bars_console(cli_handler):
    out = io.StringIO()
    report = RichReporter(out)
    report.console.width = 100
    _logging.use("rich", console=report.console, force=True)
    report({"event": "start", "out": "o", "layers": 2, "code_version": "x"})
    report({"event": "layer_start", "layer": "municipalities", "reason": "never built"})
    assert [t.description.strip() for t in report.progress.tasks] == ["brecha build",
                                                                     "municipalities (never built)"]
    logging.getLogger("brecha.reach").warning("19 office(s) have no point")
    report({"event": "layer", "layer": "municipalities", "status": "built", "rows": 2469, "seconds": 1.0})
    assert report.progress.tasks[0].fields["count"] == "1/2" and len(report.progress.tasks) == 1
    report({"event": "summary", "built": 1, "skipped": 1, "failed": 0, "seconds": 1.0})
    text = out.getvalue()
    assert "19 office(s) have no point" in text and "built    municipalities, 2,469 rows" in text


def test_every_line_of_a_json_build_is_json(tmp_path):
    """``brecha build --log-format json 2>&1`` as cron runs it, with debug logs on."""
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "pop.toml").write_text(
        'title = { es = "P", en = "P" }\nfunction = "rasters.population"\n[inputs]\n'
        'localities = "source:localities"\n[params]\ncell_km = 20.0\n[outputs]\nformats = ["tif"]\n')
    argv = brecha_argv() + ["-vv", "build", "--layers-dir", str(tmp_path / "layers"), "--out", str(tmp_path / "o"),
                            "--log-format", "json", "--no-store"]
    run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    lines = run.stdout.splitlines()
    recs = [json.loads(line) for line in lines]  # raises on any plain line
    assert run.returncode == 0, run.stdout
    assert recs[-1]["event"] == "summary" and recs[-1]["built"] == 1
    assert any(r["event"] == "log" and r["level"] == "debug" for r in recs)
    # A bad spec: the error is JSON too, and nothing else is printed.
    (tmp_path / "layers" / "bad.toml").write_text("function = 3\n")
    run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    recs = [json.loads(line) for line in run.stdout.splitlines()]
    errors = [r for r in recs if r["event"] == "error"]
    assert run.returncode == 2 and len(errors) == 1 and errors[0]["exit_code"] == 2
