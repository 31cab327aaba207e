"""The grid and the in-memory surface of :mod:`brecha.rasters` (EPSG:6372, square cells).

Split from :mod:`brecha.rasters` so the zonal statistics and the COG writer
can use them without importing the surfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
from rasterio.transform import Affine

from . import geography
from .settings import ANALYSIS_CRS

__all__ = ["Grid", "Raster", "NODATA"]

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
        height, width = self.array.shape[:2]
        return Grid(self.transform, height, width, crs=self.crs)

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


