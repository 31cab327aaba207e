"""Office reach: how far each municipality is from an office, and who lives within reach.

Distances go through a :class:`brecha.costs.Cost` (straight-line km by
default), so a travel-time surface (:class:`brecha.costs.TravelTimeRaster`)
replaces km without changing callers; output columns are named by the cost's
unit (``nearest_office_km`` or ``nearest_office_minutes``).

Reach is computed at the 189,432 Census 2020 localities, not at municipal
centres, because a large municipality can be partly near and partly far
from an office. Municipal counts (poor people, children, older people,
people with a disability) are apportioned to localities by population share,
the population-weighted areal interpolation of Goodchild & Lam (1980) as
implemented in PySAL's *tobler*; the apportioned values sum back exactly to
the municipal figures.

References
----------
Wang, F. (2012). Measurement, optimization, and impact of health care
accessibility: a methodological review. *Annals of the AAG* 102(5), 1104-1112.
Delamater, P. L. (2013). Spatial accessibility in suboptimally configured
health care systems. *Health & Place* 24, 30-43.
Goodchild, M. F. & Lam, N. S.-N. (1980). Areal interpolation: a variant of
the traditional spatial problem. *Geo-Processing* 1, 297-312.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from . import geography
from ._duckdb import connect, query
from .costs import Cost, StraightLineKm
from .errors import InputError, Problem, require_columns
from .presence import select_offices

__all__ = [
    "municipal_centres",
    "office_points",
    "nearest_office",
    "locality_demand",
    "within_reach",
    "Reach",
    "MEASURES",
    "cost_threshold",
]

log = logging.getLogger(__name__)

#: Measure name -> municipal column apportioned to localities (``pop`` is the locality's own count).
MEASURES: dict[str, str] = {
    "pop": "pop_total",
    "poor": "poverty_people",
    "pop_0_5": "pop_0_5",
    "pop_0_11": "pop_0_11",
    "pop_60_plus": "pop_60_plus",
    "pop_disability": "pop_disability",
}


def municipal_centres(localities: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Population-weighted centre of each municipality from its Census 2020 localities.

    Parameters
    ----------
    localities
        Points with ``cvegeo`` and ``pop_total``; the embedded 189,432 by default.

    Returns
    -------
    GeoDataFrame
        Index ``cvegeo``, ``pop_total`` (people), point geometry in EPSG:6372.
        The centre is where the people are, not the polygon's centroid, so
        distances measure what residents travel (Wang 2012).
    """
    loc = geography.localities() if localities is None else localities
    require_columns(loc, ("cvegeo", "pop_total"), "localities")
    return geography.weighted_centres(loc, by="cvegeo", weight="pop_total")


def office_points(offices: gpd.GeoDataFrame, *, status: str | Sequence[str] | None = None,
                  agency: str | Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Offices that have a point, filtered by status and agency.

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`.
    status, agency
        Which offices; see :func:`brecha.presence.select_offices`. By default
        existing, expanding and renovated ones: planned offices serve no one yet.

    Returns
    -------
    GeoDataFrame
        The kept rows, in the offices' CRS. Offices placed only in a state or
        nowhere have no point and are dropped (logged).
    """
    offices = select_offices(offices, status=status, agency=agency)
    geom = offices.geometry
    has_point = geom.notna() & ~geom.is_empty
    has_point[has_point] = np.isfinite(geom[has_point].x) & np.isfinite(geom[has_point].y)
    if not has_point.all():
        log.info("%d office(s) have no point (state-only or unplaced) and are left out of reach",
                 int((~has_point).sum()))
    return offices.loc[has_point]


def _cost(cost: Cost | None) -> Cost:
    cost = StraightLineKm() if cost is None else cost
    if not isinstance(cost, Cost):
        raise TypeError(f"cost must implement brecha.costs.Cost (nearest, pairs_within, cost_unit); got {cost!r}")
    return cost


def cost_threshold(cost: Cost, *, km: float, minutes: float | None, name: str) -> float:
    """A reach threshold in the unit of ``cost``: ``km`` for straight-line km, ``minutes`` for travel time.

    Callers take both (``radius_km`` and ``radius_minutes``, say) so that a
    travel-time cost replaces km without a km figure being read as minutes.

    Parameters
    ----------
    cost
        A :class:`brecha.costs.Cost` (``cost_unit`` ``"km"`` or ``"minutes"``).
    km, minutes
        The threshold in km, and in minutes (None when not given).
    name
        Parameter stem for messages (``"radius"`` -> ``radius_minutes``).

    Raises
    ------
    InputError
        A time cost without ``minutes``, a cost in another unit, or a
        threshold that is not a number >= 0.

    >>> cost_threshold(StraightLineKm(), km=100.0, minutes=None, name="radius")
    100.0
    """
    unit = getattr(cost, "cost_unit", None)
    value: float | None
    if unit == "km":
        value, param = km, f"{name}_km"
    elif unit == "minutes":
        value, param = minutes, f"{name}_minutes"
        if minutes is None:
            raise InputError([Problem(param, None, None, None,
                                      f"a threshold in minutes: the cost {cost!r} is in minutes, "
                                      f"so {name}_km is not used")])
    else:
        raise InputError([Problem("cost", None, "cost_unit", unit, "a cost in 'km' or 'minutes'")])
    # numbers.Real takes numpy's integers and floats too (a threshold read from a frame); bool is an
    # int to Python but never a distance.
    if not (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and value >= 0):
        raise InputError([Problem(param, None, None, value, f"a number >= 0 ({unit})")])
    return float(value)


def nearest_office(centres: gpd.GeoDataFrame, offices: gpd.GeoDataFrame, *, cost: Cost | None = None,
                   status: str | Sequence[str] | None = None,
                   agency: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The nearest office to each municipal centre.

    Parameters
    ----------
    centres
        Points per municipality (:func:`municipal_centres`), indexed by
        ``cvegeo`` or with a ``cvegeo`` column; any CRS.
    offices
        The frame of :func:`brecha.sources.read_offices`; see
        :func:`office_points` for ``status`` and ``agency``.
    cost
        A :class:`brecha.costs.Cost`; straight-line km by default.

    Returns
    -------
    DataFrame
        ``cvegeo``, ``nearest_office_<unit>`` (km or minutes; NaN where no
        office is reachable), ``nearest_office_id``, ``nearest_office_agency``,
        ``nearest_office_city``. ``attrs["cost_unit"]`` names the unit.

    References
    ----------
    Wang (2012); Delamater (2013): distance to the nearest provider is the
    simplest of the spatial accessibility measures.
    """
    cost = _cost(cost)
    codes = centres["cvegeo"].to_numpy() if "cvegeo" in centres.columns else centres.index.to_numpy()
    pts = office_points(offices, status=status, agency=agency)
    value, index = cost.nearest(geography.xy_km(centres), geography.xy_km(pts) if len(pts) else np.empty((0, 2)))
    found = (index >= 0) & np.isfinite(value)
    safe = np.where(found, index, 0)

    def pick(col: str) -> np.ndarray:
        if not len(pts):
            return np.full(len(codes), None, dtype=object)
        return np.asarray(np.where(found, pts[col].to_numpy(dtype=object)[safe], None), dtype=object)

    out = pd.DataFrame({
        "cvegeo": codes,
        f"nearest_office_{cost.cost_unit}": np.where(found, value, np.nan),
        "nearest_office_id": pick("office_id"),
        "nearest_office_agency": pick("agency"),
        "nearest_office_city": pick("city") if "city" in pts.columns else None,
    })
    out.attrs.update(cost_unit=cost.cost_unit, cost=repr(cost), offices=len(pts))
    return out


def locality_demand(localities: pd.DataFrame, census: pd.DataFrame, poverty: pd.DataFrame) -> pd.DataFrame:
    """Municipal counts apportioned to localities by population share.

    Each locality gets ``value_municipality * pop_locality / pop_municipality``
    for every measure of :data:`MEASURES`, where the municipal population is
    the sum of its localities (equal to the census total in the embedded data).
    Municipalities without a poverty estimate give NaN ``poor``, never zero.

    Parameters
    ----------
    localities
        ``cvegeo_loc, cvegeo, pop_total`` (people).
    census
        ``cvegeo, pop_0_5, pop_0_11, pop_60_plus, pop_disability`` (people).
    poverty
        ``cvegeo, poverty_people`` (CONEVAL 2020, people).

    Returns
    -------
    DataFrame
        ``cvegeo_loc, cvegeo, cve_ent`` and one column per measure (people,
        fractional after apportioning), in the localities' order.

    References
    ----------
    Goodchild & Lam (1980); PySAL tobler's area/population-weighted interpolation.
    """
    require_columns(localities, ("cvegeo_loc", "cvegeo", "pop_total"), "localities")
    require_columns(census, ("cvegeo", "pop_0_5", "pop_0_11", "pop_60_plus", "pop_disability"), "census")
    require_columns(poverty, ("cvegeo", "poverty_people"), "poverty")
    code, uniques = pd.factorize(localities["cvegeo"].astype(str), sort=True)
    pop = localities["pop_total"].to_numpy(dtype=float)
    keys = pd.DataFrame({"k": np.arange(len(uniques)), "cvegeo": np.asarray(uniques, dtype=object)})
    cen = pd.DataFrame(census[["cvegeo", "pop_0_5", "pop_0_11", "pop_60_plus", "pop_disability"]])
    pov = pd.DataFrame(poverty[["cvegeo", "poverty_people"]])
    muni = query("""
        SELECT k.k, p.poverty_people AS poor, c.pop_0_5, c.pop_0_11, c.pop_60_plus, c.pop_disability
        FROM keys k LEFT JOIN cen c USING (cvegeo) LEFT JOIN pov p USING (cvegeo) ORDER BY k.k""",
                 keys=keys, cen=cen, pov=pov)
    missing = [c for c, ok in zip(uniques, muni["pop_0_5"].notna()) if not ok]
    if missing:
        log.warning("%d municipalities of the localities have no census counts: %s", len(missing), missing[:10])
    pop_muni = np.bincount(code, weights=pop, minlength=len(uniques))
    n_loc = np.bincount(code, minlength=len(uniques))
    # A municipality of zero people splits its counts evenly over its localities.
    share = np.where(pop_muni[code] > 0, pop / np.where(pop_muni > 0, pop_muni, 1)[code], 1.0 / n_loc[code])
    out = pd.DataFrame({"cvegeo_loc": localities["cvegeo_loc"].to_numpy(),
                        "cvegeo": localities["cvegeo"].to_numpy(),
                        "cve_ent": localities["cvegeo"].astype(str).str[:2].to_numpy(),
                        "pop": pop})
    for m in list(MEASURES)[1:]:
        out[m] = muni[m].to_numpy(dtype=float)[code] * share
    return out


@dataclass
class Reach:
    """The result of :func:`within_reach`.

    Every table has, per measure ``m`` of :data:`MEASURES`, ``m_total``,
    ``m_inside``, ``m_outside`` (people) and ``m_inside_pct`` (percent of
    ``m_total``), e.g. ``pop_total, pop_inside, poor_outside``, and
    ``pop_without_poverty_estimate`` (people in municipalities CONEVAL does
    not estimate, left out of the ``poor_*`` sums of states and the nation).

    Attributes
    ----------
    localities
        :func:`locality_demand` plus ``nearest_office_<unit>`` and ``inside``.
    municipality, state, national
        Sums per ``cvegeo`` (NaN ``poor_*`` where not estimated), ``cve_ent``, one row.
    groups, groups_municipality
        With ``by``: the national and municipal sums for each group's offices alone.
    threshold, cost_unit
        The reach threshold and its unit (``km`` or ``minutes``).
    """

    localities: pd.DataFrame
    municipality: pd.DataFrame
    state: pd.DataFrame
    national: pd.DataFrame
    threshold: float
    cost_unit: str
    groups: pd.DataFrame | None = None
    groups_municipality: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)


def _columns(m: str) -> tuple[str, str, str, str]:
    return (f"{m}_total", f"{m}_inside", f"{m}_outside", f"{m}_inside_pct")


class _Totals:
    """Inside/outside sums on integer-coded keys (DuckDB scans numbers far faster than Arrow strings)."""

    def __init__(self, frame: pd.DataFrame, keys: Sequence[str]):
        self.con = connect(spatial=False)
        self.values = pd.DataFrame({m: frame[m].to_numpy(dtype=float) for m in MEASURES})
        self.labels: dict[str, np.ndarray] = {}
        for k in keys:
            codes, uniques = pd.factorize(frame[k], sort=True)
            self.values[k] = codes
            self.labels[k] = np.asarray(uniques, dtype=object)

    def aggregate(self, inside: np.ndarray, keys: Sequence[str]) -> pd.DataFrame:
        """Sum every measure inside / outside per ``keys`` (no keys: one national row)."""
        data = self.values[list(MEASURES) + list(keys)].copy()
        data["inside"] = np.asarray(inside, dtype=bool)
        parts = []
        for m in MEASURES:
            total, ins, outs, _ = _columns(m)
            parts.append(f"sum({m}) AS {total}, sum({m}) FILTER (WHERE inside) AS {ins}, "
                         f"sum({m}) FILTER (WHERE NOT inside) AS {outs}")
        parts.append("sum(pop) FILTER (WHERE poor IS NULL) AS pop_without_poverty_estimate")
        by = ", ".join(f'"{k}"' for k in keys)
        sql = (f"SELECT {by + ', ' if by else ''}{', '.join(parts)} FROM f "
               + (f"GROUP BY {by} ORDER BY {by}" if by else ""))
        out = query(sql, con=self.con, f=data)
        for k in keys:
            out[k] = self.labels[k][out[k].to_numpy()]
        for m in MEASURES:
            total, ins, outs, pct = _columns(m)
            known = out[total].notna()
            # FILTER gives NULL for an empty group: zero people, unless the total itself is unknown.
            out[ins] = out[ins].where(~known | out[ins].notna(), 0.0)
            out[outs] = out[outs].where(~known | out[outs].notna(), 0.0)
            out[pct] = 100.0 * out[ins] / out[total].where(out[total] > 0)
        out["pop_without_poverty_estimate"] = out["pop_without_poverty_estimate"].fillna(0.0)
        return out


def within_reach(localities: gpd.GeoDataFrame, census: pd.DataFrame, poverty: pd.DataFrame,
                 offices: gpd.GeoDataFrame, *, radius_km: float = 100.0, max_cost: float | None = None,
                 cost: Cost | None = None, by: str | None = None,
                 status: str | Sequence[str] | None = None,
                 agency: str | Sequence[str] | None = None) -> Reach:
    """People, poor people and care-demand groups within reach of any office.

    A locality is *inside* when its cheapest office costs at most the
    threshold (``radius_km`` for straight-line km; ``max_cost`` in the cost's
    unit, e.g. minutes, otherwise). Municipal counts are apportioned to
    localities by :func:`locality_demand` and summed back per municipality,
    state, nation and, with ``by``, per group of offices.

    Parameters
    ----------
    localities
        Census 2020 locality points: ``cvegeo_loc, cvegeo, pop_total``, geometry.
    census
        Municipal census table (``pop_0_5, pop_0_11, pop_60_plus, pop_disability``).
    poverty
        CONEVAL municipal table (``poverty_people``); NaN municipalities stay NaN.
    offices
        The frame of :func:`brecha.sources.read_offices`; ``status`` and
        ``agency`` filter as in :func:`office_points`.
    radius_km
        Reach radius (km), used when the cost is straight-line km.
    max_cost
        Threshold in the cost's unit (minutes for a travel-time cost);
        required when the cost is not in km, and used instead of
        ``radius_km`` when given (see :func:`cost_threshold`).
    cost
        A :class:`brecha.costs.Cost`; straight-line km by default.
    by
        An office column (``"agency"``, ``"office_type"``): also report reach
        of each group's offices alone.

    Returns
    -------
    Reach
        Tables whose ``inside + outside = total`` for every measure; the
        national ``pop_total`` is the locality population sum.

    References
    ----------
    Wang (2012); Delamater (2013); Goodchild & Lam (1980).
    """
    cost = _cost(cost)
    if max_cost is None:
        if cost.cost_unit != "km":
            raise ValueError(f"the cost is in {cost.cost_unit}; give max_cost in {cost.cost_unit}")
        threshold = float(radius_km)
    else:
        threshold = float(max_cost)
    if not threshold >= 0:
        raise ValueError(f"the reach threshold must be >= 0 {cost.cost_unit}, got {threshold}")
    pts = office_points(offices, status=status, agency=agency)
    if by is not None:
        require_columns(pts, (by,), "offices")
    demand = locality_demand(localities, census, poverty)
    loc_xy = geography.xy_km(localities)
    off_xy = geography.xy_km(pts) if len(pts) else np.empty((0, 2))
    value, _ = cost.nearest(loc_xy, off_xy)
    demand[f"nearest_office_{cost.cost_unit}"] = np.where(np.isfinite(value), value, np.nan)
    demand["inside"] = np.isfinite(value) & (value <= threshold)
    totals = _Totals(demand, ("cvegeo", "cve_ent"))
    try:
        inside = demand["inside"].to_numpy()
        result = Reach(localities=demand, municipality=totals.aggregate(inside, ["cvegeo", "cve_ent"]),
                       state=totals.aggregate(inside, ["cve_ent"]), national=totals.aggregate(inside, []),
                       threshold=threshold, cost_unit=cost.cost_unit,
                       meta={"offices": len(pts), "cost": repr(cost), "by": by})
        if by is not None and len(pts):
            national, municipal = [], []
            for group, sub in pts.groupby(by, sort=True):
                v, _ = cost.nearest(loc_xy, geography.xy_km(sub))
                flag = np.isfinite(v) & (v <= threshold)
                national.append(totals.aggregate(flag, []).assign(**{by: group}))
                municipal.append(totals.aggregate(flag, ["cvegeo", "cve_ent"]).assign(**{by: group}))
            nat, mun = pd.concat(national, ignore_index=True), pd.concat(municipal, ignore_index=True)
            result.groups = nat[[by] + [c for c in nat.columns if c != by]]
            result.groups_municipality = mun[[by] + [c for c in mun.columns if c != by]]
    finally:
        totals.con.close()
    log.info("within %g %s of %d office(s): %.0f of %.0f people", threshold, cost.cost_unit, len(pts),
             result.national["pop_inside"].iloc[0], result.national["pop_total"].iloc[0])
    return result
