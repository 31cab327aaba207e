"""Column checks that gather every problem in a table, then raise once.

Used by the readers in :mod:`brecha.sources`:

>>> import pandas as pd
>>> df = pd.DataFrame({"year": ["2020", "20x0"], "_line": [2, 3]})
>>> chk = Checker(df, "demo.csv")
>>> years = chk.integer("year", lo=1990, hi=2035)
>>> [str(p) for p in chk.problems]
["demo.csv, line 3, column 'year': got '20x0'; expected a whole number from 1990 to 2035"]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import NoReturn

import numpy as np
import pandas as pd

from .errors import InputError, InputWarning, Problem

__all__ = ["Checker", "unknown_columns"]

_FORMULA = re.compile(r"^[=+\-@\t\r]")
#: Readers that know at most this many columns list them in an unknown-column problem.
_LISTED = 20


class Checker:
    """Collects :class:`~brecha.errors.Problem` s about one table.

    Parameters
    ----------
    df
        A frame from :func:`brecha._io.read_table` (all cells ``str``, with a
        ``_line`` column).
    file
        The file name to put in messages.
    strict
        Turn warnings (extra columns, repairs) into errors.
    """

    def __init__(self, df: pd.DataFrame, file: str, *, strict: bool = False):
        self.df = df
        self.file = file
        self.strict = strict
        self.problems: list[Problem] = []
        # Spreadsheets saved in comma-decimal locales use ';' between fields; in a ','
        # file a decimal comma would need quoting and is refused. A workbook's number
        # cells come written with a point (see brecha._io._cell); its text cells are
        # read like a ',' file's.
        delim = df.attrs.get("delimiter")
        self.decimal_comma = delim not in (",", "xlsx", None)
        self._file_mark: tuple[str | None] | None = None  # (the file's decimal mark,), once worked out
        self.lines = df["_line"] if "_line" in df else pd.Series(np.arange(len(df)) + 2, index=df.index)

    def add(self, idx, column: str | None, value, expected: str) -> None:
        """Record a problem at the row with index ``idx``.

        ``idx=None`` with a ``column`` is a problem of the header (a missing or
        unexpected column), reported on the header's line (``attrs["header_line"]``,
        else 1); with no column, of the whole file.
        """
        row: int | None
        if idx is not None:
            row = int(self.lines.loc[idx])
        else:
            row = int(self.df.attrs.get("header_line", 1)) if column is not None else None
        self.problems.append(Problem(self.file, row, column, value, expected))

    def warn(self, message: str) -> None:
        """Warn, or record an error when ``strict``."""
        if self.strict:
            self.problems.append(Problem(self.file, None, None, None, message))
        else:
            warnings.warn(f"{self.file}: {message}", InputWarning, stacklevel=3)

    def extra_columns(self, used: Iterable[str], layout: Iterable[str] = ()) -> None:
        """Warn once about unknown columns; when ``strict``, refuse each one on the header's line.

        See :func:`unknown_columns`; ``_line`` is brecha's own.
        """
        row = int(self.df.attrs.get("header_line", 1))
        self.problems += unknown_columns(self.df.columns, used, layout, self.file, row=row, strict=self.strict,
                                         internal=("_line",))

    def _flag(self, mask: pd.Series, column: str, values: pd.Series, expected: str) -> None:
        for idx in mask[mask].index:
            self.add(idx, column, values.loc[idx], expected)

    def text(self, column: str, *, required: bool = True, max_len: int = 10_000) -> pd.Series:
        """A text column; empty cells are problems when ``required``."""
        s = self.df[column].astype(str)
        if required:
            self._flag(s.str.len() == 0, column, s, "a non-empty value")
        self._flag(s.str.len() > max_len, column, s.str.slice(0, 40) + "...", f"at most {max_len:,} characters")
        return s

    def code(self, column: str, width: int, *, required: bool = True) -> pd.Series:
        """A numeric INEGI code, zero-padded to ``width`` characters.

        Codes stored as integers (``1001``) or floats (``1001.0``) are padded
        back (``"01001"``).
        """
        s = self.df[column].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        empty = s.str.len() == 0
        ok = s.str.fullmatch(rf"\d{{1,{width}}}")
        if required:
            self._flag(empty, column, s, f"a {width}-digit INEGI code")
        self._flag(~ok & ~empty, column, s, f"a {width}-digit INEGI code")
        return s.where(~ok, s.str.zfill(width)).where(~empty, None)

    def _mark(self, raw: pd.Series) -> str | None:
        """The decimal mark the cells of ``raw`` show ("." or ","), None when they show none or both."""
        has = raw[raw.str.contains(r"\d[.,]|[.,]\d", regex=True)]
        if has.empty:
            return None
        dot = has.str.fullmatch(_DOT_DECIMAL).any()
        comma = self.decimal_comma and has.str.fullmatch(_COMMA_DECIMAL).any()
        return "." if dot and not comma else "," if comma and not dot else None

    def file_mark(self) -> str | None:
        """The decimal mark the file's numbers show, from every column (worked out once, when needed)."""
        if self._file_mark is None:
            marks = {self._mark(self.df[c].astype(str).str.strip()) for c in self.df.columns if c != "_line"}
            marks.discard(None)
            self._file_mark = (marks.pop() if len(marks) == 1 else None,)
        return self._file_mark[0]

    def _parse(self, column: str, na_values: Iterable[str], lo: float | None, hi: float | None,
               whole: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Values, cells whose reading is ambiguous, and their other reading.

        The decimal mark is the column's when its cells show one (``12,5``,
        ``1.234,5`` or ``12.5``), else the file's, else unknown. With it
        unknown, ``218.414`` (and, outside ``,`` files, ``948,000``) can be
        a decimal or a thousands group: the reading inside ``[lo, hi]`` (and
        whole when ``whole``) is taken, and when both are, the cell is
        ambiguous. Commas in a ``,`` file are thousands separators
        (``"948,990"``), as a decimal comma there would need quoting.
        """
        raw = self.df[column].astype(str).str.strip()
        raw = raw.where(~raw.isin(list(na_values)), "")
        known = self._mark(raw)
        group = pd.Series(False, index=raw.index)
        if known is None and raw.str.contains(r"[.,]", regex=True).any():
            group = raw.str.fullmatch(r"[-+]?\d{1,3}\.\d{3}")
            if self.decimal_comma:
                group |= raw.str.fullmatch(r"[-+]?\d{1,3},\d{3}")
            if group.any():  # only then is the rest of the file worth a look
                known = self.file_mark()
                group &= known is None
        val = _read(raw, known or ("," if self.decimal_comma else "."))
        ambiguous = pd.Series(False, index=raw.index)
        other = pd.Series(np.nan, index=raw.index)
        if known is None:
            if group.any():
                g = raw[group]
                as_decimal = pd.to_numeric(g.str.replace(",", ".", regex=False), errors="coerce")
                as_thousands = pd.to_numeric(g.str.replace(r"[.,]", "", regex=True), errors="coerce")
                ok_dec, ok_thou = _fits(as_decimal, lo, hi, whole), _fits(as_thousands, lo, hi, whole)
                checked = lo is not None or hi is not None or whole
                # Only one reading in range: take it. Both: ambiguous. Neither (or no range given): the
                # file's convention, whose reading the range check then refuses.
                val[group] = np.where(ok_dec & ~ok_thou, as_decimal,
                                      np.where(ok_thou & ~ok_dec, as_thousands, val[group]))
                both = ok_dec & ok_thou & checked
                ambiguous[group] = both
                val[group] = np.where(both, as_decimal, val[group])
                other[group] = np.where(both, as_thousands, np.nan)
        val = val.where(np.isfinite(val))
        return val, ambiguous, other

    def numeric(self, column: str, *, na_values: Iterable[str] = (), lo: float | None = None,
                hi: float | None = None) -> pd.Series:
        """Parse a column as floats without recording problems: NaN where empty or unreadable.

        ``1,234.5`` groups thousands. In a ``;``-delimited file (a spreadsheet
        saved in a Spanish or other comma-decimal locale) ``12,5`` and
        ``1.234,5`` are read with the comma as decimal separator. Which mark
        is the decimal one is worked out per column, then per file (see
        :meth:`_parse`); with ``lo``/``hi`` given, a cell such as
        ``218.414`` that reads within them only one way is read that way,
        and one that reads within them both ways is NaN. Cells equal to one
        of ``na_values`` (e.g. INEGI's ``*``) count as empty.
        """
        val, ambiguous, _ = self._parse(column, na_values, lo, hi, False)
        return val.where(~ambiguous)

    def number(self, column: str, *, lo: float | None = None, hi: float | None = None,
               required: bool = True, what: str = "a number", na_values: Iterable[str] = (),
               whole: bool = False) -> pd.Series:
        """A float column, read as :meth:`numeric` reads it, within ``[lo, hi]``.

        A cell whose separators read two ways within range (``218.414``:
        218.414 or 218,414 people) is refused, naming both readings.
        """
        raw = self.df[column].astype(str).str.strip()
        na_values = list(na_values)
        empty = (raw.str.len() == 0) | raw.isin(na_values)
        val, ambiguous, other = self._parse(column, na_values, lo, hi, whole)
        bad = val.isna() & ~empty
        rng = ""
        if lo is not None and hi is not None:
            rng = f" from {_fmt(lo)} to {_fmt(hi)}"
        elif lo is not None:
            rng = f" of at least {_fmt(lo)}"
        out = pd.Series(False, index=raw.index)
        if lo is not None:
            out |= val < lo
        if hi is not None:
            out |= val > hi
        comma = bad & raw.str.fullmatch(r"[-+]?\d+,\d+")
        self._flag(bad & ~comma | out & ~ambiguous, column, raw, f"{what}{rng}")
        self._flag(comma, column, raw, f"{what}{rng}, with a point as decimal separator")
        for idx in ambiguous[ambiguous].index:
            mark = "point" if "." in raw.loc[idx] else "comma"
            self.add(idx, column, raw.loc[idx],
                     f"{what}{rng} that reads one way only (it could be {val.loc[idx]:g}, with a decimal {mark}, "
                     f"or {other.loc[idx]:,.0f}, with a {mark} grouping thousands, and no other number in the file "
                     f"shows which mark is the decimal one): write {other.loc[idx]:.0f} or {val.loc[idx]:g}")
        if required:
            blank = raw.str.len() == 0
            self._flag(blank, column, raw, f"{what}{rng} (the cell is empty)")
            self._flag(empty & ~blank, column, raw, f"{what}{rng} (the cell is marked as missing)")
        return val.where(~(bad | out | ambiguous)).astype(float)

    def integer(self, column: str, *, lo: int | None = None, hi: int | None = None,
                required: bool = True, na_values: Iterable[str] = ()) -> pd.Series:
        """A whole-number column (nullable ``Int64``)."""
        val = self.number(column, lo=lo, hi=hi, required=required, what="a whole number", na_values=na_values,
                          whole=True)
        frac = val.notna() & (val != np.floor(val.fillna(0)))
        self._flag(frac, column, self.df[column], "a whole number")
        return val.where(~frac).round().astype("Int64")

    def choice(self, column: str, allowed: Iterable[str], *, required: bool = True) -> pd.Series:
        """A column whose values must be one of ``allowed`` (case-insensitive)."""
        allowed = [a.lower() for a in allowed]
        s = self.df[column].astype(str).str.strip().str.lower()
        empty = s.str.len() == 0
        self._flag(~s.isin(allowed) & ~empty, column, self.df[column], f"one of {allowed}")
        if required:
            self._flag(empty, column, s, f"one of {allowed}")
        return s.where(~empty, None)

    def unique(self, key: pd.Series, column: str) -> None:
        """Report each repeated key once, with every line it appears on."""
        dup = key[key.duplicated(keep=False) & key.notna()]
        for value, grp in dup.groupby(dup):
            lines = [int(self.lines.loc[i]) for i in grp.index]
            self.problems.append(Problem(self.file, lines[0], column, value,
                                         f"a unique value (repeated on lines {lines})"))

    def raise_if_any(self) -> None:
        """Raise one :class:`~brecha.errors.InputError` listing every problem, in reading order."""
        if self.problems:
            self._raise()

    def missing(self, column: str, expected: str) -> NoReturn:
        """Refuse the table for want of ``column``: record it on the header's line, raise every problem so far."""
        self.add(None, column, None, expected)
        self._raise()

    def _raise(self) -> NoReturn:
        cols = {c: i for i, c in enumerate(self.df.columns)}

        def order(p: Problem) -> tuple[int, int]:
            return (-1 if p.row is None else p.row, cols.get(p.column, len(cols)))

        raise InputError(sorted(self.problems, key=order))


def unknown_columns(columns: Iterable[str], used: Iterable[str], layout: Iterable[str], file: str, *,
                    row: int | None, strict: bool, internal: Iterable[str] = (), stacklevel: int = 4) -> list[Problem]:
    """Columns that are neither ``used`` by a reader nor part of the official ``layout`` it reads.

    An official file (ITER has 222 variables, DENUE some 40 columns) carries many
    columns a reader ignores on purpose; only a column outside both sets
    (a typo, a column a planner added) deserves a word.

    Parameters
    ----------
    columns
        The file's column names, as the reader sees them.
    used, layout
        What the reader reads (required and optional), and the other columns
        of the layouts it accepts.
    row
        Where the header is (line 1 of a CSV, the header row of a sheet);
        None for a vector layer, whose columns have no line.
    strict
        Return one :class:`~brecha.errors.Problem` per unknown column; else
        warn once (an :class:`~brecha.errors.InputWarning` that carries
        those problems) and return none.
    internal
        Columns the reader added itself, never reported.
    stacklevel
        Of the warning: the default points at the code that called a reader
        using :meth:`Checker.extra_columns`.
    """
    used = list(dict.fromkeys(used))
    known = set(used) | set(layout) | set(internal)
    extra = [c for c in columns if c not in known]
    if not extra:
        return []
    others = len(set(layout) - set(used))
    if len(used) <= _LISTED:
        official = f", or one of the {others} other columns of the official layout" if others else ""
        what = f"a column this reader knows, one of {sorted(used)}{official}"
    else:  # a list of 70 CONEVAL names would drown the one column that matters
        what = f"a column this reader knows (it reads {len(used)} names and the official layout has {others} more)"
    expected = f"{what} (strict mode refuses unknown columns: rename or remove it)"
    problems = [Problem(file, row, c, c, expected) for c in extra]
    if strict:
        return problems
    warnings.warn(InputWarning(f"{file}: ignoring unknown column(s) {extra}", problems), stacklevel=stacklevel)
    return []


# A number whose decimal mark is a point: 12.5, -0.25, .5, 1,234.5, 1,234,567, 1234.567; not the
# ambiguous 218.414 (a decimal or a thousands group). Likewise with a comma (only outside ',' files).
_DOT_DECIMAL = (r"[-+]?(\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}|\d*\.\d{1,2}|\d*\.\d{4,}|\d{4,}\.\d+"
                r"|\d*\.\d+[eE][-+]?\d+)")
_COMMA_DECIMAL = r"[-+]?(\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|\d*,\d{1,2}|\d*,\d{4,}|\d{4,},\d+)"


def _read(raw: pd.Series, mark: str) -> pd.Series:
    """Floats of cells written with ``mark`` as decimal separator and the other mark grouping thousands."""
    cleaned = raw
    sep = "," if mark == "." else "."
    has = raw.str.contains(sep, regex=False)
    if has.any():  # only some cells of a large file need the slower rewrite
        c = raw[has]
        grouped = c.str.fullmatch(rf"[-+]?\d{{1,3}}({re.escape(sep)}\d{{3}})+({re.escape(mark)}\d+)?")
        cleaned = raw.copy()
        cleaned[has] = c.where(grouped, "x").str.replace(sep, "", regex=False)
    if mark == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    elif cleaned.str.contains(",", regex=False).any():
        cleaned = cleaned.where(~cleaned.str.contains(",", regex=False), "x")
    return pd.to_numeric(cleaned.where(raw != "", None), errors="coerce").astype(float)


def _fits(x: pd.Series, lo: float | None, hi: float | None, whole: bool) -> pd.Series:
    ok = x.notna()
    if lo is not None:
        ok &= x >= lo
    if hi is not None:
        ok &= x <= hi
    if whole:
        ok &= x == np.floor(x.fillna(0))
    return ok


def _fmt(x: float) -> str:
    """``20000000`` as ``20,000,000``; years and decimals as written (``2035``, ``14.4``)."""
    if not float(x).is_integer():
        return f"{x:g}"
    return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))


def formula_safe(value: str) -> str:
    """Prefix spreadsheet formulas with ``'`` so Excel and LibreOffice show them as text.

    OWASP's CSV-injection advice: cells beginning with ``= + - @`` or a tab
    are evaluated by spreadsheets.

    >>> formula_safe('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> formula_safe("-12.5")
    '-12.5'
    """
    if isinstance(value, str) and _FORMULA.match(value):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value
