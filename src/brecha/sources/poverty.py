"""Readers for CONEVAL's multidimensional poverty estimates.

Municipal estimates (2010, 2015, 2020) are read from CONEVAL's concentrado
table or from brecha's embedded copy; official state figures, which are not
the population-weighted sum of the municipal ones, from the state workbook.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ._common import (
    CODE_COLUMNS,
    CVEGEO_COLUMNS,
    MUN_COLUMNS,
    NOT_AVAILABLE,
    cvegeo_from,
    first_present,
    open_sheet,
    open_table,
)

__all__ = ["read_coneval_municipal", "POVERTY_INDICATORS", "NOT_AVAILABLE"]

#: brecha indicator -> accepted source column stems (the redistributed copy's, then CONEVAL's).
POVERTY_INDICATORS: dict[str, tuple[str, ...]] = {
    "poverty": ("pobreza", "pobreza"),
    "extreme_poverty": ("pobreza_extrema", "pobreza_e"),
    "moderate_poverty": ("pobreza_moderada", "pobreza_m"),
    "vulnerable_deprivation": ("vulnerable_carencias_sociales", "vul_car"),
    "vulnerable_income": ("vulnerable_ingresos", "vul_ing"),
    "not_poor_not_vulnerable": ("no_pobre_no_vulnerable", "npnv"),
    "deprivation_education": ("carencia_rezago_educativo", "ic_rezedu"),
    "deprivation_health": ("carencia_servicios_de_salud", "ic_asalud"),
    "deprivation_social_security": ("carencia_seguridad_social", "ic_segsoc"),
    "deprivation_housing_quality": ("carencia_calidad_espacios_vivienda", "ic_cv"),
    "deprivation_housing_services": ("carencia_servicios_basicos_vivienda", "ic_sbv"),
    "deprivation_food": ("carencia_alimentacion_nutritiva_calidad", "ic_ali_nc"),
    "income_below_lpi": ("ingreso_inferior_a_lpi", "plp"),
    "income_below_lpei": ("ingreso_inferior_a_lpei", "plp_e"),
}


#: Columns of the layouts this reader accepts that it does not read: names, CONEVAL's
#: at-least-one and three-or-more deprivation counts, the census population, the
#: national marginalisation index, and the redistributed copy's own no-estimate flag.
_LAYOUT = ("nom_ent", "nom_mun", "entidad_federativa", "municipio", "carencias", "carencias_pob", "carencias3",
           "carencias3_pob", "al_menos_una_carencia_porcentaje", "al_menos_una_carencia_poblacion",
           "al_menos_tres_carencias_porcentaje", "al_menos_tres_carencias_poblacion", "pob_censo_2020",
           "imn_2020", "coneval_nd")
_POPULATION = ("pob_coneval_2020", "poblacion", "pob_coneval")
_MARGINALISATION = {"im_2020": "marginalisation_index", "gm_2020": "marginalisation_grade"}


def _indicator_columns() -> set[str]:
    return {c for long, short in POVERTY_INDICATORS.values() for c in (f"{long}_porcentaje", short)}


def _is_header(cells: list[str]) -> bool:
    """The header row of a CONEVAL table: a code column and an indicator column."""
    have = set(cells)
    return bool(have & set(CVEGEO_COLUMNS + MUN_COLUMNS)) and bool(have & _indicator_columns())


def _pair_names(stems: tuple[str, ...]) -> tuple[str, str, str, str]:
    """The accepted percentage columns, then the accepted people columns, of an indicator."""
    long, short = stems
    return f"{long}_porcentaje", short, f"{long}_poblacion", f"{short}_pob"


def _pair(df: pd.DataFrame, stems: tuple[str, ...]) -> tuple[str | None, str | None]:
    names = _pair_names(stems)
    return first_present(df, *names[:2]), first_present(df, *names[2:])


def read_coneval_municipal(path: str | os.PathLike, *, year: int = 2020, sheet: str | None = None,
                           strict: bool = False) -> pd.DataFrame:
    """Read CONEVAL municipal poverty keyed by ``cvegeo``.

    Parameters
    ----------
    path
        CSV or ``.xlsx`` with a ``cvegeo`` column (or ``clave_entidad`` and
        ``clave_municipio``) and, per indicator, a percentage and a people
        column (``pobreza_porcentaje``/``pobreza_poblacion`` or CONEVAL's
        ``pobreza``/``pobreza_pob``).
        In a workbook (CONEVAL's concentrado) the header is the first row
        holding a code and an indicator column; title rows above it and
        note rows below the data are skipped.
    year
        The estimate's year, recorded in ``attrs["vintage"]``.
    sheet
        The workbook sheet to read; by default the first one with such a
        header (an error names the sheets when none has one).

    Returns
    -------
    DataFrame
        ``cvegeo, cve_ent, pop_coneval``, ``<indicator>_pct`` (percent of the
        population, 0-100) and ``<indicator>_people`` for each of
        :data:`POVERTY_INDICATORS` found, ``coneval_nd``. Cells CONEVAL
        marks as not available (:data:`NOT_AVAILABLE`: ``n.d.``, ``-``) or
        leaves empty are NaN, never zero; ``coneval_nd`` is True for the
        municipalities with no estimate at all (every percentage and every
        count of people missing).
    """
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        df, chk = open_sheet(path, _is_header, sheet=sheet, strict=strict,
                             header_hint="with a code column (cvegeo or clave_municipio) and CONEVAL indicator "
                                         "columns (pobreza_porcentaje or pobreza)")
    else:
        df, chk = open_table(path, (), strict=strict)
    cvegeo = cvegeo_from(df, chk)
    out = pd.DataFrame({"cvegeo": cvegeo, "cve_ent": cvegeo.str[:2]})
    indicators = [c for stems in POVERTY_INDICATORS.values() for c in _pair_names(stems)]
    chk.extra_columns(CODE_COLUMNS + _POPULATION + tuple(indicators) + tuple(_MARGINALISATION), _LAYOUT)
    pop = first_present(df, *_POPULATION)
    if pop:
        out["pop_coneval"] = chk.number(pop, lo=0, hi=2e7, required=False, na_values=NOT_AVAILABLE)
    found = 0
    for name, stems in POVERTY_INDICATORS.items():
        pct, ppl = _pair(df, stems)
        if pct:
            out[f"{name}_pct"] = chk.number(pct, lo=0, hi=100, required=False, what="a percentage",
                                            na_values=NOT_AVAILABLE)
            found += 1
        if ppl:
            out[f"{name}_people"] = chk.number(ppl, lo=0, hi=2e7, required=False, what="a count of people",
                                               na_values=NOT_AVAILABLE)
    if not found:
        chk.add(None, "pobreza_porcentaje", None,
                "CONEVAL indicator columns such as 'pobreza_porcentaje' or 'pobreza'")
    for src, dst in _MARGINALISATION.items():
        if src in df.columns:
            # Read with the file's decimal mark, as the indicators are (a Spanish '-0,456' is not NaN).
            out[dst] = chk.numeric(src, na_values=NOT_AVAILABLE) if src.startswith("im") else df[src].replace("", None)
    chk.unique(cvegeo, "cvegeo")
    chk.raise_if_any()
    # No estimate at all: a municipality with a people count beside a '-' percentage has one.
    value_cols = [c for c in out.columns if c.endswith(("_pct", "_people"))]
    out["coneval_nd"] = out[value_cols].isna().all(axis=1)
    out.attrs["vintage"] = year
    return out.sort_values("cvegeo", ignore_index=True)
