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
(people per cell) a density (mean people per full-resolution cell). GDAL
has no sum resampling for overviews, so a count surface's overview cell
at level ``k`` holds ``1 / 4**k`` of the people in it; the file's
``overview_resampling`` and ``overview_note`` tags say so.

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
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from rasterio.transform import Affine

from . import geography
from ._io import atomic_path
from .costs import Cost, StraightLineKm
from .reach import office_points
from .settings import ANALYSIS_CRS

__all__ = ["Grid", "Raster", "national_grid", "population_surface", "distance_surface", "care_surface",
           "municipal_zones", "zonal_stats", "zonal_table", "write_cog", "read_raster", "NODATA"]

log = logging.getLogger(__name__)

#: Nodata value of every surface (float32).
NODATA = -9999.0


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells in EPSG:6372.

    Attributes
    ----------
    transform
        Affine from (col, row) to metres; ``transform.a`` is the cell size in m.
    height, width
        Rows and columns.
    """

    transform: Affine
    height: int
    width: int
    crs: str = ANALYSIS_CRS

    @property
    def cell_km(self) -> float:
        """Cell side in km."""
        return self.transform.a / 1000.0

    def cells_of(self, xy_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and an inside-the-grid flag for points given in km."""
        inv = ~self.transform
        xm, ym = xy_km[:, 0] * 1000.0, xy_km[:, 1] * 1000.0
        col = np.floor(inv.a * xm + inv.b * ym + inv.c).astype(np.int64)
        row = np.floor(inv.d * xm + inv.e * ym + inv.f).astype(np.int64)
        inside = (row >= 0) & (row < self.height) & (col >= 0) & (col < self.width)
        return row, col, inside

    def centres_km(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Cell-centre coordinates (km) of the given cells, as an ``(n, 2)`` array."""
        t = self.transform
        c, r = np.asarray(cols, dtype=float) + 0.5, np.asarray(rows, dtype=float) + 0.5
        return np.column_stack([t.a * c + t.b * r + t.c, t.d * c + t.e * r + t.f]) / 1000.0


@dataclass(frozen=True)
class Raster:
    """A single-band surface in memory.

    Attributes
    ----------
    array
        ``(height, width)`` float32; ``nodata`` where there is no value.
    name, units
        What the cells hold, e.g. ``"population"`` in ``"people"``.
    source
        Where the values come from (written as a tag).
    resampling
        GDAL resampling of the COG overviews (``"average"``; ``"mode"`` or
        ``"nearest"`` for a categorical surface).
    """

    array: np.ndarray
    transform: Affine
    crs: str
    nodata: float
    name: str
    units: str
    source: str = ""
    resampling: str = "average"

    @property
    def grid(self) -> Grid:
        """The grid the surface lies on."""
        return Grid(self.transform, *self.array.shape, crs=self.crs)

    def valid(self) -> np.ndarray:
        """Boolean mask of cells holding a value."""
        return (self.array != self.nodata) & np.isfinite(self.array)


@lru_cache(maxsize=2)
def _default_municipalities() -> gpd.GeoDataFrame:
    return geography.to_analysis_crs(geography.municipalities())


def _municipal(municipalities: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if municipalities is None:
        return _default_municipalities()
    return municipalities if municipalities.crs is not None and municipalities.crs.equals(ANALYSIS_CRS) \
        else municipalities.to_crs(ANALYSIS_CRS)


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
    out = np.full(grid.height * grid.width, NODATA)
    out[cells] = mean
    out = out.reshape(grid.height, grid.width)
    return _raster(grid, out, name, units, source or f"{weight}-weighted mean of locality values")


def municipal_zones(grid: Grid, municipalities: gpd.GeoDataFrame | None = None, *,
                    fill: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which municipality each cell belongs to.

    A cell goes to the municipality containing its centre; a cell whose
    centre is in none (coasts, slivers of the simplified boundaries) goes to
    a municipality it touches. Cells flagged in ``fill`` that are still in
    none (points on islands or beaches the boundaries dropped) go to the
    nearest labelled cell, so that every such cell is counted exactly once.

    Returns
    -------
    (zones, codes)
        ``zones`` is an int32 array, 0 for no municipality and ``k`` for
        ``codes[k - 1]``; ``codes`` the ``cvegeo`` in label order.
    """
    from rasterio.features import rasterize
    from scipy import ndimage

    muni = _municipal(municipalities).sort_values("cvegeo")
    shapes = [(g, k) for k, g in enumerate(muni.geometry.values, start=1)]
    shape = (grid.height, grid.width)
    zones = rasterize(shapes, out_shape=shape, transform=grid.transform, fill=0, dtype="int32")
    touched = rasterize(shapes, out_shape=shape, transform=grid.transform, fill=0, all_touched=True, dtype="int32")
    zones = np.where(zones == 0, touched, zones)
    if fill is not None and (zones > 0).any():
        orphan = fill & (zones == 0)
        if orphan.any():
            idx = ndimage.distance_transform_edt(zones == 0, return_distances=False, return_indices=True)
            zones = np.where(orphan, zones[idx[0], idx[1]], zones)
    return zones, muni["cvegeo"].to_numpy()


def zonal_stats(raster: Raster, municipalities: gpd.GeoDataFrame | None = None, *,
                stat: Literal["sum", "mean"] = "sum") -> pd.DataFrame:
    """A surface summarised per municipality.

    ``"sum"`` (for counts such as population) gives every valid cell to one
    municipality (:func:`municipal_zones`, valid cells off every polygon to
    the nearest one), so the sums add up to the surface total; a single
    municipality's sum differs from its census count where its people sit
    in cells centred across a border (median 1% on the national 1 km grid,
    large for small municipalities beside cities). ``"mean"``
    (for distances, access) averages the valid cells labelled with the
    municipality; one too small to hold any cell takes the cell under a
    point inside it.

    Returns
    -------
    DataFrame
        ``cvegeo``, ``<name>_<stat>`` (in the raster's units) and ``cells``.

    References
    ----------
    Rasterio, ``rasterio.features.rasterize``; zonal statistics as in
    Perry's *rasterstats*.
    """
    if stat not in ("sum", "mean"):
        raise ValueError(f"stat must be 'sum' or 'mean', got {stat!r}")
    valid = raster.valid()
    labels, codes = municipal_zones(raster.grid, municipalities, fill=valid if stat == "sum" else None)
    use = valid & (labels > 0)
    values = raster.array.astype(np.float64)
    k = len(codes) + 1
    total = np.bincount(labels[use], weights=values[use], minlength=k)[1:]
    cells = np.bincount(labels[use], minlength=k)[1:]
    if stat == "sum":
        result = total
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            result = np.where(cells > 0, total / np.maximum(cells, 1), np.nan)
        empty = np.flatnonzero(cells == 0)
        if len(empty):
            muni = _municipal(municipalities).sort_values("cvegeo")
            pts = muni.geometry.iloc[empty].representative_point()
            row, col, inside = raster.grid.cells_of(geography.xy_km(gpd.GeoSeries(pts, crs=muni.crs)))
            got = np.full(len(empty), np.nan)
            ok = inside.copy()
            ok[inside] = valid[row[inside], col[inside]]
            got[ok] = values[row[ok], col[ok]]
            result[empty] = got
    if stat == "sum" and (valid & (labels == 0)).any():
        log.warning("%d valid cells belong to no municipality", int((valid & (labels == 0)).sum()))
    return pd.DataFrame({"cvegeo": codes, f"{raster.name}_{stat}": result, "cells": cells})


def zonal_table(surfaces: Sequence[tuple[Raster, Literal["sum", "mean"]]],
                municipalities: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Several surfaces summarised per municipality, one column each (:func:`zonal_stats`).

    The surfaces must share a grid. ``cells`` is the number of cells
    labelled with each municipality (:func:`municipal_zones`, no fill).

    Returns
    -------
    DataFrame
        ``cvegeo``, ``cells`` and ``<name>_<stat>`` per surface (its units),
        one row per municipality, sorted by ``cvegeo``.

    References
    ----------
    As :func:`zonal_stats`.
    """
    if not surfaces:
        raise ValueError("give at least one (raster, stat) pair")
    grid = surfaces[0][0].grid
    out = None
    for raster, stat in surfaces:
        if raster.grid != grid:
            raise ValueError(f"{raster.name} lies on another grid than {surfaces[0][0].name}")
        z = zonal_stats(raster, municipalities, stat=stat)
        if out is None:
            labels, _ = municipal_zones(grid, municipalities)
            cells = np.bincount(labels.ravel(), minlength=len(z) + 1)[1:]
            out = pd.DataFrame({"cvegeo": z["cvegeo"], "cells": cells.astype(np.int64)})
        out[z.columns[1]] = z[z.columns[1]].to_numpy()
    return out.reset_index(drop=True)


class RasterLike(Protocol):
    """What :func:`write_cog` reads: a :class:`Raster` or e.g. :class:`brecha.pipeline.RasterResult`."""

    array: np.ndarray
    transform: Affine
    crs: str
    nodata: float | None


def write_cog(raster: RasterLike, path: str | os.PathLike, *, blocksize: int = 512, compress: str = "deflate",
              resampling: str | None = None) -> Path:
    """Write a surface as a Cloud-Optimized GeoTIFF, atomically: the one COG writer of brecha.

    Uses GDAL's COG driver: tiled (``blocksize`` px), compressed, with
    internal overviews resampled by ``resampling`` (GDAL's name; the
    raster's own ``resampling``, else ``"average"``; nodata cells are left
    out of averages). Dataset tags: ``name``, ``units``, ``source``,
    ``cell_size`` (with ``cell_size_unit``, the CRS's axis unit),
    ``overview_resampling`` and, for a count surface averaged into
    overviews, ``overview_note``; each band gets its description (name),
    its unit type (what GDAL and QGIS show as the band's unit) and a
    ``units`` tag. GDAL writes no timestamp, so the same surface gives the
    same bytes.

    Parameters
    ----------
    raster
        A :class:`Raster`, or any object with ``array`` (``(rows, cols)`` or
        ``(bands, rows, cols)``), ``transform``, ``crs``, ``nodata`` and
        optionally ``name``, ``units``, ``source``, ``resampling`` and
        ``band_names`` (e.g. :class:`brecha.pipeline.RasterResult`).
    path
        Target file; written to a temporary file beside it and renamed.

    Returns
    -------
    Path
        ``path``, written by a rename so readers never see a partial file.

    References
    ----------
    COG specification, https://github.com/cogeotiff/cog-spec; GDAL COG driver,
    https://gdal.org/drivers/raster/cog.html (``OVERVIEW_RESAMPLING``).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        _write_cog_to(raster, tmp, blocksize=blocksize, compress=compress, resampling=resampling)
    return path


def _axis_unit(crs: str) -> str:
    """The unit of the CRS's first axis (``"metre"`` for EPSG:6372, ``"degree"`` for EPSG:4326)."""
    from pyproj import CRS

    axes = CRS.from_user_input(crs).axis_info
    return axes[0].unit_name if axes else ""


def _write_cog_to(raster: RasterLike, path: str | os.PathLike, *, blocksize: int = 512, compress: str = "deflate",
                  resampling: str | None = None) -> None:
    """Write the COG of :func:`write_cog` straight to ``path``, not atomically.

    For a caller that already writes to a temporary file it renames (the
    build's :func:`brecha._io.atomic_path`), so there is one temporary
    file and one fsync, not two.
    """
    import rasterio

    arr = np.asarray(raster.array)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise ValueError(f"a raster array must have 2 or 3 dimensions, got shape {arr.shape}")
    bands, h, w = arr.shape
    name, units = getattr(raster, "name", "") or "", getattr(raster, "units", "") or ""
    names = tuple(getattr(raster, "band_names", ()) or ()) or ((name,) if name else ())
    resampling = resampling or getattr(raster, "resampling", None) or "average"
    transform = raster.transform
    tags = {"name": name, "units": units, "source": getattr(raster, "source", "") or "",
            "cell_size": f"{abs(transform.a):g}", "cell_size_unit": _axis_unit(raster.crs),
            "overview_resampling": resampling}
    if units == "people" and resampling == "average":
        tags["overview_note"] = ("overviews hold the mean people per full-resolution cell "
                                 "(multiply by 4**level for the people in an overview cell)")
    profile = dict(driver="COG", width=w, height=h, count=bands, dtype=arr.dtype, crs=raster.crs,
                   transform=transform, nodata=raster.nodata, blocksize=blocksize,
                   compress=compress, overview_resampling=resampling, BIGTIFF="IF_SAFER")
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr)
        dst.update_tags(**{k: v for k, v in tags.items() if v})
        if units:
            dst.units = (units,) * bands  # the band unit type GDAL and QGIS show
        for i in range(1, bands + 1):
            if i <= len(names) and names[i - 1]:
                dst.set_band_description(i, names[i - 1])
            if units:
                dst.update_tags(i, units=units)  # kept for readers of the tags (and older brecha)


def read_raster(path: str | os.PathLike) -> Raster:
    """Read a single-band GeoTIFF written by :func:`write_cog` back into a :class:`Raster`."""
    import rasterio

    with rasterio.open(path) as src:
        tags = src.tags()
        nodata = NODATA if src.nodata is None else float(src.nodata)
        units = (src.units[0] if src.units else None) or tags.get("units", "")  # the band unit, else the tag
        name = tags.get("name") or src.descriptions[0] or Path(path).stem  # the tag, the band's name, the file's
        return Raster(src.read(1), src.transform, src.crs.to_string(), nodata, name, units, tags.get("source", ""),
                      tags.get("overview_resampling", "average"))
