"""One build per output folder: an advisory lock on ``DIR/.brecha.lock``.

POSIX uses ``flock`` and Windows ``msvcrt.locking``; both are dropped by the
kernel when their holder dies (``kill -9`` included), so a crashed build
never leaves a lock behind. The file itself is never deleted: removing a
lock file while another process waits on it lets two processes hold "the"
lock at once.

The lock file is opened without following a symbolic link (``O_NOFOLLOW``)
and must be a regular file with a single name: a link or hard link planted at
``DIR/.brecha.lock`` would otherwise make the build truncate and overwrite the
file it points to.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .._io import folder_error
from ..errors import LockError, OutputFolderError

__all__ = ["build_lock", "LOCK_NAME"]

LOCK_NAME = ".brecha.lock"
_POLL_S = 0.1
#: 0 where the platform has no such flag (Windows): the link is then checked before opening.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
        return f" (pid {info.get('pid')}, started {info.get('started')})"
    except (OSError, ValueError, AttributeError):
        return ""


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl  # POSIX only: imported here so that the package imports on Windows

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _not_ours(path: Path, what: str) -> OutputFolderError:
    return OutputFolderError(f"{path} is {what}, not brecha's lock file; brecha does not follow or overwrite it. "
                             f"Remove it (the next build creates a new one), or choose another --out.", path=path)


def _check_out(out: Path) -> None:
    """Say plainly what is wrong with an ``--out`` that is a dangling link (mkdir would say "File exists")."""
    if out.is_symlink() and not out.exists():
        raise OutputFolderError(f"cannot write to the output folder {out}: it is a symbolic link to "
                                f"{os.readlink(out)}, which does not exist. Create that folder, remove the link, "
                                f"or choose another --out.", path=out)


def _open_lock(path: Path) -> int:
    """Open (creating it if need be) the lock file, refusing a link, a hard link or anything but a regular file."""
    if not _NOFOLLOW and path.is_symlink():
        raise _not_ours(path, "a symbolic link")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), 0o644)
    except OSError:
        if path.is_symlink():  # ELOOP (Linux) or EMLINK (BSD): O_NOFOLLOW met a link
            raise _not_ours(path, "a symbolic link") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
        os.close(fd)
        raise _not_ours(path, "not a regular file" if not stat.S_ISREG(st.st_mode) else
                        f"a file with {st.st_nlink} names (a hard link)")
    return fd


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
        permission), or ``out_dir`` is a dangling symbolic link, or something
        other than brecha's lock file (a link, a FIFO) sits at its name:
        nothing else could be written there either.
    """
    out = Path(out_dir)
    path = out / LOCK_NAME
    _check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = _open_lock(path)
    except OutputFolderError:
        raise
    except OSError as exc:
        raise folder_error(exc, out) from None
    deadline = time.monotonic() + max(0.0, timeout_s)
    try:
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockError(f"another build is writing to {out}{_holder(path)}; "
                                f"gave up after {timeout_s:g} s (raise --lock-timeout to wait longer)")
            time.sleep(_POLL_S)
        # Who holds it, for the message a waiting build prints; informative only,
        # so a full disk here is left for the first real write to report.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps({"pid": os.getpid(),
                                     "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode())
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
