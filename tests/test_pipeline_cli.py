"""``brecha build`` and ``brecha layers`` through click: output, logs and exit codes 0/1/2."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from brecha.cli import build as build_cli
from brecha.cli import layers as layers_cli
from brecha.pipeline import manifest as mf
from brecha.pipeline import run as run_module
from brecha.pipeline._lock import build_lock
from brecha.settings import DATA_DIR

from test_pipeline_support import CODE, REG, SPECS, write_specs

OFFICES_SPEC = """
title = { es = "Oficinas", en = "Offices" }
function = "t.offices"
key = ["office_id"]
[inputs]
offices = "source:offices"
"""


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run a command on synthetic specs with the test registry and a fixed code version."""
    monkeypatch.setattr(run_module, "REGISTRY", REG)
    monkeypatch.setattr(run_module, "code_version", lambda: CODE)
    layers, out = write_specs(tmp_path / "layers", SPECS), tmp_path / "out"

    def invoke(*args, command=build_cli.command, where=True):
        extra = ["--out", str(out), "--layers-dir", str(layers)] if where else []
        return CliRunner().invoke(command, [*extra, *args, *([] if command is layers_cli.command else ["--no-store"])])

    invoke.out, invoke.layers = out, layers
    return invoke


def test_help_documents_the_exit_codes():
    res = CliRunner().invoke(build_cli.command, ["--help"])
    assert res.exit_code == 0
    assert "Exit codes: 0 ok" in res.output and "1 a layer failed" in res.output and "2 bad input" in res.output


def test_build_then_nothing_changed(cli):
    res = cli()
    assert res.exit_code == 0, res.stderr
    assert "built    base (never built)" in res.stderr and "4 built, 0 skipped, 0 failed" in res.stderr
    res = cli()
    assert res.exit_code == 0 and "nothing changed: 0 built, 4 skipped, 0 failed" in res.stderr


def test_json_log_is_one_object_per_line(cli):
    res = cli("--log-format", "json")
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert res.exit_code == 0 and events[0]["event"] == "start" and events[-1]["event"] == "summary"
    assert all("time" in e for e in events) and events[-1]["built"] == 4


def test_failed_layer_exits_1(cli):
    (cli.layers / "grid.toml").write_text('title = { es = "F", en = "F" }\nfunction = "t.fail"\nkey = ["x"]\n'
                                          '[inputs]\nbase = "source:states"\n')
    res = cli()
    assert res.exit_code == 1
    assert "failed   grid" in res.stderr and "RuntimeError: boom" in res.stderr and "1 failed" in res.stderr
    states = {s["name"]: s for s in json.loads(cli("--json", command=layers_cli.command).stdout)}
    assert states["grid"]["state"] == "failed" and states["base"]["state"] == "up to date"


@pytest.mark.parametrize("case", ["spec", "layer", "offices"])
def test_bad_input_exits_2_before_writing(cli, case, write_csv):
    args = []
    if case == "spec":
        (cli.layers / "base.toml").write_text(SPECS["base"].replace("t.subset", "t.nothing"))
    elif case == "layer":
        args = ["--layer", "nope"]
    else:
        args = ["--offices", str(write_csv("offices.csv", "agency,city\nUNICEF,Oaxaca\n"))]
    res = cli(*args)
    assert res.exit_code == 2, res.stderr
    assert res.stderr.startswith("error: ") and {"spec": "t.nothing", "layer": "nope", "offices": "'state'"}[case] in res.stderr
    assert not (cli.out / "manifest.json").exists()


def test_missing_offices_file_exits_2_and_says_so_in_json_too(cli, tmp_path):
    res = cli("--offices", str(tmp_path / "nowhere.csv"), "--log-format", "json")
    assert res.exit_code == 2
    event = json.loads(res.stdout.splitlines()[-1])  # in JSON mode the error is one JSON object too
    assert (event["event"], event["error"], event["exit_code"]) == ("error", "InputError", 2)
    assert "nowhere.csv" in event["message"]


def test_a_held_lock_exits_1_with_a_clear_message(cli):
    with build_lock(cli.out):
        res = cli("--lock-timeout", "0.1")
    assert res.exit_code == 1
    assert "another build is writing to" in res.stderr and "--lock-timeout" in res.stderr


def test_dry_run_lists_the_plan_and_writes_nothing(cli):
    res = cli("--dry-run")
    assert res.exit_code == 0 and "planned  base (never built)" in res.stderr
    assert "dry run: 4 to build, 0 up to date" in res.stderr and not cli.out.exists()


def test_layers_lists_states_and_reasons(cli):
    res = cli("--out", str(cli.out), "--layers-dir", str(cli.layers), command=layers_cli.command, where=False)
    assert res.exit_code == 0 and res.stdout.count("never built") == 4
    cli()
    (cli.layers / "grid.toml").write_text(SPECS["grid"].replace("cell_km = 5", "cell_km = 7"))
    out = cli(command=layers_cli.command).stdout
    line = {ln.split()[0]: ln for ln in out.splitlines()}
    assert "stale" in line["grid"] and "spec changed" in line["grid"] and "up to date" in line["base"]


def test_user_offices_file_replaces_the_embedded_one(cli, tmp_path, monkeypatch):
    import pandas as pd

    reg = type(REG)(REG.values())

    @reg.register("t.offices", inputs=("offices",))
    def _offices(inputs):
        return pd.DataFrame(inputs["offices"][["office_id", "agency", "cve_ent"]])

    monkeypatch.setattr(run_module, "REGISTRY", reg)
    shutil.rmtree(cli.layers)
    write_specs(cli.layers, {"offices": OFFICES_SPEC})
    mine = tmp_path / "my_offices.csv"
    mine.write_text((DATA_DIR / "offices.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("--offices", str(mine)).exit_code == 0
    rec = mf.load(cli.out)["layers"]["offices"]["inputs"]["offices"]
    assert rec["vintage"] == "user file" and rec["file"] == str(mine.resolve())
    assert "0 built, 1 skipped" in cli("--offices", str(mine)).stderr
    lines = mine.read_text(encoding="utf-8").splitlines()
    mine.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the user drops an office
    res = cli("--offices", str(mine))
    assert res.exit_code == 0 and "built    offices (input source:offices changed)" in res.stderr


def test_a_terminal_gets_a_progress_bar_and_the_summary(cli, monkeypatch):
    import io

    from brecha.pipeline._progress import RichReporter, reporter

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    report = reporter("text", stream)
    assert isinstance(report, RichReporter)
    monkeypatch.setattr(build_cli, "reporter", lambda fmt, s: report)
    assert cli().exit_code == 0
    text = stream.getvalue()
    assert "built    base" in text and "4 built, 0 skipped, 0 failed" in text


def test_brecha_map_builds_the_map_spec_through_the_pipeline(tmp_path, monkeypatch):
    """`brecha map KIND` then `brecha build` into one folder: one file per map, each listed once, all in the manifest."""
    from brecha.cli import map as map_cli
    from brecha.pipeline import spec as spec_module

    monkeypatch.setattr(run_module, "REGISTRY", REG)
    monkeypatch.setattr(spec_module, "REGISTRY", REG)
    monkeypatch.setattr(run_module, "code_version", lambda: CODE)
    specs = {**{k: v for k, v in SPECS.items() if k != "map"}, "map_len": SPECS["map"]}
    layers, out = write_specs(tmp_path / "layers", specs), tmp_path / "out"
    where = ["--out", str(out), "--layers-dir", str(layers)]
    res = CliRunner().invoke(map_cli.command, ["len", *where])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (out / "maps").iterdir()) == ["index.html", "map_len.html"]
    assert not (out / "layers/derived.parquet").exists()  # only the map and what it reads
    assert set(mf.load(out)["layers"]) == {"base", "map_len"}
    res = CliRunner().invoke(build_cli.command, [*where, "--no-store"])
    assert res.exit_code == 0 and "skipped" in res.stderr
    assert sorted(p.name for p in (out / "maps").iterdir()) == ["index.html", "map_len.html"]
    assert (out / "maps/index.html").read_text(encoding="utf-8").count('href="map_len.html"') == 1
    res = CliRunner().invoke(map_cli.command, ["all", *where])
    assert res.exit_code == 0 and "map_len.html" in res.output


def test_brecha_map_refuses_an_unknown_kind_with_the_known_ones(tmp_path, monkeypatch):
    from brecha.cli import map as map_cli
    from brecha.pipeline import spec as spec_module

    monkeypatch.setattr(spec_module, "REGISTRY", REG)
    layers = write_specs(tmp_path / "layers", {"base": SPECS["base"], "map_len": SPECS["map"]})
    res = CliRunner().invoke(map_cli.command, ["nope", "--out", str(tmp_path / "out"), "--layers-dir", str(layers)])
    assert res.exit_code == 2 and "one of ['len', 'all']" in res.output
    assert not (tmp_path / "out").exists()
