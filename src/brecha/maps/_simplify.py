"""Boundaries light enough for a web map, with no gaps or slivers between neighbours.

Municipal boundaries are a coverage (polygons that tile the country), so
they are simplified together with :func:`shapely.coverage_simplify`
(Visvalingam–Whyatt on shared edges; Visvalingam & Whyatt 1993, The
Cartographic Journal 30(1)): each shared edge is simplified once and both
neighbours keep it. The tolerance follows the zoom the map opens at.

>>> round(tolerance_for((-117.1, 14.5, -86.7, 32.7)), 4)   # national view
0.011
>>> round(tolerance_for((-94.1, 14.5, -90.4, 17.9)), 4)    # Chiapas
0.0014
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import shapely

__all__ = ["fit_zoom", "tolerance_for", "simplify_coverage", "dissolve_coverage"]

log = logging.getLogger(__name__)

#: The map size brecha assumes when choosing the opening zoom (a laptop browser window).
VIEWPORT_PX = (1100, 700)


def _merc_y(lat: float) -> float:
    s = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    return 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def fit_zoom(bounds: tuple[float, float, float, float], viewport_px: tuple[int, int] = VIEWPORT_PX) -> int:
    """The largest Web Mercator zoom at which ``bounds`` (lon/lat) fit the viewport."""
    minx, miny, maxx, maxy = bounds
    span_x = max((maxx - minx) / 360.0, 1e-9)
    span_y = max(abs(_merc_y(miny) - _merc_y(maxy)), 1e-9)
    z = min(math.log2(viewport_px[0] / (256 * span_x)), math.log2(viewport_px[1] / (256 * span_y)))
    return max(0, min(18, int(math.floor(z))))


def tolerance_for(bounds: tuple[float, float, float, float], viewport_px: tuple[int, int] = VIEWPORT_PX,
                  px: float = 0.25) -> float:
    """Simplification tolerance in degrees: ``px`` screen pixels at the opening zoom.

    A quarter pixel at the opening zoom leaves edges smooth for two zoom
    levels in; beyond that the map is for orientation, not for surveying.
    """
    z = fit_zoom(bounds, viewport_px)
    return px * 360.0 / (256 * 2 ** z)


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_deg: float) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` (EPSG:4326) with its polygons simplified as one coverage.

    Falls back to per-polygon topology-preserving simplification when GEOS
    rejects the coverage (it then logs a warning: slivers may appear).
    """
    out = gdf.copy()
    if tolerance_deg <= 0 or len(gdf) == 0:
        return out
    geoms = gdf.geometry.values
    try:
        simple = shapely.coverage_simplify(geoms, tolerance_deg)
    except shapely.errors.GEOSException as exc:  # not a valid coverage
        log.warning("coverage simplification failed (%s); simplifying polygons one by one", exc)
        simple = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    out = out.set_geometry(gpd.GeoSeries(simple, index=gdf.index, crs=gdf.crs))
    return out


def dissolve_coverage(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union the polygons of each ``by`` group (states from municipalities), one row per group."""
    parts = []
    for key, grp in gdf.groupby(by, sort=True):
        try:
            geom = shapely.coverage_union_all(grp.geometry.values)
        except shapely.errors.GEOSException:
            geom = shapely.union_all(grp.geometry.values)
        parts.append({by: key, "geometry": geom})
    return gpd.GeoDataFrame(parts, geometry="geometry", crs=gdf.crs)
