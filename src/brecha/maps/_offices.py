"""Agency offices as clustered markers: one marker per office site, one fixed symbol per agency.

Used by the presence and reach maps. An office reported in several years
(the same ``site_id``: same agency, municipality and office type) is one
marker listing its years, as :mod:`brecha.presence` counts it once. Its
symbol (shape and colour) comes from the canonical agency list
(:mod:`brecha.maps._agencies`), so it is the same in every view and for
every input file. Popups carry the report's own words (``source_quote``),
shown as text, and the location's precision.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from ..presence import select_offices
from ._agencies import AGENCY_COLORS, OTHER_COLOR, agency_entry, agency_key, catalog_entries
from ._base import add_legend
from ._i18n import t
from ._layers import RuntimeLayer, add_data
from ._legend import shape_svg, symbol_legend
from ._offline import ClusterAssets
from ._payload import block
from ._terms import report_name, term

__all__ = ["OFFICE_COLUMNS", "AGENCY_COLORS", "office_points", "agency_symbols", "add_office_layer", "year_text",
           "counted_offices", "PRECISION_WORDS"]

OFFICE_COLUMNS = ("agency", "office_type", "city", "state", "status", "year_reported", "source_file",
                  "source_quote", "cvegeo")
#: Prefix of the symbol key of a planned office (drawn hollow).
PLANNED = "planned:"
_STATUSES = ("existing", "planned", "expanding", "renovated", "closed")
#: Location precision (brecha.sources.agencies.PRECISION) in words, (es, en).
PRECISION_WORDS = {"point": ("punto o localidad", "point or locality"), "municipality": ("municipio", "municipality"),
                   "state": ("solo el estado", "state only"),
                   "unnamed": ("sub-nacional, lugar no nombrado", "sub-national, place not named"),
                   "national": ("nacional", "national")}


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


def _joined(values) -> str | None:
    out = list(dict.fromkeys(str(v) for v in values if v is not None and not (isinstance(v, float) and v != v)))
    return " | ".join(out) if out else None


def _sites(pts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per office site (``site_id``; each row its own site without it): years and quotes joined."""
    site = pts["site_id"] if "site_id" in pts else pd.Series(range(len(pts)), index=pts.index).astype(str)
    pts = pts.assign(_site=site.astype(str).to_numpy(), _year=pd.to_numeric(pts["year_reported"], errors="coerce"))
    rows = []
    for _, g in pts.sort_values("_year").groupby("_site", sort=False):
        first = g.iloc[-1].copy()  # the latest report speaks for the site's status and type
        years = sorted({int(y) for y in g["_year"].dropna()})
        first["year_reported"] = ", ".join(str(y) for y in years) or None
        first["years"] = ";".join(str(y) for y in years)
        first["source_quote"] = _joined(g["source_quote"])
        first["source_file"] = _joined(g["source_file"])
        first["planned"] = bool(g["planned"].all())  # planned only while no report says it exists
        rows.append(first)
    if rows:
        out = gpd.GeoDataFrame(rows, geometry=pts.geometry.name, crs=pts.crs)
    else:  # a state with no office: the same columns, no rows
        out = pts.iloc[0:0].assign(years=pd.Series(dtype=object), planned=pd.Series(dtype=bool))
    return out.drop(columns=["_site", "_year"], errors="ignore")


def office_points(offices: gpd.GeoDataFrame, ent: str | None, lang: str) -> tuple[gpd.GeoDataFrame, int]:
    """Office sites to draw (of state ``ent`` when given), texts in ``lang``; and how many counted sites have no point.

    The sites :func:`counted_offices` keeps are drawn with their agency's
    symbol; planned sites with a point too, hollow (column ``planned``);
    closed ones not at all. ``agency_key`` is the catalogue acronym.
    """
    off = offices.to_crs(4326) if offices.crs is not None and offices.crs.to_epsg() != 4326 else offices
    if ent is not None:
        off_ent = off["cve_ent"] if "cve_ent" in off else off["cvegeo"].astype(str).str[:2]
        off = off[off_ent.astype(str) == ent]
    placed = off.geometry.notna() & ~off.geometry.is_empty
    counted = off.index.isin(counted_offices(off).index)
    planned = (off["status"].astype(str).str.strip().str.lower().isin(("planned", "expanding"))).to_numpy()
    site = off["site_id"].astype(str) if "site_id" in off else pd.Series(off.index.astype(str), index=off.index)
    unplaced = int(site[~placed & counted].nunique())
    pts = off[placed & (counted | planned)].copy()
    pts["planned"] = ~pts.index.isin(counted_offices(pts).index)
    pts = _sites(pts)
    if pts.empty:
        return pts.assign(agency_key=[], symbol=[], planned=[]), unplaced
    pts["agency_key"] = pts["agency"].map(agency_key)
    pts["agency"] = pts["agency_key"].map(lambda a: agency_entry(lang, a)["label"] if a else None)
    pts["symbol"] = [f"{PLANNED}{a}" if p else a for a, p in zip(pts["agency_key"].astype(str), pts["planned"])]
    pts["status"] = pts["status"].map(lambda s: t(lang, f"status_{s}") if s in _STATUSES else s)
    pts["office_type"] = pts["office_type"].map(lambda s: term(lang, s))
    pts["source_file"] = pts["source_file"].map(lambda f: _source_label(lang, f))
    pts["source_quote"] = pts["source_quote"].map(_quote_text)
    i = 0 if lang == "es" else 1
    prec = pts["precision"] if "precision" in pts else pd.Series(None, index=pts.index, dtype=object)
    pts["precision"] = prec.map(lambda p: PRECISION_WORDS[p][i] if p in PRECISION_WORDS else None)
    return pts, unplaced


def _source_label(lang: str, source_file):
    """``"UNICEF 2023"`` for each known report (not its internal file name), file names otherwise."""
    if not isinstance(source_file, str):
        return source_file
    names = [report_name(lang, f) or f for f in source_file.split(" | ")]
    return ", ".join(dict.fromkeys(names))


def _quote_text(quote):
    """A quote that is a table row ("Oaxaca\tOaxaca\tUNDP") with its cells joined by " · "."""
    if not isinstance(quote, str) or "\t" not in quote:
        return quote
    return " · ".join(c.strip() for c in quote.split("\t") if c.strip())


def agency_symbols(agencies: pd.Series) -> dict[str, str]:
    """The filled symbol (SVG) of each agency of ``agencies``, by catalogue acronym; key ``""``: any other agency."""
    out = {e["key"]: e["svg"] for e in catalog_entries("en", agencies.dropna()) if e["known"]}
    out[""] = shape_svg("circle", OTHER_COLOR)
    return out


def add_office_layer(m: folium.Map, pts: gpd.GeoDataFrame, *, lang: str, unplaced: int,
                     show: bool = True) -> RuntimeLayer:
    """Clustered office markers with popups, a layer-control entry and their legend.

    Symbols come from the canonical agency list; the legend lists the agencies of ``pts``.
    """
    m.add_child(ClusterAssets())
    entries = catalog_entries(lang, pts["agency_key"]) if len(pts) else []
    known = [e for e in entries if e["known"]]
    styles = {e["key"]: {"html": e["svg"]} for e in known}
    styles.update({f"{PLANNED}{e['key']}": {"html": e["hollow"]} for e in known})
    other, other_hollow = shape_svg("circle", OTHER_COLOR), shape_svg("circle", OTHER_COLOR, hollow=True)
    styles[""], styles[PLANNED] = {"html": other}, {"html": other_hollow}
    fields = {c: None for c in ("agency", "agency_key", "symbol", "office_type", "status", "year_reported", "years",
                                "city", "state", "precision", "source_file", "source_quote")}
    pts = pts.assign(symbol=[k if k in styles else PLANNED if k.startswith(PLANNED) else "" for k in pts["symbol"]])
    data = block(pts, fields, dict_fields=["agency", "agency_key", "symbol", "office_type", "status", "source_file",
                                           "state", "precision"], points=True)
    off_id = add_data(m, "brecha-offices", data)
    popup = {"title": "agency", "rows": [{"k": c, "l": t(lang, c)} for c in
                                         ("office_type", "status", "year_reported", "city")]
             + [{"k": "state", "l": t(lang, "state")},
                {"k": "precision", "l": "Precisión" if lang == "es" else "Precision"},
                {"k": "source_quote", "l": t(lang, "source_quote"), "q": True},
                {"k": "source_file", "l": t(lang, "source_file")}]}
    layer = RuntimeLayer("points", {"data": off_id, "cat": "symbol", "styles": styles, "popup": popup,
                                    "tooltip": "agency", "cluster": True},
                         name=t(lang, "layer_offices"), overlay=True, show=show)
    m.add_child(layer)
    i = 0 if lang == "es" else 1
    rows = [(e["svg"], e["label"] + ("" if e["kind"] in ("agencia de la ONU", "UN agency") else f" ({e['kind']})"))
            for e in known]
    unknown = [e["label"] for e in entries if not e["known"]]
    if unknown:  # agencies outside the catalogue share the grey symbol; the legend names them
        rows.append((other, f"{t(lang, 'other_agencies')}: {', '.join(unknown)}"))
    if pts["planned"].any():
        rows.append((other_hollow, t(lang, "planned_office")))
    notes = [t(lang, "unplaced", n=unplaced)] if unplaced else []
    notes.append(("Un marcador por sitio: la misma oficina reportada en varios años cuenta una vez.",
                  "One marker per site: the same office reported in several years counts once.")[i])
    add_legend(m, layer, symbol_legend(t(lang, "layer_offices"), rows, notes=notes), "offices")
    return layer
