"""Gap map: need against presence as a 3x3 bivariate choropleth, and the top-N list.

The classes (``need_class``, ``presence_class``, 1 = low to 3 = high), the
score, the rank and ``gap_drivers`` (the components that drive each rank)
come from the analysis; this map shows them, the drivers said again in the
map's language (:func:`brecha.gap.describe_drivers`), with the
``gap_class`` ("sin reporte" is never called a confirmed gap) and the
``presence_evidence`` when the layer has them. Bivariate colours:
Stevens (2015); the gap is high need with low presence, the outlined corner
of the legend. Ranks are national, also in a state view; nearby rank
markers cluster so that they do not pile up.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import Problem
from ..gap import describe_drivers, describe_gap_class
from ._base import (
    LEFT_PX,
    MUNI_COLUMNS,
    add_choropleth,
    add_legend,
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
from ._classify import NODATA_COLOR, Palette
from ._escape import script_json
from ._i18n import field, t
from ._layers import RuntimeCall, RuntimeLayer, js_list
from ._legend import BIVARIATE_COLORS, NO_REPORT_COLOR, STATE_ONLY_COLOR, bivariate_legend, symbol_legend
from ._offline import ClusterAssets, MapInfo
from ._preview import svg_preview
from ._terms import EMBEDDED_REPORTS
from .profile import profile_popup

__all__ = ["gap_map", "GAP_COLUMNS", "top_municipalities"]

#: Room the side panel of the top municipalities (about 266 px wide) needs on the left.
PANEL_PX = 290
GAP_COLUMNS = ("gap_score", "gap_rank", "need_class", "presence_class", "gap_drivers")
_CONTEXT = ("poverty_pct", "initiatives", "offices", "nearest_office_km")
#: High-need classes the 3x3 grid cannot show (brecha.gap.GAP_CLASSES) -> their fill, outside the grid.
_SPECIAL = {"state_only": STATE_ONLY_COLOR, "no_report": NO_REPORT_COLOR}


def _presence_text(munis: pd.DataFrame, codes: pd.Series, lang: str) -> list[str | None]:
    """Presence in the tooltip: the class word where reports name the place, else what is missing.

    A place no report names (or only its state) has presence class 1 by
    construction; "baja" would claim a measured low presence.
    """
    evidence = munis["presence_evidence"] if "presence_evidence" in munis.columns else codes
    out: list[str | None] = []
    for cls, code, ev in zip(munis["presence_class"], codes, evidence):
        missing = code if code in _SPECIAL else ev  # the gap class first: the legend and fill follow it
        if missing in _SPECIAL:
            out.append(t(lang, f"presence_{missing}"))
        else:
            out.append(None if pd.isna(cls) else t(lang, f"class_{int(cls)}"))
    return out


def _class_problems(df: pd.DataFrame) -> list[Problem]:
    out = []
    for col in ("need_class", "presence_class"):
        if col not in df:
            continue
        v = pd.to_numeric(df[col], errors="coerce")
        bad = df.loc[df[col].notna() & ~v.isin([1, 2, 3]), col]
        out += [Problem("municipalities", None, col, x, "a class 1, 2 or 3 (or empty)") for x in bad.head(20)]
    return out


def top_municipalities(munis: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """The ``n`` best-ranked municipalities (rank 1 = largest gap), with a point inside each."""
    ranked = munis[pd.to_numeric(munis["gap_rank"], errors="coerce").notna()]
    top = ranked.assign(_r=pd.to_numeric(ranked["gap_rank"])).sort_values(["_r", "cvegeo"]).head(n)
    pts = top.geometry.representative_point()
    return top.drop(columns="_r").assign(lon=pts.x.round(5), lat=pts.y.round(5))


def gap_map(municipalities: gpd.GeoDataFrame, *, top_n: int = 20, state: str | None = None,
            scheme: str = "quantiles", k: int = 5, colors: Palette = "RdPu", legend: str | dict | None = None,
            reports: Sequence[str] = EMBEDDED_REPORTS, lang: str = "es", tiles: bool = True) -> folium.Map:
    """Bivariate need x presence map, gap score, and the ``top_n`` municipalities marked and listed.

    Parameters
    ----------
    municipalities
        The municipal layer with ``gap_score, gap_rank, need_class,
        presence_class, gap_drivers`` (and ``poverty_pct, initiatives,
        offices`` when present, shown in tooltips).
    top_n
        How many municipalities to mark and list (ranked within the view).
    state, scheme, k, lang, tiles
        As in :func:`brecha.maps.presence_map`; ``scheme`` and ``k`` class the gap score.
    colors, legend
        Palette (ColorBrewer name or colours, low to high) and legend title
        (text or ``{"es": ..., "en": ...}``) of the gap score layer.
    reports
        ``source_file`` values of the agency data behind the layer's
        presence, cited in the attribution (default: the embedded reports).

    >>> from brecha import geography
    >>> tlax = geography.municipalities().query("cve_ent == '29'").head(4).assign(
    ...     gap_score=[0.8, 0.6, 0.4, 0.2], gap_rank=[1, 2, 3, 4], need_class=[3, 3, 2, 1],
    ...     presence_class=[1, 2, 2, 3], gap_drivers=["", "", "", ""])
    >>> type(gap_map(tlax, top_n=2)).__name__
    'OfflineMap'
    """
    problems = check_frame(municipalities, "municipalities", MUNI_COLUMNS + GAP_COLUMNS, geometry="polygon")
    if isinstance(municipalities, pd.DataFrame):
        problems += _class_problems(municipalities)
    if not isinstance(top_n, (int, np.integer)) or not 0 <= top_n <= 200:
        problems.append(Problem("<top_n>", None, "top_n", top_n, "a whole number from 0 to 200"))
    check_inputs(problems, lang=lang, scheme=scheme, k=k, colors=colors)
    place = select_state(state)
    munis, _ = prepare_polygons(municipalities, place)
    for col in ("need_class", "presence_class"):
        munis[col] = pd.to_numeric(munis[col], errors="coerce")
    munis["gap_drivers"] = munis["gap_drivers"].map(lambda v: describe_drivers(v, lang))
    context = [c for c in _CONTEXT if c in munis.columns]
    # Words at the edge: the layer stores codes (brecha.gap.GAP_CLASSES, brecha.presence.PRESENCE_EVIDENCE).
    words = [c for c in ("gap_class", "presence_evidence") if c in munis.columns]
    codes = munis["gap_class"] if "gap_class" in munis.columns else pd.Series(None, index=munis.index, dtype=object)
    # Classes the grid cannot show: drawn in the grid's gap colour they would read as known gaps.
    special = {c: (codes == c).to_numpy() for c in _SPECIAL}
    counts = {c: int(v.sum()) for c, v in special.items()}
    munis["presence_text"] = _presence_text(munis, codes, lang)
    if "gap_class" in munis.columns:
        munis["gap_class"] = munis["gap_class"].map(lambda v: describe_gap_class(v, lang))
    if "presence_evidence" in munis.columns:
        munis["presence_evidence"] = munis["presence_evidence"].map(
            lambda v: t(lang, f"evidence_{v}") if v in ("reported", "state_only", "no_report") else v)

    where = place.name if place else t(lang, "mexico")
    title = t(lang, "title_gap")
    m = new_map(munis, lang=lang, tiles=tiles, title=title, subtitle=where, left_px=PANEL_PX if top_n else LEFT_PX)
    popup = profile_popup(m, lang)  # a click says how to get the place's printable profile
    keys = ["gap_rank", "gap_score", "need_class", "presence_class", *context]
    muni_id = add_polygon_data(m, munis, "brecha-muni", keys, lang,
                               text=("name", "state_name", "gap_drivers", "presence_text", *words))
    levels = {str(i): t(lang, f"class_{i}") for i in (1, 2, 3)}

    def tip(emphasis: str) -> dict:
        # Presence in words: "sin reporte" / "solo el estado" where nothing measured it, never "baja".
        rows = [k if k != "presence_class" else "presence_text" for k in keys]
        return tooltip_spec(lang, rows[:2] + words + rows[2:] + ["gap_drivers"], emphasis=emphasis,
                            extra={"need_class": {"map": levels}})

    bivar_note = t(lang, "bivar_note")
    for c in _SPECIAL:  # missing information: the legend says so and how many
        if counts[c]:
            bivar_note += " " + t(lang, f"{c}_note", n=f"{counts[c]:,}")
    bivar = RuntimeLayer("choropleth", {
        "data": muni_id, "key": "cvegeo", "tooltip": tip("gap_rank"), "nodata": NODATA_COLOR, "bins": [], "colors": [],
        "bivar": {"x": "presence_class", "y": "need_class", "colors": [list(r) for r in BIVARIATE_COLORS],
                  "special": [{"field": "gap_class", "value": describe_gap_class(c, lang), "color": color}
                              for c, color in _SPECIAL.items() if counts[c]] or None},
        "popup": popup}, name=t(lang, "layer_bivar"), overlay=False, show=True)
    swatches = [(color, f"{describe_gap_class(c, lang)} ({counts[c]:,})") for c, color in _SPECIAL.items() if counts[c]]
    m.add_child(bivar)
    add_legend(m, bivar, bivariate_legend(t(lang, "layer_bivar"), x_label=t(lang, "presence"),
                                          y_label=t(lang, "need"), low=t(lang, "low"), high=t(lang, "high"),
                                          note=bivar_note,
                                          nodata_label=t(lang, "nodata"), swatches=swatches,
                                          nodata=int(munis[["need_class", "presence_class"]].isna().any(axis=1).sum())),
               "bivariate")
    score_layer, _ = add_choropleth(
        m, data_id=muni_id, values=munis["gap_score"], fld=field(lang, "gap_score"), name=t(lang, "layer_gap_score"),
        lang=lang, palette=colors, scheme=scheme, k=k, tooltip=tip("gap_score"), show=False,
        legend=legend_text(lang, legend), popup=popup)
    choros = [bivar, score_layer]

    top = top_municipalities(munis, top_n)
    extra = []
    if len(top):
        m.add_child(ClusterAssets())
        heading = (t(lang, "layer_top", n=len(top)) if place is None
                   else t(lang, "layer_top_state", n=len(top), state=place.name))
        items = [{"key": r.cvegeo, "rank": int(r.gap_rank), "lat": r.lat, "lon": r.lon} for r in top.itertuples()]
        ranks = RuntimeLayer("rankMarkers", {"data": muni_id, "items": items, "tooltip": tip("gap_rank")},
                             name=heading, overlay=True, show=True)
        m.add_child(ranks)
        sym = ('<span class="brecha-rank" style="display:inline-block;transform:scale(.8)">'
               '<span>#1</span></span>')
        group = ('<span class="brecha-rank brecha-rank-cluster" style="display:inline-block;transform:scale(.6)">'
                 '<span>3</span></span>')
        add_legend(m, ranks, symbol_legend(heading, [(sym, t(lang, "panel")), (group, t(lang, "rank_group"))]),
                   "top")
        score = field(lang, "gap_score")
        panel = {"data": muni_id, "title": heading, "items": [
            {"key": r.cvegeo, "rank": int(r.gap_rank), "label": f"{r.name}, {r.state_name}",
             "value": "" if pd.isna(r.gap_score) else f"{r.gap_score:,.{score.decimals}f}"} for r in top.itertuples()]}
        extra.append(RuntimeCall("panel", script_json(panel), js_list(choros)))

    fill = np.select([special[c] for c in _SPECIAL], list(_SPECIAL.values()), default="")
    colors = [str(f) if f else NODATA_COLOR if pd.isna(n) or pd.isna(p) else BIVARIATE_COLORS[int(n) - 1][int(p) - 1]
              for n, p, f in zip(munis["need_class"], munis["presence_class"], fill)]
    info = MapInfo("gap", f"{title} — {where}", t(lang, "summary_gap", n=len(top)), lang,
                   svg_preview(munis, colors, title=title))
    return finish(m, lang=lang, info=info, search_data=muni_id, search_layers=choros, extra=extra, reports=reports)
