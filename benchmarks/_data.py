"""Benchmark inputs: the embedded real data and synthetic points with fixed seeds."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely

from brecha import geography
from brecha.settings import ANALYSIS_CRS, STORAGE_CRS

SEED = 20240601


@lru_cache(maxsize=1)
def _national_union() -> shapely.Geometry:
    union = shapely.union_all(geography.states().geometry.values)
    shapely.prepare(union)
    return union


def random_points_in_mexico(n: int, *, seed: int = SEED) -> gpd.GeoSeries:
    """``n`` points uniform in longitude/latitude inside the national union (EPSG:4326).

    Rejection sampling: draw in the states' bounding box, keep the points the
    union of the 32 states contains.
    """
    union = _national_union()
    x0, y0, x1, y1 = union.bounds
    rng = np.random.default_rng(seed)
    xs, ys, have = [], [], 0
    while have < n:
        m = max(4 * (n - have), 1024)
        x, y = rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)
        keep = shapely.contains_xy(union, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    return gpd.GeoSeries.from_xy(x, y, crs=STORAGE_CRS)


def synthetic_demand(n: int, *, jitter_km: float = 3.0, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` demand points drawn from the locality distribution (EPSG:6372).

    Localities are resampled with replacement (uniformly, so the points follow
    where settlements are); each copy keeps its codes (``cvegeo_loc``,
    ``cvegeo``, ``cve_ent``) and population, and moves by a Gaussian jitter of
    ``jitter_km`` km per axis.
    """
    loc = geography.localities()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(loc), n)
    xy = (geography.xy_km(loc)[idx] + rng.normal(0.0, jitter_km, (n, 2))) * 1000.0
    cols = {c: loc[c].to_numpy()[idx] for c in ("cvegeo_loc", "cvegeo", "cve_ent")}
    return gpd.GeoDataFrame({**cols, "pop_total": loc["pop_total"].to_numpy(dtype=float)[idx]},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=ANALYSIS_CRS)
