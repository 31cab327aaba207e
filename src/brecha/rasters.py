"""Surfaces on a regular grid in EPSG:6372: population, distance to an office, care access.

Every surface is a :class:`Raster` in memory (array, affine transform, CRS,
nodata, name, units, source, overview resampling) on a :class:`Grid` of
square cells (1 km by default; national Mexico is 3,167 x 2,031 cells).
:func:`write_cog` writes it as a Cloud-Optimized GeoTIFF, atomically and
byte for byte the same for the same surface (the build writes its rasters
with the same code, into its own temporary file); :func:`read_raster` reads
one back; :func:`zonal_stats` and :func:`zonal_table` bring surfaces
back to municipalities.

Overviews are averages of the full-resolution cells, nodata left out: the
right summary of a distance or an access score, and for a count surface
(people per cell) a density (mean people per valid full-resolution cell),
not a count. GDAL (3.10) has no sum resampling for overviews, and 4**k
times a level-``k`` cell over-counts along coasts, where nodata cells do
not dilute the mean: +1.37%, +3.88%, +7.39% of the national population
at levels 1-3 of the default surface. :func:`coarsen` warps with sum
resampling instead and keeps the total; the file's ``overview_resampling``
and ``overview_note`` tags say so.

The module is split for size: the grid and surface types live in
``_grid``, zonal statistics in ``_zonal``, the COG writer and reader in
``_cog``; everything is imported from here.

Cells take values from the points that fall in them (population sums, a
population-weighted mean of locality values) or are evaluated at their
centres (distance), so a surface is only as fine as the Census locality
points: a city is one point and its whole population one cell.

References
----------
Cloud Optimized GeoTIFF specification, https://github.com/cogeotiff/cog-spec
and GDAL's COG driver, https://gdal.org/drivers/raster/cog.html.
Tobler, W. (1979). Smooth pycnophylactic interpolation for geographical
regions. *JASA* 74(367), 519-530 (why cell sums must preserve totals).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from rasterio.transform import Affine

from . import geography
from ._cog import RasterLike, _write_cog_to, coarsen, read_raster, write_cog  # noqa: F401 (_write_cog_to: the build's writer)
from ._grid import NODATA, Grid, Raster, _default_municipalities, _municipal
from ._zonal import municipal_zones, zonal_stats, zonal_table
from .costs import Cost, StraightLineKm
from .reach import office_points

__all__ = ["Grid", "Raster", "national_grid", "population_surface", "distance_surface", "care_surface",
           "municipal_zones", "zonal_stats", "zonal_table", "write_cog", "read_raster", "coarsen", "NODATA",
           "RasterLike"]

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _national_bounds() -> tuple[float, float, float, float]:
    # Localities too: a few lie on islands the simplified boundaries dropped.
    xy = geography.xy_km(geography.localities()) * 1000.0
    b = _default_municipalities().total_bounds
    return (min(b[0], xy[:, 0].min()), min(b[1], xy[:, 1].min()),
            max(b[2], xy[:, 0].max()), max(b[3], xy[:, 1].max()))


def national_grid(cell_km: float = 1.0, *, municipalities: gpd.GeoDataFrame | None = None) -> Grid:
    """The grid covering Mexico (or the given municipalities), snapped to ``cell_km``.

    By default the extent is that of the 2020 municipalities and every
    Census 2020 locality, rounded outward to whole multiples of the cell
    size so that grids of different runs line up cell for cell.
    """
    if not cell_km > 0:
        raise ValueError(f"cell_km must be > 0, got {cell_km}")
    size = float(cell_km) * 1000.0
    x0, y0, x1, y1 = _national_bounds() if municipalities is None else _municipal(municipalities).total_bounds
    left, bottom = np.floor(x0 / size) * size, np.floor(y0 / size) * size
    right, top = np.ceil(x1 / size) * size, np.ceil(y1 / size) * size
    width, height = int(round((right - left) / size)), int(round((top - bottom) / size))
    return Grid(Affine(size, 0.0, left, 0.0, -size, top), height, width)


def _grid(grid: Grid | None, cell_km: float) -> Grid:
    return national_grid(cell_km) if grid is None else grid


def _raster(grid: Grid, array: np.ndarray, name: str, units: str, source: str) -> Raster:
    return Raster(array.astype(np.float32), grid.transform, grid.crs, NODATA, name, units, source)


def _land(grid: Grid, municipalities: gpd.GeoDataFrame | None) -> np.ndarray:
    from rasterio.features import rasterize

    geoms = _municipal(municipalities).geometry.values
    return rasterize(((g, 1) for g in geoms), out_shape=(grid.height, grid.width), transform=grid.transform,
                     fill=0, all_touched=True, dtype="uint8").astype(bool)


def population_surface(localities: gpd.GeoDataFrame, grid: Grid | None = None, *, cell_km: float = 1.0,
                       weight: str = "pop_total",
                       municipalities: gpd.GeoDataFrame | None = None) -> Raster:
    """People per cell: the sum of ``weight`` over the locality points in each cell.

    Cells on land with no locality are 0; cells off land with none are
    nodata. The sum over the surface equals the sum over the points that
    fall in the grid (all of them on the national grid).

    Parameters
    ----------
    localities
        Points with a ``weight`` column (people), any CRS.
    grid
        The grid; :func:`national_grid` of ``cell_km`` by default.

    Returns
    -------
    Raster
        ``name="population"``, ``units="people"``.

    References
    ----------
    Tobler (1979): a surface built from counts must keep their total.
    """
    grid = _grid(grid, cell_km)
    row, col, inside = grid.cells_of(geography.xy_km(localities))
    w = localities[weight].to_numpy(dtype=float)
    if (~inside).any():
        log.warning("%d point(s) (%.0f %s) fall outside the grid and are left out",
                    int((~inside).sum()), w[~inside].sum(), weight)
    flat = row[inside] * grid.width + col[inside]
    total = np.bincount(flat, weights=w[inside], minlength=grid.height * grid.width).reshape(grid.height, grid.width)
    has = np.bincount(flat, minlength=grid.height * grid.width).reshape(grid.height, grid.width) > 0
    out = np.where(has | _land(grid, municipalities), total, NODATA)
    return _raster(grid, out, "population", "people", f"sum of {weight} over Census 2020 localities (INEGI ITER)")


def distance_surface(offices: gpd.GeoDataFrame, grid: Grid | None = None, *, cell_km: float = 1.0,
                     cost: Cost | None = None, status: str | Sequence[str] | None = None,
                     agency: str | Sequence[str] | None = None,
                     municipalities: gpd.GeoDataFrame | None = None) -> Raster:
    """Cost from each land cell's centre to the nearest office.

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`; ``status`` and
        ``agency`` select offices as in :func:`brecha.reach.office_points`.
    cost
        A :class:`brecha.costs.Cost`; straight-line km (KD-tree) by default.

    Returns
    -------
    Raster
        ``name="nearest_office_<unit>"``, ``units`` the cost's unit; nodata
        off land and where no office is reachable.

    References
    ----------
    Wang (2012), *Annals of the AAG* 102(5): distance to the nearest provider.
    """
    grid = _grid(grid, cell_km)
    cost = StraightLineKm() if cost is None else cost
    pts = office_points(offices, status=status, agency=agency)
    land = _land(grid, municipalities)
    rows, cols = np.nonzero(land)
    out = np.full((grid.height, grid.width), NODATA, dtype=np.float64)
    if len(pts):
        value, _ = cost.nearest(grid.centres_km(rows, cols), geography.xy_km(pts))
        out[rows, cols] = np.where(np.isfinite(value), value, NODATA)
    return _raster(grid, out, f"nearest_office_{cost.cost_unit}", cost.cost_unit,
                   f"{cost!r} from cell centres to {len(pts)} agency offices")


def _align(localities: pd.DataFrame, values: pd.Series) -> np.ndarray:
    """``values`` in the localities' order: by index, else by ``cvegeo_loc`` (NaN where absent)."""
    if values.index.equals(localities.index):
        return values.to_numpy(dtype=float)
    if not values.index.is_unique:
        raise ValueError("values must have one entry per locality (its index has duplicates)")
    if "cvegeo_loc" in localities.columns:
        # Plain object arrays: Arrow-backed string lookups are ~10x slower here.
        index = pd.Index(np.asarray(values.index, dtype=object))
        pos = index.get_indexer(np.asarray(localities["cvegeo_loc"], dtype=object))
        if (pos >= 0).any():
            return np.where(pos >= 0, values.to_numpy(dtype=float)[np.maximum(pos, 0)], np.nan)
    return values.reindex(localities.index).to_numpy(dtype=float)


def care_surface(localities: gpd.GeoDataFrame, values: pd.Series, grid: Grid | None = None, *,
                 cell_km: float = 1.0, weight: str = "pop_total", name: str = "care_access",
                 units: str = "places per 1,000 people", source: str = "") -> Raster:
    """Weighted mean of a locality-level measure in each cell.

    Meant for the E2SFCA accessibility of :mod:`brecha.care`, but any
    locality value works: ``values`` is taken as given. Weight an access
    score by the people it is measured for (``pop_0_5`` for day care, as
    :func:`brecha.care.care_by_municipality` does), so that cells and
    municipal figures average the same people.

    Parameters
    ----------
    localities
        Points with ``weight`` (people), any CRS.
    values
        One value per locality: aligned on the localities' index, or indexed
        by ``cvegeo_loc``. NaN values are left out.
    weight
        Column of people to weight by (the group's demand for care access).
    name, units, source
        Recorded on the result.

    Returns
    -------
    Raster
        The weighted mean where a cell holds at least one valued locality
        (the plain mean where their weights sum to 0); nodata elsewhere.

    References
    ----------
    Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area
    (E2SFCA) method. *Health & Place* 15, 1100-1107.
    """
    grid = _grid(grid, cell_km)
    v = _align(localities, values)
    row, col, inside = grid.cells_of(geography.xy_km(localities))
    w = localities[weight].to_numpy(dtype=float)
    ok = inside & np.isfinite(v)
    cells, inv = np.unique(row[ok] * grid.width + col[ok], return_inverse=True)
    wsum = np.bincount(inv, weights=w[ok], minlength=len(cells))
    wv = np.bincount(inv, weights=w[ok] * v[ok], minlength=len(cells))
    plain = np.bincount(inv, weights=v[ok], minlength=len(cells)) / np.bincount(inv, minlength=len(cells))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(wsum > 0, wv / wsum, plain)
    flat = np.full(grid.height * grid.width, NODATA)
    flat[cells] = mean
    return _raster(grid, flat.reshape(grid.height, grid.width), name, units,
                   source or f"{weight}-weighted mean of locality values")


