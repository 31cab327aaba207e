"""Care supply against demand: day care, elderly care and disability care.

In the spirit of the Mapa de Cuidados de México (MACU; INMUJERES, El Colegio
de México and ONU Mujeres, 2023, https://mapadecuidados.inmujeres.gob.mx/),
which sets INEGI's DENUE care establishments against Census 2020 population:

- supply: DENUE establishments by SCIAN class (day care 6244xx, elderly
  6233xx, disability 6232xx), counted and turned into estimated places:
  staff band midpoint (``staff_mid``) x places per staff member;
- demand: Census 2020 children 0-5 (``pop_0_5``) and, for the same day-care
  supply, children 0-11 (``pop_0_11``, group ``children_0_11``), people 60+
  (``pop_60_plus``) and people with a disability (``pop_disability``);
- access: E2SFCA (:mod:`brecha.access`) from the 189,432 Census localities,
  each holding its share of the municipal demand, to the establishments.

Places are an estimate: DENUE reports staff bands, not capacity.

**Disability supply.** SCIAN 2018 group 6232 also holds residences for
mental disorders and addictions (623221 private, 623222 public: 722 of the
886 establishments under 6232 in the embedded DENUE). They do not serve the
Census disability population, so :func:`brecha.sources.denue.care_type_of`
types them ``mental_health`` and they are left out of every care group here;
disability supply is classes 623211/623212 (intellectual disability) only.
Even these serve mostly people with intellectual disabilities, a part of
``pop_disability``: disability access is a lower bound of a partial supply.

References
----------
INMUJERES, El Colegio de México & ONU Mujeres (2023). *Mapa de Cuidados de
México*. INEGI (2018). *Sistema de Clasificación Industrial de América del
Norte, México SCIAN 2018*. Luo, W. & Qi, Y. (2009). An enhanced two-step
floating catchment area (E2SFCA) method. *Health & Place* 15, 1100-1107.
Goodchild, M. F. & Lam, N. S.-N. (1980). Areal interpolation. *Geo-Processing* 1, 297-312.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from . import _duckdb

# The one table of care types and groups lives in _care_groups (no heavy imports); re-exported here.
from ._care_groups import (
    CARE_GROUPS,
    CARE_TYPES,
    DEMAND_COLUMNS,
    HEADLINE_GROUPS,
    PLACES_PER_STAFF,
    SUPPLY_GROUPS,
    UNMET_GROUPS,
    CareGroup,
    CareType,
)
from .access import access_table
from .costs import Cost, StraightLineKm
from .errors import InputError, InputWarning, Problem, require_columns
from .sources.denue import STAFF_BANDS, care_type_of

__all__ = [
    "CareGroup",
    "CareType",
    "CARE_GROUPS",
    "CARE_TYPES",
    "HEADLINE_GROUPS",
    "SUPPLY_GROUPS",
    "UNMET_GROUPS",
    "care_unmet",
    "PLACES_PER_STAFF",
    "DEMAND_COLUMNS",
    "apportion",
    "estimate_places",
    "care_supply",
    "care_by_locality",
    "care_by_municipality",
]

log = logging.getLogger(__name__)



_SMALLEST_BAND = min(STAFF_BANDS.values())


def _missing(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> list[Problem]:
    return [Problem(name, None, c, None, f"a column {c!r}") for c in columns if c not in frame.columns]


def _bad_numbers(frame: pd.DataFrame, name: str, columns: Sequence[str], *, allow_nan: bool) -> list[Problem]:
    problems = []
    for c in columns:
        v = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        bad = (v < 0) | np.isinf(v) | (np.isnan(v) & (not allow_nan or frame[c].notna().to_numpy()))
        if bad.any():
            problems.append(Problem(name, None, c, f"{int(bad.sum())} rows, e.g. index "
                                    f"{list(frame.index[bad][:5])}", "numbers >= 0"))
    return problems


def apportion(localities: pd.DataFrame, census: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Share municipal counts out to localities by their share of municipal population.

    Each locality gets ``count_m x pop_total_l / sum(pop_total in m)``, so the
    localities of a municipality add up to its count (up to float rounding);
    a municipality whose localities have no people splits it evenly. A
    municipality in ``census`` without localities keeps its count out of the
    result (logged). NaN counts stay NaN.

    Parameters
    ----------
    localities
        ``cvegeo`` (municipality) and ``pop_total`` (people) per locality.
    census
        One row per ``cvegeo`` with the ``columns`` to share out (people).

    Returns
    -------
    DataFrame
        ``localities`` (a copy, same index and class) with ``columns`` added.

    References
    ----------
    Goodchild, M. F. & Lam, N. S.-N. (1980). Areal interpolation: a variant
    of the traditional spatial problem. *Geo-Processing* 1, 297-312
    (population-weighted interpolation, as in PySAL *tobler*).

    >>> locs = pd.DataFrame({"cvegeo": ["01001", "01001", "01002"], "pop_total": [30, 10, 5]})
    >>> cen = pd.DataFrame({"cvegeo": ["01001", "01002"], "pop_0_5": [8.0, 1.0]})
    >>> apportion(locs, cen, ["pop_0_5"])["pop_0_5"].tolist()
    [6.0, 2.0, 1.0]
    """
    columns = list(columns)
    problems = _missing(localities, "localities", ["cvegeo", "pop_total"])
    problems += _missing(census, "census", ["cvegeo", *columns])
    if not problems:
        problems += _bad_numbers(localities, "localities", ["pop_total"], allow_nan=False)
        problems += _bad_numbers(census, "census", columns, allow_nan=True)
        dup = census["cvegeo"][census["cvegeo"].duplicated()]
        if len(dup):
            problems.append(Problem("census", None, "cvegeo", list(dup[:5]), "one row per municipality"))
        muni_codes = pd.Index(localities["cvegeo"].unique())
        unknown = sorted(muni_codes.difference(census["cvegeo"]))
        if unknown:
            problems.append(Problem("localities", None, "cvegeo", unknown[:10],
                                    f"municipalities present in census ({len(unknown)} missing)"))
    if problems:
        raise InputError(problems)
    lost = pd.Index(census["cvegeo"]).difference(muni_codes)
    if len(lost):
        log.info("%d municipalities in census have no localities; their counts are not apportioned", len(lost))
    # Group on integer codes: grouping 189k arrow strings is several times slower.
    codes, _ = pd.factorize(localities["cvegeo"])
    pop = localities["pop_total"].to_numpy(dtype=float)
    muni_pop = np.bincount(codes, weights=pop)[codes]
    muni_n = np.bincount(codes)[codes]
    share = np.divide(pop, muni_pop, out=1.0 / muni_n, where=muni_pop > 0)
    counts = census.set_index("cvegeo")[columns].astype(float).reindex(localities["cvegeo"])
    out = localities.copy()
    for c in columns:
        out[c] = counts[c].to_numpy() * share
    return out


def estimate_places(denue: gpd.GeoDataFrame, *,
                    places_per_staff: Mapping[str, float] = PLACES_PER_STAFF) -> gpd.GeoDataFrame:
    """Care establishments with their ``care_type`` (from SCIAN) and estimated ``places``.

    ``places = staff_mid x places_per_staff[care_type]``. Rows of no care
    type that a :data:`CARE_GROUPS` group uses are dropped (other SCIAN
    classes, and the mental-health and addiction residences 623221/623222,
    see the module docstring); a missing ``staff_mid`` is taken as the
    smallest DENUE band (0-5 people, midpoint 3), with a warning.

    Parameters
    ----------
    denue
        DENUE establishments: ``scian`` (6-digit class), ``staff_mid``
        (people, midpoint of the staff band) and point geometry.
    places_per_staff
        Care type -> estimated places per staff member.

    Returns
    -------
    GeoDataFrame
        The kept rows with ``care_type`` and ``places`` (estimated places).

    References
    ----------
    INEGI, DENUE (staff bands ``per_ocu``); the staffing ratios behind
    :data:`PLACES_PER_STAFF` (SEDESOL, Reglas de Operación del Programa de
    Estancias Infantiles 2018, DOF 30/12/2017). As in the Mapa de Cuidados de
    México (INMUJERES, El Colegio de México & ONU Mujeres 2023), capacity is
    inferred from establishments, not reported.
    """
    types = sorted({g.care_type for g in CARE_GROUPS})
    problems = _missing(denue, "denue", ["scian", "staff_mid", "geometry"])
    problems += [Problem("places_per_staff", None, t, places_per_staff.get(t), "a number > 0")
                 for t in types if not places_per_staff.get(t, 0) > 0]
    if not problems:
        problems += _bad_numbers(denue, "denue", ["staff_mid"], allow_nan=True)
    if problems:
        raise InputError(problems)
    care_type = care_type_of(denue["scian"])
    used = care_type.isin(types)
    out = denue[used.to_numpy()].copy()
    out["care_type"] = care_type[used].to_numpy()
    staff = pd.to_numeric(out["staff_mid"], errors="coerce")
    if staff.isna().any():
        warnings.warn(f"{int(staff.isna().sum())} DENUE establishments have no staff band; "
                      f"counted as {_SMALLEST_BAND:g} staff", InputWarning, stacklevel=2)
    out["staff_mid"] = staff.fillna(_SMALLEST_BAND)
    out["places"] = out["staff_mid"] * out["care_type"].map(dict(places_per_staff)).astype(float)
    return out


def care_supply(denue: gpd.GeoDataFrame, *,
                places_per_staff: Mapping[str, float] = PLACES_PER_STAFF) -> pd.DataFrame:
    """Care establishments and estimated places per municipality.

    Returns
    -------
    DataFrame
        One row per ``cvegeo`` with establishments: ``care_units_<group>``
        (establishments) and ``care_supply_<group>`` (estimated places), for
        each group of :data:`SUPPLY_GROUPS` (one per care type).
    """
    pts = pd.DataFrame(estimate_places(denue, places_per_staff=places_per_staff)
                       [["cvegeo", "care_type", "places"]])
    # Identifiers below come from CARE_GROUPS, not from user input.
    cols = ",\n".join(
        f"count(*) FILTER (WHERE care_type = '{g.care_type}')::BIGINT AS care_units_{g.name}, "
        f"coalesce(sum(places) FILTER (WHERE care_type = '{g.care_type}'), 0)::DOUBLE AS care_supply_{g.name}"
        for g in SUPPLY_GROUPS)
    return _duckdb.query(f"SELECT cvegeo, {cols} FROM pts GROUP BY cvegeo ORDER BY cvegeo", pts=pts)


def _nearest_units(cost: Cost | None) -> tuple[str, ...]:
    """Units of the ``nearest_care_<unit>_<g>`` columns: always km, plus the cost's own unit."""
    unit = "km" if cost is None else cost.cost_unit
    return ("km",) if unit == "km" else ("km", unit)


def care_by_locality(census: pd.DataFrame, localities: gpd.GeoDataFrame, denue: gpd.GeoDataFrame, *,
                     catchment_km: float = 20.0, catchment_minutes: float | None = None,
                     decay: str = "gaussian", cost: Cost | None = None,
                     places_per_staff: Mapping[str, float] = PLACES_PER_STAFF) -> gpd.GeoDataFrame:
    """Care demand and E2SFCA access at every locality.

    Parameters
    ----------
    census
        Census 2020 municipal counts with :data:`DEMAND_COLUMNS`.
    localities
        Census 2020 locality points with ``cvegeo`` and ``pop_total``.
    denue
        DENUE care establishments (``scian``, ``staff_mid``, points).
    catchment_km
        E2SFCA catchment in km, used with straight-line km (the default cost).
    catchment_minutes
        E2SFCA catchment in minutes, required with a travel-time ``cost``
        (:class:`brecha.costs.TravelTimeRaster`); see
        :func:`brecha.reach.cost_threshold`.
    decay, cost
        As in :func:`brecha.access.e2sfca`.

    Returns
    -------
    GeoDataFrame
        ``localities`` with, added: the apportioned :data:`DEMAND_COLUMNS`
        (people), and for each group of :data:`CARE_GROUPS`
        ``care_access_<group>`` (E2SFCA places per 1,000 people in demand),
        ``care_outside_<group>`` (True when no establishment of the type is
        within the catchment), ``nearest_care_km_<group>`` (straight-line km
        to the nearest establishment of the type, whatever the cost) and,
        with a travel-time cost, ``nearest_care_minutes_<group>``.

    References
    ----------
    Luo & Qi (2009) (E2SFCA); Dai, D. (2010). Black residential segregation,
    disparities in spatial access to health care facilities, and late-stage
    breast cancer diagnosis in metropolitan Detroit. *Health & Place* 16,
    1038-1052 (Gaussian decay).
    """
    from .access import nearest_supply_km
    from .reach import cost_threshold

    catchment = cost_threshold(StraightLineKm() if cost is None else cost, km=catchment_km,
                               minutes=catchment_minutes, name="catchment")
    units = _nearest_units(cost)
    out = apportion(localities, census, DEMAND_COLUMNS)
    supply = estimate_places(denue, places_per_staff=places_per_staff)
    for g in CARE_GROUPS:
        pts = supply[supply["care_type"] == g.care_type]
        t = access_table(out, pts, demand_col=g.demand_col, supply_col="places", catchment_km=catchment,
                         decay=decay, cost=cost)
        out[f"care_access_{g.name}"] = t["access"] * 1000.0
        out[f"care_outside_{g.name}"] = t["outside"]
        out[f"nearest_care_{units[-1]}_{g.name}"] = t["nearest_cost"]
        if len(units) > 1:  # a time cost: keep the straight-line km beside the minutes
            out[f"nearest_care_km_{g.name}"] = nearest_supply_km(out, pts).to_numpy()
    return out


def care_by_municipality(census: pd.DataFrame, localities: gpd.GeoDataFrame, denue: gpd.GeoDataFrame, *,
                         catchment_km: float = 20.0, catchment_minutes: float | None = None,
                         decay: str = "gaussian", cost: Cost | None = None,
                         places_per_staff: Mapping[str, float] = PLACES_PER_STAFF) -> pd.DataFrame:
    """Care supply against demand per municipality: the table the build uses.

    Arguments as in :func:`care_by_locality`.

    Returns
    -------
    DataFrame
        One row per ``cvegeo`` of ``census``, sorted. For each supply group
        ``<s>`` of :data:`SUPPLY_GROUPS` (children, elderly, disability):

        - ``care_units_<s>``: DENUE establishments (count);
        - ``care_supply_<s>``: estimated places (staff midpoint x places per staff);

        and for each group ``<g>`` of :data:`CARE_GROUPS` (children: day care
        vs. children 0-5; children_0_11: the same day care vs. children 0-11;
        elderly: 60+; disability):

        - ``care_per_1000_<g>``: places per 1,000 people in demand in the
          municipality (NaN where demand is 0);
        - ``care_access_<g>``: E2SFCA places per 1,000 people in demand,
          mean over the municipality's localities weighted by their demand;
        - ``care_outside_share_<g>``: share (0-1) of the demand in localities
          with no establishment within the catchment;
        - ``nearest_care_km_<g>``: demand-weighted mean straight-line km to
          the nearest establishment (``inf`` when there is none of the type
          at all) and, with a travel-time cost, ``nearest_care_minutes_<g>``.

        Locality-based columns are NaN in municipalities with no localities
        or no demand.

    References
    ----------
    Luo & Qi (2009); INMUJERES, El Colegio de México & ONU Mujeres (2023),
    *Mapa de Cuidados de México* (establishments per population in demand).
    """
    missing = _missing(census, "census", ["cvegeo", *DEMAND_COLUMNS])
    if missing:
        raise InputError(missing)
    loc = care_by_locality(census, localities, denue, catchment_km=catchment_km,
                           catchment_minutes=catchment_minutes, decay=decay, cost=cost,
                           places_per_staff=places_per_staff)
    loc = pd.DataFrame(loc[["cvegeo", *DEMAND_COLUMNS,
                            *(c for c in loc.columns if c.startswith(("care_", "nearest_care_")))]])
    measures = [("care_access", "care_access"), ("care_outside", "care_outside_share")]
    measures += [(f"nearest_care_{u}", f"nearest_care_{u}") for u in _nearest_units(cost)]
    # Identifiers below come from CARE_GROUPS and cost units, not from user input.
    weighted = ",\n".join(
        # FILTER keeps 0 x inf (no establishment anywhere) from turning into NaN.
        f"sum({g.demand_col} * {m}_{g.name}::DOUBLE) FILTER (WHERE {g.demand_col} > 0)"
        f" / nullif(sum({g.demand_col}), 0) AS {out}_{g.name}"
        for g in CARE_GROUPS for m, out in measures)
    per_1000 = ",\n".join(
        f"1000.0 * coalesce(s.care_supply_{g.supply_name}, 0) / nullif(c.{g.demand_col}, 0) "
        f"AS care_per_1000_{g.name}" for g in CARE_GROUPS)
    counts = ",\n".join(f"coalesce(s.care_units_{g.name}, 0)::BIGINT AS care_units_{g.name}, "
                        f"coalesce(s.care_supply_{g.name}, 0)::DOUBLE AS care_supply_{g.name}"
                        for g in SUPPLY_GROUPS)
    locagg = _duckdb.query(f"SELECT cvegeo, {weighted} FROM loc GROUP BY cvegeo", loc=loc)
    supply = care_supply(denue, places_per_staff=places_per_staff)
    cen = pd.DataFrame(census[["cvegeo", *DEMAND_COLUMNS]])
    sql = f"""
        SELECT c.cvegeo, {counts}, {per_1000}, l.* EXCLUDE (cvegeo)
        FROM cen c
        LEFT JOIN supply s USING (cvegeo)
        LEFT JOIN locagg l USING (cvegeo)
        ORDER BY c.cvegeo
    """
    return _duckdb.query(sql, cen=cen, supply=supply, locagg=locagg)


def care_unmet(frame: pd.DataFrame, *, groups: Mapping[str, str] | None = None,
               benchmark: Mapping[str, float] | None = None) -> pd.DataFrame:
    """People in care demand not met by accessible supply, per group and in total.

    For each group ``g`` (by default :data:`UNMET_GROUPS`: children 0-5 and
    older people; people with a disability are left out because most of
    them are also 60+, and children 0-11 because they share the day care)
    with ``o`` = ``care_outside_share_g`` (share of
    the demand beyond every catchment), ``a`` = ``care_access_g`` (E2SFCA
    places per 1,000 people in demand, demand-weighted mean over localities,
    0 beyond every catchment) and ``B`` the benchmark::

        shortfall_g = o + (1 - o) * clip(1 - a / ((1 - o) * B), 0, 1)

    Demand beyond every catchment is unmet in full; the rest, whose mean
    access is ``a / (1 - o)``, is unmet by its shortfall from ``B``. ``B`` is
    the national level, total accessible places over total demand (the
    demand-weighted mean of ``a``), unless given. ``care_unmet_g = demand_g *
    shortfall_g`` (people); ``care_unmet`` sums the groups. Without a
    ``care_outside_share_g`` column, ``o`` is 0.

    Parameters
    ----------
    frame
        ``care_access_<g>``, optionally ``care_outside_share_<g>``, and each
        group's demand column (people).
    groups
        Group -> demand column; default :data:`UNMET_GROUPS`.
    benchmark
        Group -> places per 1,000 people in demand to measure against.

    Returns
    -------
    DataFrame
        Same index: ``care_shortfall_<g>`` (0..1), ``care_unmet_<g>`` and
        ``care_unmet`` (people). ``attrs["benchmark"]`` holds the benchmarks
        (the frame is an intermediate; the layer records them itself).

    References
    ----------
    Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area
    (E2SFCA) method. *Health & Place* 15, 1100-1107: shortage areas are those
    whose accessibility falls below a reference ratio.

    >>> f = pd.DataFrame({"pop_0_5": [100.0, 100.0, 100.0], "care_access_children": [20.0, 5.0, 0.0],
    ...                   "care_outside_share_children": [0.0, 0.5, 1.0]})
    >>> care_unmet(f, groups={"children": "pop_0_5"}, benchmark={"children": 10.0})["care_unmet"].tolist()
    [0.0, 50.0, 100.0]
    """
    groups = dict({g.name: g.demand_col for g in UNMET_GROUPS} if groups is None else groups)
    require_columns(frame, [c for g, d in groups.items() for c in (d, f"care_access_{g}")], "care frame")
    out = pd.DataFrame(index=frame.index)
    bench: dict[str, float] = {}
    total = np.zeros(len(frame))
    for g, demand_col in groups.items():
        demand = frame[demand_col].to_numpy(dtype=float)
        access = frame[f"care_access_{g}"].to_numpy(dtype=float)
        outside_col = f"care_outside_share_{g}"
        outside = (np.clip(frame[outside_col].to_numpy(dtype=float), 0.0, 1.0) if outside_col in frame
                   else np.zeros(len(frame)))
        ok = np.isfinite(demand) & np.isfinite(access)
        if benchmark is not None and g in benchmark:
            ref = float(benchmark[g])
        else:
            ref = float((access[ok] * demand[ok]).sum() / demand[ok].sum()) if demand[ok].sum() > 0 else 0.0
        bench[g] = ref
        inside = 1.0 - np.nan_to_num(outside)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.where((inside > 0) & (ref > 0), np.clip(1.0 - access / (inside * ref), 0.0, 1.0), 0.0)
        short = np.where(ok, 1.0 - inside + inside * inner, np.nan)
        out[f"care_shortfall_{g}"] = short
        out[f"care_unmet_{g}"] = demand * short
        total = total + np.nan_to_num(demand * short)
    out["care_unmet"] = total
    out.attrs["benchmark"] = bench
    return out
