"""Crash safety: a build killed at any moment leaves readable outputs and a manifest that matches them.

Two approaches: a forked child that dies (``os._exit``) exactly before or
after each rename of a forced build, on synthetic specs; and real
``brecha build`` processes on the embedded data killed with SIGKILL at a
random moment while they write (from the first temporary output on). A
failure prints its seed; ``BRECHA_KILL_SEED=<seed>`` replays it.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

import pytest

from brecha.pipeline import build
from brecha.pipeline.run import _TEMP

from conftest import built_once
from test_pipeline_support import (CODE, REG, SPECS, assert_consistent, brecha_argv, cheap_layers, data_copy,
                                   read_output, write_specs)


def _outputs(out: Path) -> list[Path]:
    return sorted(p for d in ("layers", "rasters", "maps") if (out / d).is_dir() for p in (out / d).iterdir()
                  if p.is_file() and not _TEMP.match(p.name))


def _temps(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if _TEMP.match(p.name)]


def _die_at_rename(k: int, when: str, run) -> int:
    """Run ``run()`` in a forked child that exits hard at its k-th os.replace; return the child's status."""
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            real, count = os.replace, [0]

            def replace(src, dst):
                count[0] += 1
                if count[0] == k and when == "before":
                    os._exit(137)
                real(src, dst)
                if count[0] == k:
                    os._exit(137)

            os.replace = replace
            run()
            os._exit(0)
        except BaseException:
            os._exit(3)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _still_readable(out: Path, before: list[Path]) -> None:
    """The manifest matches the files, and every output that existed is there and complete (old or new)."""
    assert_consistent(out)
    for p in before:
        read_output(p)


def _check_after_crash(out: Path, before: list[Path], rerun) -> None:
    _still_readable(out, before)
    assert rerun().exit_code == 0
    assert_consistent(out)
    assert _temps(out) == []


@pytest.fixture
def synthetic(tmp_path):
    layers, data, out = write_specs(tmp_path / "layers", SPECS), data_copy(tmp_path / "data"), tmp_path / "out"

    def run(**kw):
        return build(out, layers_dir=layers, registry=REG, data_dir=data, code=CODE, store=False,
                     on_event=lambda e: None, **kw)

    run()
    return out, run


# A forced build of the synthetic specs renames 18 times; these points fall between
# two renames of one layer's outputs, right after a manifest write, and at the end.
@pytest.mark.parametrize("k, when", [(2, "after"), (4, "after"), (5, "before"), (7, "after"), (18, "before")])
def test_hard_exit_around_a_rename_keeps_outputs_and_manifest_consistent(synthetic, k, when):
    out, run = synthetic
    before = _outputs(out)
    assert _die_at_rename(k, when, lambda: run(force=True)) == 137
    _check_after_crash(out, before, run)


@pytest.mark.slow
def test_hard_exit_at_every_rename(synthetic):
    out, run = synthetic
    before = _outputs(out)
    for k in range(1, 19):
        for when in ("before", "after"):
            assert _die_at_rename(k, when, lambda: run(force=True)) == 137, (k, when)
            _check_after_crash(out, before, run)
            run(force=True)  # back to a state where every layer has an entry


def _start(out: Path, layers: Path, *extra: str) -> subprocess.Popen:
    cmd = brecha_argv() + ["build", "--out", str(out), "--layers-dir", str(layers), "--log-format", "json", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _cheap_build(folder: Path) -> None:
    layers = cheap_layers(folder / "layers")
    assert build(folder / "out", layers_dir=layers, store=False, on_event=lambda e: None).exit_code == 0


@pytest.fixture
def real(tmp_path_factory, tmp_path):
    """A finished build of the cheap real specs, this test's own copy (the build is made once per run)."""
    done = built_once(tmp_path_factory, "kill_cheap_build", _cheap_build)
    shutil.copytree(done, tmp_path / "site", symlinks=True)
    return tmp_path / "site" / "out", tmp_path / "site" / "layers"


def _seed() -> int:
    """A random seed, or ``BRECHA_KILL_SEED`` to replay a failure."""
    return int(os.environ.get("BRECHA_KILL_SEED") or random.randrange(1 << 30))


def _wait_until(proc: subprocess.Popen, ready: Callable[[], bool], timeout_s: float = 300.0) -> bool:
    """Poll ``ready()`` while the build runs; False if the build ended first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            return True
        time.sleep(0.002)
    return False


def _writing(out: Path) -> Callable[[], bool]:
    """Whether the build has a temporary output beside its target: it is writing."""
    folders = [out, *(out / d for d in ("layers", "rasters", "maps"))]

    def ready() -> bool:
        for d in folders:
            with contextlib.suppress(FileNotFoundError):
                if any(_TEMP.match(e.name) for e in os.scandir(d)):
                    return True
        return False

    return ready


def _inodes(out: Path) -> dict[str, int]:
    """The inode of each output: a rename into place changes it."""
    paths = _outputs(out) + [p for p in (out / "brecha.duckdb",) if p.exists()]
    return {str(p.relative_to(out)): p.stat().st_ino for p in paths}


def _check_with_seed(seed: int, what: str, check) -> None:
    try:
        check()
    except AssertionError as exc:
        raise AssertionError(f"seed {seed} (BRECHA_KILL_SEED={seed} replays it), {what}: {exc}") from exc


def test_sigkill_during_a_real_build(real):
    out, layers = real
    before = _outputs(out)
    seed = _seed()
    jitter = random.Random(seed).uniform(0.0, 0.2)
    proc = _start(out, layers, "--force", "--no-store")
    writing = _wait_until(proc, _writing(out))
    time.sleep(jitter)
    proc.send_signal(signal.SIGKILL)
    stdout, stderr = proc.communicate()
    assert writing, f"seed {seed}: the build ended (code {proc.returncode}) before writing a file:\n{stderr[-2000:]}"
    assert proc.returncode == -signal.SIGKILL, f"seed {seed}: the build finished before the kill landed"
    _check_with_seed(seed, "after the kill", lambda: _check_after_crash(
        out, before, lambda: build(out, layers_dir=layers, store=False, on_event=lambda e: None)))


@pytest.mark.slow
def test_sigkill_at_random_moments_including_the_store(real):
    out, layers = real
    proc = _start(out, layers, "--force")
    assert _wait_until(proc, _writing(out))
    t_write = time.monotonic()
    proc.communicate()
    writing_s = time.monotonic() - t_write  # from the first temporary file to the end of the build
    assert proc.returncode == 0
    before = _outputs(out) + [out / "brecha.duckdb"]
    seed = _seed()
    rng = random.Random(seed)
    killed = after_a_rename = 0
    for i in range(20):  # the fault issue asks for at least 20 random kills, all while the build writes
        inodes = _inodes(out)
        proc = _start(out, layers, "--force")
        if i % 2 == 0:  # anywhere in the writing phase
            phase, ready, delay = "writing", _writing(out), rng.uniform(0.0, 0.9 * writing_s)
        else:  # among the renames and manifest writes, which a kill must not tear either
            phase, ready, delay = "renaming", lambda: _inodes(out) != inodes, rng.uniform(0.0, 0.5 * writing_s)
        assert _wait_until(proc, ready), f"seed {seed}, kill {i}: the build ended before {phase}"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        killed += proc.returncode == -signal.SIGKILL
        after_a_rename += proc.returncode == -signal.SIGKILL and _inodes(out) != inodes
        _check_with_seed(seed, f"kill {i} ({phase}, +{delay:.2f} s)", lambda: _still_readable(out, before))
    print(f"seed {seed}: {killed} of 20 builds killed while writing, {after_a_rename} after an output was renamed in")
    assert after_a_rename >= 10, f"seed {seed}: only {after_a_rename} of 20 kills landed after the first rename"
    assert build(out, layers_dir=layers, on_event=lambda e: None).exit_code == 0
    _check_with_seed(seed, "after the last build", lambda: assert_consistent(out))
    assert _temps(out) == [], f"seed {seed}"


def test_two_real_builds_at_once_take_turns(real):
    out, layers = real
    args = ["--layer", "municipalities", "--force", "--no-store", "--lock-timeout", "120"]
    procs = [_start(out, layers, *args) for _ in range(2)]
    results = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results[0][1] + results[1][1]
    runs = [_events(stdout) for stdout, _ in results]
    waited = sorted(next(e["waited_s"] for e in ev if e["event"] == "lock") for ev in runs)
    assert waited[1] > 0.3  # one build waited for the other to finish
    # Each forced build rebuilt the municipal layer and the gap settings it reads, and nothing else.
    built = [sorted(e["layer"] for e in ev if e["event"] == "layer" and e.get("status") == "built") for ev in runs]
    assert built == [["gap_settings", "municipalities"]] * 2, built
    assert [ev[-1]["built"] for ev in runs] == [2, 2] and all(ev[-1]["failed"] == 0 for ev in runs)
    assert_consistent(out)
    assert _temps(out) == []
