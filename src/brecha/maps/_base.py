"""What every brecha map shares: input checks, the state view, the frame and controls.

A map function calls :func:`check_inputs`, :func:`prepare_polygons`,
:func:`new_map`, adds its layers with :func:`add_choropleth` (and its own
extras), then :func:`finish`, which adds fullscreen, search, the layer
control, the basemap (after a probe tile), the scale bar, the attribution
and the "ready" signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement

from ..errors import InputError, Problem
from ..places import Place, resolve
from ..settings import STORAGE_CRS
from ..sources.catalog import ATTRIBUTION
from ._classify import Classes, Palette, check_palette, check_scheme, classify
from ._context import add_context
from ._escape import esc, script_json
from ._i18n import Field, check_lang, field, scheme_name, t
from ._layers import RuntimeCall, RuntimeLayer, add_data, js_list
from ._legend import class_legend
from ._offline import Fullscreen, MapInfo, OfflineMap
from ._payload import block
from ._search import search_rows
from ._simplify import fit_zoom, simplify_coverage, tolerance_for
from ._terms import report_list

__all__ = ["MUNI_COLUMNS", "check_frame", "check_inputs", "select_state", "prepare_polygons", "new_map",
           "add_choropleth", "add_legend", "add_polygon_data", "finish", "attribution_html", "tooltip_spec",
           "legend_text", "column_problems", "style_for", "LEFT_PX", "RIGHT_PX"]

log = logging.getLogger(__name__)

#: CARTO Positron without and with only labels (labels are drawn above the data).
BASEMAP_URL = "https://{s}.basemaps.cartocdn.com/light_nolabels/{z}/{x}/{y}{r}.png"
LABELS_URL = "https://{s}.basemaps.cartocdn.com/light_only_labels/{z}/{x}/{y}{r}.png"
BASEMAP_ATTR = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                '&copy; <a href="https://carto.com/attributions">CARTO</a>')

#: Columns every map reads from the municipal layer.
MUNI_COLUMNS = ("cvegeo", "cve_ent", "name", "state_name", "geometry")
#: Pixels kept free of data when a map opens: the zoom, fullscreen, search and
#: filter controls (about 210 px wide) on the left, the legends (up to 280 px) on the right.
LEFT_PX = 230
RIGHT_PX = 290


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


def check_inputs(problems: Sequence[Problem], *, lang: str, scheme: str | None = None, k: int | None = None,
                 colors: Palette | None = None) -> None:
    """Raise one InputError with every problem found (inputs, language, classification, palette)."""
    problems = list(problems)
    try:
        check_lang(lang)
    except InputError as err:
        problems += err.problems
    if scheme is not None:
        problems += check_scheme(scheme, k if k is not None else 5)
    if colors is not None:
        problems += check_palette(colors)
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


def prepare_polygons(municipalities: gpd.GeoDataFrame, place: Place | None, *,
                     key: str = "cvegeo") -> tuple[gpd.GeoDataFrame, float]:
    """Polygons of the view (one state or all), EPSG:4326, sorted by ``key``, simplified for its zoom.

    Works for municipalities and for states (``key="cve_ent"``).

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
    gdf = gdf.sort_values(key).reset_index(drop=True)
    tol = tolerance_for(tuple(gdf.total_bounds))
    out = simplify_coverage(gdf, tol)
    log.debug("simplified %d polygons at %.5f degrees", len(out), tol)
    return out, tol


def new_map(gdf: gpd.GeoDataFrame, *, lang: str, tiles: bool, title: str, subtitle: str,
            left_px: int = LEFT_PX) -> folium.Map:
    """An offline map framed on ``gdf``, with the runtime configured and a title.

    ``left_px`` keeps that many pixels on the left free of data (the
    controls, a side panel). With ``tiles`` :func:`finish` adds the basemap.
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    m = OfflineMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=fit_zoom((minx, miny, maxx, maxy)),
                   tiles=None, prefer_canvas=True, control_scale=False, zoom_snap=0.25, zoom_delta=0.5,
                   font_size="13px")
    # Leaflet only learns a max zoom from tile layers; marker clustering needs one without tiles too.
    m.options.update(max_zoom=18, min_zoom=3)
    cfg = {"locale": "es-MX" if lang == "es" else "en-US", "nodata": t(lang, "nodata")}
    m.add_child(RuntimeCall("init", script_json(cfg)))
    # Framed without animation: Leaflet drops a zoom asked for while one animates, so a click
    # (search, side panel) in the first quarter second would otherwise do nothing.
    view = {"bounds": [[miny, minx], [maxy, maxx]], "topLeft": [left_px, 10], "bottomRight": [RIGHT_PX, 10]}
    m.add_child(RuntimeCall("frame", script_json(view)))
    m._brecha_tiles = bool(tiles)
    ents = sorted(set(gdf["cve_ent"].astype(str))) if "cve_ent" in gdf else []
    # A one-state view searches only that state's places.
    m._brecha_states = ents if 0 < len(ents) < 32 else None
    # The context (land, borders, names) is simplified like the data: to a quarter pixel at the opening zoom.
    m._brecha_tolerance = tolerance_for((minx, miny, maxx, maxy))
    m.add_child(RuntimeCall("title", script_json({"title": title, "subtitle": subtitle})))
    return m


def _basemap(lang: str, control: MacroElement) -> RuntimeCall:
    """The CARTO basemap, added by the page only once one probe tile has loaded.

    Offline, Leaflet would request (and the console log as failed) dozens of
    tiles per view; with the probe there is one failed request and the map
    keeps its plain background.
    """
    opts = {"url": BASEMAP_URL, "labels": LABELS_URL, "attr": BASEMAP_ATTR,
            "names": [esc(t(lang, "basemap")), esc(t(lang, "basemap_labels"))]}
    return RuntimeCall("basemap", script_json(opts), control.get_name())


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
        assert k is not None  # emphasis joins the order only when it is one of the keys
        row = field(lang, k).spec(**(extra or {}).get(k, {}))
        if k == emphasis:
            row["em"] = True
        rows.append(row)
    return {"title": title, "sub": sub, "rows": rows}


def column_problems(column: str, choices: Sequence[str], what: str = "<column>") -> list[Problem]:
    """A problem when ``column`` is not one of the map's choropleth columns."""
    return [] if column in choices else [Problem(what, None, "column", column, f"one of {list(choices)}")]


def style_for(key: str, *, column: str, default: Palette, colors: Palette | None,
              legend: str | None) -> tuple[Palette, str | None]:
    """Palette and legend title of choropleth ``key``: the caller's for the main ``column``, defaults otherwise."""
    if key != column:
        return default, None
    return (default if colors is None else colors), legend


def legend_text(lang: str, legend: str | dict | None) -> str | None:
    """A legend title given as text or as ``{"es": ..., "en": ...}`` (a spec's ``legend``), in ``lang``."""
    if isinstance(legend, dict):
        return legend.get(lang) or next(iter(legend.values()), None)
    return legend


def add_choropleth(m: folium.Map, *, data_id: str, values: pd.Series, fld: Field, name: str, lang: str,
                   palette: Palette, scheme: str, k: int, tooltip: dict, show: bool, zero_class: bool = False,
                   notes: Sequence[str] = (), key: str = "cvegeo", legend: str | None = None,
                   popup: str | None = None, control: bool = True) -> tuple[RuntimeLayer, Classes]:
    """A switchable choropleth of ``fld`` with its own legend (shown only while the layer is).

    ``legend`` titles the legend (default: the layer's ``name``); ``popup``
    names a runtime popup builder (``brecha.popups``) opened on click;
    ``control=False`` leaves it out of the layer control (a map's only
    choropleth: a radio button with one option offers no choice).
    """
    classes = classify(values, scheme=scheme, k=k, palette=palette, decimals=fld.decimals, zero_class=zero_class)
    options = {"data": data_id, "field": fld.key, "key": key, "tooltip": tooltip, **classes.runtime()}
    if popup:
        options["popup"] = popup
    layer = RuntimeLayer("choropleth", options, name=name, overlay=False, show=show, control=control)
    m.add_child(layer)
    html = class_legend(legend or name, classes, nodata_label=t(lang, "nodata"), unit=fld.unit or fld.legend_unit,
                        note=classes_note(lang, scheme, classes.k, key), extra_notes=notes)
    add_legend(m, layer, html, f"{data_id}:{fld.key}")
    return layer, classes


def classes_note(lang: str, scheme: str, k: int, key: str = "cvegeo") -> str:
    """How the colours were chosen, in plain words ("5 groups with the same number of municipalities"),
    the scheme named otherwise; ``key`` says what the polygons are (``cvegeo`` or ``cve_ent``)."""
    if scheme.replace("_", "").lower() == "quantiles":
        return t(lang, "classes_quantiles", k=k, units=t(lang, f"units_{key}" if key == "cve_ent" else "units_cvegeo"))
    return t(lang, "classes", scheme=scheme_name(lang, scheme), k=k)


def add_legend(m: folium.Map, layer: MacroElement, html: str, legend_id: str) -> None:
    """Attach legend ``html`` (already escaped) to ``layer``."""
    m.add_child(RuntimeCall("legend", layer.get_name(), script_json(html), script_json(legend_id)))


def attribution_html(lang: str, reports: Sequence[str] | None = None) -> str:
    """The data attribution (INEGI, CONEVAL, DENUE and, when used, the agencies' reports), escaped.

    ``reports`` are the ``source_file`` values of the agency data shown
    (None: the map shows none); the reports brecha knows are cited by name
    and year (UNICEF 2023, ...), others generically.
    """
    text = ATTRIBUTION if lang == "es" else ATTRIBUTION.replace("Fuente:", t(lang, "source"), 1)
    if reports is not None:
        named = report_list(lang, reports)
        text += f"; {t(lang, 'reports', reports=named) if named else t(lang, 'reports_any')}"
    return esc(text)


def finish(m: folium.Map, *, lang: str, info: MapInfo, search_data: str | None,
           search_layers: Sequence[MacroElement] = (), reports: Sequence[str] | None = None,
           extra: Sequence[MacroElement] = (), search_sub: str | None = "state_name",
           search_label: str | None = None, search_key: str = "cvegeo") -> folium.Map:
    """Add the controls every map has, then ``extra`` controls below the layer control.

    ``reports`` are the agency data's source files, for the attribution
    (see :func:`attribution_html`); ``search_sub`` is the column shown after
    a search hit's name, ``search_label`` the search box's placeholder, ``search_key`` the key of
    ``search_data`` (``cve_ent`` on a state map: a town found there frames its state).
    """
    m.add_child(Fullscreen(position="topleft", title=t(lang, "fullscreen"), title_cancel=t(lang, "fullscreen_exit")))
    add_context(m, tolerance=getattr(m, "_brecha_tolerance", 0.011), lang=lang,
                land=getattr(m, "_brecha_states", None) is not None)
    if search_data is not None:
        level: Literal["state", "municipality"] = "state" if search_key == "cve_ent" else "municipality"
        rows = search_rows(level=level, states=getattr(m, "_brecha_states", None))
        places_id = add_data(m, "brecha-search-places", {"fields": ["k", "l", "c", "s"], "rows": rows})
        opts = {"data": search_data, "name": "name", "sub": search_sub, "places": places_id,
                "placeholder": search_label or t(lang, "search"), "empty": t(lang, "search_empty")}
        m.add_child(RuntimeCall("search", script_json(opts), js_list(search_layers)))
    control = folium.LayerControl(position="topright", collapsed=False)
    m.add_child(control)
    if getattr(m, "_brecha_tiles", False):
        m.add_child(_basemap(lang, control))
    labels = {"zoomIn": t(lang, "zoom_in"), "zoomOut": t(lang, "zoom_out"), "layers": t(lang, "layers"),
              "more": t(lang, "show_more"), "less": t(lang, "show_less")}
    m.add_child(RuntimeCall("controls", script_json(labels), control.get_name()))
    for e in extra:
        m.add_child(e)
    m.add_child(RuntimeCall("scale"))
    m.add_child(RuntimeCall("attribution", script_json(attribution_html(lang, reports))))
    m.add_child(RuntimeCall("ready"))
    m._brecha_info = info  # type: ignore[attr-defined]  # read back by brecha.maps.map_info
    return m
