"""Care map: DENUE care establishments, and demand and access to care places by group.

Access ("acceso a lugares de cuidado en 20 km" on the map) is the enhanced two-step floating catchment area index
(E2SFCA; Luo & Qi 2009, Health & Place 15(4)) computed by the analysis:
supply per 1,000 people of the group, reachable with distance decay.
Demand is the group's population (Census 2020). One radio button per
group and measure; one clustered layer per establishment type, of which
only the day cares are on when the map opens (three cluster layers on at
once hide one another's markers).
"""

from __future__ import annotations

import folium
import geopandas as gpd

from .._care_groups import CARE_TYPES as _CARE_TYPES
from .._care_groups import HEADLINE_GROUPS
from ..settings import STORAGE_CRS
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
from ._i18n import check_lang, field, t
from ._layers import RuntimeLayer, add_data
from ._legend import shape_svg, symbol_legend
from ._offline import ClusterAssets, MapInfo
from ._payload import block
from ._preview import svg_preview

__all__ = ["care_map", "DENUE_COLUMNS", "CARE_TYPES", "GROUPS"]

DENUE_COLUMNS = ("care_type", "name", "staff_band", "sector")
#: Marker colours (ColorBrewer Dark2, away from the green/grey choropleths); a care type added to
#: brecha.care.CARE_TYPES takes the next unused one.
_DARK2 = ("#e7298a", "#d95f02", "#7570b3", "#a6761d", "#1b9e77", "#66a61e", "#e6ab02", "#666666")
#: DENUE care type -> marker colour, in brecha.care.CARE_TYPES order.
CARE_TYPES = {ct.name: _DARK2[i % len(_DARK2)] for i, ct in enumerate(_CARE_TYPES)}
#: group -> (demand column, accessibility column), from brecha.care.CARE_GROUPS (its headline groups).
#: Day cares serve children under six, so the children group is 0-5, as E2SFCA in brecha.care measures it.
GROUPS = {g.name: (g.demand_col, f"care_access_{g.name}") for g in HEADLINE_GROUPS}
_PEOPLE = {g.name: g.people for g in HEADLINE_GROUPS}
_TYPE_LABELS = {ct.name: ct.label for ct in _CARE_TYPES}
#: group -> the supply column it shares (care_supply_<s>).
_SUPPLY = {g.name: f"care_supply_{g.supply_name}" for g in HEADLINE_GROUPS}
#: Default palettes: accessibility in greens, demand in greys.
PALETTES = {"access": "YlGn", "demand": "Greys"}
#: The establishment type shown when the map opens.
OPEN_TYPE = "day_care"
#: Clusters holding more than one care type.
MIXED_COLOR = "#555555"


def _type_label(care_type: object, lang: str) -> object:
    """A care type's name in ``lang`` (brecha.care.CARE_TYPES); an unknown type stays as it is."""
    words = _TYPE_LABELS.get(care_type) if isinstance(care_type, str) else None
    return words[check_lang(lang)] if words else care_type


def _denue_view(denue: gpd.GeoDataFrame, ent: str | None, lang: str) -> gpd.GeoDataFrame:
    d = denue if denue.crs is not None and denue.crs.equals(STORAGE_CRS) else denue.to_crs(STORAGE_CRS)
    if ent is not None:
        d_ent = d["cve_ent"] if "cve_ent" in d else d["cvegeo"].astype(str).str[:2]
        d = d[d_ent.astype(str) == ent]
    d = d[d.geometry.notna() & ~d.geometry.is_empty].copy()
    d["sector"] = d["sector"].map(lambda s: t(lang, f"sector_{s}") if s in ("public", "private") else s)
    d["type_label"] = d["care_type"].map(lambda c: _type_label(c, lang))
    return d


def care_map(municipalities: gpd.GeoDataFrame, denue: gpd.GeoDataFrame, *, state: str | None = None,
             scheme: str = "quantiles", k: int = 5, column: str = "care_access_children",
             colors: Palette | None = None, legend: str | dict | None = None, lang: str = "es",
             tiles: bool = True, catchment_km: float = 20.0) -> folium.Map:
    """DENUE supply points by type (clustered) over demand and E2SFCA accessibility by group.

    Parameters
    ----------
    municipalities
        The municipal layer with ``pop_total, pop_0_5, pop_60_plus,
        pop_disability, care_access_children, care_access_elderly,
        care_access_disability`` (accessibility per 1,000 people of the group).
    denue
        DENUE care establishments (``denue_care.parquet``): ``care_type``
        (day_care, elderly, disability, mental_health), ``name, staff_band,
        sector``, points.
    column
        The choropleth shown first and styled by ``colors`` and ``legend``:
        an accessibility or demand column of :data:`GROUPS`.
    colors, legend
        Its palette (ColorBrewer name or colours, low to high) and legend
        title (text or ``{"es": ..., "en": ...}``); default :data:`PALETTES` and the layer name.
    state, scheme, k, lang, tiles
        As in :func:`brecha.maps.presence_map`.
    catchment_km
        The E2SFCA catchment (km) the layer's access columns were computed
        with (:func:`brecha.care.care_access`, 20 km by default); only named
        in the layer names and the method note.

    >>> from brecha import geography, sources
    >>> colima = geography.municipalities().query("cve_ent == '06'").assign(
    ...     pop_total=5000, pop_0_5=1000, pop_60_plus=500, pop_disability=200, care_access_children=3.0,
    ...     care_access_elderly=1.0, care_access_disability=0.5)
    >>> m = care_map(colima, sources.load("denue_care"), state="Colima", lang="en")
    >>> type(m).__name__
    'OfflineMap'
    """
    demand_cols = tuple(c for pair in GROUPS.values() for c in pair)
    problems = check_frame(municipalities, "municipalities", MUNI_COLUMNS + demand_cols + ("pop_total",),
                           geometry="polygon")
    problems += check_frame(denue, "denue", DENUE_COLUMNS, geometry="point")
    problems += column_problems(column, demand_cols)
    check_inputs(problems, lang=lang, scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    ent = place.cve_ent if place else None
    munis, _ = prepare_polygons(municipalities, place)
    legend = legend_text(lang, legend)
    points = _denue_view(denue, ent, lang)

    where = place.name if place else t(lang, "mexico")
    title = t(lang, "title_care")
    m = new_map(munis, lang=lang, tiles=tiles, title=title, subtitle=where)
    # Supply counts are optional context in the tooltips.
    supply = {g: (col,) for g, col in _SUPPLY.items() if col in munis}
    extra_cols = list(dict.fromkeys(c for cols in supply.values() for c in cols))
    muni_id = add_polygon_data(m, munis, "brecha-muni", list(demand_cols) + extra_cols + ["pop_total"], lang)
    layers, preview = [], ""
    for measure in ("access", "demand"):
        for group, (demand, access) in GROUPS.items():
            key = access if measure == "access" else demand
            fld = field(lang, key)
            name = t(lang, f"layer_{measure}", group=_PEOPLE[group][check_lang(lang)], km=f"{catchment_km:g}")
            palette, heading = style_for(key, column=column, default=PALETTES[measure], colors=colors, legend=legend)
            notes = [t(lang, "access_method", km=f"{catchment_km:g}")] if measure == "access" else []
            layer, classes = add_choropleth(
                m, data_id=muni_id, values=munis[key], fld=fld, name=name, lang=lang, palette=palette, notes=notes,
                scheme=scheme, k=k, legend=heading, show=key == column, zero_class=measure == "access",
                tooltip=tooltip_spec(lang, [access, demand, *supply.get(group, ()), "pop_total"], emphasis=key))
            if key == column:
                preview = svg_preview(munis, classes.colors_of(munis[key]), title=title)
            layers.append(layer)

    m.add_child(ClusterAssets())
    popup = {"title": "name", "rows": [{"k": "type_label", "l": t(lang, "care_type")},
                                       {"k": "staff_band", "l": t(lang, "staff")},
                                       {"k": "sector", "l": t(lang, "sector")}]}
    # One cluster group for every type (four groups would draw four overlapping sets of discs);
    # each type's entry in the layer control adds or removes its markers from it.
    data = block(points, {"name": None, "type_label": None, "staff_band": None, "sector": None, "care_type": None},
                 dict_fields=["name", "type_label", "staff_band", "sector", "care_type"], points=True)
    data_id = add_data(m, "brecha-denue", data)
    styles = {ct: {"color": color} for ct, color in CARE_TYPES.items()}
    cluster = RuntimeLayer("points", {"data": data_id, "cat": "care_type", "styles": styles, "popup": popup,
                                    "tooltip": "name", "cluster": True, "clusterColor": MIXED_COLOR,
                                    "clusterRadius": 70, "byCategory": True},
                         name="DENUE", overlay=True, show=False, control=False)
    m.add_child(cluster)
    entries = []
    for care_type, color in CARE_TYPES.items():
        label = str(_type_label(care_type, lang))
        m.add_child(RuntimeLayer("pointToggle", {"group": data_id, "value": care_type},
                                 name=t(lang, "denue_points", type=label), overlay=True, show=care_type == OPEN_TYPE))
        n = int((points["care_type"] == care_type).sum())
        entries.append((shape_svg("circle", color, size=14), f"{label} ({n:,})"))
    entries.append((shape_svg("circle", MIXED_COLOR, size=14), t(lang, "denue_mixed")))
    add_legend(m, cluster, symbol_legend(t(lang, "denue_legend"), entries), "denue")

    info = MapInfo("care", f"{title} — {where}", t(lang, "summary_care"), lang, preview)
    return finish(m, lang=lang, info=info, search_data=muni_id, search_layers=layers)
