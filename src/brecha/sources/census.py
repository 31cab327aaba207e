"""Readers for INEGI's Census 2020 (ITER: Integración Territorial).

Both the official ITER CSV (one row per locality, with municipal ``LOC=0000``
and state ``MUN=000`` total rows, ``*`` for confidential cells and
degree-minute-second coordinates) and the compact copies brecha embeds are
read by the same functions.
"""

from __future__ import annotations

import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from ._common import CODE_COLUMNS, cvegeo_from, first_present, open_table

__all__ = ["read_census_municipal", "read_census_localities", "CENSUS_COLUMNS", "ITER_VARIABLES"]

#: ITER variable -> brecha column. Counts are people unless the name says otherwise.
CENSUS_COLUMNS: dict[str, str] = {
    "pobtot": "pop_total",
    "pobfem": "pop_female",
    "pobmas": "pop_male",
    "p_0a2": "pop_0_2",
    "p_3a5": "pop_3_5",
    "p_6a11": "pop_6_11",
    "p_12a14": "pop_12_14",
    "p_15a17": "pop_15_17",
    "pob15_64": "pop_15_64",
    "p_60ymas": "pop_60_plus",
    "pob65_mas": "pop_65_plus",
    "pcon_disc": "pop_disability",
    "psinder": "pop_no_health_coverage",
    "pe_inac": "pop_inactive",
    "pocupada": "pop_employed",
    "pdesocup": "pop_unemployed",
    "tothog": "households",
    "hogjef_f": "households_female_head",
    "vivtot": "dwellings",
}
_MAX_POP = 20_000_000


#: The 222 variables of INEGI's ITER 2020 (Principales resultados por localidad), as its
#: data descriptor lists them; the AGEB and block tables use the same names.
ITER_VARIABLES: tuple[str, ...] = tuple("""
    pobtot pobfem pobmas p_0a2 p_0a2_f p_0a2_m p_3ymas p_3ymas_f p_3ymas_m p_5ymas p_5ymas_f p_5ymas_m
    p_12ymas p_12ymas_f p_12ymas_m p_15ymas p_15ymas_f p_15ymas_m p_18ymas p_18ymas_f p_18ymas_m p_3a5
    p_3a5_f p_3a5_m p_6a11 p_6a11_f p_6a11_m p_8a14 p_8a14_f p_8a14_m p_12a14 p_12a14_f p_12a14_m
    p_15a17 p_15a17_f p_15a17_m p_18a24 p_18a24_f p_18a24_m p_15a49_f p_60ymas p_60ymas_f p_60ymas_m
    rel_h_m pob0_14 pob15_64 pob65_mas prom_hnv pnacent pnacent_f pnacent_m pnacoe pnacoe_f pnacoe_m
    pres2015 pres2015_f pres2015_m presoe15 presoe15_f presoe15_m p3ym_hli p3ym_hli_f p3ym_hli_m
    p3hlinhe p3hlinhe_f p3hlinhe_m p3hli_he p3hli_he_f p3hli_he_m p5_hli p5_hli_nhe p5_hli_he phog_ind
    pob_afro pob_afro_f pob_afro_m pcon_disc pcdisc_mot pcdisc_vis pcdisc_leng pcdisc_aud pcdisc_mot2
    pcdisc_men pcon_limi pclim_csb pclim_vis pclim_haco pclim_oaud pclim_mot2 pclim_re_co pclim_pmen
    psind_lim p3a5_noa p3a5_noa_f p3a5_noa_m p6a11_noa p6a11_noaf p6a11_noam p12a14noa p12a14noaf
    p12a14noam p15a17a p15a17a_f p15a17a_m p18a24a p18a24a_f p18a24a_m p8a14an p8a14an_f p8a14an_m
    p15ym_an p15ym_an_f p15ym_an_m p15ym_se p15ym_se_f p15ym_se_m p15pri_in p15pri_inf p15pri_inm
    p15pri_co p15pri_cof p15pri_com p15sec_in p15sec_inf p15sec_inm p15sec_co p15sec_cof p15sec_com
    p18ym_pb p18ym_pb_f p18ym_pb_m graproes graproes_f graproes_m pea pea_f pea_m pe_inac pe_inac_f
    pe_inac_m pocupada pocupada_f pocupada_m pdesocup pdesocup_f pdesocup_m psinder pder_ss pder_imss
    pder_iste pder_istee pafil_pdom pder_segp pder_imssb pafil_ipriv pafil_otrai p12ym_solt p12ym_casa
    p12ym_sepa pcatolica pro_crieva potras_rel psin_relig tothog hogjef_f hogjef_m pobhog phogjef_f
    phogjef_m vivtot tvivhab tvivpar vivpar_hab vivparh_cv tvivparhab vivpar_des vivpar_ut ocupvivpar
    prom_ocup pro_ocup_c vph_pisodt vph_pisoti vph_1dor vph_2ymasd vph_1cuart vph_2cuart vph_3ymasc
    vph_c_elec vph_s_elec vph_aguadv vph_aeasp vph_aguafv vph_tinaco vph_cister vph_excsa vph_letr
    vph_drenaj vph_nodren vph_c_serv vph_ndeaed vph_dsadma vph_ndacmm vph_snbien vph_refri vph_lavad
    vph_hmicro vph_autom vph_moto vph_bici vph_radio vph_tv vph_pc vph_telef vph_cel vph_inter vph_stvp
    vph_spmvpi vph_cvj vph_sinrtv vph_sinltc vph_sincint vph_sintic
""".split())
#: The geographic columns of ITER (and of the AGEB and block tables), read or not.
_ITER_GEOGRAPHY = ("entidad", "nom_ent", "mun", "nom_mun", "loc", "nom_loc", "longitud", "latitud", "altitud",
                   "cve_ent", "cve_mun", "cve_loc", "ageb", "mza")

#: The derived columns of the municipal copy brecha embeds (fdealbam/censo2020, datacivica/huella-de-cuidados).
_REDISTRIBUTED = ("p_0a11", "est_0a5_ampliado", "est_6a15_ampliado", "est_66ymas_ampliado", "est_discap_ampliado",
                  "est_pob_hogares_ampliado", "dep_ratio", "pct_60mas", "tasa_ocup", "tasa_part", "pct_sinderecho",
                  "pob_tot")
_LAYOUT = _ITER_GEOGRAPHY + ITER_VARIABLES + _REDISTRIBUTED

#: ITER marks confidential cells with '*' and unavailable ones with 'N/D'.
_ITER_NA = ("*", "N/D", "n/d", "NA")


def _counts(df: pd.DataFrame, chk, columns: dict[str, str]) -> pd.DataFrame:
    out = {}
    for src, dst in columns.items():
        if src in df.columns:
            out[dst] = chk.integer(src, lo=0, hi=_MAX_POP, required=(src == "pobtot"),
                                   na_values=_ITER_NA).astype("float64")
    return pd.DataFrame(out, index=df.index)


def _padded_loc(df: pd.DataFrame, column: str, chk) -> pd.Series:
    """ITER's 4-digit LOC codes, padded back when a spreadsheet dropped their zeros (``0`` for ``0000``),
    with a warning."""
    raw = df[column].astype(str).str.strip()
    short = raw.str.fullmatch(r"\d{1,3}")
    if short.any():
        first = short.idxmax()
        chk.warn(f"{int(short.sum()):,} LOC code(s) in column {column!r} had lost their leading zeros and were "
                 f"padded to 4 digits (e.g. line {int(df.at[first, '_line'])}: {raw[first]!r} read as "
                 f"{raw[first].zfill(4)!r})")
    return raw.str.zfill(4)


def read_census_municipal(path: str | os.PathLike, *, strict: bool = False,
                          sheet: str | None = None) -> pd.DataFrame:
    """Read Census 2020 municipal totals keyed by ``cvegeo``.

    Accepts the official ITER CSV (municipal rows are those with ``LOC=0000``;
    LOC codes that lost their zeros are padded, with a warning) or a table
    with one row per municipality, as CSV or workbook (``sheet``: the sheet
    to read, see :func:`brecha._io.read_table`).

    Returns
    -------
    DataFrame
        ``cvegeo, cve_ent`` and the people counts in :data:`CENSUS_COLUMNS`
        that the file has, plus ``pop_0_5`` and ``pop_0_11``. A count missing
        from the file is absent, never zero.
    """
    df, chk = open_table(path, ("pobtot",), strict=strict, sheet=sheet)
    chk.extra_columns(CODE_COLUMNS + tuple(CENSUS_COLUMNS) + ("loc", "cve_loc", "nom_mun"), _LAYOUT)
    loc = first_present(df, "loc", "cve_loc")
    if loc is not None and df[loc].str.fullmatch(r"\d{1,4}").all():
        mun = first_present(df, "mun", "cve_mun")
        if mun is None:
            chk.missing("mun", "a 3-digit municipality code column 'mun' beside 'loc' (ITER layout)")
        loc_code = _padded_loc(df, loc, chk)
        total = (loc_code == "0000") & (df[mun].str.strip().str.zfill(3) != "000")
        if not total.any():
            chk.add(None, loc, None, "ITER's municipal total rows (LOC 0000 under each municipality); "
                                     "the file has none, so no municipal total can be read")
            chk.raise_if_any()
        df = df[total].copy()
        chk.df, chk.lines = df, df["_line"]
    cvegeo = cvegeo_from(df, chk)
    counts = _counts(df, chk, CENSUS_COLUMNS)
    chk.unique(cvegeo, "cvegeo")
    chk.raise_if_any()
    out = pd.concat([pd.DataFrame({"cvegeo": cvegeo, "cve_ent": cvegeo.str[:2]}), counts], axis=1)
    if {"pop_0_2", "pop_3_5"} <= set(out):
        out["pop_0_5"] = out["pop_0_2"] + out["pop_3_5"]
        if "pop_6_11" in out:
            out["pop_0_11"] = out["pop_0_5"] + out["pop_6_11"]
    name = first_present(df, "nom_mun")
    if name:
        out.insert(2, "name", df[name].values)
    return out.sort_values("cvegeo", ignore_index=True)


# Lazy before the hemisphere letter: a greedy run of non-digits would swallow
# the "W" of 102°17'45.768" W and leave the longitude positive.
_DMS = re.compile(r"""^\s*(\d+)\D+(\d+)\D+([\d.]+)\D*?([NSEWO])?\s*$""", re.I)


def _coord(chk, column: str, lo: float, hi: float) -> pd.Series:
    """Decimal degrees from decimals or ITER's ``102°17'45.768" W`` strings (``lo``-``hi`` settles ``21.880``)."""
    raw = chk.df[column].astype(str).str.strip()
    num = chk.numeric(column, lo=lo, hi=hi)
    dms = raw[num.isna() & (raw.str.len() > 0)]
    if len(dms):
        parts = dms.str.extract(_DMS)
        val = parts[0].astype(float) + parts[1].astype(float) / 60 + parts[2].astype(float) / 3600
        west_south = parts[3].str.upper().isin(["W", "O", "S"])
        num.loc[dms.index] = np.where(west_south, -val, val)
    return num


def read_census_localities(path: str | os.PathLike, *, strict: bool = False,
                           sheet: str | None = None) -> gpd.GeoDataFrame:
    """Read Census 2020 localities as points: the demand points and the gazetteer.

    Returns
    -------
    GeoDataFrame
        ``cvegeo_loc`` (9 characters), ``cvegeo, cve_ent, name, pop_total,
        geometry`` (EPSG:4326). The official file's total rows (``LOC`` 0000,
        9998, 9999) are dropped. Localities without coordinates are reported.
    """
    df, chk = open_table(path, ("pobtot", "longitud", "latitud"), strict=strict, sheet=sheet)
    chk.extra_columns(CODE_COLUMNS + ("pobtot", "longitud", "latitud", "loc", "cve_loc", "nom_loc"), _LAYOUT)
    loc_col = first_present(df, "loc", "cve_loc")
    if loc_col is None:
        chk.missing("loc", "a 4-digit locality code column 'loc'")
    df = df[~_padded_loc(df, loc_col, chk).isin(["0000", "9998", "9999"])].copy()
    chk.df, chk.lines = df, df["_line"]
    cvegeo = cvegeo_from(df, chk)
    loc = chk.code(loc_col, 4)
    pop = chk.integer("pobtot", lo=0, hi=_MAX_POP)
    bounds = {"longitud": (-118.5, -86.5), "latitud": (14.4, 32.8)}
    lon = _coord(chk, "longitud", *bounds["longitud"])
    lat = _coord(chk, "latitud", *bounds["latitud"])
    for col, val in (("longitud", lon), ("latitud", lat)):
        lo, hi = bounds[col]
        bad = val.isna() | (val < lo) | (val > hi)
        chk._flag(bad, col, df[col], f"a {col} inside Mexico ({lo} to {hi} decimal degrees)")
    key = cvegeo + loc
    chk.unique(key, "cvegeo+loc")
    chk.raise_if_any()
    name = first_present(df, "nom_loc")
    out = gpd.GeoDataFrame(
        {
            "cvegeo_loc": key.values,
            "cvegeo": cvegeo.values,
            "cve_ent": cvegeo.str[:2].values,
            "name": df[name].values if name else None,
            "pop_total": pop.astype("int64").values,
        },
        geometry=gpd.points_from_xy(lon.values, lat.values),
        crs="EPSG:4326",
    )
    return out.sort_values("cvegeo_loc", ignore_index=True)
