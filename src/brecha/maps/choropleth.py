"""A choropleth of any one column of the state or the municipal layer.

The map a layer spec gets when it names a column and a style rather than a
purpose-built map: the same page as the others (classes from mapclassify,
legend tied to its layer, tooltips with units, search, fullscreen, scale,
attribution, offline), for states (key ``cve_ent``) or municipalities
(key ``cvegeo``).
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd

from ._base import (
    add_choropleth,
    add_polygon_data,
    check_frame,
    check_inputs,
    finish,
    legend_text,
    new_map,
    prepare_polygons,
    select_state,
    tooltip_spec,
)
from ._classify import Palette
from ._i18n import field, scheme_name, t
from ._offline import MapInfo
from ._preview import svg_preview

__all__ = ["choropleth_map"]

#: Columns shown in the tooltip after the mapped one, when the layer has them.
CONTEXT = ("poverty_pct", "poverty_people", "pop_total", "pop_coneval")
#: Poverty columns whose figures may be official or aggregated: the layer says which in ``<base>_source``.
_SOURCED = {"poverty_pct": "poverty_source", "poverty_people": "poverty_source",
            "extreme_poverty_pct": "extreme_poverty_source", "extreme_poverty_people": "extreme_poverty_source"}


def source_note(layer, column: str, lang: str) -> tuple[str | None, str | None]:
    """The legend note and subtitle saying whether ``column``'s figures are official or aggregated.

    Read from the layer's ``<base>_source`` column (``"official"`` or
    ``"agg_from_municipal"``, :func:`brecha.coverage.state_layer`); (None, None) when it has none.
    """
    col = _SOURCED.get(column)
    if col is None or col not in layer.columns:
        return None, None
    src = layer[col].astype(str)
    official, agg = int((src == "official").sum()), int((src == "agg_from_municipal").sum())
    if official and agg:
        return t(lang, "source_mixed", official=official, agg=agg), t(lang, "sub_mixed")
    if agg:
        return t(lang, "source_all_agg", n=agg), t(lang, "sub_agg")
    if official:
        return t(lang, "source_all_official", n=official), t(lang, "sub_official")
    return None, None


def choropleth_map(layer: gpd.GeoDataFrame, *, column: str, state: str | None = None,
                   context: Sequence[str] | None = None, scheme: str = "quantiles", k: int = 5,
                   colors: Palette = "OrRd", legend: str | dict | None = None, title: str | dict | None = None,
                   name: str = "choropleth", lang: str = "es", tiles: bool = True) -> folium.Map:
    """``column`` of ``layer`` classed with mapclassify, one polygon per state or municipality.

    Parameters
    ----------
    layer
        The state layer (``cve_ent, name, geometry``) or the municipal layer
        (``cvegeo, cve_ent, name, state_name, geometry``) with ``column``.
    column
        The column to colour; brecha's own columns get their labels and units,
        any other is labelled by ``legend`` and shown with two decimals.
    state
        Any spelling of a state: only its polygons (municipal layer) or it alone.
    context
        Columns shown in the tooltip after ``column`` (default those of :data:`CONTEXT` present).
    scheme, k
        mapclassify scheme and number of classes (2 to 9).
    colors
        A ColorBrewer scheme name or colours from low to high (resampled to the classes).
    legend, title
        Legend and map title: text or ``{"es": ..., "en": ...}``; default the
        column's label (and "by state" or "by municipality" for the title).
    name
        The map's name in the index metadata.
    lang, tiles
        As in :func:`brecha.maps.presence_map`.

    >>> from brecha import geography
    >>> states = geography.states().assign(share=range(32))
    >>> m = choropleth_map(states, column="share", k=4, legend={"es": "Proporción", "en": "Share"})
    >>> type(m).__name__
    'OfflineMap'
    """
    key = "cvegeo" if isinstance(layer, gpd.GeoDataFrame) and "cvegeo" in layer.columns else "cve_ent"
    cols = (key, "cve_ent", "name", "geometry", column) + (("state_name",) if key == "cvegeo" else ())
    check_inputs(check_frame(layer, "layer", tuple(dict.fromkeys(cols)), geometry="polygon"), lang=lang,
                 scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    gdf, _ = prepare_polygons(layer, place, key=key)
    legend = legend_text(lang, legend)
    fld = field(lang, column, label=None if column in CONTEXT else legend)
    level = t(lang, "level_municipality" if key == "cvegeo" else "level_state")
    heading = legend_text(lang, title) or t(lang, "title_choropleth", label=fld.label, level=level)
    where = place.name if place else t(lang, "mexico")

    note, sub_note = source_note(gdf, column, lang)
    m = new_map(gdf, lang=lang, tiles=tiles, title=heading, subtitle=f"{where} · {sub_note}" if sub_note else where)
    extra = [c for c in (CONTEXT if context is None else context) if c in gdf.columns and c != column]
    notes = [note] if note else []
    if "poverty_people" in [column, *extra] and "pop_coneval" in extra:
        notes.append(t(lang, "coneval_base"))
    src_col = _SOURCED.get(column)
    row_extra: dict[str, dict] = {column: {"l": fld.label}}
    if note and src_col:
        gdf[src_col] = gdf[src_col].map(lambda v: t(lang, f"source_{v}") if v in ("official", "agg_from_municipal")
                                        else v)
        row_extra[src_col] = {"l": t(lang, "source_row")}
    sub = "state_name" if key == "cvegeo" else None
    text: tuple[str, ...] = ("name", "state_name") if sub else ("name",)
    if len(row_extra) > 1 and src_col is not None:
        text += (src_col,)
    data_id = add_polygon_data(m, gdf, f"brecha-{key}", [column, *extra], lang, key=key, text=text)
    tip = tooltip_spec(lang, [column, *extra, *list(row_extra)[1:]], emphasis=column, sub=sub, extra=row_extra)
    # The map's only choropleth: no one-option radio button in the layer control.
    choro, classes = add_choropleth(m, data_id=data_id, values=gdf[column], fld=fld, name=legend or fld.label,
                                     lang=lang, palette=colors, scheme=scheme, k=k, tooltip=tip, show=True, key=key,
                                     notes=notes, control=False)
    summary = t(lang, "summary_choropleth", label=fld.label, level=level, scheme=scheme_name(lang, scheme), k=classes.k)
    info = MapInfo(name, f"{heading} — {where}", summary, lang,
                   svg_preview(gdf, classes.colors_of(gdf[column]), title=heading))
    return finish(m, lang=lang, info=info, search_data=data_id, search_layers=[choro], search_sub=sub, search_key=key,
                  search_label=t(lang, "search" if sub else "search_state"))
