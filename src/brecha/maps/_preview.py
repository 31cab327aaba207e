"""A small inline SVG picture of a map's main layer, for the index page.

No browser is needed to make it: polygons are projected to Web Mercator
pixels, simplified to under a pixel, rounded to whole pixels (relative
path steps) and drawn one ``<path>`` per colour; sub-pixel polygons are left out.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame(geometry=[box(-100, 19, -99, 20), box(-99, 19, -98, 20)], crs=4326)
>>> svg = svg_preview(g, ["#ff0000", "#0000ff"], width=60, height=40)
>>> svg.startswith("<svg") and svg.count("<path") == 2
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon

from ._escape import esc

__all__ = ["svg_preview"]


def _merc(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85, 85)
    return np.radians(lon), np.log(np.tan(math.pi / 4 + np.radians(lat) / 2))


def _rings(geom) -> list[np.ndarray]:
    polys = [geom] if isinstance(geom, Polygon) else list(getattr(geom, "geoms", []))
    out = []
    for p in polys:
        if isinstance(p, Polygon) and not p.is_empty:
            out.append(np.asarray(p.exterior.coords))
            out.extend(np.asarray(h.coords) for h in p.interiors)
    return out


def svg_preview(gdf: gpd.GeoDataFrame, colors: Sequence[str], *, width: int = 240, height: int = 160,
                title: str = "", background: str = "#eef1f4") -> str:
    """SVG of ``gdf``'s polygons (EPSG:4326) filled with ``colors`` (one per row, palette colours)."""
    if len(gdf) == 0:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    # Drawn on a grid twice as fine as the displayed pixels; a same-colour stroke closes rounding gaps.
    vw, vh = 2 * width, 2 * height
    minx, miny, maxx, maxy = gdf.total_bounds
    x0, y0 = _merc(np.array([minx]), np.array([miny]))
    x1, y1 = _merc(np.array([maxx]), np.array([maxy]))
    pad = 8
    scale = min((vw - 2 * pad) / max(x1[0] - x0[0], 1e-12), (vh - 2 * pad) / max(y1[0] - y0[0], 1e-12))
    offx = (vw - scale * (x1[0] - x0[0])) / 2
    offy = (vh - scale * (y1[0] - y0[0])) / 2

    def to_px(xy: np.ndarray) -> np.ndarray:
        mx, my = _merc(xy[:, 0], xy[:, 1])
        return np.column_stack([offx + (mx - x0[0]) * scale, vh - offy - (my - y0[0]) * scale])

    by_color: dict[str, list[str]] = {}
    for geom, color in zip(gdf.geometry.values, colors):
        if geom is None or geom.is_empty:
            continue
        for ring in _rings(geom):
            px = shapely.simplify(shapely.linearrings(to_px(ring)), 0.8)
            pts = np.round(shapely.get_coordinates(px)[:-1]).astype(int)
            if len(pts) < 3 or shapely.area(shapely.polygons(pts)) < 0.5:
                continue  # a speck under a quarter of a displayed pixel
            steps = np.diff(pts, axis=0)
            steps = steps[(steps != 0).any(axis=1)]
            d = f"M{pts[0, 0]},{pts[0, 1]}l" + " ".join(f"{dx},{dy}" for dx, dy in steps) + "z"
            by_color.setdefault(color, []).append(d)
    paths = "".join(f'<path fill="{esc(c)}" stroke="{esc(c)}" stroke-width="0.8" d="{"".join(ds)}"/>'
                    for c, ds in by_color.items())
    label = f'<title>{esc(title)}</title>' if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {vw} {vh}" role="img">{label}'
            f'<rect width="100%" height="100%" fill="{esc(background)}"/>{paths}</svg>')
