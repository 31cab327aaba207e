"""The cost of getting from origins to destinations: straight-line km or travel minutes.

Accessibility measures (:mod:`brecha.access`) ask two questions of a cost:
which origin-destination pairs are within a catchment, and what is the
cheapest destination from each origin. :class:`Cost` is that interface;
callers never compute distances themselves, so a travel-time surface can
replace straight-line km without changing them.

Coordinates are planar km in EPSG:6372 (see :func:`brecha.geography.xy_km`).

>>> import numpy as np
>>> origins = np.array([[0.0, 0.0], [10.0, 0.0]])
>>> clinics = np.array([[3.0, 4.0], [30.0, 0.0]])
>>> StraightLineKm().pairs_within(origins, clinics, 20.0).toarray().round(2).tolist()
[[5.0, 0.0], [8.06, 20.0]]
>>> StraightLineKm().nearest(origins, clinics)
(array([5.        , 8.06225775]), array([0, 0]))
"""

from __future__ import annotations

import logging
import os
from typing import Protocol, runtime_checkable

import numpy as np
from pyproj import CRS
from scipy import sparse
from scipy.spatial import cKDTree

from . import _pairs
from .errors import InputError
from .settings import ANALYSIS_CRS

__all__ = ["Cost", "StraightLineKm", "TravelTimeRaster"]

log = logging.getLogger(__name__)


@runtime_checkable
class Cost(Protocol):
    """What an accessibility measure needs from a cost of travel.

    Attributes
    ----------
    cost_unit
        ``"km"`` or ``"minutes"``: the unit of every cost returned, and of
        ``max_cost``.
    """

    cost_unit: str

    def pairs_within(self, origins_xy_km: np.ndarray, destinations_xy_km: np.ndarray,
                     max_cost: float) -> sparse.coo_matrix:
        """Costs of every pair with cost <= ``max_cost``.

        Returns a ``(n_origins, n_destinations)`` COO matrix. A pair at cost
        0 (co-located points) is stored as an explicit zero, so read the
        pairs from ``.row, .col, .data``, never from ``.nonzero()``.

        A cost may also offer ``pair_blocks`` with the same arguments,
        returning a list of :class:`brecha._pairs.PairBlock` (pairs grouped
        by blocks of origins); :mod:`brecha.access` uses it when present to
        skip building the matrix and to sum blocks on threads (the built-in
        costs have it, and ``pair_arrays``, the same pairs as
        ``(rows, cols, costs)`` arrays).
        """
        ...

    def nearest(self, origins_xy_km: np.ndarray,
                destinations_xy_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cost to, and index of, the cheapest destination of each origin.

        Origins that reach no destination get cost ``inf`` and index ``-1``.
        """
        ...


def _as_xy(a: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"{what} must be an (n, 2) array of x, y km; got shape {a.shape}")
    return a


def _coo(rows: np.ndarray, cols: np.ndarray, costs: np.ndarray, shape: tuple[int, int]) -> sparse.coo_matrix:
    return sparse.coo_matrix((costs, (rows.astype(np.int64, copy=False), cols.astype(np.int64, copy=False))),
                             shape=shape)


class _PairArrays:
    """``pairs_within`` (a COO matrix) and ``pair_blocks`` over a subclass's ``pair_arrays``."""

    def pair_arrays(self, origins_xy_km, destinations_xy_km,
                    max_cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def pairs_within(self, origins_xy_km, destinations_xy_km, max_cost: float) -> sparse.coo_matrix:
        return _coo(*self.pair_arrays(origins_xy_km, destinations_xy_km, max_cost),
                    (len(origins_xy_km), len(destinations_xy_km)))

    def pair_blocks(self, origins_xy_km, destinations_xy_km, max_cost: float) -> list[_pairs.PairBlock]:
        """The pairs of :meth:`pair_arrays` as blocks (:class:`brecha._pairs.PairBlock`)."""
        return [_pairs.single_block(len(origins_xy_km), *self.pair_arrays(origins_xy_km, destinations_xy_km,
                                                                          max_cost))]


class StraightLineKm(_PairArrays):
    """Planar straight-line distance in km (EPSG:6372), via a KD-tree.

    The crow-flies distance is the usual first approximation of access
    (Luo & Wang 2003); it understates travel where roads wind or are absent.
    """

    cost_unit = "km"

    def pair_arrays(self, origins_xy_km, destinations_xy_km,
                    max_cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Origin index, destination index and km of every pair within ``max_cost`` km."""
        return _pairs.concat(self.pair_blocks(origins_xy_km, destinations_xy_km, max_cost))

    def pair_blocks(self, origins_xy_km, destinations_xy_km, max_cost: float) -> list[_pairs.PairBlock]:
        o = _as_xy(origins_xy_km, "origins_xy_km")
        d = _as_xy(destinations_xy_km, "destinations_xy_km")
        return _pairs.kdtree_blocks(o, d, float(max_cost))

    def nearest(self, origins_xy_km, destinations_xy_km) -> tuple[np.ndarray, np.ndarray]:
        o = _as_xy(origins_xy_km, "origins_xy_km")
        d = _as_xy(destinations_xy_km, "destinations_xy_km")
        if not len(d):
            return np.full(len(o), np.inf), np.full(len(o), -1, dtype=np.int64)
        dist, idx = cKDTree(d).query(o, k=1)
        return np.asarray(dist, dtype=float), np.asarray(idx, dtype=np.int64)

    def __repr__(self) -> str:
        return "StraightLineKm()"


class TravelTimeRaster(_PairArrays):
    """Travel minutes from a friction surface: a GeoTIFF of minutes per km.

    The cost of a pair is the straight-line length (km) times the mean of the
    surface along the segment, i.e. the line integral of the friction along
    the straight line (Weiss et al. 2018, *Nature* 553:333, use the same kind
    of surface with least-cost paths). The mean is taken at the midpoints of
    ``k = ceil(length / step_km)`` equal pieces (at most ``max_samples``).
    Because the straight line is one of the possible paths, this is an upper
    bound on the least-cost travel time.

    Cells that are nodata, NaN or outside the raster are impassable: a
    segment touching one costs ``inf`` and is never within reach.

    Parameters
    ----------
    path
        A single-band GeoTIFF in EPSG:6372, values in minutes per km (> 0).
    step_km
        Sampling step along segments; default half the smaller cell side.
    max_samples
        Cap on samples per segment (long segments get a coarser step).
    nearest_candidates
        When the km-nearest destination is unreachable, how many km-nearest
        destinations :meth:`nearest` tries instead.
    """

    cost_unit = "minutes"

    def __init__(self, path: str | os.PathLike, *, step_km: float | None = None,
                 max_samples: int = 1000, nearest_candidates: int = 16):
        import rasterio

        self.path = os.fspath(path)
        with rasterio.open(self.path) as src:
            if src.crs is None or not CRS.from_wkt(src.crs.to_wkt()).equals(ANALYSIS_CRS):
                raise InputError(f"the raster must be in {ANALYSIS_CRS} (metres); got {src.crs}", file=self.path)
            values = src.read(1, masked=True).astype(float)
            self._inverse = ~src.transform
            cell_km = min(abs(src.res[0]), abs(src.res[1])) / 1000.0
        grid = values.filled(np.inf)
        grid[~np.isfinite(grid)] = np.inf
        bad = np.isfinite(grid) & (grid <= 0)
        if bad.any():
            raise InputError(f"{int(bad.sum())} cell(s) are <= 0; expected minutes per km > 0 "
                             "(mark impassable cells as nodata)", file=self.path)
        if not np.isfinite(grid).any():
            raise InputError("every cell is nodata; expected minutes per km > 0", file=self.path)
        self._grid = grid
        #: The smallest minutes per km: turns a cost bound into a km radius.
        self.min_minutes_per_km = float(grid[np.isfinite(grid)].min())
        self.step_km = float(step_km) if step_km else cell_km / 2.0
        self.max_samples = int(max_samples)
        self.nearest_candidates = int(nearest_candidates)
        log.debug("%s: %s cells, fastest %g min/km", self.path, grid.shape, self.min_minutes_per_km)

    def __repr__(self) -> str:
        return f"TravelTimeRaster({self.path!r}, step_km={self.step_km:g})"

    def _sample(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        inv = self._inverse
        xm, ym = x_km * 1000.0, y_km * 1000.0
        col = np.floor(inv.a * xm + inv.b * ym + inv.c).astype(np.int64)
        row = np.floor(inv.d * xm + inv.e * ym + inv.f).astype(np.int64)
        h, w = self._grid.shape
        inside = (row >= 0) & (row < h) & (col >= 0) & (col < w)
        out = np.full(len(x_km), np.inf)
        out[inside] = self._grid[row[inside], col[inside]]
        return out

    def segment_costs(self, a_xy_km: np.ndarray, b_xy_km: np.ndarray, *,
                      chunk_samples: int = 4_000_000) -> np.ndarray:
        """Minutes along each straight segment ``a[i] -> b[i]`` (``inf`` if impassable)."""
        a = _as_xy(a_xy_km, "a_xy_km")
        b = _as_xy(b_xy_km, "b_xy_km")
        length = np.hypot(*(b - a).T)
        k = np.clip(np.ceil(length / self.step_km), 1, self.max_samples).astype(np.int64)
        out = np.empty(len(a))
        # Chunks bound the memory of the (pairs x samples) expansion.
        chunk = (np.cumsum(k) - 1) // max(chunk_samples, self.max_samples)
        bounds = np.r_[0, np.flatnonzero(np.diff(chunk)) + 1, len(a)]
        for start, stop in zip(bounds[:-1], bounds[1:]):
            sl = slice(int(start), int(stop))
            kk = k[sl]
            seg = np.repeat(np.arange(len(kk)), kk)
            first = np.cumsum(kk) - kk
            t = (np.arange(kk.sum()) - first[seg] + 0.5) / kk[seg]
            x = a[sl, 0][seg] + t * (b[sl, 0] - a[sl, 0])[seg]
            y = a[sl, 1][seg] + t * (b[sl, 1] - a[sl, 1])[seg]
            mean = np.bincount(seg, weights=self._sample(x, y), minlength=len(kk)) / kk
            out[sl] = np.where(np.isfinite(mean), length[sl] * mean, np.inf)
        return out

    def pair_arrays(self, origins_xy_km, destinations_xy_km,
                    max_cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Origin index, destination index and minutes of every pair within ``max_cost`` minutes."""
        o = _as_xy(origins_xy_km, "origins_xy_km")
        d = _as_xy(destinations_xy_km, "destinations_xy_km")
        # No pair can be cheaper than its length at the fastest cell's pace.
        rows, cols, _ = _pairs.concat(_pairs.kdtree_blocks(o, d, float(max_cost) / self.min_minutes_per_km))
        minutes = self.segment_costs(o[rows], d[cols])
        keep = minutes <= max_cost
        return rows[keep], cols[keep], minutes[keep]

    def nearest(self, origins_xy_km, destinations_xy_km) -> tuple[np.ndarray, np.ndarray]:
        o = _as_xy(origins_xy_km, "origins_xy_km")
        d = _as_xy(destinations_xy_km, "destinations_xy_km")
        cost = np.full(len(o), np.inf)
        index = np.full(len(o), -1, dtype=np.int64)
        if not len(o) or not len(d):
            return cost, index
        tree = cKDTree(d)
        _, j0 = tree.query(o, k=1)
        c0 = self.segment_costs(o, d[j0])
        # The cheapest destination lies within c0 / fastest pace km of the origin.
        ok = np.isfinite(c0)
        radius = np.where(ok, c0 / self.min_minutes_per_km * (1 + 1e-9), 0.0)
        lists = tree.query_ball_point(o[ok], r=radius[ok])
        counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        ci = np.concatenate([np.flatnonzero(ok), np.repeat(np.flatnonzero(ok), counts)])
        cj = np.concatenate([j0[ok], *(np.asarray(x, dtype=np.int64) for x in lists)])
        if (~ok).any():
            kn = min(self.nearest_candidates, len(d))
            _, jk = tree.query(o[~ok], k=kn)
            jk = np.asarray(jk).reshape(-1, kn)
            ci = np.concatenate([ci, np.repeat(np.flatnonzero(~ok), kn)])
            cj = np.concatenate([cj, jk.ravel()])
        cc = self.segment_costs(o[ci], d[cj])
        order = np.lexsort((cc, ci))
        ci, cj, cc = ci[order], cj[order], cc[order]
        first = np.r_[True, ci[1:] != ci[:-1]]
        reached = first & np.isfinite(cc)
        cost[ci[reached]] = cc[reached]
        index[ci[reached]] = cj[reached]
        return cost, index
