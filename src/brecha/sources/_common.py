"""Shared helpers for the source readers."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .._io import read_table
from .._validate import Checker
from ..errors import InputError, Problem

log = logging.getLogger(__name__)

#: Column names (lower-case) that :func:`cvegeo_from` reads codes from, in order of preference.
CVEGEO_COLUMNS = ("cvegeo", "inegi", "cve_geo", "clave_municipio_completa")
ENT_COLUMNS = ("cve_ent", "clave_entidad", "entidad", "ent")
MUN_COLUMNS = ("cve_mun", "clave_municipio", "mun", "municipio")
#: Every column :func:`cvegeo_from` may read a code from.
CODE_COLUMNS = CVEGEO_COLUMNS + ENT_COLUMNS + MUN_COLUMNS

#: Cells CONEVAL writes where it publishes no estimate (no disponible); read as missing, never 0.
NOT_AVAILABLE = ("n.d.", "N.D.", "n.d", "N.D", "nd", "ND", "-", "–", "—")


def first_present(df: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` (lower-case) that is a column of ``df``."""
    for n in names:
        if n in df.columns:
            return n
    return None


def open_table(path: str | os.PathLike, required: tuple[str, ...], *, strict: bool = False,
               sheet: str | None = None) -> tuple[pd.DataFrame, Checker]:
    """Read a table of strings (``sheet``: of a workbook) and return it with a :class:`Checker` for it."""
    df = read_table(path, required=required, sheet=sheet)
    log.debug("read %s: %d rows, %s, delimiter %r", path, len(df), df.attrs["encoding"], df.attrs["delimiter"])
    return df, Checker(df, str(Path(path)), strict=strict)


def _is_note(row: list[str]) -> bool:
    """A row holding one text cell: a heading, a note or a source line, not data."""
    filled = [c for c in row if c.strip()]
    return len(filled) == 1 and not re.fullmatch(r"[-+\d.,\s]+", filled[0])


def open_sheet(path: str | os.PathLike, is_header: Callable[[list[str]], bool], *, sheet: str | None = None,
               header_hint: str, strict: bool = False) -> tuple[pd.DataFrame, Checker]:
    """Read a workbook table whose header is not on row 1, as :func:`open_table` reads a CSV.

    Official workbooks put titles (often merged cells) above the header and
    notes below the data. The header is the first row for which
    ``is_header(cells)`` is true (cells stripped and lower-cased); rows above
    it are titles, and single-text-cell rows after it are notes, both
    skipped. ``_line`` holds true sheet row numbers.

    Parameters
    ----------
    sheet
        The sheet to read; by default the first sheet holding such a header.
    header_hint
        What the header should contain, for the error when none is found.

    Raises
    ------
    InputError
        The workbook cannot be read, ``sheet`` is not one of its sheets, or
        no sheet (or not ``sheet``) has a recognisable header.
    """
    import openpyxl

    from .._io import _cell, _frame, check_input_file  # the package's own xlsx plumbing

    path = Path(path)
    file = str(path)
    check_input_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for bad zips
        raise InputError([Problem(file, None, None, None,
                                  f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError([Problem(file, None, None, sheet, f"the name of one of the workbook's sheets {names}")])
        # A hidden sheet (last year's figures, a lookup table) is read only when named;
        # the sheet the workbook opens on is tried first.
        visible = [ws.title for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        active = wb.active.title if wb.active is not None and wb.active.title in visible else None
        opens_on = [] if active is None else [active]
        order = [sheet] if sheet is not None else opens_on + [n for n in visible if n != active]
        hidden = [n for n in names if n not in visible]
        if hidden and sheet is None:
            log.info("%s: hidden sheet(s) %s not read (name one with sheet= to read it)", path, hidden)
        hit: tuple[str, int, list[list[str]]] | None = None  # the sheet, its header's index, its rows
        for name in order:
            cells = [[_cell(v) for v in r] for r in wb[name].iter_rows(values_only=True)]
            row = next((i for i, r in enumerate(cells) if is_header([c.strip().lower() for c in r])), None)
            if row is not None:
                hit = (name, row, cells)
                break
    finally:
        wb.close()
    if hit is None:
        where = f"sheet {sheet!r}" if sheet is not None else f"any of the sheets {order}"
        raise InputError([Problem(file, None, None, None, f"a header row {header_hint} in {where}")])
    found, at, rows = hit
    if at:
        log.info("%s, sheet %r: skipped %d title row(s) above the header on row %d", path, found, at, at + 1)
    head = rows[at]
    body = [(r + [""] * (len(head) - len(r)), i) for i, r in enumerate(rows[at + 1:], start=at + 2)]
    body = [(r, i) for r, i in body if not _is_note(r)]
    df = _frame(file, head, [r for r, _ in body], [i for _, i in body], (), True, "xlsx", "xlsx", head_line=at + 1)
    df.attrs["sheet"] = found
    log.debug("read %s, sheet %r: header on row %d, %d rows", path, found, at + 1, len(df))
    return df, Checker(df, f"{file} (sheet {found!r})", strict=strict)


def _longest(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().str.replace(r"\.0$", "", regex=True).str.len()


def cvegeo_from(df: pd.DataFrame, chk: Checker) -> pd.Series:
    """The 5-character municipal key from ``cvegeo`` or from state and municipality codes.

    Code columns come before same-named text columns (DENUE's and CONEVAL's
    ``municipio`` is a name). A municipality column whose values are mostly
    4-5 digits holds full keys, as CONEVAL's ``clave_municipio`` (``1001``) does.
    """
    col = first_present(df, *CVEGEO_COLUMNS)
    if col is not None and _longest(df[col]).max() >= 4:
        return chk.code(col, 5)
    ent = first_present(df, *ENT_COLUMNS)
    mun = first_present(df, *MUN_COLUMNS)
    if mun is not None and (_longest(df[mun]) >= 4).mean() > 0.5:
        full = chk.code(mun, 5)
        if ent is not None:
            e = chk.code(ent, 2)
            clash = full.notna() & e.notna() & (full.str[:2] != e)
            chk._flag(clash, mun, df[mun], f"a municipal key of the state in column {ent!r}")
        return full
    if ent is None or mun is None:
        chk.add(None, "cvegeo", None, "a 'cvegeo' column, or 'cve_ent' and 'cve_mun' columns")
        return pd.Series(None, index=df.index, dtype=object)
    e = chk.code(ent, 2)
    m = chk.code(mun, 3)
    return e + m
