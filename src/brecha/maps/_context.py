"""Geographic context drawn on every map without the network: land, state borders, state and city names.

Everything comes from data shipped in the package: the 32 states of the
embedded 2020 frame (:func:`brecha.geography.states`) and the Census 2020
localities (:func:`brecha.geography.localities`, the resolver's gazetteer).
The page's runtime (``brecha.context``) draws the states as land under the
data (the sea is the page background), their borders over the municipal
polygons, and the names as text with a white halo; names that would overlap
a more important one are hidden, and city names appear only from the zoom
their population earns them (:data:`CITY_ZOOMS`).

>>> city_zoom(1_500_000), city_zoom(120_000), city_zoom(19_000) is None
(4.5, 7.0, True)
"""

from __future__ import annotations

from functools import lru_cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from .. import geography
from ..settings import STORAGE_CRS
from ._i18n import t
from ._layers import RuntimeLayer, add_data
from ._payload import block
from ._simplify import simplify_coverage

__all__ = ["add_context", "city_zoom", "CITY_ZOOMS", "state_labels", "city_labels"]

#: (people at least, zoom from which the name is drawn): Mexico City and Guadalajara show on the
#: national view (zoom about 5), towns of 20,000 people once a state or a region fills the screen.
CITY_ZOOMS = ((1_000_000, 4.5), (500_000, 5.5), (250_000, 6.5), (100_000, 7.0), (50_000, 8.0), (20_000, 9.0))
#: Land, borders and name colours (the sea is the page's background colour, in brecha-maps.css).
STYLE = {"land": "#f4f2ec", "border": "#3a3a3a", "borderWeight": 1.1, "borderOpacity": 0.85}


def city_zoom(pop: float) -> float | None:
    """The zoom from which a locality of ``pop`` people is named (None: never)."""
    for people, zoom in CITY_ZOOMS:
        if pop >= people:
            return zoom
    return None


def _label_point(geom) -> tuple[float, float]:
    """A point well inside the largest part of ``geom`` (lon, lat), where its name reads best."""
    parts = list(getattr(geom, "geoms", [geom]))
    big = max(parts, key=lambda p: p.area)
    # polylabel: the point farthest from the edge, so the name sits in the open, not on a border.
    pt = shapely.ops.polylabel(big, tolerance=0.02)
    return round(pt.x, 4), round(pt.y, 4)


@lru_cache(maxsize=8)
def _states(tolerance: float) -> gpd.GeoDataFrame:
    states = geography.states()
    states = states.to_crs(STORAGE_CRS) if not states.crs.equals(STORAGE_CRS) else states
    # Largest first: where names collide on the national view, Chihuahua's wins over Tlaxcala's.
    area = states.to_crs("EPSG:6372").area
    states = states.assign(_a=area.to_numpy()).sort_values(["_a", "cve_ent"], ascending=[False, True])
    states = states.drop(columns="_a").reset_index(drop=True)
    pts = [_label_point(g) for g in states.geometry]
    out = simplify_coverage(states[["cve_ent", "name", "short_name", "geometry"]], tolerance)
    return out.assign(lx=[p[0] for p in pts], ly=[p[1] for p in pts])


def state_labels(tolerance: float) -> gpd.GeoDataFrame:
    """The 32 states simplified at ``tolerance`` degrees, largest first.

    Columns ``cve_ent, name, short_name, lx, ly, geometry`` (``lx, ly``: where the name goes).
    """
    return _states(float(tolerance)).copy()


@lru_cache(maxsize=1)
def _cities() -> pd.DataFrame:
    loc = geography.localities()
    loc = loc[loc["pop_total"] >= CITY_ZOOMS[-1][0]]
    loc = loc.sort_values(["pop_total", "cvegeo_loc"], ascending=[False, True])
    return pd.DataFrame({"name": loc["name"].astype(str).to_numpy(), "cve_ent": loc["cve_ent"].astype(str).to_numpy(),
                         "z": [city_zoom(p) for p in loc["pop_total"]],
                         "lon": np.round(loc.geometry.x.to_numpy(), 3), "lat": np.round(loc.geometry.y.to_numpy(), 3)})


def city_labels() -> pd.DataFrame:
    """Census 2020 localities named on the maps, most populous first: ``name, cve_ent, z, lon, lat``."""
    return _cities().copy()


def add_context(m: folium.Map, *, tolerance: float, lang: str, borders: bool = True,
                land: bool = True) -> RuntimeLayer:
    """Land (``land``), state borders (``borders``) and the names of states and cities, all offline.

    The names are one overlay of the layer control (they can be switched
    off); land and borders are always drawn. A national view needs no land:
    its polygons cover the whole country (one canvas less to draw).
    """
    # Half a pixel at the opening zoom: under a border drawn 1.1 px wide the coarser line does not show,
    # and the page stays about 45 KB lighter than at the data's quarter pixel.
    states = state_labels(2 * tolerance)
    states_id = add_data(m, "brecha-ctx-states",
                         block(states, {"cve_ent": None, "name": None, "short_name": None, "lx": None, "ly": None},
                               key="cve_ent", geometry=True))
    cities = city_labels()
    cities_id = add_data(m, "brecha-ctx-cities", block(cities, {"name": None, "z": None, "lon": None, "lat": None}))
    opts = {"states": states_id, "cities": cities_id, "borders": bool(borders), "drawLand": bool(land), **STYLE}
    layer = RuntimeLayer("context", opts, name=t(lang, "layer_places"), overlay=True, show=True)
    m.add_child(layer)
    return layer
