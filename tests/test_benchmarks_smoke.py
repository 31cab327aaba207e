"""The benchmarks' smoke mode runs every case at tiny sizes and passes its equality checks.

Benchmarks themselves are not part of the test run (performance belongs in
benchmarks/); this only guards against a case breaking. It drives Chromium
for the map case, hence the ``browser`` marker; it takes 1.5 minutes, hence
``slow``: ``make test`` leaves it out and CI runs it with ``make test-slow``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import CASES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.browser
def test_smoke_runs_every_case_and_writes_a_report(tmp_path):
    out = tmp_path / "smoke.md"
    res = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke", "--strict", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-4000:]
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# brecha benchmarks\n\nCommand: `python -m benchmarks --smoke --strict --out ")
    for case in CASES:
        assert f"| [{case}](#" in report and f"Case `{case}`; status: **ok**" in report, case
    assert "error" not in report.split("## Summary", 1)[1].split("\n## ", 1)[0]
    # The equality checks ran and found nothing to report.
    assert report.count("0 disagreements with sjoin") == 4
    assert report.count("0 differ by more than 1e-09 relative") == 3  # Jalisco x 2 peers, national x 1


def _case(run=None, requires=("brecha.geography:municipalities",)):
    """A stand-in for a case module."""
    from types import SimpleNamespace

    return SimpleNamespace(NAME="fake", TITLE="Fake", REQUIRES=requires, run=run)


def test_a_failed_check_or_a_crash_is_an_error_and_fails_the_run(tmp_path, monkeypatch):
    import benchmarks.__main__ as bench
    from benchmarks._harness import require

    failed = bench.run_case(_case(lambda ctx, s: require(False, "3 values differ")), ctx=None)
    crashed = bench.run_case(_case(lambda ctx, s: 1 / 0), ctx=None)
    assert (failed.status, failed.error) == ("error: check failed", "3 values differ")
    assert crashed.status == "error" and "ZeroDivisionError" in crashed.error

    monkeypatch.setattr(bench, "run_case", lambda mod, ctx: failed)
    monkeypatch.setattr(bench, "machine", lambda: {"CPU": "test"})
    assert bench.main(["--smoke", "--case", "pip", "--out", str(tmp_path / "r.md")]) == 1
    assert "status: **error: check failed**" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_a_missing_module_is_reported_as_not_run():
    import benchmarks.__main__ as bench

    section = bench.run_case(_case(requires=("brecha.no_such_module:f", "brecha.geography:no_such_fn")), ctx=None)
    assert section.status == "not run: module missing (brecha.no_such_module:f, brecha.geography:no_such_fn)"
    assert bench.missing_requirements(("brecha.geography:municipalities",)) == []
