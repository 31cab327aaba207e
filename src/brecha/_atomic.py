"""Atomic writes: every file brecha writes appears whole or not at all.

Each write goes to a temporary file beside its target, named
``.<target>.brecha-XXXXXXXX.tmp`` (:data:`TEMP_NAME` matches those names and
the sidecars GDAL and DuckDB add), and is renamed into place. A build's
clean-up removes only files of that shape, never another program's ``*.tmp``.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, overload

from .errors import OutputError, OutputFolderError

__all__ = ["atomic_write", "atomic_path", "folder_error", "write_error", "TEMP_MARK", "TEMP_NAME"]

#: Put in every temporary file's name, so clean-up can tell brecha's from anyone else's.
TEMP_MARK = "brecha-"
#: Names of :func:`atomic_path`'s temporary files, and of what GDAL and DuckDB create beside them.
TEMP_NAME = re.compile(r"^\..+\." + TEMP_MARK + r"[a-z0-9_]{8}\.tmp(\.wal|\.fgb|-journal|-wal|-shm)?$")

#: errno values that mean "the disk is full" (no space, quota).
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
#: How GDAL, SQLite, Arrow and DuckDB word a full disk when they hide the errno.
_DISK_FULL_TEXT = re.compile(r"no space left|disk is full|disk quota|not enough space|errno 28\b", re.I)
#: How they word a failed write without saying why (GDAL's FlatGeobuf writer: "Unexpected I/O failure").
_IO_TEXT = re.compile(r"i/o (failure|error)|input/output error|write error|error writing|could not write", re.I)
#: Below this many free bytes a failed write is taken for a full disk, whatever the library said.
_LOW_FREE = 1 << 20


def _free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def folder_error(exc: OSError, folder: Path) -> OutputFolderError:
    """The error for an output folder that cannot be created or written to, saying what to do."""
    why = exc.strerror or str(exc)
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        why += f" ({blocker} is a file, not a folder)"
    return OutputFolderError(f"cannot write to the output folder {folder}: {why}. Choose a folder you can "
                             "create and write to (--out or BRECHA_OUT).", path=folder, errno=exc.errno)


@overload
def write_error(exc: OSError, target: Path, *, free: int | None = None, own: Literal[True]) -> OutputError: ...


@overload
def write_error(exc: BaseException, target: Path, *, free: int | None = None,
                own: bool = False) -> OutputError | None: ...


def write_error(exc: BaseException, target: Path, *, free: int | None = None,
                own: bool = False) -> OutputError | None:
    """The :class:`OutputError` that ``exc``, raised while writing ``target``, stands for.

    Parameters
    ----------
    free
        Bytes free beside ``target`` when the write failed (before its
        temporary file was removed).
    own
        ``exc`` is an ``OSError`` of brecha's own file operations (mkdir,
        mkstemp, fsync, rename) rather than of a library writing the file.

    Returns
    -------
    OutputError or None
        ``None`` when a library's ``exc`` is not about the disk (a bug or bad
        data in the writer), to be raised as it is.
    """
    if own and isinstance(exc, OSError):
        full = exc.errno in _DISK_FULL
    else:
        full = any(getattr(c, "errno", None) in _DISK_FULL or _DISK_FULL_TEXT.search(str(c)) for c in _chain(exc)) \
            or (free is not None and free < _LOW_FREE)
    if full:
        room = "" if free is None else f" ({free:,} bytes free)"
        return OutputError(f"cannot write {target}: no space left on the disk holding {target.parent}{room}. "
                           f"Free some space there or choose another output folder (--out), then run again; "
                           f"the previous {target.name}, if any, is unchanged.",
                           path=target, errno=errno.ENOSPC)
    if not (own and isinstance(exc, OSError)):
        said = next((str(c) for c in _chain(exc) if _IO_TEXT.search(str(c))), None)
        if said is None:
            return None
        room = "" if free is None else f", {free:,} bytes free"
        return OutputError(f"cannot write {target}: {said[:300]}. Check the disk holding {target.parent} "
                           f"(full?{room}), then run again; the previous {target.name}, if any, is unchanged.",
                           path=target, errno=errno.EIO)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
        return folder_error(exc, target.parent)
    return OutputError(f"cannot write {target}: {exc.strerror or exc}. Check the disk holding {target.parent}, "
                       f"then run again; the previous {target.name}, if any, is unchanged.",
                       path=target, errno=exc.errno)


def _remove_temp(tmp: Path) -> None:
    """Remove a temporary file and what GDAL or DuckDB created beside it (``-journal``, ``.wal``)."""
    for p in [tmp, *tmp.parent.glob(glob.escape(tmp.name) + "?*")]:
        if p == tmp or TEMP_NAME.match(p.name):  # unlink removes a link itself, never what it points to
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                p.unlink()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    The rename is atomic on POSIX, so readers see the old file or the new one,
    never a partial one. On error the temporary file (and any sidecar a
    library made beside it) is removed and the old file is left as it was.

    Raises
    ------
    OutputFolderError
        The folder of ``target`` cannot be created or written to.
    OutputError
        The disk is full (whichever library wrote the file), or the final
        sync or rename failed.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp opens with O_EXCL: a link planted at the name is never followed.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{TEMP_MARK}", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise write_error(exc, target, free=_free_bytes(target.parent), own=True) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        # mkstemp creates 0600; outputs are shared files, so honour the umask like open() does.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        yield tmp_path
        try:
            with open(tmp_path, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp_path, target)
        except OSError as exc:
            raise write_error(exc, target, free=_free_bytes(target.parent), own=True) from exc
    except BaseException as exc:
        free = _free_bytes(target.parent)  # before the temporary file gives its space back
        _remove_temp(tmp_path)
        err = None
        if isinstance(exc, Exception) and not isinstance(exc, OutputError):
            err = write_error(exc, target, free=free)
        if err is not None:
            raise err from exc
        raise


def atomic_write(target: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``target`` atomically; returns the target path."""
    with atomic_path(target) as tmp:
        Path(tmp).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(target)
