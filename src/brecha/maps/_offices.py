"""Agency offices as clustered markers: one symbol (shape and colour) per agency.

Used by the presence and reach maps. Popups carry the report's own words
(``source_quote``), shown as text. An agency keeps its symbol in every view
(national or one state): symbols are dealt from the whole office table, not
from the offices a view shows.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from ._base import add_legend
from ._i18n import t
from ._layers import RuntimeLayer, add_data
from ._legend import SHAPES, shape_svg, symbol_legend
from ._offline import ClusterAssets
from ._payload import block
from ._terms import agency_name, report_name, term
from ..presence import select_offices

__all__ = ["OFFICE_COLUMNS", "AGENCY_COLORS", "office_points", "agency_symbols", "add_office_layer", "year_text"]

OFFICE_COLUMNS = ("agency", "office_type", "city", "state", "status", "year_reported", "source_file",
                  "source_quote", "cvegeo")
#: Tableau 10, colour-blind aware; with 4 shapes it gives 20 distinct agency symbols.
AGENCY_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#7f7f7f")
OTHER_COLOR = "#bab0ac"
#: Prefix of the symbol key of a planned office (drawn hollow).
PLANNED = "planned:"
_STATUSES = ("existing", "planned", "expanding", "renovated", "closed")


def year_text(s: pd.Series) -> pd.Series:
    """Years as text ("2020", not "2,020"); missing stays None."""
    num = pd.to_numeric(s, errors="coerce")
    return num.map(lambda v: None if pd.isna(v) else str(int(v))).astype(object)


def counted_offices(offices: pd.DataFrame) -> pd.DataFrame:
    """The offices the analysis counts as presence (:func:`brecha.presence.select_offices`:
    planned and closed offices are left out), same rows and columns as ``offices``.

    Offices without a ``status`` column are all counted (points given by hand).
    """
    if "status" not in offices.columns:
        return offices
    # select_offices checks the columns of the full office table; the maps need fewer.
    frame = offices.assign(**{c: None for c in ("office_id", "agency", "cve_ent", "cvegeo")
                              if c not in offices.columns})
    return offices.loc[select_offices(frame).index]


def office_points(offices: gpd.GeoDataFrame, ent: str | None, lang: str) -> tuple[gpd.GeoDataFrame, int]:
    """Offices to draw (of state ``ent`` when given), statuses translated; and how many counted ones have no point.

    The offices :func:`counted_offices` keeps are drawn with their agency's
    symbol; planned offices with a point too, hollow (column ``planned``);
    closed ones not at all.
    """
    off = offices.to_crs(4326) if offices.crs is not None and offices.crs.to_epsg() != 4326 else offices
    if ent is not None:
        off_ent = off["cve_ent"] if "cve_ent" in off else off["cvegeo"].astype(str).str[:2]
        off = off[off_ent.astype(str) == ent]
    placed = off.geometry.notna() & ~off.geometry.is_empty
    counted = off.index.isin(counted_offices(off).index)
    planned = (off["status"].astype(str).str.strip().str.lower() == "planned").to_numpy()
    pts = off[placed & (counted | planned)].copy()
    pts["agency"] = pts["agency"].map(lambda a: agency_name(lang, a))
    pts["planned"] = ~pts.index.isin(counted_offices(pts).index)
    pts["symbol"] = [f"{PLANNED}{a}" if p else a for a, p in zip(pts["agency"].astype(str), pts["planned"])]
    pts["status"] = pts["status"].map(lambda s: t(lang, f"status_{s}") if s in _STATUSES else s)
    pts["office_type"] = pts["office_type"].map(lambda s: term(lang, s))
    pts["source_file"] = pts["source_file"].map(lambda f: _source_label(lang, f))
    pts["source_quote"] = pts["source_quote"].map(_quote_text)
    pts["year_reported"] = year_text(pts["year_reported"])
    return pts, int((~placed & counted).sum())


def _source_label(lang: str, source_file):
    """``"UNICEF 2023"`` for a known report (not its internal file name), the file name otherwise."""
    name = report_name(lang, source_file)
    return source_file if name is None else name


def _quote_text(quote):
    """A quote that is a table row ("Oaxaca\tOaxaca\tUNDP") with its cells joined by " · "."""
    if not isinstance(quote, str) or "\t" not in quote:
        return quote
    return " · ".join(c.strip() for c in quote.split("\t") if c.strip())


def agency_symbols(agencies: pd.Series) -> dict[str, str]:
    """One symbol per agency of ``agencies`` (give the whole office table's), the most frequent first.

    Key ``""`` is the symbol of every agency beyond 20.
    """
    return {a: svg for a, (svg, _) in _symbol_pairs(agencies).items()}


def _symbol_pairs(agencies: pd.Series) -> dict[str, tuple[str, str]]:
    """Per agency (as :func:`agency_symbols`) its filled and its hollow symbol."""
    counts = agencies.dropna().astype(str).value_counts()
    order = sorted(counts.index, key=lambda a: (-counts[a], a))
    looks = {a: (SHAPES[i % len(SHAPES)], AGENCY_COLORS[i % len(AGENCY_COLORS)])
             for i, a in enumerate(order[: len(AGENCY_COLORS) * 2])}
    looks[""] = ("circle", OTHER_COLOR)
    return {a: (shape_svg(sh, c), shape_svg(sh, c, hollow=True)) for a, (sh, c) in looks.items()}


def add_office_layer(m: folium.Map, pts: gpd.GeoDataFrame, *, lang: str, unplaced: int, all_agencies: pd.Series,
                     show: bool = True) -> RuntimeLayer:
    """Clustered office markers with popups, a layer-control entry and their legend.

    ``all_agencies`` (the agency column of every office, in any view) fixes
    each agency's symbol; the legend lists the agencies of ``pts``.
    """
    m.add_child(ClusterAssets())
    shown = set(pts["agency"].dropna().astype(str))
    pairs = _symbol_pairs(all_agencies.map(lambda a: agency_name(lang, a)))
    symbols = {a: svg for a, (svg, _) in pairs.items() if a in shown or a == ""}
    styles = {a: {"html": svg} for a, svg in symbols.items()}
    styles.update({f"{PLANNED}{a}": {"html": hollow} for a, (_, hollow) in pairs.items() if a in shown})
    styles[PLANNED] = {"html": pairs[""][1]}
    fields = {c: None for c in ("agency", "symbol", "office_type", "status", "year_reported", "city", "state",
                                "source_file", "source_quote")}
    pts = pts.assign(symbol=[k if k in styles else PLANNED if k.startswith(PLANNED) else "" for k in pts["symbol"]])
    data = block(pts, fields, dict_fields=["agency", "symbol", "office_type", "status", "source_file", "state"],
                 points=True)
    off_id = add_data(m, "brecha-offices", data)
    popup = {"title": "agency", "rows": [{"k": c, "l": t(lang, c)} for c in
                                         ("office_type", "status", "year_reported", "city")]
             + [{"k": "state", "l": t(lang, "state")}, {"k": "source_quote", "l": t(lang, "source_quote"), "q": True},
                {"k": "source_file", "l": t(lang, "source_file")}]}
    layer = RuntimeLayer("points", {"data": off_id, "cat": "symbol", "styles": styles, "popup": popup,
                                    "tooltip": "agency", "cluster": True},
                         name=t(lang, "layer_offices"), overlay=True, show=show)
    m.add_child(layer)
    entries = [(svg, a) for a, svg in symbols.items() if a]
    if len(entries) < len(shown):
        entries.append((symbols[""], t(lang, "other_agencies")))
    if pts["planned"].any():
        entries.append((pairs[""][1], t(lang, "planned_office")))
    notes = [t(lang, "unplaced", n=unplaced)] if unplaced else []
    add_legend(m, layer, symbol_legend(t(lang, "layer_offices"), entries, notes=notes), "offices")
    return layer
