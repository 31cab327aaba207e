"""File plumbing: decoding, delimited tables, checksums and atomic writes.

Readers in :mod:`brecha.sources` call :func:`read_table`; every writer in the
package goes through :func:`atomic_write` so that a killed process never
leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, Problem

__all__ = ["decode", "read_table", "sha256_file", "atomic_write", "atomic_path"]

_DELIMITERS = (",", ";", "\t", "|")


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or, failing that, Latin-1.

    INEGI and CONEVAL ship Latin-1 (Windows-1252) files; spreadsheets add a
    UTF-8 BOM. Line endings are normalised to ``\\n``.

    Returns
    -------
    (text, encoding)
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, enc = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # cp1252 is a superset of Latin-1's printable range; fall back to
            # latin-1 for the five bytes cp1252 leaves undefined.
            try:
                text, enc = raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, enc = raw.decode("latin-1"), "latin-1"
    if "\x00" in text:
        raise InputError([Problem(file, None, None, None, "a text file (found NUL bytes: binary or UTF-16?)")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, enc


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError([Problem(str(path), None, None, None, "an existing file")])
    if path.is_dir():
        raise InputError([Problem(str(path), None, None, None, "a file, not a folder")])
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


def read_table(
    path: str | os.PathLike,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    case_insensitive: bool = True,
) -> pd.DataFrame:
    """Read a delimited text table (or an ``.xlsx`` sheet) as strings.

    Every cell is a ``str`` ("" when empty), nothing is parsed as a number, so
    codes such as ``"01001"`` keep their zeros. The returned frame carries a
    ``_line`` column with each row's 1-based line number in the file, for
    error messages, and ``attrs["encoding"]``, ``attrs["delimiter"]``.

    Raises
    ------
    InputError
        The file is missing, empty, binary, has no header, a duplicated
        header, or lacks required columns. All such problems are reported
        together.
    """
    path = Path(path)
    file = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, required=required)
    if path.suffix.lower() == ".xls":
        raise InputError([Problem(file, None, None, None, "CSV or .xlsx; save the old .xls workbook as .xlsx or CSV UTF-8")])
    text, enc = decode(_read_bytes(path), file)
    if not text.strip():
        raise InputError([Problem(file, None, None, None, "a header line and at least one data row (the file is empty)")])
    header = text.split("\n", 1)[0]
    delim = _pick_delimiter(header, required)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        head = next(reader)
        for rec in reader:
            rows.append(rec)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError([Problem(file, reader.line_num, None, None, f"well-formed CSV ({exc})")]) from None
    return _frame(file, head, rows, lines, required, case_insensitive, enc, delim)


def _read_xlsx(path: Path, *, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise InputError([Problem(str(path), None, None, None, "CSV (install openpyxl to read .xlsx)")]) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for bad zips
        raise InputError([Problem(str(path), None, None, None, f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    head = next(it, None)
    if head is None:
        raise InputError([Problem(str(path), None, None, None, "a header row (the sheet is empty)")])
    rows, lines = [], []
    for i, rec in enumerate(it, start=2):
        rows.append(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in rec])
        lines.append(i)
    wb.close()
    head_s = ["" if h is None else str(h) for h in head]
    return _frame(str(path), head_s, rows, lines, required, True, "xlsx", "xlsx")


def _frame(file, head, rows, lines, required, case_insensitive, enc, delim) -> pd.DataFrame:
    problems: list[Problem] = []
    head = [h.strip() for h in head]
    if case_insensitive:
        head = [h.lower() for h in head]
    seen: dict[str, int] = {}
    for i, h in enumerate(head):
        if h in seen and h:
            problems.append(Problem(file, 1, h, h, f"unique column names (column {i + 1} repeats column {seen[h] + 1})"))
        seen.setdefault(h, i)
    req = [r.lower() if case_insensitive else r for r in required]
    missing = [r for r in req if r not in seen]
    for r in missing:
        hint = f"; the header was split with {delim!r}" if len(head) == 1 else ""
        problems.append(Problem(file, 1, r, None, f"a column named {r!r} (found {head[:12]}{hint})"))
    width = len(head)
    data_rows, data_lines = [], []
    for rec, line in zip(rows, lines):
        if not any(c.strip() for c in rec):
            continue  # blank rows carry no data; line numbers stay true
        if len(rec) != width:
            problems.append(Problem(file, line, None, delim.join(rec)[:80], f"{width} fields, found {len(rec)}"))
            continue
        data_rows.append([c.strip() for c in rec])
        data_lines.append(line)
    if problems:
        raise InputError(problems)
    if not data_rows:
        raise InputError([Problem(file, None, None, None, "at least one data row (found a header only)")])
    df = pd.DataFrame(data_rows, columns=head, dtype=object)
    df = df.loc[:, [c for c in df.columns if c]]
    df["_line"] = data_lines
    df.attrs.update(encoding=enc, delimiter=delim, file=file)
    return df


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    The rename is atomic on POSIX, so readers see the old file or the new one,
    never a partial one. On error the temporary file is removed and the old
    file is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write(target: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``target`` atomically; returns the target path."""
    with atomic_path(target) as tmp:
        Path(tmp).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(target)
