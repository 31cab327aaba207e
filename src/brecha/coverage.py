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
  ``coneval_nd`` (True for the three municipalities CONEVAL does not
  estimate). States: ``<i>_pct/_people_agg_from_municipal`` (aggregated
  from municipal estimates), ``<i>_pct/_people_official`` (CONEVAL's state
  figures, when given) and ``<i>_pct/_people`` with ``<i>_source``;
- care (DENUE vs. Census, :mod:`brecha.care`), for each group ``<g>`` of
  :data:`brecha.care.CARE_GROUPS` (children 0-5, children_0_11, elderly,
  disability): ``care_access_<g>`` (E2SFCA places per 1,000 people in
  demand within ``catchment_km``), ``care_per_1000_<g>``,
  ``care_outside_share_<g>``, ``nearest_care_km_<g>``; ``care_supply_<g>``
  (estimated places; children_0_11 share the children's day care); and
  ``care_unmet_<g>`` / ``care_unmet`` (people, :func:`brecha.care.care_unmet`);
- presence reported (:mod:`brecha.presence`): ``initiatives,
  initiatives_state_scope, agencies, offices, offices_planned,
  people_reached, presence_evidence, office_evidence``;
- reach (:mod:`brecha.reach`), its own axis: ``nearest_office_km``
  (straight-line, from the population-weighted centre),
  ``pop_within_reach_pct`` and ``poor_within_reach_pct`` (people within
  ``radius_km`` of an office, or ``radius_minutes`` with a travel-time cost)
  and ``people_out_of_reach`` (people in localities beyond that threshold);
- gap (:mod:`brecha.gap`): ``gap_score, gap_rank, gap_ranked, need_score,
  presence_score, need_class, presence_class, bivariate_class, gap_class,
  gap_drivers`` (JSON codes; :func:`brecha.gap.describe_drivers` says them)
  and, for municipalities, ``lisa_cluster, lisa_p``.

Distances: every ``*_km`` column is straight-line km in EPSG:6372. With a
travel-time cost (:class:`brecha.costs.TravelTimeRaster`) care access and
reach are measured in minutes and ``nearest_office_minutes`` /
``nearest_care_minutes_<g>`` are added; the km columns keep their meaning.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import gap as gapmod
from ._duckdb import connect, query
from ._layer_presence import PRESENCE_COLUMNS, presence_columns
from ._validate import formula_safe
from .care import CARE_GROUPS, SUPPLY_GROUPS, UNMET_GROUPS, care_unmet
from .costs import Cost
from .errors import InputError, Problem
from .gap import GapSettings
from .settings import STORAGE_CRS
from .sources._registry import LAYER_SOURCES

__all__ = ["SOURCES", "load_sources", "municipal_layer", "state_layer", "top_gaps", "MUNICIPAL_COLUMNS"]

log = logging.getLogger(__name__)

#: Source frames the layers need (``municipalities`` and ``states`` default to the embedded boundaries),
#: from the source table.
SOURCES: tuple[str, ...] = LAYER_SOURCES
#: Care group -> its demand column (brecha.care.CARE_GROUPS), and the groups with supply columns of their own.
_CARE = {g.name: g.demand_col for g in CARE_GROUPS}
_SUPPLY = tuple(g.name for g in SUPPLY_GROUPS)
_CARE_MEASURES = ("care_access", "care_per_1000", "care_outside_share", "nearest_care_km")
_CENSUS = ("pop_total", "pop_0_5", "pop_0_11", "pop_60_plus", "pop_disability")
_UNMET = tuple(f"care_unmet_{g.name}" for g in UNMET_GROUPS)
_GAP = ("need_score", "presence_score", "gap_score", "gap_rank", "gap_ranked", "need_class", "presence_class",
        "bivariate_class", "gap_class", "gap_drivers")

#: Columns of the municipal layer, in order.
MUNICIPAL_COLUMNS: tuple[str, ...] = (
    "cvegeo", "cve_ent", "name", "state_name", *_CENSUS,
    "pop_coneval", "poverty_pct", "poverty_pct_eb", "poverty_people", "extreme_poverty_pct",
    "extreme_poverty_people", "coneval_nd",
    *(f"{m}_{g}" for g in _CARE for m in (("care_supply",) if g in _SUPPLY else ()) + _CARE_MEASURES),
    *_UNMET, "care_unmet", *PRESENCE_COLUMNS,
    "nearest_office_km", "nearest_office_agency", "nearest_office_city",
    "pop_within_reach_pct", "poor_within_reach_pct", "people_out_of_reach",
    *_GAP, "lisa_cluster", "lisa_p", "geometry",
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
                    decay: str = "gaussian", cost: Cost | None = None, catchment_minutes: float | None = None,
                    radius_minutes: float | None = None,
                    office_status: str | Sequence[str] | None = None,
                    gap: GapSettings | pd.DataFrame | Mapping | None = None,
                    lisa_permutations: int = 999, lisa_seed: int = 20200315,
                    lisa_alpha: float = 0.05) -> gpd.GeoDataFrame:
    """One row per municipality: people, poverty, care, presence, reach and the gap.

    The method composes :func:`brecha.poverty.municipal_poverty` (CONEVAL
    2021), :func:`brecha.care.care_by_municipality` (E2SFCA, Luo & Qi 2009),
    :mod:`brecha.presence`, :func:`brecha.reach.within_reach` (Wang 2012) and
    :func:`brecha.gap.gap_index` (OECD/JRC 2008, INFORM geometric mean) with
    its LISA clusters (Anselin 1995).

    Parameters
    ----------
    sources
        Frames by name: :data:`SOURCES` (required), ``municipalities``
        (polygons; the embedded 2,469 by default), ``initiative_places``
        (optional; derived from ``initiatives`` otherwise).
    catchment_km
        Care catchment (km) for E2SFCA with straight-line km
        (:func:`brecha.care.care_by_municipality`).
    radius_km
        Office reach radius (km): ``*_within_reach_pct`` with straight-line
        km, and always the distance at which the gap's reach component
        halves (the gap's reach is straight-line ``nearest_office_km``).
    decay
        Care access decay (:mod:`brecha.access`).
    cost
        How distances are measured (:class:`brecha.costs.Cost`); straight-line
        km by default. With a travel-time cost (``cost.cost_unit ==
        "minutes"``, e.g. :class:`brecha.costs.TravelTimeRaster`) care access
        and office reach use travel minutes, with thresholds
        ``catchment_minutes`` and ``radius_minutes`` (both required then;
        see :func:`brecha.reach.cost_threshold`).
    catchment_minutes, radius_minutes
        The care catchment and the office reach threshold in minutes, for
        a travel-time cost (ignored with km).
    office_status
        Office statuses that count (:data:`brecha.presence.DEFAULT_OFFICE_STATUS`).
    gap
        The gap index settings (:class:`brecha.gap.GapSettings`, or the
        ``gap_settings`` table the pipeline passes; the defaults when None).
        Reach is not part of presence; its reach scale
        is the settings', not ``radius_km``.
    lisa_permutations, lisa_seed, lisa_alpha
        Passed to :func:`brecha.gap.gap_clusters`.

    Returns
    -------
    GeoDataFrame
        The columns of :data:`MUNICIPAL_COLUMNS`, one row per municipality
        polygon, sorted by ``cvegeo``, EPSG:4326. ``*_km`` columns are always
        straight-line km; with a travel-time cost ``nearest_office_minutes``
        and ``nearest_care_minutes_<g>`` follow them (before ``geometry``).
        The three municipalities without a CONEVAL estimate keep NaN poverty
        and are not ranked. ``attrs`` records the parameters, care
        benchmarks and counts, for the caller only: the pipeline passes the
        gap settings explicitly, never through ``attrs``.

    References
    ----------
    CONEVAL (2021), Medición de la pobreza municipal 2020; Luo, W. & Qi, Y.
    (2009), *Health & Place* 15, 1100-1107; Wang, F. (2012), *Annals of the
    AAG* 102(5), 1104-1112; OECD/JRC (2008), *Handbook on Constructing
    Composite Indicators*; Anselin, L. (1995), *Geographical Analysis* 27(2), 93-115.
    """
    from . import care, poverty, reach
    from .costs import StraightLineKm

    _need(sources, SOURCES)
    census, loc, coneval = sources["census_municipal"], sources["localities"], sources["coneval_municipal"]
    offices = sources["offices"]
    muni = _boundaries(sources, "municipalities")
    cost = StraightLineKm() if cost is None else cost
    # Both thresholds are checked before any work, so a missing *_minutes fails fast.
    reach_threshold = reach.cost_threshold(cost, km=radius_km, minutes=radius_minutes, name="radius")
    reach.cost_threshold(cost, km=catchment_km, minutes=catchment_minutes, name="catchment")
    timed = cost.cost_unit != "km"
    care_t = care.care_by_municipality(census, loc, sources["denue_care"], catchment_km=catchment_km,
                                       catchment_minutes=catchment_minutes, decay=decay, cost=cost)
    pov = poverty.municipal_poverty(coneval, pd.DataFrame(muni[["cvegeo"]]),
                                    indicators=("poverty", "extreme_poverty"))
    pres = presence_columns(_places(sources), offices, pd.DataFrame(muni[["cvegeo", "cve_ent"]]),
                            level="municipality", office_status=office_status, initiatives=sources["initiatives"])
    centres = reach.municipal_centres(loc)
    near = reach.nearest_office(centres, offices, status=office_status)  # straight-line km, always
    if timed:
        near_t = reach.nearest_office(centres, offices, cost=cost, status=office_status)
        near[f"nearest_office_{cost.cost_unit}"] = near_t[f"nearest_office_{cost.cost_unit}"].to_numpy()
    within = reach.within_reach(loc, census, coneval, offices, radius_km=radius_km, max_cost=reach_threshold,
                                cost=cost, status=office_status).municipality
    timed_cols = ([f"nearest_office_{cost.cost_unit}"] + [f"nearest_care_{cost.cost_unit}_{g}" for g in _CARE]
                  if timed else [])
    names = pd.DataFrame(muni[["cvegeo", "cve_ent", "name", "state_name"]])
    care_cols = ", ".join(f"k.{c}" for c in MUNICIPAL_COLUMNS if c.startswith(("care_supply_", *_CARE_MEASURES)))
    extra = "".join(f", {'n' if c.startswith('nearest_office') else 'k'}.{c}" for c in timed_cols)
    table = query(f"""
        SELECT m.cvegeo, m.cve_ent, m.name, m.state_name,
               {", ".join(f"c.{c}" for c in _CENSUS)},
               p.pop_coneval, p.poverty_pct, p.poverty_people, p.extreme_poverty_pct, p.extreme_poverty_people,
               p.coneval_nd, {care_cols},
               {", ".join(f"i.{c}" for c in PRESENCE_COLUMNS)},
               n.nearest_office_km, n.nearest_office_agency, n.nearest_office_city,
               w.pop_inside_pct AS pop_within_reach_pct, w.poor_inside_pct AS poor_within_reach_pct,
               w.pop_outside AS people_out_of_reach{extra}
        FROM names m
        LEFT JOIN census c USING (cvegeo) LEFT JOIN pov p USING (cvegeo) LEFT JOIN care_t k USING (cvegeo)
        LEFT JOIN pres i USING (cvegeo) LEFT JOIN near n USING (cvegeo)
        LEFT JOIN within w USING (cvegeo)
        ORDER BY m.cvegeo""", con=connect(spatial=False), names=names,
                  census=pd.DataFrame(census[["cvegeo", *_CENSUS]]), pov=pd.DataFrame(pov), care_t=care_t,
                  pres=pres, near=near,
                  within=pd.DataFrame(within[["cvegeo", "pop_inside_pct", "poor_inside_pct", "pop_outside"]]))
    unmet = care_unmet(table)
    table = pd.concat([table, unmet], axis=1)
    scores = gapmod.gap_index(table, GapSettings.of(gap))
    for col in ("poverty_pct_eb", *_GAP):
        table[col] = scores[col]  # same index; keeps the nullable Int64 ranks and classes
    geometry = muni.set_index("cvegeo").geometry.reindex(table["cvegeo"]).to_numpy()
    layer = gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)
    lisa = gapmod.gap_clusters(layer, permutations=lisa_permutations, seed=lisa_seed, alpha=lisa_alpha)
    layer["lisa_cluster"], layer["lisa_p"] = lisa["lisa_cluster"].to_numpy(), lisa["lisa_p"].to_numpy()
    layer = layer[[*MUNICIPAL_COLUMNS[:-1], *timed_cols, "geometry"]]
    layer.attrs.update(
        level="municipality", cost=repr(cost), cost_unit=cost.cost_unit, catchment_km=catchment_km,
        radius_km=radius_km, catchment_minutes=catchment_minutes if timed else None,
        radius_minutes=radius_minutes if timed else None, decay=decay,
        office_status=office_status, care_benchmark=unmet.attrs["benchmark"],
        lisa={"permutations": lisa_permutations, "seed": lisa_seed, "alpha": lisa_alpha},
        offices_with_point=near.attrs.get("offices"))
    log.info("municipal layer: %d rows, %d ranked", len(layer), int(layer["gap_ranked"].sum()))
    return layer


def state_layer(sources: Mapping[str, pd.DataFrame], *, municipal: gpd.GeoDataFrame | None = None,
                official_poverty: pd.DataFrame | None = None, official_year: int = 2020,
                gap: GapSettings | pd.DataFrame | Mapping | None = None,
                office_status: str | Sequence[str] | None = None, **municipal_kwargs) -> gpd.GeoDataFrame:
    """One row per state: sums of counts, aggregated rates, poverty (official or aggregated) and the state gap.

    Parameters
    ----------
    sources
        As for :func:`municipal_layer`, plus ``states`` (polygons; embedded by default).
    municipal
        The municipal layer, when already built (it is built otherwise, with
        ``municipal_kwargs`` and ``gap``).
    official_poverty
        CONEVAL's official state figures, tidy
        (:func:`brecha.sources.read_coneval_state`: ``cve_ent, year,
        indicator, pct, people``); without them the state poverty figures
        are aggregates of municipal estimates only.
    official_year
        Year of the official figures to use (the municipal vintage, 2020).
    gap
        The gap settings (:class:`brecha.gap.GapSettings`, the defaults when
        None): pass the municipal layer's own, as the pipeline does, so both
        rank the same index. Empirical Bayes is off at state level.
    office_status
        Office statuses that count; the municipal layer's by default.
    municipal_kwargs
        Parameters of :func:`municipal_layer` (``radius_km``, ...), only
        when ``municipal`` is not given (an error otherwise).

    Returns
    -------
    GeoDataFrame
        32 rows sorted by ``cve_ent``, EPSG:4326: ``cve_ent, name,
        municipalities, municipalities_estimated``;

        - poverty, for ``poverty`` and ``extreme_poverty``:
          ``pop_coneval_agg_from_municipal`` and
          ``<i>_pct_agg_from_municipal``, ``<i>_people_agg_from_municipal``
          (people in poverty over CONEVAL population of the estimated
          municipalities: not an official figure, CONEVAL's state estimates
          come from the ENIGH survey); with ``official_poverty``,
          ``<i>_pct_official``, ``<i>_people_official`` beside them; and
          ``<i>_pct``, ``<i>_people`` = the official figure where there is
          one, else the aggregate, with ``<i>_source`` (``"official"`` or
          ``"agg_from_municipal"``) saying which, state by state;
        - counts summed over municipalities (population, care supply and
          unmet demand); ``care_access_<g>`` and ``care_outside_share_<g>``
          (means of municipal values weighted by the group's demand) and
          ``care_per_1000_<g>`` for each group of :data:`brecha.care.CARE_GROUPS`;
        - the presence columns of :data:`brecha._layer_presence.PRESENCE_COLUMNS`
          (``initiatives``: state- and municipal-scope; ``offices`` including
          offices placed only in the state), ``initiatives_municipal_scope``,
          the fair-share columns of :mod:`brecha.fairshare` when it is there,
          and ``people_out_of_reach`` (sum over municipalities);
          ``nearest_office_km`` (population-weighted mean over municipal
          centres); ``pop_within_reach_pct``, ``poor_within_reach_pct``;
        - the gap columns of :func:`brecha.gap.gap_index` (no empirical
          Bayes: every state is large; no LISA: 32 units are too few).

        ``attrs`` records the poverty method and sources (``poverty_method``,
        ``poverty_sources``).

    References
    ----------
    CONEVAL (2021), Medición de la pobreza municipal 2020; CONEVAL (2023),
    Medición de la pobreza 2022, anexo estadístico (entidades federativas);
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*.
    """
    from . import poverty, presence

    _need(sources, SOURCES)
    gap = GapSettings.of(gap)
    if municipal is None:
        municipal = municipal_layer(sources, office_status=office_status, gap=gap, **municipal_kwargs)
    elif municipal_kwargs:  # they would be silently ignored: the municipal layer is built already
        raise InputError([Problem("state_layer", None, k, v, "no municipal-layer parameter when `municipal` is "
                                  "given (they are recorded in it)") for k, v in municipal_kwargs.items()])
    if office_status is None:
        office_status = municipal.attrs.get("office_status")
    states = _boundaries(sources, "states")
    pov = poverty.state_poverty(sources["coneval_municipal"], official=official_poverty, year=official_year,
                                indicators=("poverty", "extreme_poverty"))
    ini = presence.initiative_counts(_places(sources), level="state")
    pres = presence_columns(_places(sources), sources["offices"], pd.DataFrame(states[["cve_ent"]]), level="state",
                            office_status=office_status, initiatives=sources["initiatives"])
    m = pd.DataFrame(municipal.drop(columns="geometry"))
    supply = {g.name: g.supply_name for g in CARE_GROUPS}
    care = ", ".join(
        (f"sum(care_supply_{g}) AS care_supply_{g}, " if g in _SUPPLY else "")
        + f"sum(care_access_{g} * {d}) / nullif(sum({d}) FILTER (WHERE care_access_{g} IS NOT NULL), 0) "
        f"AS care_access_{g}, "
        f"1000.0 * sum(care_supply_{supply[g]}) / nullif(sum({d}), 0) AS care_per_1000_{g}, "
        f"sum(care_outside_share_{g} * {d}) / nullif(sum({d}) FILTER (WHERE care_outside_share_{g} IS NOT NULL), 0) "
        f"AS care_outside_share_{g}" for g, d in _CARE.items())
    table = query(f"""
        WITH agg AS (
            SELECT cve_ent, {", ".join(f"sum({c}) AS {c}" for c in _CENSUS)}, {care},
                   {", ".join(f"sum({c}) AS {c}" for c in _UNMET)}, sum(care_unmet) AS care_unmet,
                   sum(nearest_office_km * pop_total)
                       / nullif(sum(pop_total) FILTER (WHERE nearest_office_km IS NOT NULL), 0) AS nearest_office_km,
                   sum(pop_within_reach_pct * pop_total) / nullif(sum(pop_total), 0) AS pop_within_reach_pct,
                   sum(poor_within_reach_pct * poverty_people)
                       / nullif(sum(poverty_people) FILTER (WHERE poor_within_reach_pct IS NOT NULL), 0)
                       AS poor_within_reach_pct,
                   sum(people_out_of_reach) AS people_out_of_reach,
                   count(*) AS municipalities
            FROM m GROUP BY cve_ent)
        SELECT s.cve_ent, s.name, a.municipalities, p.* EXCLUDE (cve_ent, municipalities),
               a.* EXCLUDE (cve_ent, municipalities),
               {", ".join(f"o.{c}" for c in PRESENCE_COLUMNS)}, i.initiatives_municipal_scope
        FROM states s JOIN agg a USING (cve_ent) JOIN pov p USING (cve_ent)
        JOIN ini i USING (cve_ent) JOIN pres o USING (cve_ent)
        ORDER BY s.cve_ent""", con=connect(spatial=False), m=m, states=pd.DataFrame(states[["cve_ent", "name"]]),
                  pov=pd.DataFrame(pov), ini=pd.DataFrame(ini), pres=pres)
    table = _fair_share(table)
    scores = gapmod.gap_index(table, gap.replace(eb=False), key="cve_ent", pop_col="pop_coneval_agg_from_municipal",
                              level_word="state")
    for col in _GAP:
        table[col] = scores[col]
    geometry = states.set_index("cve_ent").geometry.reindex(table["cve_ent"]).to_numpy()
    layer = gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)
    official = {i: int((table[f"{i}_source"] == "official").sum()) for i in ("poverty", "extreme_poverty")}
    layer.attrs.update(
        level="state", poverty_method=pov.attrs.get("method"),
        poverty_sources=(
            "<i>_pct / <i>_people are CONEVAL's official state figures of "
            f"{official_year} where <i>_source = 'official' (kept as <i>_*_official), else the aggregate of "
            "municipal estimates (<i>_source = 'agg_from_municipal'); the aggregates are always kept as "
            "<i>_*_agg_from_municipal"),
        official_year=official_year if official_poverty is not None else None,
        states_with_official=official,
        national_agg_from_municipal=pov.attrs.get("national_agg_from_municipal"),
        national_initiatives=ini.attrs.get("national_initiatives"))
    return layer


def _fair_share(table: pd.DataFrame) -> pd.DataFrame:
    """The state table with the fair-share columns of :mod:`brecha.fairshare`, when that module exists."""
    try:
        from . import fairshare
    except ImportError:  # the fair-share module is not there yet: the layer goes without its columns
        return table
    shares = fairshare.fair_share(table)
    return pd.concat([table, shares.drop(columns="cve_ent")], axis=1)


_TOP_COLUMNS = ("gap_rank", "name", "state_name", "gap_score", "gap_class", "poverty_pct", "poverty_people",
                "poverty_source", "care_unmet", "initiatives", "agencies", "offices", "presence_evidence",
                "nearest_office_km", "bivariate_class", "lisa_cluster", "gap_drivers")


def top_gaps(layer: pd.DataFrame, n: int = 20, *, lang: str = "en") -> pd.DataFrame:
    """The ``n`` largest gaps, ready for a CSV: rank, place, key figures, the class and the reason in words.

    Works on the municipal and the state layer. Figures are rounded for
    reading (score to 3 decimals, percentages to 1, people and km to whole
    numbers); text cells are made safe for spreadsheets
    (:func:`brecha._validate.formula_safe`). Unranked places are left out.

    Returns
    -------
    DataFrame
        ``gap_rank``, the key (``cvegeo`` or ``cve_ent``), ``name``
        (``state_name`` for municipalities), ``gap_score``, ``poverty_pct``,
        ``poverty_people``, ``poverty_source`` (states: official or
        aggregated from municipalities), ``care_unmet``, ``initiatives``,
        ``agencies``, ``offices``, ``presence_evidence``, ``nearest_office_km``,
        ``bivariate_class``, ``lisa_cluster`` (each when present), ``gap_class``
        (code) with ``gap_class_text`` (its words: "no report" / "sin
        reporte" and "state only" / "solo el estado" are never a confirmed
        gap) and ``reason`` (the gap drivers
        said in ``lang`` by :func:`brecha.gap.describe_drivers`).

    >>> import pandas as pd
    >>> toy = pd.DataFrame({"cvegeo": ["07001", "07002", "07003"], "name": ["A", "B", "C"],
    ...                     "state_name": ["Chiapas"] * 3, "gap_rank": [2, 1, None],
    ...                     "gap_score": [0.41, 0.87, None],
    ...                     "gap_drivers": ['[["none_above", null]]', '[["poverty_pct", 91.0]]', None]})
    >>> top_gaps(toy, n=5, lang="es")["reason"].tolist()
    ['alta tasa de pobreza (91 %)', 'ningún componente sobre la mediana']
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise InputError([Problem("n", None, None, n, "a whole number >= 1")])
    key = "cvegeo" if "cvegeo" in layer.columns else "cve_ent"
    cols = [key] + [c for c in _TOP_COLUMNS if c in layer.columns]
    ranked = pd.DataFrame(layer.loc[layer["gap_rank"].notna(), cols])
    out = ranked.sort_values("gap_rank").head(n).reset_index(drop=True)
    out = out[["gap_rank"] + [c for c in out.columns if c != "gap_rank"]]
    out["gap_rank"] = out["gap_rank"].astype(int)
    for decimals, columns in ((3, ("gap_score",)), (1, ("poverty_pct",)),
                              (0, ("poverty_people", "care_unmet", "nearest_office_km"))):
        for c in columns:
            if c in out:
                out[c] = out[c].round(decimals)
    if "gap_class" in out:
        out.insert(out.columns.get_loc("gap_class") + 1, "gap_class_text",
                   out["gap_class"].map(lambda v: gapmod.describe_gap_class(v, lang)))
    if "gap_drivers" in out:
        out["gap_drivers"] = out["gap_drivers"].map(lambda v: gapmod.describe_drivers(v, lang))
    out = out.rename(columns={"gap_drivers": "reason"})
    for c in ("name", "state_name", "gap_class_text", "reason"):
        if c in out:
            out[c] = out[c].map(formula_safe)
    return out
