"""The default layers: one row per municipality and per state, with need, presence and the gap.

Pure functions: they take the source frames (a dict, see :data:`SOURCES`)
and parameters and return GeoDataFrames in EPSG:4326. :func:`load_sources`
reads the embedded copies, for callers that want the defaults.

What each column is and where it comes from:

- population (Census 2020): ``pop_total, pop_0_5, pop_0_11, pop_60_plus,
  pop_disability`` (people);
- poverty (CONEVAL 2020, :mod:`brecha.poverty`): ``poverty_pct`` (raw
  estimate, percent), ``poverty_pct_eb`` (empirical Bayes, :mod:`brecha.gap`),
  ``poverty_people``, ``extreme_poverty_pct/_people``, ``pop_coneval``,
  ``coneval_nd`` (True for the three municipalities CONEVAL does not estimate);
- care (DENUE vs. Census, :mod:`brecha.care`): ``care_supply_<g>`` (estimated
  places), ``care_access_<g>`` (E2SFCA places per 1,000 people in demand
  within ``catchment_km``), ``care_per_1000_<g>``, ``care_outside_share_<g>``,
  ``nearest_care_km_<g>``, and ``care_unmet_<g>`` / ``care_unmet`` (people,
  :func:`brecha.gap.care_unmet`);
- presence (:mod:`brecha.presence`): ``initiatives``, ``offices``;
- reach (:mod:`brecha.reach`): ``nearest_office_km`` (from the
  population-weighted centre), ``pop_within_reach_pct`` and
  ``poor_within_reach_pct`` (people within ``radius_km`` of an office);
- gap (:mod:`brecha.gap`): ``gap_score, gap_rank, gap_ranked, need_score,
  presence_score, need_class, presence_class, bivariate_class, gap_drivers``
  and, for municipalities, ``lisa_cluster, lisa_p``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from . import gap as gapmod
from ._duckdb import connect, query
from ._validate import formula_safe
from .costs import Cost
from .errors import InputError, Problem
from .settings import STORAGE_CRS

__all__ = ["SOURCES", "load_sources", "municipal_layer", "state_layer", "top_gaps", "MUNICIPAL_COLUMNS"]

log = logging.getLogger(__name__)

#: Source frames the layers need (``municipalities`` and ``states`` default to the embedded boundaries).
SOURCES: tuple[str, ...] = ("census_municipal", "localities", "coneval_municipal", "denue_care", "offices",
                            "initiatives")
_CARE = ("children", "elderly", "disability")
_CENSUS = ("pop_total", "pop_0_5", "pop_0_11", "pop_60_plus", "pop_disability")

#: Columns of the municipal layer, in order.
MUNICIPAL_COLUMNS: tuple[str, ...] = (
    "cvegeo", "cve_ent", "name", "state_name", *_CENSUS,
    "pop_coneval", "poverty_pct", "poverty_pct_eb", "poverty_people", "extreme_poverty_pct",
    "extreme_poverty_people", "coneval_nd",
    *(f"{m}_{g}" for g in _CARE for m in ("care_supply", "care_access", "care_per_1000", "care_outside_share",
                                          "nearest_care_km")),
    "care_unmet_children", "care_unmet_elderly", "care_unmet",
    "initiatives", "offices", "nearest_office_km", "nearest_office_agency", "nearest_office_city",
    "pop_within_reach_pct", "poor_within_reach_pct",
    "need_score", "presence_score", "gap_score", "gap_rank", "gap_ranked", "need_class", "presence_class",
    "bivariate_class", "gap_drivers", "lisa_cluster", "lisa_p", "geometry",
)


def load_sources(*, data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """The embedded source frames by name, plus ``municipalities`` and ``states`` boundaries."""
    from . import sources

    out = {name: sources.load(name, data_dir=data_dir) for name in SOURCES}
    out["municipalities"] = sources.load("municipalities", data_dir=data_dir)
    out["states"] = sources.load("states", data_dir=data_dir)
    return out


def _need(sources: Mapping[str, pd.DataFrame], names: Sequence[str]) -> None:
    missing = [n for n in names if n not in sources]
    if missing:
        raise InputError([Problem("sources", None, n, None, "a frame under that name (see brecha.coverage.SOURCES)")
                          for n in missing])


def _boundaries(sources: Mapping[str, pd.DataFrame], name: str) -> gpd.GeoDataFrame:
    from . import geography

    frame = sources.get(name)
    if frame is None:
        frame = geography.municipalities() if name == "municipalities" else geography.states()
    return frame.to_crs(STORAGE_CRS)


def _places(sources: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    from .sources import initiative_places

    if "initiative_places" in sources:
        return sources["initiative_places"]
    return initiative_places(sources["initiatives"])


def municipal_layer(sources: Mapping[str, pd.DataFrame], *, catchment_km: float = 20.0, radius_km: float = 100.0,
                    decay: str = "gaussian", cost: Cost | None = None,
                    office_status: str | Sequence[str] | None = None,
                    gap_weights: Mapping[str, float] | None = None, normalisation: str = "rank",
                    aggregate: str = "geometric", presence_floor: float = 0.1,
                    lisa_permutations: int = 999, lisa_seed: int = 20200315,
                    lisa_alpha: float = 0.05) -> gpd.GeoDataFrame:
    """One row per municipality: people, poverty, care, presence, reach and the gap.

    Parameters
    ----------
    sources
        Frames by name: :data:`SOURCES` (required), ``municipalities``
        (polygons; the embedded 2,469 by default), ``initiative_places``
        (optional; derived from ``initiatives`` otherwise).
    catchment_km
        Care catchment for E2SFCA (:func:`brecha.care.care_by_municipality`).
    radius_km
        Office reach radius (km): ``*_within_reach_pct`` and the distance at
        which the gap's reach component halves.
    decay, cost
        Care access decay and cost (:mod:`brecha.access`). ``cost`` also
        measures care and office reach; ``nearest_office_km`` and the gap's
        reach stay straight-line km whatever the cost.
    office_status
        Office statuses that count (:data:`brecha.presence.DEFAULT_OFFICE_STATUS`).
    gap_weights, normalisation, aggregate, presence_floor
        Passed to :func:`brecha.gap.gap_index`.
    lisa_permutations, lisa_seed, lisa_alpha
        Passed to :func:`brecha.gap.gap_clusters`.

    Returns
    -------
    GeoDataFrame
        The columns of :data:`MUNICIPAL_COLUMNS`, one row per municipality
        polygon, sorted by ``cvegeo``, EPSG:4326. The three municipalities
        without a CONEVAL estimate keep NaN poverty and are not ranked.
        ``attrs`` records the parameters, care benchmarks and counts.
    """
    from . import care, poverty, presence, reach
    from .costs import StraightLineKm

    _need(sources, SOURCES)
    census, loc, coneval = sources["census_municipal"], sources["localities"], sources["coneval_municipal"]
    offices = sources["offices"]
    muni = _boundaries(sources, "municipalities")
    cost = StraightLineKm() if cost is None else cost
    care_t = care.care_by_municipality(census, loc, sources["denue_care"], catchment_km=catchment_km,
                                       decay=decay, cost=cost)
    pov = poverty.municipal_poverty(coneval, pd.DataFrame(muni[["cvegeo"]]),
                                    indicators=("poverty", "extreme_poverty"))
    ini = presence.initiative_counts(_places(sources), level="municipality")
    off = presence.office_counts(offices, level="municipality", status=office_status)
    centres = reach.municipal_centres(loc)
    near = reach.nearest_office(centres, offices, status=office_status)
    if cost.cost_unit == "km":
        within = reach.within_reach(loc, census, coneval, offices, radius_km=radius_km, cost=cost,
                                    status=office_status).municipality
    else:
        within = reach.within_reach(loc, census, coneval, offices, max_cost=radius_km, cost=cost,
                                    status=office_status).municipality
    names = pd.DataFrame(muni[["cvegeo", "cve_ent", "name", "state_name"]])
    care_cols = ", ".join(f"k.{m}_{g}" for g in _CARE for m in ("care_supply", "care_access", "care_per_1000",
                                                                 "care_outside_share", "nearest_care_km"))
    table = query(f"""
        SELECT m.cvegeo, m.cve_ent, m.name, m.state_name,
               {", ".join(f"c.{c}" for c in _CENSUS)},
               p.pop_coneval, p.poverty_pct, p.poverty_people, p.extreme_poverty_pct, p.extreme_poverty_people,
               p.coneval_nd, {care_cols},
               coalesce(i.initiatives, 0)::BIGINT AS initiatives, coalesce(o.offices, 0)::BIGINT AS offices,
               n.nearest_office_km, n.nearest_office_agency, n.nearest_office_city,
               w.pop_inside_pct AS pop_within_reach_pct, w.poor_inside_pct AS poor_within_reach_pct
        FROM names m
        LEFT JOIN census c USING (cvegeo) LEFT JOIN pov p USING (cvegeo) LEFT JOIN care_t k USING (cvegeo)
        LEFT JOIN ini i USING (cvegeo) LEFT JOIN off o USING (cvegeo) LEFT JOIN near n USING (cvegeo)
        LEFT JOIN within w USING (cvegeo)
        ORDER BY m.cvegeo""", con=connect(spatial=False), names=names,
                  census=pd.DataFrame(census[["cvegeo", *_CENSUS]]), pov=pd.DataFrame(pov), care_t=care_t,
                  ini=pd.DataFrame(ini), off=pd.DataFrame(off), near=near,
                  within=pd.DataFrame(within[["cvegeo", "pop_inside_pct", "poor_inside_pct"]]))
    unmet = gapmod.care_unmet(table)
    table = pd.concat([table, unmet], axis=1)
    scores = gapmod.gap_index(table, weights=gap_weights, normalisation=normalisation, aggregate=aggregate,
                              presence_floor=presence_floor, reach_scale_km=radius_km)
    for col in ("poverty_pct_eb", "need_score", "presence_score", "gap_score", "gap_rank", "gap_ranked",
                "need_class", "presence_class", "bivariate_class", "gap_drivers"):
        table[col] = scores[col]  # same index; keeps the nullable Int64 ranks and classes
    geometry = muni.set_index("cvegeo").geometry.reindex(table["cvegeo"]).to_numpy()
    layer = gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)
    lisa = gapmod.gap_clusters(layer, permutations=lisa_permutations, seed=lisa_seed, alpha=lisa_alpha)
    layer["lisa_cluster"], layer["lisa_p"] = lisa["lisa_cluster"].to_numpy(), lisa["lisa_p"].to_numpy()
    layer = layer[list(MUNICIPAL_COLUMNS)]
    layer.attrs.update(
        level="municipality", catchment_km=catchment_km, radius_km=radius_km, decay=decay, cost=repr(cost),
        office_status=office_status, care_benchmark=unmet.attrs["benchmark"], gap=scores.attrs,
        lisa={"permutations": lisa_permutations, "seed": lisa_seed, "alpha": lisa_alpha},
        national_initiatives=ini.attrs.get("national_initiatives"), offices_with_point=near.attrs.get("offices"))
    log.info("municipal layer: %d rows, %d ranked", len(layer), int(layer["gap_ranked"].sum()))
    return layer


def state_layer(sources: Mapping[str, pd.DataFrame], *, municipal: gpd.GeoDataFrame | None = None,
                radius_km: float = 100.0, office_status: str | Sequence[str] | None = None,
                gap_weights: Mapping[str, float] | None = None, normalisation: str = "rank",
                aggregate: str = "geometric", presence_floor: float = 0.1,
                official_poverty: pd.DataFrame | None = None, **municipal_kwargs) -> gpd.GeoDataFrame:
    """One row per state: sums of counts, aggregated rates and the state gap.

    Parameters
    ----------
    sources
        As for :func:`municipal_layer`, plus ``states`` (polygons; embedded by default).
    municipal
        The municipal layer, when already built (it is built otherwise,
        with ``municipal_kwargs``, ``radius_km`` and ``office_status``).
    official_poverty
        CONEVAL's official state table (see :func:`brecha.poverty.state_poverty`);
        without it the state rates are aggregates of municipal estimates.

    Returns
    -------
    GeoDataFrame
        32 rows sorted by ``cve_ent``, EPSG:4326: ``cve_ent, name``; counts
        summed over municipalities (population, care supply and unmet
        demand); ``poverty_pct, poverty_people, extreme_poverty_*`` with
        ``poverty_source`` (``"agg_from_municipal"`` = people in poverty over
        CONEVAL population of the estimated municipalities, not an official
        figure; ``"official"`` when given); ``care_access_<g>`` and
        ``care_outside_share_<g>`` (demand-weighted means of municipal
        values), ``care_per_1000_<g>``; ``initiatives`` (state- and
        municipal-scope), ``offices`` (including offices placed only in the
        state); ``nearest_office_km`` (population-weighted mean over
        municipal centres); ``pop_within_reach_pct``,
        ``poor_within_reach_pct``; and the gap columns of
        :func:`brecha.gap.gap_index` (no empirical Bayes: every state is
        large; no LISA: 32 units are too few).
    """
    from . import poverty, presence

    _need(sources, SOURCES)
    if municipal is None:
        municipal = municipal_layer(sources, radius_km=radius_km, office_status=office_status, **municipal_kwargs)
    states = _boundaries(sources, "states")
    pov = poverty.state_poverty(sources["coneval_municipal"], official=official_poverty,
                                indicators=("poverty", "extreme_poverty"))
    ini = presence.initiative_counts(_places(sources), level="state")
    off = presence.office_counts(sources["offices"], level="state", status=office_status)
    m = pd.DataFrame(municipal.drop(columns="geometry"))
    demand = {"children": "pop_0_5", "elderly": "pop_60_plus", "disability": "pop_disability"}
    care = ", ".join(
        f"sum(care_supply_{g}) AS care_supply_{g}, "
        f"sum(care_access_{g} * {d}) / nullif(sum({d}) FILTER (WHERE care_access_{g} IS NOT NULL), 0) "
        f"AS care_access_{g}, "
        f"1000.0 * sum(care_supply_{g}) / nullif(sum({d}), 0) AS care_per_1000_{g}, "
        f"sum(care_outside_share_{g} * {d}) / nullif(sum({d}) FILTER (WHERE care_outside_share_{g} IS NOT NULL), 0) "
        f"AS care_outside_share_{g}" for g, d in demand.items())
    table = query(f"""
        WITH agg AS (
            SELECT cve_ent, {", ".join(f"sum({c}) AS {c}" for c in _CENSUS)}, {care},
                   sum(care_unmet_children) AS care_unmet_children, sum(care_unmet_elderly) AS care_unmet_elderly,
                   sum(care_unmet) AS care_unmet,
                   sum(nearest_office_km * pop_total)
                       / nullif(sum(pop_total) FILTER (WHERE nearest_office_km IS NOT NULL), 0) AS nearest_office_km,
                   sum(pop_within_reach_pct * pop_total) / nullif(sum(pop_total), 0) AS pop_within_reach_pct,
                   sum(poor_within_reach_pct * poverty_people)
                       / nullif(sum(poverty_people) FILTER (WHERE poor_within_reach_pct IS NOT NULL), 0)
                       AS poor_within_reach_pct,
                   count(*) AS municipalities
            FROM m GROUP BY cve_ent)
        SELECT s.cve_ent, s.name, a.municipalities, p.municipalities_estimated,
               p.pop_coneval_agg_from_municipal AS pop_coneval,
               p.poverty_pct, p.poverty_people, p.poverty_source,
               p.extreme_poverty_pct, p.extreme_poverty_people, p.extreme_poverty_source,
               a.* EXCLUDE (cve_ent, municipalities),
               i.initiatives, i.initiatives_state_scope, i.initiatives_municipal_scope, o.offices
        FROM states s JOIN agg a USING (cve_ent) JOIN pov p USING (cve_ent)
        JOIN ini i USING (cve_ent) JOIN off o USING (cve_ent)
        ORDER BY s.cve_ent""", con=connect(spatial=False), m=m, states=pd.DataFrame(states[["cve_ent", "name"]]),
                  pov=pd.DataFrame(pov), ini=pd.DataFrame(ini), off=pd.DataFrame(off))
    scores = gapmod.gap_index(table, key="cve_ent", weights=gap_weights, normalisation=normalisation,
                              aggregate=aggregate, presence_floor=presence_floor, reach_scale_km=radius_km,
                              eb=False, level_word="state")
    for col in ("need_score", "presence_score", "gap_score", "gap_rank", "gap_ranked", "need_class",
                "presence_class", "bivariate_class", "gap_drivers"):
        table[col] = scores[col]
    geometry = states.set_index("cve_ent").geometry.reindex(table["cve_ent"]).to_numpy()
    layer = gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)
    layer.attrs.update(level="state", radius_km=radius_km, gap=scores.attrs, poverty_method=pov.attrs.get("method"),
                       national_initiatives=ini.attrs.get("national_initiatives"))
    return layer


_TOP_COLUMNS = ("gap_rank", "name", "state_name", "gap_score", "poverty_pct", "poverty_people", "care_unmet",
                "initiatives", "offices", "nearest_office_km", "bivariate_class", "lisa_cluster", "gap_drivers")


def top_gaps(layer: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` largest gaps, ready for a CSV: rank, place, key figures and the reason.

    Works on the municipal and the state layer. Figures are rounded for
    reading (score to 3 decimals, percentages to 1, people and km to whole
    numbers); text cells are made safe for spreadsheets
    (:func:`brecha._validate.formula_safe`). Unranked places are left out.

    Returns
    -------
    DataFrame
        ``gap_rank``, the key (``cvegeo`` or ``cve_ent``), ``name``
        (``state_name`` for municipalities), ``gap_score``, ``poverty_pct``,
        ``poverty_people``, ``care_unmet``, ``initiatives``, ``offices``,
        ``nearest_office_km``, ``bivariate_class``, ``lisa_cluster`` (when
        present) and ``reason`` (the gap drivers).
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise InputError([Problem("n", None, None, n, "a whole number >= 1")])
    key = "cvegeo" if "cvegeo" in layer.columns else "cve_ent"
    cols = [key] + [c for c in _TOP_COLUMNS if c in layer.columns]
    ranked = pd.DataFrame(layer.loc[layer["gap_rank"].notna(), cols])
    out = ranked.sort_values("gap_rank").head(n).reset_index(drop=True)
    out = out[["gap_rank"] + [c for c in out.columns if c != "gap_rank"]]
    out["gap_rank"] = out["gap_rank"].astype(int)
    out["gap_score"] = out["gap_score"].round(3)
    for c in ("poverty_pct",):
        out[c] = out[c].round(1)
    for c in ("poverty_people", "care_unmet", "nearest_office_km"):
        if c in out:
            out[c] = out[c].round(0)
    out = out.rename(columns={"gap_drivers": "reason"})
    for c in ("name", "state_name", "reason"):
        if c in out:
            out[c] = out[c].map(formula_safe)
    return out
