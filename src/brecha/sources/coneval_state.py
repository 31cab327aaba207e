"""Reader for CONEVAL's official state poverty figures (2016-2022 series).

CONEVAL publishes the state series as an *anexo estadístico* workbook whose
sheets are laid out for people, not machines: titles above the table, a row
of units (``Porcentaje``, ``Miles de personas``, ``Carencias promedio``)
merged over a row of years, indicator labels with footnote marks, notes
below. Layouts have changed between releases, so nothing is found by
position; every sheet is scanned for:

* a **year row**: the first row with at least two years (2008-2030);
* a **unit band** in the rows above it, spread right over merged cells;
* data rows whose label is either an **indicator** (the state then comes
  from the sheet's title or name: one sheet per state) or a **state** (the
  indicator then comes from a band above the years, or from the title: one
  sheet per indicator).

The tidy CSV form (one row per state, year and indicator) is also read:
columns ``cve_ent`` or ``state``, ``year``, ``indicator``, ``percentage``,
``people``. Indicators may be brecha's names (``poverty``,
``extreme_poverty``...) or CONEVAL's Spanish labels.

Source: CONEVAL (2023), *Medición de la pobreza 2022, anexo estadístico,
entidades federativas 2016-2022*, https://www.coneval.org.mx/Medicion/MP/.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import check_input_file
from ..errors import InputError, InputWarning, Problem
from ..places import Gazetteer, normalize
from ._common import NOT_AVAILABLE, first_present, open_table

__all__ = ["read_coneval_state", "read_coneval_state_workbook", "read_coneval_state_csv",
           "indicator_from_label", "NATIONAL"]

log = logging.getLogger(__name__)

#: ``cve_ent`` used for the national row (Estados Unidos Mexicanos).
NATIONAL = "00"

_TIDY = ["cve_ent", "state", "year", "indicator", "pct", "people"]
# The tidy CSV's accepted names, first preferred.
_PLACE_COLUMNS = ("cve_ent", "state", "entidad", "entidad_federativa")
_PCT_COLUMNS = ("percentage", "pct", "porcentaje")
_PEOPLE_COLUMNS = ("people", "personas", "poblacion")
_YEAR = re.compile(r"^\s*((?:19|20)\d\d)(?!\d)")
_NATIONAL_NAMES = ("estados unidos mexicanos", "nacional", "national", "mexico total", "total nacional")

# Normalised label patterns -> brecha indicator, tried in order (specific before general).
_INDICATOR_PATTERNS: list[tuple[str, str]] = [
    (r"pobreza extrema por ingreso|linea de pobreza extrema|lpei|bienestar minimo", "income_below_lpei"),
    (r"linea de pobreza|lpi\b|linea de bienestar", "income_below_lpi"),
    (r"pobreza extrema", "extreme_poverty"),
    (r"pobreza moderada", "moderate_poverty"),
    (r"vulnerable.*carencia", "vulnerable_deprivation"),
    (r"vulnerable.*ingreso", "vulnerable_income"),
    (r"no pobre.*no vulnerable", "not_poor_not_vulnerable"),
    (r"rezago educativo", "deprivation_education"),
    (r"servicios de salud", "deprivation_health"),
    (r"seguridad social", "deprivation_social_security"),
    (r"calidad y espacios", "deprivation_housing_quality"),
    (r"servicios basicos", "deprivation_housing_services"),
    (r"alimentacion", "deprivation_food"),
    (r"al menos una carencia", "at_least_one_deprivation"),
    (r"tres o mas carencias", "three_or_more_deprivations"),
    (r"situacion de pobreza|^pobreza\b|pobreza$", "poverty"),
]
_KNOWN = {name for _, name in _INDICATOR_PATTERNS}


def indicator_from_label(label: str) -> str | None:
    """The brecha indicator a CONEVAL row label (or a brecha name) stands for.

    >>> indicator_from_label("Población en situación de pobreza extrema")
    'extreme_poverty'
    >>> indicator_from_label("  Carencia por acceso a la alimentación nutritiva y de calidad³")
    'deprivation_food'
    >>> indicator_from_label("Población en situación de pobreza"), indicator_from_label("poverty")
    ('poverty', 'poverty')
    >>> indicator_from_label("Indicadores de carencia social") is None
    True
    """
    raw = str(label).strip().lower()
    if raw in _KNOWN:
        return raw
    key = re.sub(r"[\d¹²³⁴⁵⁶⁷⁸⁹⁰*]+$", "", normalize(label)).strip()
    key = re.sub(r"^poblacion (en situacion de |con )?", "", key)
    if not key:
        return None
    for pattern, name in _INDICATOR_PATTERNS:
        if re.search(pattern, key):
            return name
    return None


@functools.lru_cache(maxsize=1)
def _states_gazetteer() -> Gazetteer:
    """States and municipalities only: the readers resolve state names, and indexing localities is slow."""
    from .. import geography

    no_localities = pd.DataFrame({"cvegeo": pd.Series(dtype=str), "name": pd.Series(dtype=str),
                                  "pop_total": pd.Series(dtype=float)})
    return Gazetteer(geography.municipalities(), geography.states(), no_localities)


def _state_code(text: str, gz: Gazetteer) -> str | None:
    """``cve_ent`` of a cell naming a state or the nation, or None."""
    key = re.sub(r"[\d¹²³⁴⁵⁶⁷⁸⁹⁰*]+$", "", normalize(text)).strip()
    if not key:
        return None
    if key in _NATIONAL_NAMES:
        return NATIONAL
    if re.fullmatch(r"\d+", key):  # bare numbers are values, not state codes, inside a sheet
        return None
    st = gz.resolve_state(key)
    return st.cve_ent if st else None


def _state_in_text(text: str, gz: Gazetteer) -> str | None:
    """The one state (or the nation) named somewhere in a title, or None."""
    if "estados unidos mexicanos" in normalize(text):
        return NATIONAL
    found = {_state_code(part, gz) for part in re.split(r"[,:;\-\u2013()]| 20\d\d", str(text))}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _number(value) -> float:
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.number)):
        return float(value)
    s = str(value).strip().replace(",", "").replace(" ", "")
    try:
        return float(s)
    except ValueError:
        return np.nan  # "n.d.", "-", footnote marks: not a value


def _unit(text) -> str | None:
    t = normalize(str(text)) if text is not None else ""
    if "porcentaje" in t or t in ("%", "pct", "percentage"):
        return "pct"
    if "millones" in t:
        return "millions"
    if "miles" in t:
        return "thousands"
    if "personas" in t or "people" in t:
        return "people"
    if "carencias promedio" in t:
        return "mean_deprivations"
    return None


def _ffill(row: tuple, parse) -> list:
    out, last = [], None
    for v in row:
        p = parse(v) if v is not None and str(v).strip() else None
        last = p if p is not None else last
        out.append(last)
    return out


def _parse_sheet(name: str, rows: list[tuple], gz: Gazetteer) -> list[tuple]:
    year_at = None
    for i, row in enumerate(rows):
        years = [bool(_YEAR.match(str(v))) if v is not None else False for v in row]
        if sum(years) >= 2:
            year_at = i
            break
    if year_at is None:
        return []
    header = rows[year_at]
    year_cols = {j: int(m.group(1)) for j, v in enumerate(header)
                 if v is not None and (m := _YEAR.match(str(v)))}
    first_year_col = min(year_cols)
    above = rows[max(0, year_at - 4):year_at]
    units: list = [None] * len(header)
    indicators: list = [None] * len(header)
    for row in above:
        row = tuple(row) + (None,) * (len(header) - len(row))
        u = _ffill(row[:len(header)], _unit)
        if any(u[j] for j in year_cols):
            units = u
        named = _ffill(row[:len(header)], lambda v: indicator_from_label(v) if _unit(v) is None else None)
        if any(named[j] for j in year_cols):
            indicators = named
    title = " ".join(str(v) for row in rows[:year_at] for v in row if isinstance(v, str))
    default_unit = _unit(title) or "pct"
    sheet_state = _state_in_text(name, gz) or _state_in_text(title, gz)
    title_indicator = indicator_from_label(title) if title else None
    out = []
    for row in rows[year_at + 1:]:
        labels = [v for v in row[:first_year_col] if v is not None and str(v).strip()]
        if not labels:
            continue
        label = str(labels[-1]) if not isinstance(labels[-1], (int, float)) else str(labels[0])
        ind = indicator_from_label(label)
        ent = None if ind else _state_code(label, gz)
        if ind is None and ent is None:
            continue  # section headings, notes, sources
        for j, year in year_cols.items():
            unit = units[j] or default_unit
            indicator = ind or indicators[j] or title_indicator
            state = ent or sheet_state
            if indicator is None or state is None or unit == "mean_deprivations" or j >= len(row):
                continue
            value = _number(row[j])
            scale = {"pct": 1.0, "thousands": 1e3, "millions": 1e6, "people": 1.0}[unit]
            out.append((state, year, indicator, "pct" if unit == "pct" else "people", value * scale))
    return out


def read_coneval_state_workbook(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Read CONEVAL's official state poverty workbook (``.xlsx``).

    Parameters
    ----------
    path
        The anexo estadístico workbook (any of its layouts; module docstring).
    gazetteer
        For state names; the embedded one by default.

    Returns
    -------
    DataFrame
        Tidy: ``cve_ent`` (``"00"`` for the nation), ``state``, ``year``,
        ``indicator`` (brecha names, as in
        :data:`brecha.sources.poverty.POVERTY_INDICATORS`), ``pct`` (0-100)
        and ``people`` (persons, converted from thousands or millions).
        Cells CONEVAL leaves empty or marks ``n.d.`` are NaN.

    Raises
    ------
    InputError
        The file cannot be opened, no sheet holds a recognisable table, or
        two sheets give different values for the same state, year and indicator.
    """
    import openpyxl

    path = Path(path)
    gz = gazetteer or _states_gazetteer()
    check_input_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for bad files
        raise InputError([Problem(str(path), None, None, None,
                                  f"a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None
    records = []
    try:
        hidden = [ws.title for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") != "visible"]
        if hidden:  # last release's figures are often kept in a hidden sheet
            warnings.warn(InputWarning(f"{path}: hidden sheet(s) {hidden} not read"), stacklevel=2)
        for ws in wb.worksheets:
            if ws.title in hidden:
                continue
            got = _parse_sheet(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)], gz)
            log.debug("%s, sheet %r: %d values", path.name, ws.title, len(got))
            records += got
    finally:
        wb.close()
    if not records:
        raise InputError([Problem(str(path), None, None, None,
                                  "a sheet with a row of years (2016, 2018...) under units such as "
                                  "'Porcentaje' / 'Miles de personas', and rows labelled by state or indicator")])
    long = pd.DataFrame(records, columns=["cve_ent", "year", "indicator", "what", "value"])
    return _tidy(long, str(path), gz)


def _tidy(long: pd.DataFrame, file: str, gz: Gazetteer) -> pd.DataFrame:
    # Thousands * 1e3 and millions * 1e6 of the same figure differ in the last bits; compare rounded.
    long = long.assign(value=np.where(long["what"] == "people", long["value"].round(0), long["value"].round(6)))
    long = long.drop_duplicates()
    key = ["cve_ent", "year", "indicator", "what"]
    clash = long[long.duplicated(key, keep=False) & long["value"].notna()]
    clash = clash[clash.duplicated(key, keep=False)]
    if not clash.empty:  # once per state, year and indicator, whether the percentage or the count differs
        raise InputError([Problem(file, None, None, f"{k[0]} {k[1]} {k[2]}",
                                  "one value per state, year and indicator (sheets disagree)")
                          for k in clash[key[:3]].drop_duplicates().itertuples(index=False)])
    long = long.sort_values("value", na_position="last").drop_duplicates(key)
    wide = long.pivot(index=["cve_ent", "year", "indicator"], columns="what", values="value").reset_index()
    for col in ("pct", "people"):
        if col not in wide:
            wide[col] = np.nan
    names = {**gz.states["name"].to_dict(), NATIONAL: "Estados Unidos Mexicanos"}
    wide["state"] = wide["cve_ent"].map(names)
    wide["year"] = wide["year"].astype("int64")
    out = wide[_TIDY].sort_values(["cve_ent", "year", "indicator"], ignore_index=True)
    out.columns.name = None
    out.attrs.update(file=file, source="CONEVAL official state estimates")
    return out


def read_coneval_state_csv(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None,
                           strict: bool = False) -> pd.DataFrame:
    """Read the tidy CSV form of the official state figures.

    Columns: ``cve_ent`` or ``state`` (name, short form or abbreviation;
    ``Estados Unidos Mexicanos``/``Nacional`` or ``00`` for the nation),
    ``year``, ``indicator`` (brecha name or CONEVAL label), ``percentage``
    (or ``pct``, 0-100) and/or ``people`` (persons). Every bad cell is
    reported at once.

    Returns
    -------
    DataFrame
        Same as :func:`read_coneval_state_workbook`.
    """
    df, chk = open_table(path, ("year", "indicator"), strict=strict)
    gz = gazetteer or _states_gazetteer()
    place_col = first_present(df, *_PLACE_COLUMNS)
    pct_col = first_present(df, *_PCT_COLUMNS)
    ppl_col = first_present(df, *_PEOPLE_COLUMNS)
    if place_col is None:
        chk.add(None, "cve_ent", None, "a 'cve_ent' or 'state' column")
    if pct_col is None and ppl_col is None:
        chk.add(None, "percentage", None, "a 'percentage' or 'people' column")
    chk.extra_columns(_PLACE_COLUMNS + ("year", "indicator") + _PCT_COLUMNS + _PEOPLE_COLUMNS)
    year = chk.integer("year", lo=1990, hi=2035)
    # CONEVAL's n.d. and '-' mean no estimate, as in the municipal table: missing, never a bad cell.
    pct = (chk.number(pct_col, lo=0, hi=100, required=False, what="a percentage", na_values=NOT_AVAILABLE)
           if pct_col else None)
    ppl = (chk.number(ppl_col, lo=0, hi=2e8, required=False, what="a count of people", na_values=NOT_AVAILABLE)
           if ppl_col else None)
    ents, inds = [], []
    for idx in df.index:
        label = str(df.at[idx, "indicator"])
        ind = indicator_from_label(label)
        if ind is None:
            chk.add(idx, "indicator", label, f"a poverty indicator, e.g. one of {sorted(_KNOWN)[:6]}...")
        inds.append(ind)
        ent = None
        if place_col is not None:
            raw = str(df.at[idx, place_col]).strip()
            ent = NATIONAL if raw in ("0", "00") else _state_code(raw, gz)
            if ent is None and re.fullmatch(r"\d{1,2}", raw) and raw.zfill(2) in gz.states.index:
                ent = raw.zfill(2)
            if ent is None:
                chk.add(idx, place_col, raw, "a Mexican state (name or 2-digit code) or the nation")
        ents.append(ent)
    # A tidy table has one row per state, year and indicator: a repeated one is reported once, with its lines.
    key = pd.Series([f"{e} {y} {i}" if e and i and pd.notna(y) else None for e, y, i in zip(ents, year, inds)],
                    index=df.index, dtype=object)
    chk.unique(key, "cve_ent+year+indicator")
    chk.raise_if_any()
    parts = []
    for what, values in (("pct", pct), ("people", ppl)):
        if values is not None:
            parts.append(pd.DataFrame({"cve_ent": ents, "year": year.astype("int64").to_numpy(), "indicator": inds,
                                       "what": what, "value": values.to_numpy()}))
    return _tidy(pd.concat(parts, ignore_index=True), str(path), gz)


def read_coneval_state(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None,
                       strict: bool = False) -> pd.DataFrame:
    """Read official state figures from the CONEVAL workbook (``.xlsx``) or the tidy CSV.

    ``strict`` refuses unknown columns of the CSV; a workbook is found by its
    layout, not by column names, so it has none to refuse.

    Returns
    -------
    DataFrame
        ``cve_ent, state, year, indicator, pct, people`` (see
        :func:`read_coneval_state_workbook`).
    """
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return read_coneval_state_workbook(path, gazetteer=gazetteer)
    return read_coneval_state_csv(path, gazetteer=gazetteer, strict=strict)
