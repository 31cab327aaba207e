"""One build per output folder: an advisory ``flock`` on ``DIR/.brecha.lock``.

The kernel drops a ``flock`` when its holder dies (``kill -9`` included), so
a crashed build never leaves a lock behind. The file itself is never
deleted: removing a lock file while another process waits on it lets two
processes hold "the" lock at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Iterator

from .._io import folder_error
from ..errors import LockError

__all__ = ["build_lock", "LOCK_NAME"]

LOCK_NAME = ".brecha.lock"
_POLL_S = 0.1


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
        return f" (pid {info.get('pid')}, started {info.get('started')})"
    except (OSError, ValueError):
        return ""


@contextlib.contextmanager
def build_lock(out_dir: str | os.PathLike, *, timeout_s: float = 0.0) -> Iterator[Path]:
    """Hold the build lock of ``out_dir``, waiting up to ``timeout_s`` seconds for it.

    The folder is created if need be.

    Raises
    ------
    LockError
        Another process still holds it after ``timeout_s`` seconds.
    OutputFolderError
        The folder cannot be created, or the lock file cannot be created in it
        (a read-only or virtual file system, a parent that is a file, no
        permission): nothing else could be written there either.
    """
    path = Path(out_dir) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise folder_error(exc, path.parent) from None
    deadline = time.monotonic() + max(0.0, timeout_s)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(f"another build is writing to {Path(out_dir)}{_holder(path)}; "
                                    f"gave up after {timeout_s:g} s (raise --lock-timeout to wait longer)") from None
                time.sleep(_POLL_S)
        # Who holds it, for the message a waiting build prints; informative only,
        # so a full disk here is left for the first real write to report.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(),
                                      "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock
