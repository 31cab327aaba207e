"""File plumbing: decoding, delimited tables and checksums (atomic writes live in :mod:`brecha._atomic`).

Readers in :mod:`brecha.sources` call :func:`read_table`; every writer in the
package goes through :func:`atomic_write` so that a killed process never
leaves a half-written file where a good one was. Inputs are checked before
they are read: a FIFO or a device is refused at once (reading one would hang
or never end), and nothing larger than :data:`MAX_INPUT_BYTES`, compressed or
not, is read into memory.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import os
import re
import stat
import warnings
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ._atomic import TEMP_MARK, TEMP_NAME, atomic_path, atomic_write, folder_error, write_error  # noqa: F401 (re-export)
from .errors import InputError, InputWarning, Problem

__all__ = ["decode", "read_table", "sha256_file", "atomic_write", "atomic_path", "check_input_file", "MAX_INPUT_BYTES"]

#: Bytes of text (after gzip expansion) a reader accepts: INEGI's national ITER is ~0.3 GB,
#: a national DENUE export ~1.5 GB. Beyond it a file is refused, not read until memory runs out.
MAX_INPUT_BYTES = 2 << 30

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
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw.count(b"\x00") > len(raw) // 4:
            raise InputError([Problem(file, None, None, None, "a text file (found NUL bytes: binary or UTF-16?)")])
        # One stray NUL (a truncated copy, a pasted control character): say where it is.
        at = text.index("\x00")
        line = text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at) + 1
        before = re.split(r"[\r\n]", text[:at])[-1][-40:]
        raise InputError([Problem(file, line, None, before,
                                  "text without NUL bytes (a NUL byte, 0x00, follows the value shown)")])
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


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def check_input_file(path: str | os.PathLike, what: str = "an existing file") -> None:
    """Refuse at once a path that is missing, a folder, not a regular file, or too large.

    A FIFO would block the reader forever and ``/dev/zero`` never ends, so
    neither is opened.

    Raises
    ------
    InputError
        Naming the file and what it is.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        dangling = " (a symbolic link to a missing file)" if path.is_symlink() else ""
        raise InputError([Problem(str(path), None, None, None, what + dangling)]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, None, f"a readable file ({exc.strerror or exc})")]) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(str(path), None, None, None, "a file, not a folder")])
    found = next((name for test, name in _NOT_REGULAR if test(st.st_mode)), None)
    if found is not None:
        raise InputError([Problem(str(path), None, None, None, f"a regular file (found {found})")])
    if st.st_size > MAX_INPUT_BYTES:
        raise InputError([Problem(str(path), None, None, st.st_size,
                                  f"a file of at most {MAX_INPUT_BYTES:,} bytes (split or filter it first)")])


_check_file = check_input_file  # the name other modules of the package imported


def _read_bytes(path: Path) -> bytes:
    check_input_file(path)
    if path.suffix != ".gz":
        return path.read_bytes()
    # Expand in blocks and stop at the limit: a small gzip can hold gigabytes (a "gzip bomb").
    out = bytearray()
    try:
        with gzip.open(path, "rb") as f:
            while block := f.read(1 << 20):
                out += block
                if len(out) > MAX_INPUT_BYTES:
                    raise InputError([Problem(str(path), None, None, None,
                                              f"a gzip file that expands to at most {MAX_INPUT_BYTES:,} bytes "
                                              f"(it expands to more)")])
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError([Problem(str(path), None, None, None, f"a valid gzip file ({exc})")]) from None
    return bytes(out)


def split_hint(columns: int) -> str:
    """What to add to a missing-column message when the header came out as one column: the delimiter tried."""
    if columns != 1:
        return ""
    tried = ", ".join("tab" if d == "\t" else repr(d) for d in _DELIMITERS)
    return f"; the header could not be split by any of {tried}"


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
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read a delimited text table (or an ``.xlsx`` sheet) as strings.

    Every cell is a ``str`` ("" when empty), nothing is parsed as a number, so
    codes such as ``"01001"`` keep their zeros. The delimiter (``, ; tab |``)
    is the one that splits the header into the required columns. Blank lines
    are skipped and line numbers stay true. The returned frame carries a
    ``_line`` column with each row's 1-based line number in the file (where
    the row starts), for error messages, and ``attrs["encoding"]``,
    ``attrs["delimiter"]``.

    Parameters
    ----------
    sheet
        The sheet of a workbook to read (by name). By default the sheet the
        workbook opens on, if visible, else its first visible sheet; a hidden
        sheet is never read unless named. Title rows above the header are
        skipped with a warning.

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
        check_input_file(path)
        return _read_xlsx(path, required=required, sheet=sheet)
    if path.suffix.lower() == ".xls":
        raise InputError([Problem(file, None, None, None,
                                  "CSV or .xlsx; save the old .xls workbook as .xlsx or CSV UTF-8")])
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
    if any("\n" in c for c in head):
        start = next(i for i, ln in enumerate(text.split("\n"), start=1) if ln.strip())
        raise InputError([Problem(file, start, None, None, f"a closing quote (a quoted field opens in the header on "
                                                           f"line {start} and runs on to line {head_line})")])
    if rows and lines[-1] and any("\n" in c for c in rows[-1]) and _unclosed(text, lines[-1], delim):
        problems.append(Problem(file, lines[-1], None, None, f"a closing quote (a quoted field opens on line "
                                                             f"{lines[-1]} and runs to the end of the file)"))
        rows.pop()
        lines.pop()
    return _frame(file, head, rows, lines, required, case_insensitive, enc, delim,
                  head_line=head_line, problems=problems)


def _unclosed(text: str, start: int, delim: str) -> bool:
    """Whether the record starting on line ``start`` has a quote still open at the end of the file.

    The lenient reader keeps such a record whole (the rest of the file in its
    last cell); the strict one says "unexpected end of data".
    """
    tail = text.split("\n", start - 1)[-1]
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delim, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def pick_sheet(wb, sheet: str | None, file: str):
    """The worksheet to read: ``sheet`` by name, else the active one if visible, else the first visible one.

    A hidden sheet often holds last year's data or a lookup table; reading it
    instead of the one the user sees gives silently wrong figures.
    """
    names = list(wb.sheetnames)
    if sheet is not None:
        if sheet not in names:
            raise InputError([Problem(file, None, None, sheet, f"the name of one of the workbook's sheets {names}")])
        return wb[sheet]
    visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise InputError([Problem(file, None, None, None, f"a visible sheet, or one named with sheet= "
                                                          f"(all of {names} are hidden)")])
    active = wb.active
    ws = active if active is not None and active in visible else visible[0]
    if ws is not wb.worksheets[0]:
        warnings.warn(InputWarning(f"{file}: reading sheet {ws.title!r}, the one the workbook opens on "
                                   f"(not the first of {names}); name another with sheet="), stacklevel=4)
    return ws


def _xlsx_rows(path: Path, *, data_only: bool, sheet: str | None = None, file: str = "",
               chosen: list | None = None) -> Generator[Any, None, None]:
    """The title of the sheet :func:`pick_sheet` picks, then its rows (tuples of cells): last computed
    values, or formulas as written. A generator, so the caller can ``close()`` it (and the workbook) early."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many unrelated types for bad zips
        raise InputError([Problem(str(path), None, None, None,
                                  f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None
    try:
        if chosen is None:
            ws = pick_sheet(wb, sheet, file or str(path))
        else:
            ws = wb[chosen[0]]
        yield ws.title
        yield from ws.iter_rows(values_only=True)
    finally:
        wb.close()


def _cell(v) -> str:
    """A sheet cell as text. A number cell's value is certain, so it is never written like ``218.414``
    (a decimal, or 218,414 with a thousands point?): a trailing zero shows the point is decimal."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        text = str(v)
        return text + "0" if _GROUP_LIKE.fullmatch(text) else text
    return str(v)


_GROUP_LIKE = re.compile(r"-?\d{1,3}\.\d{3}")


#: Rows of a sheet searched for its header; titles and notes above it are rarely more than a few.
_TITLE_ROWS = 30


def _is_header_row(cells: list[str], required: tuple[str, ...]) -> bool:
    filled = {c.strip().lower() for c in cells if c.strip()}
    if required:
        return {r.lower() for r in required} <= filled
    return len(filled) >= 2  # a title is one (often merged) cell


def _read_xlsx(path: Path, *, required: tuple[str, ...], sheet: str | None = None) -> pd.DataFrame:
    """One sheet of a workbook (see :func:`pick_sheet`), as :func:`read_table` reads a CSV.

    Cells hold the values the spreadsheet last computed. A formula cell that
    was never computed (a workbook written by a script) has no value; it is
    reported rather than read as empty. Title rows above the header (the
    first row with the required columns, or with two filled cells) are
    skipped with a warning; line numbers are the sheet's row numbers.
    """
    file = str(path)
    values = _xlsx_rows(path, data_only=True, sheet=sheet, file=file)
    name = next(values)
    formulas = _xlsx_rows(path, data_only=False, chosen=[name])
    next(formulas)
    pairs: Iterator[tuple[tuple, tuple]] = zip(values, formulas)
    first = [p for _, p in zip(range(_TITLE_ROWS), pairs)]
    if not first:
        raise InputError([Problem(file, 1, None, None, f"a header row{_columns_hint(required)} (the sheet is empty)")])
    cells = [[_cell(h) for h in rec] for rec, _ in first]
    at = next((i for i, c in enumerate(cells) if _is_header_row(c, required)), 0)  # none: row 1, as always
    skipped = [next(c for c in row if c.strip()) for row in cells[:at] if any(c.strip() for c in row)]
    if skipped:
        warnings.warn(InputWarning(f"{file}: skipped {len(skipped)} title row(s) above the header on row {at + 1} "
                                   f"of sheet {name!r} (first: {skipped[0][:60]!r})"), stacklevel=4)
    head = first[at][0]
    pairs = itertools.chain(first[at + 1:], pairs)
    at += 1  # the header's sheet row
    head_s = [_cell(h) for h in head]
    rows, lines, problems = [], [], []
    for i, (rec, forms) in enumerate(pairs, start=at + 1):
        row = [_cell(v) for v in rec] + [""] * (len(head_s) - len(rec))
        for j, (v, f) in enumerate(zip(rec, forms)):
            if v is None and isinstance(f, str) and f.startswith("="):
                col = head_s[j] if j < len(head_s) else None
                problems.append(Problem(file, i, col, f,
                                        "a value (the cell holds a formula that was never computed; "
                                        "open and save the workbook in a spreadsheet, or paste values)"))
        rows.append(row)
        lines.append(i)
    values.close()
    formulas.close()
    df = _frame(file, head_s, rows, lines, required, True, "xlsx", "xlsx", head_line=at, problems=problems)
    df.attrs["sheet"] = name
    return df


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
    hint = split_hint(len(head)) if delim in _DELIMITERS else ""
    for r in missing:
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
                problems.append(Problem(file, head_line, None, None, f"a name in the header for column {i + 1}, "
                                        f"which holds data (e.g. line {used})"))
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
    """Hex SHA-256 of a file's bytes; a FIFO or device is refused rather than opened (it would block or never end)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        check_input_file(path)  # raises, naming what the path is
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
