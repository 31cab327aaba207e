"""Timing and peak memory of one call or one subprocess.

Timing is the median of N calls timed with :func:`time.perf_counter`, after
one untimed call (which also measures memory and returns the result the
case compares). Peak memory is psutil RSS sampling: a helper process polls
the benchmark process's resident set size every 2 ms, so sampling never
waits for the GIL; the figure reported is the peak RSS above the RSS just
before the call (after ``gc.collect()`` and ``malloc_trim``), i.e. what the
call itself added, inputs excluded.
"""

from __future__ import annotations

import ctypes
import gc
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import psutil

MIB = 1024 * 1024

# The sampler runs in its own interpreter: a thread in this process would be
# starved while a C extension holds the GIL, and miss the peak.
_SAMPLER = r"""
import select, sys, psutil
proc = psutil.Process(int(sys.argv[1]))
peak = proc.memory_info().rss
print("ready", flush=True)
while True:
    ready, _, _ = select.select([sys.stdin], [], [], 0.002)
    rss = proc.memory_info().rss
    peak = max(peak, rss)
    if ready:
        cmd = sys.stdin.readline().strip()
        if cmd == "reset":
            peak = rss
            print("ok", flush=True)
        elif cmd == "peak":
            print(peak, flush=True)
        else:
            break
"""


class BenchmarkFailure(AssertionError):
    """An equality or sanity check of a benchmark failed."""


def require(condition: bool, message: str) -> None:
    """Fail the case (and the run) unless ``condition`` holds; survives ``python -O``."""
    if not condition:
        raise BenchmarkFailure(message)


class RssSampler:
    """Peak resident set size of this process, sampled from a helper process."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _SAMPLER, str(os.getpid())],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._ask("", expect="ready")

    def _ask(self, cmd: str, expect: str | None = None) -> str:
        if cmd:
            assert self._proc.stdin is not None
            self._proc.stdin.write(cmd + "\n")
            self._proc.stdin.flush()
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if expect is not None and line != expect:
            raise RuntimeError(f"RSS sampler answered {line!r}, expected {expect!r}")
        return line

    def reset(self) -> None:
        self._ask("reset", expect="ok")

    def peak_bytes(self) -> int:
        return int(self._ask("peak"))

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.write("quit\n")
            self._proc.stdin.flush()
            self._proc.wait(timeout=10)


_sampler: RssSampler | None = None


def _get_sampler() -> RssSampler:
    global _sampler
    if _sampler is None:
        _sampler = RssSampler()
    return _sampler


def close_sampler() -> None:
    global _sampler
    if _sampler is not None:
        _sampler.close()
        _sampler = None


def _release_memory() -> None:
    gc.collect()
    try:  # return freed heap pages to the OS so the baseline is honest
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


@dataclass
class Measurement:
    """One implementation on one data set: its timings and peak memory."""

    label: str
    data: str
    times_s: list[float]
    peak_mib: float | None = None
    note: str = ""

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def runs(self) -> int:
        return len(self.times_s)


def measure(label: str, data: str, fn: Callable[[], Any], *, runs: int,
            memory: bool = True, note: str = "") -> tuple[Measurement, Any]:
    """Call ``fn`` once untimed (measuring peak RSS), then ``runs`` timed calls.

    With ``runs == 1`` the single call is both timed and memory-sampled (for
    peers too slow to run twice); the sampler's polling costs well under 1%
    of one core.

    Returns
    -------
    (Measurement, result of the first call)
    """
    peak = None
    times: list[float] = []
    _release_memory()
    if memory:
        sampler = _get_sampler()
        base = psutil.Process().memory_info().rss
        sampler.reset()
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    if memory:
        peak = max(0, sampler.peak_bytes() - base) / MIB
    if runs == 1:
        times.append(first)
    else:
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return Measurement(label, data, times, peak, note), result


def run_process(cmd: list[str], *, env: dict[str, str] | None = None,
                cwd: str | None = None, timeout_s: float = 1800) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; return (wall seconds, peak RSS of its process tree in MiB, result).

    The tree's RSS is sampled every 20 ms from a thread (this process only
    waits, so the thread is never starved).
    """
    peak = 0
    stop = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            stop.wait(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise
    finally:
        elapsed = time.perf_counter() - t0
        stop.set()
        th.join()
    return elapsed, peak / MIB, subprocess.CompletedProcess(cmd, proc.returncode, out, err)
