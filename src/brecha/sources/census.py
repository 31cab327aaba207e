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

from ._common import cvegeo_from, first_present, open_table

__all__ = ["read_census_municipal", "read_census_localities", "CENSUS_COLUMNS"]

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


#: ITER marks confidential cells with '*' and unavailable ones with 'N/D'.
_ITER_NA = ("*", "N/D", "n/d", "NA")


def _counts(df: pd.DataFrame, chk, columns: dict[str, str]) -> pd.DataFrame:
    out = {}
    for src, dst in columns.items():
        if src in df.columns:
            out[dst] = chk.integer(src, lo=0, hi=_MAX_POP, required=(src == "pobtot"),
                                   na_values=_ITER_NA).astype("float64")
    return pd.DataFrame(out, index=df.index)


def read_census_municipal(path: str | os.PathLike, *, strict: bool = False) -> pd.DataFrame:
    """Read Census 2020 municipal totals keyed by ``cvegeo``.

    Accepts the official ITER CSV (municipal rows are those with ``LOC=0000``)
    or a table with one row per municipality.

    Returns
    -------
    DataFrame
        ``cvegeo, cve_ent`` and the people counts in :data:`CENSUS_COLUMNS`
        that the file has, plus ``pop_0_5`` and ``pop_0_11``. A count missing
        from the file is absent, never zero.
    """
    df, chk = open_table(path, ("pobtot",), strict=strict)
    loc = first_present(df, "loc", "cve_loc")
    if loc is not None and df[loc].str.len().max() == 4:
        mun = first_present(df, "mun", "cve_mun")
        if mun is None:
            chk.add(None, "mun", None, "a 3-digit municipality code column 'mun' beside 'loc' (ITER layout)")
            chk.raise_if_any()
        df = df[(df[loc] == "0000") & (df[mun].str.zfill(3) != "000")].copy()
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


def _coord(chk, column: str) -> pd.Series:
    """Decimal degrees from decimals or ITER's ``102°17'45.768" W`` strings."""
    raw = chk.df[column].astype(str).str.strip()
    num = chk.numeric(column)
    dms = raw[num.isna() & (raw.str.len() > 0)]
    if len(dms):
        parts = dms.str.extract(_DMS)
        val = parts[0].astype(float) + parts[1].astype(float) / 60 + parts[2].astype(float) / 3600
        west_south = parts[3].str.upper().isin(["W", "O", "S"])
        num.loc[dms.index] = np.where(west_south, -val, val)
    return num


def read_census_localities(path: str | os.PathLike, *, strict: bool = False) -> gpd.GeoDataFrame:
    """Read Census 2020 localities as points: the demand points and the gazetteer.

    Returns
    -------
    GeoDataFrame
        ``cvegeo_loc`` (9 characters), ``cvegeo, cve_ent, name, pop_total,
        geometry`` (EPSG:4326). The official file's total rows (``LOC`` 0000,
        9998, 9999) are dropped. Localities without coordinates are reported.
    """
    df, chk = open_table(path, ("pobtot", "longitud", "latitud"), strict=strict)
    loc_col = first_present(df, "loc", "cve_loc")
    if loc_col is None:
        chk.add(None, "loc", None, "a 4-digit locality code column 'loc'")
        chk.raise_if_any()
    df = df[~df[loc_col].str.zfill(4).isin(["0000", "9998", "9999"])].copy()
    chk.df, chk.lines = df, df["_line"]
    cvegeo = cvegeo_from(df, chk)
    loc = chk.code(loc_col, 4)
    pop = chk.integer("pobtot", lo=0, hi=_MAX_POP)
    lon = _coord(chk, "longitud")
    lat = _coord(chk, "latitud")
    for col, val, lo, hi in (("longitud", lon, -118.5, -86.5), ("latitud", lat, 14.4, 32.8)):
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
