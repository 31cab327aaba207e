"""A plain choropleth for map specs, until :mod:`brecha.maps` provides a generic one.

Classes come from mapclassify (Rey et al. 2015, "mapclassify: Classification
schemes for choropleth maps"); a spec's ``[style]`` names the column, scheme,
number of classes ``k``, colours and the legend title in Spanish and English.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import mapclassify
import numpy as np

from ..errors import BuildError
from ..maps._offline import OfflineMap
from ..settings import STORAGE_CRS

__all__ = ["choropleth"]

_NO_DATA = "#d9d9d9"


def choropleth(layer: gpd.GeoDataFrame, *, style: dict, lang: str = "es") -> folium.Map:
    """A folium map of ``style["column"]`` classed by ``style["scheme"]`` into ``style["k"]`` classes.

    Areas without a value are grey and labelled "sin dato" / "no data".
    """
    column, k = style["column"], int(style["k"])
    if column not in layer.columns:
        raise BuildError(f"style column {column!r} is not in the layer (it has {list(layer.columns)})")
    gdf = layer.to_crs(STORAGE_CRS)
    values = gdf[column].astype(float)
    known = values.dropna()
    classifier = getattr(mapclassify, style["scheme"])(known.to_numpy(), k=k)
    colours = list(style["colors"])
    cls = np.full(len(gdf), -1)
    cls[values.notna().to_numpy()] = classifier.yb
    gdf = gdf.assign(_fill=[colours[c] if c >= 0 else _NO_DATA for c in cls])
    label_col = "name" if "name" in gdf.columns else gdf.columns[0]
    gdf = gdf[[label_col, column, "_fill", "geometry"]]
    minx, miny, maxx, maxy = gdf.total_bounds
    m = OfflineMap(tiles=None, control_scale=True)  # Leaflet inlined: the page works offline
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        gdf,
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "color": "#555", "weight": 0.3,
                                  "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip([label_col, column], aliases=["", style["legend"][lang]]),
    ).add_to(m)
    m.get_root().html.add_child(folium.Element(_legend(style["legend"][lang], classifier.bins, colours,
                                                        float(known.min()), lang)))
    return m


def _legend(title: str, bins, colours: list[str], low: float, lang: str) -> str:
    rows, lo = [], low
    for hi, colour in zip(bins, colours):
        rows.append(f'<div><span style="background:{colour};width:14px;height:14px;display:inline-block"></span> '
                    f"{lo:,.1f} – {hi:,.1f}</div>")
        lo = hi
    rows.append(f'<div><span style="background:{_NO_DATA};width:14px;height:14px;display:inline-block"></span> '
                f'{"sin dato" if lang == "es" else "no data"}</div>')
    return ('<div style="position:fixed;bottom:24px;left:12px;z-index:1000;background:white;padding:8px;'
            f'font:12px sans-serif;border:1px solid #999"><b>{html.escape(title)}</b>{"".join(rows)}</div>')
