"""Inputs for the map tests, built from the embedded data.

Until the analysis layer exists, :func:`municipal_layer` joins the embedded
boundaries, Census 2020 and CONEVAL 2020 and fills the analysis columns
(care supply and access, gap score and classes...) with seeded synthetic
values under the real column names.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from brecha import geography
from brecha.presence import select_offices
from brecha.settings import DATA_DIR
from brecha.sources import initiative_places, load

HOSTILE = "<img src=x onerror=window.__xss=1>"
HOSTILE_TEMPLATE = "{{ 7*7 }}<script>window.__xss=2</script>"


@lru_cache(maxsize=1)
def _offices() -> gpd.GeoDataFrame:
    return load("offices")


@lru_cache(maxsize=1)
def _initiatives() -> pd.DataFrame:
    return initiative_places(load("initiatives"))


def offices() -> gpd.GeoDataFrame:
    """The embedded offices (79, 58 with a point)."""
    return _offices().copy()


def initiatives() -> pd.DataFrame:
    """The embedded initiatives as the long table the maps take."""
    return _initiatives().copy()


def denue() -> gpd.GeoDataFrame:
    return gpd.read_parquet(DATA_DIR / "denue_care.parquet")


@lru_cache(maxsize=4)
def _layer(states: tuple[str, ...] | None) -> gpd.GeoDataFrame:
    muni = geography.municipalities()
    census = pd.read_parquet(DATA_DIR / "census_municipal.parquet",
                             columns=["cvegeo", "pop_total", "pop_0_5", "pop_0_11", "pop_60_plus", "pop_disability"])
    coneval = pd.read_parquet(DATA_DIR / "coneval_municipal.parquet",
                              columns=["cvegeo", "poverty_pct", "poverty_people", "extreme_poverty_pct"])
    gdf = muni.merge(census, on="cvegeo", how="left").merge(coneval, on="cvegeo", how="left")
    rng = np.random.default_rng(20)
    ini = _initiatives()
    per_muni = ini[ini.level == "municipality"].groupby("cvegeo")["initiative_id"].nunique()
    gdf["initiatives"] = gdf["cvegeo"].map(per_muni).fillna(0).astype(int)
    off = _offices()
    counted = select_offices(off)  # as brecha.presence counts them: planned and closed left out
    gdf["offices"] = gdf["cvegeo"].map(counted["cvegeo"].value_counts()).fillna(0).astype(int)
    gdf["agencies"] = gdf["cvegeo"].map(counted.groupby("cvegeo")["agency"].nunique()).fillna(0).astype(int)
    placed = counted[counted.geometry.notna() & ~counted.geometry.is_empty].reset_index(drop=True)
    centres = gdf.geometry.representative_point()
    dist, idx = cKDTree(geography.xy_km(placed)).query(geography.xy_km(gpd.GeoSeries(centres, crs=4326)))
    gdf["nearest_office_km"] = dist.round(2)
    gdf["nearest_office_agency"] = placed["agency"].to_numpy()[idx]
    gdf["nearest_office_city"] = placed["city"].astype(object).to_numpy()[idx]
    gdf["people_out_of_reach"] = np.where(dist > 100, gdf["pop_total"], 0.0)
    gdf["pop_coneval"] = (gdf["pop_total"] * rng.uniform(0.95, 1.12, len(gdf))).round()
    n = len(gdf)
    for group, pop in (("children", "pop_0_5"), ("elderly", "pop_60_plus")):
        gdf[f"care_supply_{group}"] = rng.poisson(3, n).astype(float)
        gdf[f"care_access_{group}"] = (rng.gamma(2.0, 1.5, n) * (gdf[pop] > 0)).round(3)
    gdf["care_access_disability"] = rng.gamma(1.5, 1.0, n).round(3)
    need = gdf["poverty_pct"].rank(pct=True)
    presence = (gdf["initiatives"] + gdf["offices"]).rank(pct=True, method="average")
    gdf["gap_score"] = (need - presence).round(4)
    gdf["gap_rank"] = gdf["gap_score"].rank(ascending=False, method="first").astype("Int64")
    gdf["need_class"] = pd.cut(need, [0, 1 / 3, 2 / 3, 1.0], labels=[1, 2, 3], include_lowest=True).astype(float)
    pres_total = gdf["initiatives"] + gdf["offices"]
    gdf["presence_class"] = np.select([pres_total == 0, pres_total <= 2], [1, 2], 3).astype(float)
    named = (gdf["initiatives"] + gdf["offices"]) > 0
    gdf["presence_evidence"] = np.where(named, "reported", np.where(gdf["cve_ent"].isin(ini["cve_ent"]), "state_only",
                                                                    "no_report"))
    gdf["gap_class"] = np.select([gdf["need_class"].isna(), gdf["need_class"] < 3, named,
                                  gdf["presence_evidence"] == "state_only"], ["no_data", "lower_need",
                                 "served", "state_only"], "no_report")
    gdf["gap_drivers"] = [f"pobreza {p:.0f} %; {i} iniciativas, {o} oficinas" if pd.notna(p) else "sin datos de pobreza"
                          for p, i, o in zip(gdf["poverty_pct"], gdf["initiatives"], gdf["offices"])]
    if states is not None:
        gdf = gdf[gdf["cve_ent"].isin(states)]
    return gdf.reset_index(drop=True)


def municipal_layer(states: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """The municipal analysis layer (real boundaries, census and poverty; synthetic analysis columns)."""
    return _layer(states).copy()


#: Office text columns that reach a popup, the reach rings or the legend.
#: Not ``status``: an office of an unknown status is no presence (brecha.presence.select_offices) and is not drawn.
OFFICE_TEXT = ("agency", "office_type", "city", "state", "source_file", "source_quote")


def hostile_inputs(states: tuple[str, ...] = ("01",)) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame,
                                                                gpd.GeoDataFrame]:
    """Inputs whose every text field tries to run script.

    Returns (municipalities, offices, initiatives, denue) for the given states:
    municipality 01001 is named :data:`HOSTILE` (its drivers hold
    :data:`HOSTILE_TEMPLATE`) and every state is named :data:`HOSTILE_TEMPLATE`;
    every office text column (:data:`OFFICE_TEXT`) is hostile (the agency and
    city :data:`HOSTILE`, the others :data:`HOSTILE_TEMPLATE`); initiatives
    have hostile titles (:data:`HOSTILE`), agencies and themes; DENUE names are :data:`HOSTILE`.
    """
    munis = municipal_layer(states)
    munis.loc[munis["cvegeo"] == "01001", "name"] = HOSTILE
    munis.loc[munis["cvegeo"] == "01001", "gap_drivers"] = HOSTILE_TEMPLATE
    munis.loc[munis["cvegeo"] == "01001", "gap_rank"] = 1
    munis["state_name"] = HOSTILE_TEMPLATE
    off = offices()
    off = off[off["cvegeo"].astype(str).str[:2].isin(states)].copy()
    for col in OFFICE_TEXT:
        off[col] = HOSTILE if col in ("agency", "city") else HOSTILE_TEMPLATE
    ini = initiatives()
    ini = ini[ini["cve_ent"].isin(states)].copy()
    ini["initiative"] = HOSTILE
    ini["agency"] = HOSTILE
    ini["theme"] = HOSTILE_TEMPLATE
    den = denue()
    den = den[den["cve_ent"].isin(states)].copy()
    den["name"] = HOSTILE
    return munis, off, ini, den


#: The report years of :func:`years_table` (those of the embedded data).
YEARS = (2020, 2022, 2023)


def years_table(states: tuple[str, ...] = ("01",)) -> gpd.GeoDataFrame:
    """A :func:`brecha.scenario.by_year`-shaped table: one row per municipality and year, known classes.

    Municipality ``i`` (in ``cvegeo`` order) has presence class ``(i + j) % 3 + 1`` in year ``j``,
    so every municipality changes class from one year to the next; counts and ranks follow the class.
    """
    base = municipal_layer(states)[["cvegeo", "cve_ent", "name", "state_name", "geometry"]]
    base = base.sort_values("cvegeo").reset_index(drop=True)
    n, frames = len(base), []
    for j, year in enumerate(YEARS):
        cls = (np.arange(n) + j) % 3 + 1
        score = (3 - cls) / 3 + np.arange(n) / (10 * n)
        frames.append(base.assign(
            year=year, presence_class=pd.array(cls, dtype="Int64"), initiatives=(cls - 1) * 2, agencies=cls - 1,
            offices=(cls == 3).astype(int), initiatives_state_scope=1,
            presence_evidence=np.where(cls > 1, "reported", "state_only"), gap_score=score,
            gap_rank=pd.array(pd.Series(score).rank(ascending=False, method="first").astype(int), dtype="Int64"),
            gap_class=np.where(cls == 1, "gap", "served")))
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=base.crs)
