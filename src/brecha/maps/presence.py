"""Presence map: who does what where (3W) — initiatives, distinct agencies, offices, per municipality and state.

The counts shown with no filter are the layers' own (:func:`brecha.presence.presence_by_area`
computed them: ``initiatives``, ``initiatives_state_scope``, ``agencies``,
``offices``, ``offices_planned``, ``presence_evidence``, ``office_evidence``).
The map does not count in Python: it hands the page the initiative places
(:func:`brecha.sources.initiative_places`) and the office rows as they are,
and the page's 3W runtime (``assets/brecha/brecha-3w.js``) recounts them with
the same rules when the agency / theme / year filter is on, so tooltips,
legend notes and the table beside the map follow the filter. The table
exports to CSV and to a true XLSX file (a minimal SpreadsheetML writer in
the runtime; nothing is fetched). Agencies carry one fixed symbol each
(:mod:`brecha.maps._agencies`). Initiatives with no place — nationwide, or
sub-national with the places not named — are counted apart in the notes,
never as national when they are sub-national.
"""

from __future__ import annotations

import logging

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from ._agencies import agency_key, catalog_entries
from ._assets import url
from ._base import (
    MUNI_COLUMNS,
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
from ._classify import Classes, Palette
from ._escape import script_json
from ._i18n import field, t
from ._layers import RuntimeCall, add_data, js_list
from ._offices import OFFICE_COLUMNS, add_office_layer, office_points, year_text
from ._offline import MapInfo
from ._payload import block
from ._presence_words import EVIDENCE, OFFICE_EVIDENCE, words
from ._preview import svg_preview
from ._terms import term

__all__ = ["presence_map", "INITIATIVE_COLUMNS", "ThreeWAssets"]

log = logging.getLogger(__name__)

INITIATIVE_COLUMNS = ("initiative", "agency", "theme", "year", "cve_ent", "cvegeo")
#: Layer columns the map shows (those present), in tooltip order after ``initiatives``.
SHOWN = ("initiatives", "agencies", "offices", "offices_planned", "initiatives_state_scope")
WORDS = ("presence_evidence", "office_evidence")


class ThreeWAssets(JSCSSMixin, MacroElement):
    """Adds the 3W runtime (``brecha-3w.js``, ``brecha-export.js``: CSV and XLSX, ``brecha-3w.css``) to the page."""

    _template = Template("")
    default_js = [("brecha_export_js", url("brecha/brecha-export.js")), ("brecha_3w_js", url("brecha/brecha-3w.js"))]
    default_css = [("brecha_3w_css", url("brecha/brecha-3w.css"))]

    def __init__(self):
        super().__init__()
        self._name = "ThreeWAssets"


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None)


def _initiative_rows(initiatives: pd.DataFrame, ent: str | None, lang: str) -> pd.DataFrame:
    """The long table as the page reads it: one row per initiative, agency, theme and place (no counting).

    Agencies become catalogue acronyms, themes words in ``lang``; a missing
    ``precision`` is the old ``level``; ``cve_ent`` is filled from ``cvegeo``
    (INEGI codes begin with the state's). A state view keeps its state's rows
    and the rows with no state (national, unnamed: the notes count them).
    """
    ids = initiatives["initiative_id"] if "initiative_id" in initiatives else initiatives["initiative"]
    prec = initiatives["precision"] if "precision" in initiatives else initiatives["level"]
    cvegeo = _text(initiatives["cvegeo"])
    cve_ent = _text(initiatives["cve_ent"]).where(initiatives["cve_ent"].notna(), cvegeo.str[:2])
    df = pd.DataFrame({"i": ids.astype(str), "title": _text(initiatives["initiative"]),
                       "agency": initiatives["agency"].map(agency_key).replace("", None),
                       "theme": _text(initiatives["theme"]).map(lambda v: term(lang, v)),
                       "year": year_text(initiatives["year"]), "precision": prec.astype(str),
                       "cve_ent": cve_ent, "cvegeo": cvegeo})
    if ent is not None:
        df = df[(df["cve_ent"] == ent) | df["cve_ent"].isna()]
    return df.reset_index(drop=True)


def _office_rows(offices: pd.DataFrame) -> pd.DataFrame:
    """Every office report line as the page counts it: site, agency acronym, status, year, place, list flags."""
    site = offices["site_id"] if "site_id" in offices else (
        offices["office_id"] if "office_id" in offices else pd.Series(offices.index, index=offices.index))
    cvegeo = _text(offices["cvegeo"])
    cve_ent = _text(offices["cve_ent"]) if "cve_ent" in offices else cvegeo.str[:2]
    cve_ent = cve_ent.where(cve_ent.notna(), cvegeo.str[:2])
    complete = offices["complete_list"] if "complete_list" in offices else pd.Series(False, index=offices.index)
    excludes = offices["complete_list_excludes"] if "complete_list_excludes" in offices else pd.Series(
        None, index=offices.index, dtype=object)
    return pd.DataFrame({"site": site.astype(str), "agency": offices["agency"].map(agency_key),
                         "status": offices["status"].astype(str).str.strip().str.lower(),
                         "year": pd.to_numeric(offices["year_reported"], errors="coerce"),
                         "cve_ent": cve_ent, "cvegeo": cvegeo, "complete": complete.fillna(False).astype(bool),
                         "excludes": _text(excludes)}).reset_index(drop=True)


def _tooltip(lang: str, cols: list[str]) -> dict:
    i = 0 if lang == "es" else 1
    w = words(lang)
    extra: dict[str, dict] = {"offices_planned": {"l": w["offices_planned"], "d": 0},
             "office_evidence": {"l": w["office_evidence"], "map": {k: v[i] for k, v in OFFICE_EVIDENCE.items()}},
             "presence_evidence": {"map": {k: v[i] for k, v in EVIDENCE.items()}}}
    return tooltip_spec(lang, cols, emphasis="initiatives", extra=extra)


def _layers(m, gdf: gpd.GeoDataFrame, *, level: str, lang: str, scheme: str, k: int, colors: Palette,
            legend: str | None, popup: str | None) -> tuple[str, list, Classes | None]:
    """A level's polygons and its two choropleths (initiatives; distinct agencies when the layer has them)."""
    key, data_id = ("cvegeo", "brecha-muni") if level == "m" else ("cve_ent", "brecha-state")
    counts = [c for c in SHOWN if c in gdf.columns]
    texts = ("name", "state_name", *[c for c in WORDS if c in gdf.columns]) if level == "m" else (
        "name", *[c for c in WORDS if c in gdf.columns])
    fid = add_polygon_data(m, gdf, data_id, counts, lang, key=key, text=texts)
    tip = _tooltip(lang, counts + [c for c in WORDS if c in gdf.columns])
    if level == "s":
        tip["sub"] = None
    w = words(lang)
    made: list = []
    classes: Classes | None = None
    for col, name in (("initiatives", t(lang, "layer_init_muni" if level == "m" else "layer_init_state")),
                      ("agencies", w["layer_agencies_muni" if level == "m" else "layer_agencies_state"])):
        if col not in gdf.columns:
            continue
        main = col == "initiatives" and level == "m"
        layer, cls = add_choropleth(
            m, data_id=fid, values=gdf[col], fld=field(lang, col), name=name, lang=lang,
            palette=colors if col == "initiatives" else "PuRd", scheme=scheme, k=k, tooltip=tip, show=main,
            zero_class=True, key=key, legend=legend if col == "initiatives" else None, popup=popup)
        made.append(layer)
        classes = cls if main else classes
    return fid, made, classes


def presence_map(municipalities: gpd.GeoDataFrame, offices: gpd.GeoDataFrame | None = None,
                 initiatives: pd.DataFrame | None = None, *, states: gpd.GeoDataFrame | None = None,
                 state: str | None = None, scheme: str = "quantiles",
                 k: int = 5, colors: Palette = "YlGnBu", legend: str | dict | None = None, lang: str = "es",
                 tiles: bool = True) -> folium.Map:
    """Who does what where: initiatives and distinct agencies per municipality and state; offices by agency.

    Parameters
    ----------
    municipalities
        The municipal layer (``cvegeo, cve_ent, name, state_name, geometry``,
        ``initiatives, offices``; ``agencies, offices_planned,
        initiatives_state_scope, presence_evidence, office_evidence`` shown when present).
    offices
        The office frame (:func:`brecha.sources.read_offices`): ``agency,
        office_type, city, state, status, year_reported, source_file,
        source_quote, cvegeo``; ``site_id``, ``cve_ent``, ``precision``,
        ``complete_list`` used when present. One marker per site.
    initiatives
        Long table: ``initiative, agency, theme, year, precision`` (or
        ``level``), ``cve_ent, cvegeo`` (:func:`brecha.sources.initiative_places`),
        for the filter, the notes, the table and the click lists.
    states
        The state layer (``cve_ent, name, initiatives, offices``, polygons):
        state choropleths and a state table, national view only.
    state
        Any spelling of a state for a state view; None for Mexico.
    scheme, k
        mapclassify scheme and number of classes (2 to 9) for the positive
        counts; zero is its own class.
    colors
        Palette of the initiative counts (ColorBrewer name or colours low to high).
    legend
        Title of the initiative legends (text, or ``{"es": ..., "en": ...}``).
    lang
        ``"es"`` or ``"en"``.
    tiles
        Add the CARTO Positron basemap, once one probe tile has loaded.

    >>> from brecha import geography
    >>> colima = geography.municipalities().query("cve_ent == '06'").assign(initiatives=1, offices=0)
    >>> type(presence_map(colima)).__name__
    'OfflineMap'
    """
    problems = check_frame(municipalities, "municipalities", MUNI_COLUMNS + ("initiatives", "offices"),
                           geometry="polygon")
    if states is not None:
        problems += check_frame(states, "states", ("cve_ent", "name", "initiatives", "offices"), geometry="polygon")
    if offices is not None:
        problems += check_frame(offices, "offices", OFFICE_COLUMNS, geometry="point")
    if initiatives is not None:
        problems += check_frame(initiatives, "initiatives", INITIATIVE_COLUMNS)
        if "precision" not in initiatives and "level" not in initiatives:
            problems += check_frame(initiatives, "initiatives", ("precision",))
    check_inputs(problems, lang=lang, scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    ent = place.cve_ent if place else None
    munis, _ = prepare_polygons(municipalities, place)
    legend = legend_text(lang, legend)

    where = place.name if place else t(lang, "mexico")
    m = new_map(munis, lang=lang, tiles=tiles, title=t(lang, "title_presence"), subtitle=where)
    popup = "threeW" if initiatives is not None else None
    muni_id, choros, classes = _layers(m, munis, level="m", lang=lang, scheme=scheme, k=k, colors=colors,
                                       legend=legend, popup=popup)
    state_id = None
    if place is None and states is not None:
        st, _ = prepare_polygons(states, None, key="cve_ent")
        state_id, more, _ = _layers(m, st, level="s", lang=lang, scheme=scheme, k=k, colors=colors, legend=legend,
                                    popup=popup)
        choros += more

    office_layer, pts = None, None
    if offices is not None:
        pts, unplaced = office_points(offices, ent, lang)
        office_layer = add_office_layer(m, pts, lang=lang, unplaced=unplaced)
    extra: list[MacroElement] = []
    if initiatives is not None:
        m.add_child(ThreeWAssets())
        rows = _initiative_rows(initiatives, ent, lang)
        text = ["i", "title", "agency", "theme", "year", "precision", "cve_ent"]
        rows_id = add_data(m, "brecha-initiatives", block(rows, {c: None for c in rows.columns}, dict_fields=text))
        off = _office_rows(offices) if offices is not None else pd.DataFrame(
            columns=["site", "agency", "status", "year", "cve_ent", "cvegeo", "complete", "excludes"])
        off_id = add_data(m, "brecha-3w-offices", block(off, {c: None for c in off.columns},
                                                        dict_fields=["agency", "status", "cve_ent", "excludes"]))
        names = list(rows["agency"].dropna()) + list(off["agency"].dropna())
        ags = [{k: e[k] for k in ("key", "label", "name", "kind", "group")} for e in catalog_entries(lang, names)]
        opts = {"rows": rows_id, "offices": off_id, "muni": muni_id, "state": state_id, "agencies": ags,
                "themes": sorted(rows["theme"].dropna().unique()), "years": sorted(set(rows["year"].dropna())),
                "words": words(lang), "ents": [ent] if ent else None}
        refs = [js_list(choros)] + ([office_layer.get_name()] if office_layer is not None else [])
        extra.append(RuntimeCall("threeW", script_json(opts), *refs))
    reports = None
    if offices is not None or initiatives is not None:
        reports = [f for df in (offices, initiatives) if df is not None and "source_file" in df
                   for f in df["source_file"].dropna().unique()]

    assert classes is not None  # the municipal layer always has "initiatives" (checked above)
    info = MapInfo("presence", f"{t(lang, 'title_presence')} — {where}", t(lang, "summary_presence"), lang,
                   svg_preview(munis, classes.colors_of(munis["initiatives"]), title=t(lang, "title_presence")))
    return finish(m, lang=lang, info=info, search_data=muni_id, search_layers=choros[:1],
                  reports=reports, extra=extra)
