"""The full-size-file tests run wherever the data is, and cannot skip silently where it was asked for.

``BRECHA_SHARED_DATA`` names the folder; ``.ci/run`` sets it to ``../shared/data``
beside the clone when that folder exists, so CI runs those tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED_BESIDE, SHARED_ENV, shared_data_dir

REPO = Path(__file__).resolve().parents[1]
FULL_SIZE_TEST = "tests/test_readers.py::test_full_size_census_population"


def test_the_variable_names_the_folder(tmp_path):
    assert shared_data_dir({SHARED_ENV: str(tmp_path)}) == (tmp_path, True)
    assert shared_data_dir({}) == (SHARED_BESIDE, False)
    assert shared_data_dir({SHARED_ENV: ""}) == (SHARED_BESIDE, False)


def _pytest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600)


def test_a_missing_folder_named_by_the_variable_fails_not_skips(tmp_path):
    env = {**os.environ, SHARED_ENV: str(tmp_path / "nowhere")}
    done = _pytest(FULL_SIZE_TEST, "-rfEs", env=env)
    assert done.returncode == 1, done.stdout
    assert f"{SHARED_ENV}={tmp_path / 'nowhere'} is not a folder" in done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1]


def test_without_the_variable_an_absent_folder_skips(tmp_path):
    if SHARED_BESIDE.is_dir():
        pytest.skip(f"{SHARED_BESIDE} exists here, so the tests run")
    env = {k: v for k, v in os.environ.items() if k != SHARED_ENV}
    done = _pytest(FULL_SIZE_TEST, "-rs", env=env)
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout


def _ci_run(tmp_path: Path, env: dict[str, str]) -> str:
    """Run ``.ci/run`` with a ``make`` that only records its arguments and BRECHA_SHARED_DATA."""
    bin_dir, log = tmp_path / "bin", tmp_path / "make.log"
    bin_dir.mkdir()
    (bin_dir / "make").write_text(f'#!/bin/sh\necho "$1 ${{{SHARED_ENV}:-<unset>}}" >> {log}\n')
    (bin_dir / "make").chmod(0o755)
    done = subprocess.run(["bash", str(REPO / ".ci" / "run")], env={**env, "PATH": f"{bin_dir}:{env['PATH']}"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    calls = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert [c[0] for c in calls] == ["test", "test-slow"]  # the README's test command, then the slow tests
    assert len({c[1] for c in calls}) == 1
    return calls[0][1]


def test_ci_exports_the_folder_beside_the_clone(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != SHARED_ENV}
    shared = _ci_run(tmp_path, env)
    beside = REPO.parent / "shared" / "data"
    assert shared == (str(beside.resolve()) if beside.is_dir() else "<unset>")


def test_ci_keeps_a_folder_given_by_the_caller(tmp_path):
    shared = _ci_run(tmp_path, {**os.environ, SHARED_ENV: "/data/brecha-full"})
    assert shared == "/data/brecha-full"
