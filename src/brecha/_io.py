"""File plumbing: decoding, delimited tables, checksums and atomic writes.

Readers in :mod:`brecha.sources` call :func:`read_table`; every writer in the
package goes through :func:`atomic_write` so that a killed process never
leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import gzip
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, OutputError, OutputFolderError, Problem

__all__ = ["decode", "read_table", "sha256_file", "atomic_write", "atomic_path"]

_DELIMITERS = (",", ";", "\t", "|")


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or, failing that, Latin-1.

    INEGI and CONEVAL ship Latin-1 (Windows-1252) files; spreadsheets add a
    UTF-8 BOM; files pasted together from both keep each line's own encoding.
    Line endings are normalised to ``\\n``.

    Returns
    -------
    (text, encoding)
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, bom = raw[3:], True
    else:
        bom = False
    try:
        text, enc = raw.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        if bom or _UTF8_MULTIBYTE.search(raw):
            # Valid UTF-8 sequences beside invalid bytes: a file concatenated
            # from UTF-8 and Latin-1 exports. Decoding it whole as cp1252 would
            # turn every UTF-8 accent into mojibake, so decode line by line.
            text, enc = "\n".join(_decode_legacy(line, strict_utf8=True) for line in raw.split(b"\n")), "utf-8+cp1252"
        else:
            text, enc = _decode_legacy(raw), "cp1252"
    if "\x00" in text:
        raise InputError([Problem(file, None, None, None, "a text file (found NUL bytes: binary or UTF-16?)")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, enc


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode_legacy(raw: bytes, *, strict_utf8: bool = False) -> str:
    if strict_utf8:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    # cp1252 is a superset of Latin-1's printable range; fall back to
    # latin-1 for the five bytes cp1252 leaves undefined.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError([Problem(str(path), None, None, None, "an existing file")])
    if path.is_dir():
        raise InputError([Problem(str(path), None, None, None, "a file, not a folder")])


def _read_bytes(path: Path) -> bytes:
    _check_file(path)
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError([Problem(str(path), None, None, None, f"a valid gzip file ({exc})")]) from None
    return data


def _pick_delimiter(header: str, required: tuple[str, ...]) -> str:
    """Choose the delimiter that splits the header into the most known columns."""
    want = {r.lower() for r in required}

    def score(d: str) -> tuple[int, int]:
        cols = [c.strip().strip('"').lower() for c in header.split(d)]
        return (len(want.intersection(cols)), len(cols))

    return max(_DELIMITERS, key=score)


def _columns_hint(required: tuple[str, ...]) -> str:
    return f" with the columns {', '.join(required)}" if required else ""


def _widen_field_limit(n: int) -> None:
    # csv refuses fields over 128 KiB; a long quote or a pasted blob is data to
    # check (and report by column), not a parse failure. The limit is global,
    # so it is only ever raised.
    if csv.field_size_limit() < n:
        csv.field_size_limit(n)


def read_table(
    path: str | os.PathLike,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    case_insensitive: bool = True,
) -> pd.DataFrame:
    """Read a delimited text table (or an ``.xlsx`` sheet) as strings.

    Every cell is a ``str`` ("" when empty), nothing is parsed as a number, so
    codes such as ``"01001"`` keep their zeros. The delimiter (``, ; tab |``)
    is the one that splits the header into the required columns. Blank lines
    are skipped and line numbers stay true. The returned frame carries a
    ``_line`` column with each row's 1-based line number in the file (where
    the row starts), for error messages, and ``attrs["encoding"]``,
    ``attrs["delimiter"]``.

    Raises
    ------
    InputError
        The file is missing, empty, binary, has no header, a duplicated
        header, lacks required columns or has malformed rows. All such
        problems are reported together.
    """
    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_file(path)
        return _read_xlsx(path, required=required)
    if path.suffix.lower() == ".xls":
        raise InputError([Problem(file, None, None, None, "CSV or .xlsx; save the old .xls workbook as .xlsx or CSV UTF-8")])
    text, enc = decode(_read_bytes(path), file)
    if not text.strip():
        raise InputError([Problem(file, 1, None, None,
                                  f"a header line{_columns_hint(required)} and data rows (the file is empty)")])
    header = next(line for line in text.split("\n") if line.strip())
    delim = _pick_delimiter(header, required)
    _widen_field_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    n_lines = text.rstrip("\n").count("\n") + 1
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    try:
        head = next((rec for rec in reader if any(c.strip() for c in rec)), None)
        if head is None:  # e.g. a lone quote swallowing the rest of the file
            raise InputError([Problem(file, 1, None, None, f"a header line{_columns_hint(required)} and data rows "
                                                           "(found no header)")])
        head_line = end = reader.line_num
        for rec in reader:
            start, end = end + 1, reader.line_num
            rows.append(rec)
            lines.append(start)
            if len(rec) < len(head) and any("\n" in c for c in rec):
                to = "the end of the file" if end >= n_lines else f"line {end}"
                problems.append(Problem(file, start, None, None,
                                        f"a closing quote (a quoted field opens on line {start} and runs to {to})"))
                rows.pop()
                lines.pop()
    except csv.Error as exc:
        raise InputError([Problem(file, reader.line_num, None, None, f"well-formed CSV ({exc})")]) from None
    return _frame(file, head, rows, lines, required, case_insensitive, enc, delim,
                  head_line=head_line, problems=problems)


def _xlsx_rows(path: Path, *, data_only: bool) -> Iterator[tuple]:
    """Rows of the first sheet: last computed values, or formulas as written."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many unrelated types for bad zips
        raise InputError([Problem(str(path), None, None, None,
                                  f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_xlsx(path: Path, *, required: tuple[str, ...]) -> pd.DataFrame:
    """The first sheet of a workbook, as :func:`read_table` reads a CSV.

    Cells hold the values the spreadsheet last computed. A formula cell that
    was never computed (a workbook written by a script) has no value; it is
    reported rather than read as empty.
    """
    file = str(path)
    values = _xlsx_rows(path, data_only=True)
    formulas = _xlsx_rows(path, data_only=False)
    head = next(values, None)
    next(formulas, None)
    if head is None:
        raise InputError([Problem(file, 1, None, None, f"a header row{_columns_hint(required)} (the sheet is empty)")])
    head_s = [_cell(h) for h in head]
    rows, lines, problems = [], [], []
    for i, (rec, forms) in enumerate(zip(values, formulas), start=2):
        row = [_cell(v) for v in rec] + [""] * (len(head_s) - len(rec))
        for j, (v, f) in enumerate(zip(rec, forms)):
            if v is None and isinstance(f, str) and f.startswith("="):
                col = head_s[j] if j < len(head_s) else None
                problems.append(Problem(file, i, col, f, "a value (the cell holds a formula that was never computed; "
                                                         "open and save the workbook in a spreadsheet, or paste values)"))
        rows.append(row)
        lines.append(i)
    values.close()
    formulas.close()
    return _frame(file, head_s, rows, lines, required, True, "xlsx", "xlsx", problems=problems)


def _frame(file, head, rows, lines, required, case_insensitive, enc, delim, *,
           head_line: int = 1, problems: list[Problem] | None = None) -> pd.DataFrame:
    problems = list(problems or [])
    head = [h.strip() for h in head]
    if case_insensitive:
        head = [h.lower() for h in head]
    seen: dict[str, int] = {}
    for i, h in enumerate(head):
        if h in seen and h:
            problems.append(Problem(file, head_line, h, h,
                                    f"unique column names (column {i + 1} repeats column {seen[h] + 1})"))
        seen.setdefault(h, i)
    req = [r.lower() if case_insensitive else r for r in required]
    missing = [r for r in req if r not in seen]
    for r in missing:
        hint = ""
        if len(head) == 1 and delim in _DELIMITERS:
            tried = ", ".join("tab" if d == "\t" else repr(d) for d in _DELIMITERS)
            hint = f"; the header could not be split by any of {tried}"
        problems.append(Problem(file, head_line, r, None, f"a column named {r!r} (found {head[:12]}{hint})"))
    width = len(head)
    data_rows, data_lines = [], []
    for rec, line in zip(rows, lines):
        if not "".join(rec).strip():
            continue  # blank rows carry no data; line numbers stay true
        if len(rec) > width and not "".join(rec[width:]).strip():
            rec = rec[:width]  # spreadsheets pad rows with empty trailing cells
        if len(rec) != width:
            problems.append(Problem(file, line, None, delim.join(rec)[:80], f"{width} fields, found {len(rec)}"))
            continue
        data_rows.append([c.strip() for c in rec])
        data_lines.append(line)
    for i, h in enumerate(head):
        if not h:
            used = next((ln for r, ln in zip(data_rows, data_lines) if r[i]), None)
            if used is not None:
                problems.append(Problem(file, head_line, None, None,
                                        f"a name in the header for column {i + 1}, which holds data (e.g. line {used})"))
    if problems:
        raise InputError(problems)
    if not data_rows:
        raise InputError([Problem(file, head_line + 1, None, None,
                                  "at least one data row after the header (found a header only)")])
    df = pd.DataFrame(data_rows, columns=head, dtype=object)
    df = df.loc[:, [c for c in df.columns if c]]
    df["_line"] = data_lines
    df.attrs.update(encoding=enc, delimiter=delim, file=file, header_line=head_line)
    return df


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


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


def _chain(exc: BaseException) -> Iterator[BaseException]:
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
        with contextlib.suppress(FileNotFoundError):
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
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
