"""Shared helpers for the source readers."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from .._io import read_table
from .._validate import Checker

log = logging.getLogger(__name__)


def first_present(df: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` (lower-case) that is a column of ``df``."""
    for n in names:
        if n in df.columns:
            return n
    return None


def open_table(path: str | os.PathLike, required: tuple[str, ...], *, strict: bool = False) -> tuple[pd.DataFrame, Checker]:
    """Read a table of strings and return it with a :class:`Checker` for it."""
    df = read_table(path, required=required)
    log.debug("read %s: %d rows, %s, delimiter %r", path, len(df), df.attrs["encoding"], df.attrs["delimiter"])
    return df, Checker(df, str(Path(path)), strict=strict)


def _longest(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().str.replace(r"\.0$", "", regex=True).str.len()


def cvegeo_from(df: pd.DataFrame, chk: Checker) -> pd.Series:
    """The 5-character municipal key from ``cvegeo`` or from state and municipality codes.

    Code columns come before same-named text columns (DENUE's and CONEVAL's
    ``municipio`` is a name). A municipality column whose values are mostly
    4-5 digits holds full keys, as CONEVAL's ``clave_municipio`` (``1001``) does.
    """
    col = first_present(df, "cvegeo", "inegi", "cve_geo", "clave_municipio_completa")
    if col is not None and _longest(df[col]).max() >= 4:
        return chk.code(col, 5)
    ent = first_present(df, "cve_ent", "clave_entidad", "entidad", "ent")
    mun = first_present(df, "cve_mun", "clave_municipio", "mun", "municipio")
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
