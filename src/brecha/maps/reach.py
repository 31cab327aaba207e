"""Reach map: rings of ``radius_km`` around offices, distance to the nearest office, poverty.

Rings are buffers built in EPSG:6372 (Mexico LCC, metres) and reprojected,
so a 50 km ring is 50 km on the ground wherever it is, unlike a circle drawn
in Web Mercator. The people out of reach are the layer's
``people_out_of_reach`` (counted by :mod:`brecha.reach` from Census 2020
localities, with the layer's own radius or cost); the map adds them up for
the view and never recounts them. Tooltips name the nearest office
(``nearest_office_agency``, ``nearest_office_city``) and show CONEVAL's
population base next to the Census count.
"""

from __future__ import annotations

import logging

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem
from ..settings import ANALYSIS_CRS, STORAGE_CRS
from ._base import (
    MUNI_COLUMNS,
    add_choropleth,
    add_legend,
    add_polygon_data,
    check_frame,
    check_inputs,
    column_problems,
    finish,
    legend_text,
    new_map,
    prepare_polygons,
    select_state,
    style_for,
    tooltip_spec,
)
from ._classify import Palette
from ._i18n import field, t
from ._layers import RuntimeLayer, add_data
from ._legend import symbol_legend
from ._offices import OFFICE_COLUMNS, add_office_layer, counted_offices, office_points
from ._offline import MapInfo
from ._payload import block
from ._preview import svg_preview
from ._terms import agency_name

__all__ = ["reach_map", "reach_rings"]

log = logging.getLogger(__name__)

#: The switchable choropleths and their default ColorBrewer palettes.
CHOROPLETHS = {"nearest_office_km": "YlOrRd", "poverty_pct": "OrRd", "poverty_people": "Purples"}
RING_STYLE = {"color": "#1f4e79", "weight": 1.2, "opacity": 0.9, "fillColor": "#1f78b4", "fillOpacity": 0.07,
              "dashArray": "4 3"}


def reach_rings(offices: gpd.GeoDataFrame, radius_km: float, *, quad_segs: int = 16) -> gpd.GeoDataFrame:
    """One ring per distinct location of a counted office, EPSG:4326: ``city, agencies, n_offices, geometry``.

    Counted as in the analysis (:func:`brecha.maps._offices.counted_offices`):
    planned and closed offices get no ring.

    Buffers are made in EPSG:6372 (metres) and reprojected, which keeps
    them within about 1 % of true geodesic circles across Mexico.
    """
    offices = counted_offices(offices)
    pts = offices[offices.geometry.notna() & ~offices.geometry.is_empty].to_crs(ANALYSIS_CRS)
    if pts.empty:
        return gpd.GeoDataFrame({"city": [], "agencies": [], "n_offices": []}, geometry=[], crs=STORAGE_CRS)
    xy = np.round(shapely.get_coordinates(pts.geometry.values), 0)  # offices at the same metre share a ring
    key = pd.Series([f"{x:.0f},{y:.0f}" for x, y in xy], index=pts.index)
    groups = pts.groupby(key, sort=True)
    rows = []
    for _, g in groups:
        ring = g.geometry.iloc[0].buffer(radius_km * 1000.0, quad_segs=quad_segs)
        rows.append({"city": str(g["city"].iloc[0]), "agencies": ", ".join(sorted(set(g["agency"].astype(str)))),
                     "n_offices": len(g), "geometry": ring})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=ANALYSIS_CRS).to_crs(STORAGE_CRS)


def _out_of_reach_note(munis: pd.DataFrame, radius_km: float, lang: str) -> str | None:
    """The legend's sentence: people out of reach in the view and their share, from the layer's column.

    ``people_out_of_reach`` is counted by the analysis (:mod:`brecha.reach`:
    Census 2020 localities beyond the radius or cost); the map only adds up
    the municipalities it shows. None when the layer has no such column.
    """
    if "people_out_of_reach" not in munis.columns:
        return None
    out = float(pd.to_numeric(munis["people_out_of_reach"], errors="coerce").sum())
    total = float(pd.to_numeric(munis["pop_total"], errors="coerce").sum())
    pct = 100.0 * out / total if total else float("nan")
    log.info("population out of reach (%g km): %.0f of %.0f", radius_km, out, total)
    return t(lang, "outside", radius=f"{radius_km:g}", people=f"{out:,.0f}",
             pct=f"{pct:.1f} %" if lang == "es" else f"{pct:.1f}%", method=t(lang, "method_loc"))


def reach_map(municipalities: gpd.GeoDataFrame, offices: gpd.GeoDataFrame, *, radius_km: float = 100.0,
              localities: gpd.GeoDataFrame | None = None, state: str | None = None, scheme: str = "quantiles",
              k: int = 5, column: str = "nearest_office_km", colors: Palette | None = None,
              legend: str | dict | None = None, lang: str = "es", tiles: bool = True) -> folium.Map:
    """Offices with reach rings, distance to the nearest office and poverty, switchable.

    Parameters
    ----------
    municipalities
        The municipal layer with ``nearest_office_km, poverty_pct,
        poverty_people, pop_total``.
    offices
        Office points (see :func:`brecha.maps.presence_map`).
    radius_km
        Reach radius in km (a planning assumption; 100 km by default, as the office-reach analysis).
    localities
        Not used (kept for callers of earlier versions): the people out of
        reach are read from the layer's ``people_out_of_reach``.
    column
        The choropleth shown first, and styled by ``colors`` and ``legend``:
        one of :data:`CHOROPLETHS`.
    colors, legend
        Its palette (ColorBrewer name or colours, low to high) and legend
        title (text or ``{"es": ..., "en": ...}``); default :data:`CHOROPLETHS` and the field label.
    state, scheme, k, lang, tiles
        As in :func:`brecha.maps.presence_map`.

    >>> from brecha import geography, sources
    >>> colima = geography.municipalities().query("cve_ent == '06'").assign(
    ...     nearest_office_km=80.0, poverty_pct=30.0, poverty_people=10_000, pop_total=40_000)
    >>> m = reach_map(colima, sources.load("offices"), radius_km=50, state="Colima")
    >>> type(m).__name__
    'OfflineMap'
    """
    need = ("nearest_office_km", "poverty_pct", "poverty_people", "pop_total")
    problems = check_frame(municipalities, "municipalities", MUNI_COLUMNS + need, geometry="polygon")
    problems += check_frame(offices, "offices", OFFICE_COLUMNS, geometry="point")
    if not (isinstance(radius_km, (int, float)) and 0 < radius_km <= 1000):
        problems.append(Problem("<radius_km>", None, "radius_km", radius_km, "a distance in km from 0 to 1,000"))
    problems += column_problems(column, list(CHOROPLETHS))
    check_inputs(problems, lang=lang, scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    ent = place.cve_ent if place else None
    munis, _ = prepare_polygons(municipalities, place)
    legend = legend_text(lang, legend)
    radius_txt = f"{radius_km:g}"

    rings = reach_rings(offices, radius_km)
    pts, _ = office_points(offices, None, lang)
    unplaced = office_points(offices, ent, lang)[1]
    if ent is not None:
        # Offices across the state line still serve it: keep those within reach of it.
        area = gpd.GeoSeries([munis.union_all()], crs=STORAGE_CRS).to_crs(ANALYSIS_CRS).iloc[0]
        pts = pts[(pts.to_crs(ANALYSIS_CRS).distance(area) <= radius_km * 1000.0).to_numpy()]
        rings = rings[rings.to_crs(ANALYSIS_CRS).intersects(area).to_numpy()]
    outside = _out_of_reach_note(munis, radius_km, lang)
    for col in ("nearest_office_agency",):
        if col in munis.columns:
            munis[col] = munis[col].map(lambda a: agency_name(lang, a))

    where = place.name if place else t(lang, "mexico")
    title = t(lang, "title_reach", radius=radius_txt)
    m = new_map(munis, lang=lang, tiles=tiles, title=title, subtitle=where)
    keys = ["nearest_office_km", "poverty_pct", "poverty_people", "pop_total"]
    keys += [c for c in ("pop_coneval", "people_out_of_reach") if c in munis.columns]
    text = [c for c in ("nearest_office_agency", "nearest_office_city") if c in munis.columns]
    muni_id = add_polygon_data(m, munis, "brecha-muni", keys, lang, text=("name", "state_name", *text))
    tip_keys = keys[:1] + text + keys[1:]
    layers = []
    for key, default in CHOROPLETHS.items():
        fld = field(lang, key)
        palette, heading = style_for(key, column=column, default=default, colors=colors, legend=legend)
        layer, classes = add_choropleth(
            m, data_id=muni_id, values=munis[key], fld=fld, name=fld.label, lang=lang, palette=palette,
            scheme=scheme, k=k, tooltip=tooltip_spec(lang, tip_keys, emphasis=key), show=key == column, legend=heading,
            notes=[t(lang, "coneval_base")] if key == "poverty_people" and "pop_coneval" in keys else [])
        layers.append(layer)
        if key == column:
            preview = svg_preview(munis, classes.colors_of(munis[key]), title=title)

    # Rings let the municipalities under them keep their tooltips: they take no mouse events.
    ring_id = add_data(m, "brecha-rings", block(rings, {}, geometry=True))
    ring_layer = RuntimeLayer("shapes", {"data": ring_id, "style": RING_STYLE, "interactive": False},
                              name=t(lang, "layer_rings", radius=radius_txt), overlay=True, show=True)
    m.add_child(ring_layer)
    ring_sym = ('<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18"><circle cx="9" cy="9" r="7" '
                'fill="#1f78b4" fill-opacity="0.15" stroke="#1f4e79" stroke-dasharray="3 2"/></svg>')
    add_legend(m, ring_layer, symbol_legend(t(lang, "layer_rings", radius=radius_txt),
                                            [(ring_sym, t(lang, "ring", radius=radius_txt))], note=outside), "rings")

    add_office_layer(m, pts, lang=lang, unplaced=unplaced)

    info = MapInfo("reach", f"{title} — {where}", t(lang, "summary_reach", radius=radius_txt), lang, preview)
    return finish(m, lang=lang, info=info, search_data=muni_id, search_layers=layers,
                  reports=offices["source_file"].dropna().unique().tolist())
