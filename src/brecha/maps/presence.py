"""Presence map: where the agencies work (initiatives) and where they sit (offices).

Initiatives are counted as distinct initiatives per municipality (those
naming the municipality) and per state (those naming the state or one of its
municipalities); nationwide initiatives are not mapped and the legend says
how many there are. The page's filter control recounts by agency, theme and
year without leaving the file; clicking a municipality or state lists the
initiatives there (title, agencies, year, theme) that the filters keep.
"""

from __future__ import annotations

import logging

import folium
import geopandas as gpd
import pandas as pd

from .._duckdb import query
from ._base import (MUNI_COLUMNS, add_choropleth, add_polygon_data, check_frame, check_inputs, finish,
                    legend_text, new_map, prepare_polygons, select_state, tooltip_spec)
from ._classify import Palette
from ._escape import script_json
from ._i18n import field, t
from ._layers import RuntimeCall, add_data, js_list
from ._offices import OFFICE_COLUMNS, add_office_layer, counted_offices, office_points, year_text
from ._offline import MapInfo
from ._payload import block
from ._preview import svg_preview
from ._simplify import dissolve_coverage
from ._terms import agency_name, term

__all__ = ["presence_map", "INITIATIVE_COLUMNS"]

log = logging.getLogger(__name__)

INITIATIVE_COLUMNS = ("initiative", "agency", "theme", "year", "level", "cve_ent", "cvegeo")


def _initiative_rows(initiatives: pd.DataFrame, ent: str | None, lang: str) -> pd.DataFrame:
    """One row per initiative, agency, theme and place; themes in ``lang``."""
    def text(col: str) -> pd.Series:
        s = initiatives[col]
        return s.astype(object).where(s.notna(), None)

    ids = initiatives["initiative_id"] if "initiative_id" in initiatives else initiatives["initiative"]
    df = pd.DataFrame({"i": ids.astype(str), "title": text("initiative"), "agency": text("agency").map(lambda v: agency_name(lang, v)),
                       "theme": text("theme").map(lambda v: term(lang, v)),
                       "year": year_text(initiatives["year"]), "level": initiatives["level"].astype(str),
                       "cve_ent": text("cve_ent"), "cvegeo": text("cvegeo")})
    if ent is not None:
        df = df[df["cve_ent"] == ent]
    return df.reset_index(drop=True)


def _initiative_counts(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series, int]:
    """Distinct initiatives per municipality, per state, and how many are nationwide only."""
    muni = query("SELECT cvegeo, count(DISTINCT i) AS n FROM r WHERE level = 'municipality' AND cvegeo IS NOT NULL "
                 "GROUP BY 1", r=rows)
    state = query("SELECT cve_ent, count(DISTINCT i) AS n FROM r WHERE level <> 'national' AND cve_ent IS NOT NULL "
                  "GROUP BY 1", r=rows)
    national = query("SELECT count(DISTINCT i) AS n FROM r WHERE i NOT IN "
                     "(SELECT i FROM r WHERE level <> 'national')", r=rows)
    return (muni.set_index("cvegeo")["n"], state.set_index("cve_ent")["n"], int(national["n"].iloc[0]))


def _add_state_layer(m: folium.Map, munis: gpd.GeoDataFrame, state_n: pd.Series, offices: pd.DataFrame | None, *,
                     notes: list[str], lang: str, scheme: str, k: int, colors: Palette, legend: str | None):
    """States dissolved from the simplified municipalities, with their initiative and office counts."""
    states = dissolve_coverage(munis, "cve_ent")
    states["name"] = states["cve_ent"].map(munis.drop_duplicates("cve_ent").set_index("cve_ent")["state_name"])
    states["initiatives"] = states["cve_ent"].map(state_n).fillna(0).astype(int)
    if offices is not None:  # offices placed only at state level count here too
        offices = counted_offices(offices)
        ent = offices["cve_ent"] if "cve_ent" in offices else offices["cvegeo"].astype(str).str[:2]
        states["offices"] = states["cve_ent"].map(ent.value_counts()).fillna(0).astype(int)
    else:
        states["offices"] = states["cve_ent"].map(munis.groupby("cve_ent")["offices"].sum()).fillna(0).astype(int)
    state_id = add_polygon_data(m, states, "brecha-state", ["initiatives", "offices"], lang, key="cve_ent",
                                text=("name",))
    layer, _ = add_choropleth(
        m, data_id=state_id, values=states["initiatives"], fld=field(lang, "initiatives"),
        name=t(lang, "layer_init_state"), lang=lang, palette=colors, scheme=scheme, k=k,
        tooltip=tooltip_spec(lang, ["initiatives", "offices"], emphasis="initiatives", sub=None),
        show=False, zero_class=True, notes=notes, key="cve_ent", legend=legend, popup="initiatives")
    return state_id, layer


def _filter_control(m: folium.Map, rows: pd.DataFrame, pts: pd.DataFrame | None, muni_id: str, state_id: str | None,
                    choros: list, office_layer, lang: str) -> RuntimeCall:
    """The agency / theme / year selector; it recounts in the page from the embedded long table."""
    text = ["i", "title", "agency", "theme", "year", "level", "cve_ent"]
    init_id = add_data(m, "brecha-initiatives", block(rows, {c: None for c in rows.columns}, dict_fields=text))
    agencies = set(rows["agency"].dropna()) | (set(pts["agency"].dropna()) if pts is not None else set())
    labels = {key: t(lang, label) for key, label in (
        ("title", "filter"), ("agency", "agency"), ("theme", "theme"), ("year", "year"), ("all", "all"),
        ("all_agency", "all_agencies"), ("initiatives", "n_initiatives"), ("offices", "n_offices"),
        ("initiative", "n_initiative"), ("office", "n_office"),
        ("hint", "initiatives_hint"), ("none", "initiatives_none"))}
    labels["in"] = t(lang, "initiatives_in", place="{place}")
    opts = {"init": init_id, "muni": muni_id, "state": state_id, "agencies": sorted(agencies),
            "themes": sorted(rows["theme"].dropna().unique()), "years": sorted(set(rows["year"].dropna())),
            "labels": labels}
    refs = [js_list(choros)] + ([office_layer.get_name()] if office_layer is not None else [])
    return RuntimeCall("presenceFilter", script_json(opts), *refs)


def presence_map(municipalities: gpd.GeoDataFrame, offices: gpd.GeoDataFrame | None = None,
                 initiatives: pd.DataFrame | None = None, *, state: str | None = None, scheme: str = "quantiles",
                 k: int = 5, colors: Palette = "YlGnBu", legend: str | dict | None = None, lang: str = "es",
                 tiles: bool = True) -> folium.Map:
    """Initiatives per municipality and state; offices by agency, clustered.

    Parameters
    ----------
    municipalities
        The municipal layer (``cvegeo, cve_ent, name, state_name, geometry``;
        ``initiatives`` and ``offices`` counts are used when the tables are not given).
    offices
        Points: ``agency, office_type, city, state, status, year_reported,
        source_file, source_quote, cvegeo``.
    initiatives
        Long table: ``initiative, agency, theme, year, level, cve_ent, cvegeo``
        (:func:`brecha.sources.initiative_places`).
    state
        Any spelling of a state for a state view; None for Mexico.
    scheme, k
        mapclassify scheme and number of classes (2 to 9) for the positive
        counts; zero is its own class.
    colors
        Palette of the initiative counts: a ColorBrewer name or colours
        from low to high (resampled to the number of classes).
    legend
        Title of the initiative legends (text, or ``{"es": ..., "en": ...}``);
        default the layer names.
    lang
        ``"es"`` or ``"en"``.
    tiles
        Add the CARTO Positron basemap, once one probe tile has loaded
        (offline: a single failed request and a plain background).

    >>> from brecha import geography
    >>> colima = geography.municipalities().query("cve_ent == '06'").assign(initiatives=1, offices=0)
    >>> type(presence_map(colima)).__name__
    'OfflineMap'
    """
    cols = MUNI_COLUMNS + (() if initiatives is not None else ("initiatives",)) + (() if offices is not None else ("offices",))
    problems = check_frame(municipalities, "municipalities", cols, geometry="polygon")
    if offices is not None:
        problems += check_frame(offices, "offices", OFFICE_COLUMNS, geometry="point")
    if initiatives is not None:
        problems += check_frame(initiatives, "initiatives", INITIATIVE_COLUMNS)
    check_inputs(problems, lang=lang, scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    ent = place.cve_ent if place else None
    munis, _ = prepare_polygons(municipalities, place)
    legend = legend_text(lang, legend)

    rows, n_national = None, 0
    if initiatives is not None:
        rows = _initiative_rows(initiatives, ent, lang)
        muni_n, state_n, n_national = _initiative_counts(rows)
        munis["initiatives"] = munis["cvegeo"].map(muni_n).fillna(0).astype(int)
    pts, unplaced = (None, 0)
    if offices is not None:
        pts, unplaced = office_points(offices, ent, lang)
        munis["offices"] = munis["cvegeo"].map(counted_offices(offices)["cvegeo"].value_counts()).fillna(0).astype(int)

    where = place.name if place else t(lang, "mexico")
    m = new_map(munis, lang=lang, tiles=tiles, title=t(lang, "title_presence"), subtitle=where)
    muni_id = add_polygon_data(m, munis, "brecha-muni", ["initiatives", "offices"], lang)
    notes = [t(lang, "national_init", n=n_national)] if n_national else []
    tip = tooltip_spec(lang, ["initiatives", "offices"], emphasis="initiatives")
    muni_layer, classes = add_choropleth(
        m, data_id=muni_id, values=munis["initiatives"], fld=field(lang, "initiatives"),
        name=t(lang, "layer_init_muni"), lang=lang, palette=colors, scheme=scheme, k=k, tooltip=tip,
        show=True, zero_class=True, notes=notes, legend=legend, popup="initiatives" if rows is not None else None)
    choros = [muni_layer]

    state_id = None
    if place is None and rows is not None:
        state_id, state_layer = _add_state_layer(m, munis, state_n, offices, notes=notes, lang=lang, scheme=scheme,
                                                 k=k, colors=colors, legend=legend)
        choros.append(state_layer)

    office_layer = None
    if pts is not None:
        office_layer = add_office_layer(m, pts, lang=lang, unplaced=unplaced, all_agencies=offices["agency"])
    extra = []
    if rows is not None:
        extra.append(_filter_control(m, rows, pts, muni_id, state_id, choros, office_layer, lang))
    reports = None
    if offices is not None or initiatives is not None:
        reports = [f for df in (offices, initiatives) if df is not None and "source_file" in df
                   for f in df["source_file"].dropna().unique()]

    info = MapInfo("presence", f"{t(lang, 'title_presence')} — {where}", t(lang, "summary_presence"), lang,
                   svg_preview(munis, classes.colors_of(munis["initiatives"]), title=t(lang, "title_presence")))
    return finish(m, lang=lang, info=info, search_data=muni_id, search_layers=choros[:1],
                  reports=reports, extra=extra)
