"""What every brecha map shares: input checks, the state view, the frame and controls.

A map function calls :func:`check_inputs`, :func:`prepare_polygons`,
:func:`new_map`, adds its layers with :func:`add_choropleth` (and its own
extras), then :func:`finish`, which adds fullscreen, search, the layer
control, the scale bar, the attribution and the "ready" signal.
"""

from __future__ import annotations

import logging
from typing import Sequence

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement

from ..errors import InputError, Problem
from ..places import Place, resolve
from ..settings import STORAGE_CRS
from ..sources.catalog import ATTRIBUTION
from ._classify import Classes, check_scheme, classify
from ._escape import esc, script_json
from ._i18n import Field, check_lang, field, t
from ._layers import RuntimeCall, RuntimeLayer, add_data, js_list
from ._legend import class_legend
from ._offline import Fullscreen, MapInfo, OfflineMap
from ._payload import block
from ._simplify import fit_zoom, simplify_coverage, tolerance_for

__all__ = ["MUNI_COLUMNS", "check_frame", "check_inputs", "select_state", "prepare_polygons", "new_map",
           "add_choropleth", "add_legend", "add_polygon_data", "finish", "attribution_html", "tooltip_spec"]

log = logging.getLogger(__name__)

#: CARTO Positron without and with only labels (labels are drawn above the data).
BASEMAP_URL = "https://{s}.basemaps.cartocdn.com/light_nolabels/{z}/{x}/{y}{r}.png"
LABELS_URL = "https://{s}.basemaps.cartocdn.com/light_only_labels/{z}/{x}/{y}{r}.png"
BASEMAP_ATTR = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                '&copy; <a href="https://carto.com/attributions">CARTO</a>')

#: Columns every map reads from the municipal layer.
MUNI_COLUMNS = ("cvegeo", "cve_ent", "name", "state_name", "geometry")


def check_frame(df, what: str, columns: Sequence[str], *, geometry: str | None = None) -> list[Problem]:
    """Problems with one input frame: type, missing columns, CRS, geometry type, key format."""
    if not isinstance(df, pd.DataFrame):
        return [Problem(what, None, None, type(df).__name__, "a pandas or geopandas DataFrame")]
    out = [Problem(what, None, c, None, f"a column named {c!r} (found {list(df.columns)[:15]})")
           for c in columns if c not in df.columns]
    if geometry is not None:
        if not isinstance(df, gpd.GeoDataFrame) or df.active_geometry_name not in df.columns:
            out.append(Problem(what, None, "geometry", None, f"a GeoDataFrame of {geometry}s"))
        elif df.crs is None:
            out.append(Problem(what, None, "geometry", None, "a coordinate reference system (set one, e.g. EPSG:4326)"))
        else:
            types = set(df.geometry.dropna().geom_type) - {None}
            want = {"Point"} if geometry == "point" else {"Polygon", "MultiPolygon"}
            if types - want:
                out.append(Problem(what, None, "geometry", sorted(types - want), f"{geometry} geometry only"))
    if "cvegeo" in columns and "cvegeo" in df.columns:
        codes = df["cvegeo"].dropna().astype(str)
        bad = codes[~codes.str.fullmatch(r"\d{5}")]
        out += [Problem(what, None, "cvegeo", v, "a 5-digit INEGI code such as '07101'") for v in bad.head(20)]
    return out


def check_inputs(problems: Sequence[Problem], *, lang: str, scheme: str | None = None, k: int | None = None) -> None:
    """Raise one InputError with every problem found (inputs, language, classification)."""
    problems = list(problems)
    try:
        check_lang(lang)
    except InputError as err:
        problems += err.problems
    if scheme is not None:
        problems += check_scheme(scheme, k if k is not None else 5)
    if problems:
        raise InputError(problems)


def select_state(state: str | None) -> Place | None:
    """The state named by ``state`` (any spelling), or None for the whole country.

    Raises
    ------
    brecha.errors.PlaceError
        ``state`` names no state.
    """
    return None if state is None else resolve(state, level="state")


def _to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf if gdf.crs is not None and gdf.crs.equals(STORAGE_CRS) else gdf.to_crs(STORAGE_CRS)


def prepare_polygons(municipalities: gpd.GeoDataFrame, place: Place | None) -> tuple[gpd.GeoDataFrame, float]:
    """Municipalities of the view (one state or all), EPSG:4326, simplified for its zoom.

    Returns
    -------
    (GeoDataFrame, tolerance in degrees)
    """
    gdf = _to_storage(municipalities)
    if place is not None:
        gdf = gdf[gdf["cve_ent"].astype(str) == place.cve_ent]
        if gdf.empty:
            raise InputError([Problem("<municipalities>", None, "cve_ent", place.cve_ent,
                                      f"municipalities of {place.name} in the municipal layer")])
    gdf = gdf.sort_values("cvegeo").reset_index(drop=True)
    tol = tolerance_for(tuple(gdf.total_bounds))
    out = simplify_coverage(gdf, tol)
    log.debug("simplified %d polygons at %.5f degrees", len(out), tol)
    return out, tol


def new_map(gdf: gpd.GeoDataFrame, *, lang: str, tiles: bool, title: str, subtitle: str,
            left_px: int = 40) -> folium.Map:
    """An offline map framed on ``gdf``, with the runtime configured, a title and optional basemap.

    ``left_px`` keeps that many pixels on the left free of data (a side panel).
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    m = OfflineMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=fit_zoom((minx, miny, maxx, maxy)),
                   tiles=None, prefer_canvas=True, control_scale=False, zoom_snap=0.25, zoom_delta=0.5,
                   font_size="13px")
    # Leaflet only learns a max zoom from tile layers; marker clustering needs one without tiles too.
    m.options.update(max_zoom=18, min_zoom=3)
    # Leave room for the legends stacked on the right.
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding_top_left=(left_px, 10),
                 padding_bottom_right=(200, 10))
    cfg = {"locale": "es-MX" if lang == "es" else "en-US", "nodata": t(lang, "nodata")}
    m.add_child(RuntimeCall("init", script_json(cfg)))
    if tiles:
        # Tiles are decoration: offline they fail quietly and the data still draw.
        base = folium.TileLayer(BASEMAP_URL, attr=BASEMAP_ATTR, name=esc(t(lang, "basemap")), overlay=True,
                                control=True, subdomains="abcd", max_zoom=20)
        m.add_child(base)
        m.add_child(folium.map.CustomPane("brecha-labels", z_index=450, pointer_events=False))
        labels = folium.TileLayer(LABELS_URL, attr=BASEMAP_ATTR, name=esc(t(lang, "basemap_labels")), overlay=True,
                                  control=True, subdomains="abcd", max_zoom=20, pane="brecha-labels")
        m.add_child(labels)
        for layer in (base, labels):
            m.add_child(RuntimeCall("quietTiles", layer.get_name()))
    m.add_child(RuntimeCall("title", script_json({"title": title, "subtitle": subtitle})))
    return m


def add_polygon_data(m: folium.Map, gdf: gpd.GeoDataFrame, data_id: str, fields: Sequence[str], lang: str, *,
                     key: str = "cvegeo", text: Sequence[str] = ("name", "state_name")) -> str:
    """Embed polygons with ``key``, the ``text`` columns and the numeric ``fields`` (rounded per field)."""
    spec: dict[str, int | None] = {key: None, **{c: None for c in text if c in gdf.columns}}
    for f in fields:
        spec[f] = field(lang, f).decimals if f not in spec else None
    dict_fields = [c for c in ("state_name",) if c in spec]
    return add_data(m, data_id, block(gdf, spec, key=key, dict_fields=dict_fields, geometry=True))


def tooltip_spec(lang: str, keys: Sequence[str], *, emphasis: str | None = None, title: str = "name",
                 sub: str | None = "state_name", extra: dict[str, dict] | None = None) -> dict:
    """Tooltip rows for ``keys`` (labels, units, decimals), the emphasised one first."""
    order = ([emphasis] if emphasis in keys else []) + [k for k in keys if k != emphasis]
    rows = []
    for k in order:
        row = field(lang, k).spec(**(extra or {}).get(k, {}))
        if k == emphasis:
            row["em"] = True
        rows.append(row)
    return {"title": title, "sub": sub, "rows": rows}


def add_choropleth(m: folium.Map, *, data_id: str, values: pd.Series, fld: Field, name: str, lang: str,
                   palette: str, scheme: str, k: int, tooltip: dict, show: bool, zero_class: bool = False,
                   notes: Sequence[str] = (), key: str = "cvegeo") -> tuple[RuntimeLayer, Classes]:
    """A switchable choropleth of ``fld`` with its own legend (shown only while the layer is)."""
    classes = classify(values, scheme=scheme, k=k, palette=palette, decimals=fld.decimals, zero_class=zero_class)
    options = {"data": data_id, "field": fld.key, "key": key, "tooltip": tooltip, **classes.runtime()}
    layer = RuntimeLayer("choropleth", options, name=name, overlay=False, show=show)
    m.add_child(layer)
    html = class_legend(name, classes, nodata_label=t(lang, "nodata"), unit=fld.unit,
                        note=t(lang, "classes", scheme=scheme, k=classes.k), extra_notes=notes)
    add_legend(m, layer, html, f"{data_id}:{fld.key}")
    return layer, classes


def add_legend(m: folium.Map, layer: MacroElement, html: str, legend_id: str) -> None:
    """Attach legend ``html`` (already escaped) to ``layer``."""
    m.add_child(RuntimeCall("legend", layer.get_name(), script_json(html), script_json(legend_id)))


def attribution_html(lang: str, agencies: Sequence[str] = ()) -> str:
    """The data attribution (INEGI, CONEVAL, DENUE and, when used, the agencies' reports), escaped.

    The agencies are named in the legends and popups; the attribution line
    stays short enough for a laptop screen.
    """
    text = ATTRIBUTION if lang == "es" else ATTRIBUTION.replace("Fuente:", t(lang, "source"), 1)
    if any(isinstance(a, str) and a.strip() for a in agencies):
        text += f"; {t(lang, 'reports')}"
    return esc(text)


def finish(m: folium.Map, *, lang: str, info: MapInfo, search_data: str | None,
           search_layers: Sequence[MacroElement] = (), agencies: Sequence[str] = (),
           extra: Sequence[MacroElement] = ()) -> folium.Map:
    """Add the controls every map has, then ``extra`` controls below the layer control."""
    m.add_child(Fullscreen(position="topleft", title=t(lang, "fullscreen"), title_cancel=t(lang, "fullscreen_exit")))
    if search_data is not None:
        opts = {"data": search_data, "name": "name", "sub": "state_name", "placeholder": t(lang, "search"),
                "empty": t(lang, "search_empty")}
        m.add_child(RuntimeCall("search", script_json(opts), js_list(search_layers)))
    m.add_child(folium.LayerControl(position="topright", collapsed=False))
    for e in extra:
        m.add_child(e)
    m.add_child(RuntimeCall("scale"))
    m.add_child(RuntimeCall("attribution", script_json(attribution_html(lang, agencies))))
    m.add_child(RuntimeCall("ready"))
    m._brecha_info = info
    return m
