"""Readers for CONEVAL's multidimensional poverty estimates.

Municipal estimates (2010, 2015, 2020) are read from CONEVAL's concentrado
table or from brecha's embedded copy; official state figures, which are not
the population-weighted sum of the municipal ones, from the state workbook.
"""

from __future__ import annotations

import os

import pandas as pd

from ._common import cvegeo_from, first_present, open_table

__all__ = ["read_coneval_municipal", "POVERTY_INDICATORS"]

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


def _pair(df: pd.DataFrame, stems: tuple[str, ...]) -> tuple[str | None, str | None]:
    long, short = stems
    pct = first_present(df, f"{long}_porcentaje", short)
    ppl = first_present(df, f"{long}_poblacion", f"{short}_pob")
    return pct, ppl


def read_coneval_municipal(path: str | os.PathLike, *, year: int = 2020, strict: bool = False) -> pd.DataFrame:
    """Read CONEVAL municipal poverty keyed by ``cvegeo``.

    Parameters
    ----------
    path
        CSV or ``.xlsx`` with a ``cvegeo`` column (or ``clave_entidad`` and
        ``clave_municipio``) and, per indicator, a percentage and a people
        column (``pobreza_porcentaje``/``pobreza_poblacion`` or CONEVAL's
        ``pobreza``/``pobreza_pob``).
    year
        The estimate's year, recorded in ``attrs["vintage"]``.

    Returns
    -------
    DataFrame
        ``cvegeo, cve_ent, pop_coneval``, ``<indicator>_pct`` (percent of the
        population, 0-100) and ``<indicator>_people`` for each of
        :data:`POVERTY_INDICATORS` found, ``coneval_nd``. Municipalities that
        CONEVAL does not estimate keep empty (NaN) values, never zero.
    """
    df, chk = open_table(path, (), strict=strict)
    cvegeo = cvegeo_from(df, chk)
    out = pd.DataFrame({"cvegeo": cvegeo, "cve_ent": cvegeo.str[:2]})
    pop = first_present(df, "pob_coneval_2020", "poblacion", "pob_coneval")
    if pop:
        out["pop_coneval"] = chk.number(pop, lo=0, hi=2e7, required=False)
    found = 0
    for name, stems in POVERTY_INDICATORS.items():
        pct, ppl = _pair(df, stems)
        if pct:
            out[f"{name}_pct"] = chk.number(pct, lo=0, hi=100, required=False, what="a percentage")
            found += 1
        if ppl:
            out[f"{name}_people"] = chk.number(ppl, lo=0, hi=2e7, required=False, what="a count of people")
    if not found:
        chk.add(None, "pobreza_porcentaje", None,
                "CONEVAL indicator columns such as 'pobreza_porcentaje' or 'pobreza'")
    for src, dst in (("im_2020", "marginalisation_index"), ("gm_2020", "marginalisation_grade")):
        if src in df.columns:
            out[dst] = pd.to_numeric(df[src], errors="coerce") if src.startswith("im") else df[src].replace("", None)
    chk.unique(cvegeo, "cvegeo")
    chk.raise_if_any()
    pct_cols = [c for c in out.columns if c.endswith("_pct")]
    out["coneval_nd"] = out[pct_cols].isna().all(axis=1)
    out.attrs["vintage"] = year
    return out.sort_values("cvegeo", ignore_index=True)
