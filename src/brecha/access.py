"""Spatial accessibility: the two-step floating catchment area (2SFCA) family.

Step 1 gives each supply point ``j`` a supply-to-demand ratio
``R_j = S_j / sum_i w(c_ij) D_i`` over the demand within its catchment;
step 2 gives each demand point ``A_i = sum_j w(c_ij) R_j``, the supply it
reaches per person. Multiply by 1,000 for supply per 1,000 people.

Decays ``w`` (``c`` is the cost, ``c0`` the catchment):

- ``"step"``: 1 within the catchment (2SFCA; Luo & Wang 2003,
  *Environ. Plann. B* 30:865).
- ``"step3"``: weights by equal-width zones, default 1.0 / 0.68 / 0.22 over
  thirds of the catchment (E2SFCA; Luo & Qi 2009, *Health Place* 15:1100).
- ``"gaussian"``: ``(exp(-c²/2c0²) - exp(-1/2)) / (1 - exp(-1/2))`` within
  the catchment, 0 beyond (Dai 2010, *Health Place* 16:1038).

Results equal PySAL ``access`` (``Access.two_stage_fca``) given the same
costs and weights, except that demand points reaching no supply get 0, not
NaN, and a supply point whose catchment holds no weighted demand serves no one
(``R_j = 0``) instead of giving ``inf``.

Pairs within the catchment come from KD-trees (``scipy.spatial.cKDTree``),
in fixed blocks of demand points searched and summed on a thread per core;
the blocks are combined in a fixed order, so the bits of the result do not
depend on the number of cores. No demand x supply matrix is ever formed.

Costs come from a :class:`brecha.costs.Cost`; the default is straight-line
km in EPSG:6372. With another cost, ``catchment_km`` is read in that cost's
unit (minutes for :class:`brecha.costs.TravelTimeRaster`).

>>> import geopandas as gpd
>>> homes = gpd.GeoDataFrame({"kids": [100.0, 50.0]},
...     geometry=gpd.points_from_xy([0, 4000], [0, 0]), crs="EPSG:6372")
>>> nurseries = gpd.GeoDataFrame({"places": [30.0]},
...     geometry=gpd.points_from_xy([1000], [0]), crs="EPSG:6372")
>>> (two_sfca(homes, nurseries, demand_col="kids", supply_col="places", catchment_km=2) * 1000).tolist()
[300.0, 0.0]
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._pairs import PairBlock, single_block
from ._threads import thread_map
from .costs import Cost, StraightLineKm
from .errors import InputError, Problem
from .geography import xy_km

__all__ = [
    "e2sfca",
    "two_sfca",
    "access_table",
    "nearest_supply_km",
    "outside_catchment",
    "decay_weights",
    "DECAYS",
    "LUO_QI_WEIGHTS",
]

log = logging.getLogger(__name__)

DECAYS = ("gaussian", "step", "step3")
#: Luo & Qi (2009) zone weights for 0-1/3, 1/3-2/3 and 2/3-1 of the catchment.
LUO_QI_WEIGHTS: tuple[float, ...] = (1.0, 0.68, 0.22)

_EXP_HALF = np.exp(-0.5)


def decay_weights(cost: np.ndarray, catchment: float, decay: str = "gaussian",
                  zone_weights: Sequence[float] = LUO_QI_WEIGHTS) -> np.ndarray:
    """Distance-decay weight of each cost; 0 beyond ``catchment``.

    ``zone_weights`` (for ``"step3"``) splits the catchment into as many
    equal-width zones as it has weights; a cost on a zone's outer edge takes
    that zone's weight.

    Parameters
    ----------
    cost
        Costs of pairs (km, or the cost's unit such as minutes).
    catchment
        Catchment size ``c0``, in the same unit as ``cost``.
    decay
        ``"gaussian"``, ``"step3"`` or ``"step"`` (module docstring).
    zone_weights
        Weights of the equal-width zones for ``"step3"``.

    References
    ----------
    Luo, W. & Wang, F. (2003), *Environment and Planning B* 30, 865-884
    (step); Luo, W. & Qi, Y. (2009), *Health & Place* 15, 1100-1107
    (zones 1.0 / 0.68 / 0.22); Dai, D. (2010), *Health & Place* 16, 1038-1052
    (Gaussian).

    >>> decay_weights(np.array([0.0, 10.0, 20.0, 25.0]), 20.0).round(4).tolist()
    [1.0, 0.7014, 0.0, 0.0]
    >>> decay_weights(np.array([5.0, 10.0, 15.0, 21.0]), 30.0, "step3").tolist()
    [1.0, 1.0, 0.68, 0.22]
    """
    c = np.asarray(cost, dtype=float)
    if decay == "step":
        return (c <= catchment).astype(float)
    if decay == "gaussian":
        # In place, as this runs over millions of pairs. Beyond the catchment
        # the formula is negative and NaN stays NaN: fmax makes both 0.
        w = np.square(c)
        w *= -0.5 / catchment**2
        np.exp(w, out=w)
        w -= _EXP_HALF
        w *= 1.0 / (1.0 - _EXP_HALF)
        return np.fmax(w, 0.0, out=w)
    if decay == "step3":
        zw = np.asarray(zone_weights, dtype=float)
        edges = catchment * np.arange(1, len(zw) + 1) / len(zw)
        edges[-1] = catchment
        zone = np.searchsorted(edges, c, side="left")
        return np.where(c <= catchment, zw[np.minimum(zone, len(zw) - 1)], 0.0)
    raise ValueError(f"unknown decay {decay!r}; expected one of {DECAYS}")


def _check(demand_points, supply_points, demand_col, supply_col, cost, catchment_km=None,
           decay=None, zone_weights=LUO_QI_WEIGHTS) -> list[Problem]:
    problems: list[Problem] = []
    for name, frame, col in (("demand_points", demand_points, demand_col),
                             ("supply_points", supply_points, supply_col)):
        if not isinstance(frame, gpd.GeoDataFrame):
            problems.append(Problem(name, None, None, type(frame).__name__, "a GeoDataFrame of points"))
            continue
        if frame.crs is None:
            problems.append(Problem(name, None, "geometry", None, "a CRS (e.g. EPSG:4326)"))
        # On the raw arrays: this runs on every call, and pandas' checks cost more than the search on a state.
        geoms = np.asarray(frame.geometry.array)
        bad = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)  # type id -1 is a missing geometry
        if bad.any():
            problems.append(Problem(name, None, "geometry", f"{int(bad.sum())} rows, e.g. index "
                                    f"{list(frame.index[bad][:5])}", "non-empty Point geometries"))
        if col is None:
            continue
        if col not in frame.columns:
            problems.append(Problem(name, None, col, None, f"a column {col!r}"))
            continue
        values = frame[col].to_numpy()
        if values.dtype.kind not in "iuf":
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~(values >= 0) | ~np.isfinite(values)  # NaN fails both
        if bad.any():
            problems.append(Problem(name, None, col, f"{int(bad.sum())} rows, e.g. index "
                                    f"{list(frame.index[bad][:5])}", "finite numbers >= 0"))
    if catchment_km is not None and not (isinstance(catchment_km, numbers.Real)
                                         and math.isfinite(float(catchment_km)) and float(catchment_km) > 0):
        problems.append(Problem("catchment_km", None, None, catchment_km, "a positive number"))
    if decay is not None and decay not in DECAYS:
        problems.append(Problem("decay", None, None, decay, f"one of {DECAYS}"))
    if decay == "step3" and (len(zone_weights) == 0 or min(zone_weights) < 0):
        problems.append(Problem("zone_weights", None, None, tuple(zone_weights), "one or more weights >= 0"))
    if not isinstance(cost, Cost):
        problems.append(Problem("cost", None, None, type(cost).__name__,
                                "a brecha.costs.Cost (pairs_within, nearest, cost_unit)"))
    return problems


def _blocks(cost: Cost, dxy: np.ndarray, sxy: np.ndarray, max_cost: float) -> list[PairBlock]:
    if hasattr(cost, "pair_blocks"):
        return cost.pair_blocks(dxy, sxy, max_cost)
    m = cost.pairs_within(dxy, sxy, max_cost)
    return [single_block(len(dxy), m.row, m.col, m.data)]


def _fca(demand: np.ndarray, supply: np.ndarray, blocks: list[PairBlock], catchment: float, decay: str,
         zone_weights: Sequence[float]) -> np.ndarray:
    """Both steps, block by block on a thread per core; blocks are summed in a fixed order."""

    def step1(b: PairBlock) -> tuple[np.ndarray, np.ndarray]:
        w = decay_weights(b.costs, catchment, decay, zone_weights)
        return w, np.bincount(b.cols, weights=w * demand[b.origins][b.rows], minlength=len(supply))

    # Step 1: each supply point's supply over the weighted demand it can serve.
    weighted = thread_map(step1, blocks)
    served = sum((part for _, part in weighted), np.zeros(len(supply)))
    ratio = np.divide(supply, served, out=np.zeros(len(supply)), where=served > 0)

    def step2(k: int) -> None:
        b, (w, _) = blocks[k], weighted[k]
        access[b.origins] = np.bincount(b.rows, weights=w * ratio[b.cols], minlength=len(b.origins))

    # Step 2: each demand point sums the weighted ratios of the supply it reaches.
    # Every origin sits in exactly one block, so the threads write disjoint elements.
    access = np.zeros(len(demand))
    thread_map(step2, range(len(blocks)))
    log.debug("%s: %d pairs within %g", decay, sum(len(b.costs) for b in blocks), catchment)
    return access


def _run(demand_points, supply_points, demand_col, supply_col, catchment_km, decay, cost, zone_weights,
         *, with_nearest: bool) -> pd.DataFrame:
    cost = StraightLineKm() if cost is None else cost
    problems = _check(demand_points, supply_points, demand_col, supply_col, cost, catchment_km, decay,
                      zone_weights)
    if problems:
        raise InputError(problems)
    dxy, sxy = xy_km(demand_points), xy_km(supply_points)
    access = _fca(demand_points[demand_col].to_numpy(dtype=float), supply_points[supply_col].to_numpy(dtype=float),
                  _blocks(cost, dxy, sxy, catchment_km), catchment_km, decay, zone_weights)
    out = pd.DataFrame({"access": access}, index=demand_points.index)
    if with_nearest:
        nearest, _ = cost.nearest(dxy, sxy)
        out["nearest_cost"] = nearest
        out["outside"] = ~(nearest <= catchment_km)
    return out


def access_table(demand_points: gpd.GeoDataFrame, supply_points: gpd.GeoDataFrame, *,
                 demand_col: str, supply_col: str, catchment_km: float, decay: str = "gaussian",
                 cost: Cost | None = None,
                 zone_weights: Sequence[float] = LUO_QI_WEIGHTS) -> pd.DataFrame:
    """Access, nearest supply and catchment coverage of every demand point in one pass.

    Arguments as in :func:`e2sfca`.

    Returns
    -------
    DataFrame
        Aligned with ``demand_points.index``: ``access`` (supply per person,
        as :func:`e2sfca`), ``nearest_cost`` (cost to the cheapest supply
        point, in ``cost.cost_unit``, km by default; ``inf`` if none) and
        ``outside`` (True when no supply point is within the catchment).

    References
    ----------
    Luo & Qi (2009) (E2SFCA); Wang, F. (2012), *Annals of the AAG* 102(5),
    1104-1112 (nearest provider and 2SFCA as accessibility measures).
    """
    return _run(demand_points, supply_points, demand_col, supply_col, catchment_km, decay, cost, zone_weights,
                with_nearest=True)


def e2sfca(demand_points: gpd.GeoDataFrame, supply_points: gpd.GeoDataFrame, *, demand_col: str,
           supply_col: str, catchment_km: float, decay: str = "gaussian", cost: Cost | None = None,
           zone_weights: Sequence[float] = LUO_QI_WEIGHTS) -> pd.Series:
    """Enhanced 2SFCA: supply reachable per person at each demand point.

    Parameters
    ----------
    demand_points, supply_points
        Point GeoDataFrames in any CRS (measured in EPSG:6372).
    demand_col
        People at each demand point (>= 0).
    supply_col
        Supply at each supply point (places, doctors; >= 0).
    catchment_km
        Catchment size ``c0``, in km (in ``cost.cost_unit`` for other costs).
    decay
        ``"gaussian"`` (Dai 2010), ``"step3"`` (Luo & Qi 2009, with
        ``zone_weights``) or ``"step"`` (2SFCA, Luo & Wang 2003).
    cost
        A :class:`brecha.costs.Cost`; default :class:`~brecha.costs.StraightLineKm`.
    zone_weights
        Weights of the equal-width zones for ``"step3"``.

    Returns
    -------
    Series
        Supply per 1 person, aligned with ``demand_points.index`` (0 where no
        supply is reachable); multiply by 1,000 for supply per 1,000 people.
    """
    return _run(demand_points, supply_points, demand_col, supply_col, catchment_km, decay, cost, zone_weights,
                with_nearest=False)["access"]


def two_sfca(demand_points: gpd.GeoDataFrame, supply_points: gpd.GeoDataFrame, *, demand_col: str,
             supply_col: str, catchment_km: float, cost: Cost | None = None) -> pd.Series:
    """Classic 2SFCA (Luo & Wang 2003): :func:`e2sfca` with a step decay.

    Supply per 1 person; multiply by 1,000 for per 1,000 people.
    """
    return e2sfca(demand_points, supply_points, demand_col=demand_col, supply_col=supply_col,
                  catchment_km=catchment_km, decay="step", cost=cost)


def nearest_supply_km(demand_points: gpd.GeoDataFrame, supply_points: gpd.GeoDataFrame, *,
                      cost: Cost | None = None) -> pd.Series:
    """Cost from each demand point to its nearest supply point.

    Straight-line km in EPSG:6372 by default (``cost.cost_unit`` otherwise);
    ``inf`` when there is no supply, or none reachable.
    """
    cost = StraightLineKm() if cost is None else cost
    problems = _check(demand_points, supply_points, None, None, cost)
    if problems:
        raise InputError(problems)
    nearest, _ = cost.nearest(xy_km(demand_points), xy_km(supply_points))
    return pd.Series(nearest, index=demand_points.index, name=f"nearest_{cost.cost_unit}")


def outside_catchment(demand_points: gpd.GeoDataFrame, supply_points: gpd.GeoDataFrame, *,
                      catchment_km: float, cost: Cost | None = None) -> pd.Series:
    """True for demand points with no supply point within ``catchment_km``.

    These are the people a floating catchment measure leaves at zero access.
    """
    if not (isinstance(catchment_km, numbers.Real) and catchment_km > 0):
        raise InputError([Problem("catchment_km", None, None, catchment_km, "a positive number")])
    near = nearest_supply_km(demand_points, supply_points, cost=cost)
    return (~(near <= catchment_km)).rename("outside")
