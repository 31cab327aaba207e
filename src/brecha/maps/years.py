"""Years side by side: presence and gap as each report year tells them, one year at a time.

It reads :func:`brecha.scenario.by_year`'s table (one row per municipality
and report year) and, optionally, :func:`brecha.scenario.year_change`'s
change table between two of its years; it computes nothing. Each year is a
radio button of the layer control (one choropleth per year, all with the
same classes so a colour means the same in every year) and the change is
one more: places moved in the gap ranking between the two years, with
diverging classes centred on "no move" (:func:`brecha.maps.change.move_classes`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from ..errors import Problem
from ._base import (
    MUNI_COLUMNS,
    add_legend,
    check_frame,
    check_inputs,
    finish,
    legend_text,
    new_map,
    prepare_polygons,
    select_state,
)
from ._classify import Classes, Palette, classify, palette_colors
from ._i18n import field, t
from ._layers import RuntimeLayer, add_data
from ._legend import class_legend
from ._offline import MapInfo
from ._payload import block
from ._preview import svg_preview
from .change import add_move_layer, changed_words, pair_columns, pair_rows

__all__ = ["years_map", "YEAR_CHOICES", "TIP_COLUMNS"]

#: Columns a years map can colour: the presence class (low, medium, high) or a count or score.
YEAR_CHOICES = ("presence_class", "initiatives", "agencies", "offices", "presence_score", "gap_score")
#: Columns shown in each year's tooltip, when the table has them.
TIP_COLUMNS = ("presence_class", "presence_evidence", "initiatives", "initiatives_state_scope", "agencies", "offices",
               "gap_rank", "gap_class")
#: Counts: zero is its own class ("nothing reported that year").
_COUNTS = ("initiatives", "agencies", "offices")
#: Default palettes: ColorBrewer YlGnBu for presence (as the presence map), RdPu for the gap score (as the gap map).
_PALETTES = {"gap_score": "RdPu"}
_TEXT = ("presence_evidence", "gap_class")
#: Columns the change view shows before and after.
_CHANGE_PAIRS = ("gap_rank", "gap_class", "presence_class", "presence_evidence", "initiatives", "offices")


def _class_classes(values: pd.Series, lang: str, colors: Palette) -> Classes:
    """The presence class 1..3 as three named classes (low, medium, high)."""
    v = pd.to_numeric(values, errors="coerce")
    counts = tuple(int((v == i).sum()) for i in (1, 2, 3))
    return Classes((1.0, 2.0, 3.0), tuple(palette_colors(colors, 3)), tuple(t(lang, f"class_{i}") for i in (1, 2, 3)),
                   counts, False, "classes", 3, int(v.isna().sum()))


def _wide(table: pd.DataFrame, years: Sequence[int], columns: Sequence[str]) -> gpd.GeoDataFrame:
    """One row per municipality: ``<column>_<year>`` for each year (a reshape, not a computation)."""
    first = table.loc[table["year"] == years[0]]
    base = first[list(MUNI_COLUMNS)].set_index("cvegeo")
    parts = [base]
    for y in years:
        one = table.loc[table["year"] == y].set_index("cvegeo")[list(columns)]
        parts.append(one.add_suffix(f"_{y}"))
    out = pd.concat(parts, axis=1).reset_index()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=table.crs)


def _problems(table, column: str, change) -> list[Problem]:
    out = check_frame(table, "table", MUNI_COLUMNS + ("year", column), geometry="polygon")
    if column not in YEAR_CHOICES:
        out.append(Problem("<column>", None, "column", column, f"one of {list(YEAR_CHOICES)}"))
    if not out and table.duplicated(["cvegeo", "year"]).any():
        dup = table.loc[table.duplicated(["cvegeo", "year"]), ["cvegeo", "year"]].iloc[0].tolist()
        out.append(Problem("table", None, "cvegeo, year", dup, "one row per municipality and year (by_year's table)"))
    if change is not None:
        out += check_frame(change, "change", ("cvegeo", "rank_move", "changed_columns"))
    return out


def years_map(table: gpd.GeoDataFrame, change: pd.DataFrame | None = None, *,
              change_years: tuple[int, int] | None = None, column: str = "presence_class", state: str | None = None,
              scheme: str = "quantiles", k: int = 5, colors: Palette | None = None, legend: str | dict | None = None,
              lang: str = "es", tiles: bool = True) -> folium.Map:
    """One choropleth per report year, switched in the layer control, and the change between two years.

    Parameters
    ----------
    table
        :func:`brecha.scenario.by_year`'s table: ``cvegeo, year, cve_ent,
        name, state_name, geometry`` and ``column``; the tooltip also shows
        :data:`TIP_COLUMNS` present (evidence and gap class in words).
    change
        :func:`brecha.scenario.year_change`'s table between two of the years
        (``cvegeo, rank_move, changed_columns, gap_rank_before, gap_rank_after``);
        None: no change view.
    change_years
        The two years ``change`` compares, for its name (default the first and last year).
    column
        What each year colours: one of :data:`YEAR_CHOICES`; the presence
        class (1 low .. 3 high) by default.
    scheme, k
        Classes of a numeric ``column``, computed once over every year so a
        colour means the same in each; counts put zero in a class of its own.
    colors, legend
        Palette (ColorBrewer name or colours, low to high) and legend title
        (text or ``{"es": ..., "en": ...}``) of the year layers.
    state, lang, tiles
        As in :func:`brecha.maps.presence_map`.

    >>> from brecha import geography
    >>> ags = geography.municipalities().query("cve_ent == '01'").head(3)
    >>> table = pd.concat([ags.assign(year=2020, presence_class=[1, 2, 3]),
    ...                    ags.assign(year=2023, presence_class=[3, 1, 1])], ignore_index=True)
    >>> type(years_map(table, tiles=False)).__name__
    'OfflineMap'
    """
    check_inputs(_problems(table, column, change), lang=lang, scheme=scheme, k=k, colors=colors)
    years = sorted(int(y) for y in pd.unique(table["year"]))
    tips = [c for c in dict.fromkeys((column, *TIP_COLUMNS)) if c in table.columns]
    place = select_state(state)
    wide, _ = prepare_polygons(_wide(table, years, tips), place)
    pooled = pd.concat([wide[f"{column}_{y}"] for y in years], ignore_index=True)
    palette = colors if colors is not None else _PALETTES.get(column, "YlGnBu")
    fld = field(lang, column)
    if column == "presence_class":
        classes = _class_classes(pooled, lang, palette)
    else:
        classes = classify(pooled, scheme=scheme, k=k, palette=palette, decimals=fld.decimals,
                           zero_class=column in _COUNTS)
    for y in years:
        for c in _TEXT:
            col = f"{c}_{y}"
            if col in wide.columns:
                wide[col] = _words(wide[col], c, lang)

    spec: dict[str, int | None] = {"cvegeo": None, "name": None, "state_name": None}
    for y in years:
        spec.update({f"{c}_{y}": None if c in _TEXT else field(lang, c).decimals for c in tips})
    text = [c for c in spec if c.rsplit("_", 1)[0] in _TEXT]
    before, after = change_years or (years[0], years[-1])
    if change is not None:
        moves = pd.DataFrame(change).set_index("cvegeo")
        moves = pd.concat([moves[["rank_move", "changed_columns"]], pair_columns(moves, lang, _CHANGE_PAIRS)], axis=1)
        moves["changed_columns"] = moves["changed_columns"].map(lambda v: changed_words(v, lang))
        for c in moves.columns:
            wide[c] = wide["cvegeo"].map(moves[c])
            spec[c] = 0 if c == "rank_move" else None
            text += [] if c == "rank_move" else [c]

    where = place.name if place else t(lang, "mexico")
    label = legend_text(lang, legend) or fld.label
    title = t(lang, "title_years", label=label)
    m = new_map(wide, lang=lang, tiles=tiles, title=title, subtitle=where)
    data_id = add_data(m, "brecha-years", block(wide, spec, key="cvegeo", dict_fields=["state_name", *text],
                                                geometry=True))
    layers = []
    for i, y in enumerate(years):
        name = t(lang, "layer_year", year=y, label=label)
        rows = [dataclasses.replace(field(lang, c), key=f"{c}_{y}").spec(**({"em": True} if c == column else {}))
                for c in tips]
        if column == "presence_class":  # the class as a word, as in the legend
            rows[0]["map"] = {str(i): t(lang, f"class_{i}") for i in (1, 2, 3)}
        tip = {"title": "name", "sub": "state_name", "rows": rows}
        options = {"data": data_id, "field": f"{column}_{y}", "key": "cvegeo", "tooltip": tip, **classes.runtime()}
        layer = RuntimeLayer("choropleth", options, name=name, overlay=False, show=i == len(years) - 1)
        m.add_child(layer)
        reported = int((table.loc[table["year"] == y, "presence_evidence"] == "reported").sum()) \
            if "presence_evidence" in table.columns else None
        notes = [t(lang, "years_note")] + ([t(lang, "years_reported", year=y, n=f"{reported:,}")]
                                           if reported is not None else [])
        html = class_legend(name, classes, nodata_label=t(lang, "nodata"), unit=fld.unit or fld.legend_unit,
                            extra_notes=notes)
        add_legend(m, layer, html, f"{data_id}:{y}")
        layers.append(layer)
    if change is not None and "rank_move" in wide.columns:
        pairs = [c for c in spec if c.endswith("_pair")]
        rows = [field(lang, "rank_move").spec(em=True), *pair_rows(pairs, lang), field(lang, "changed_columns").spec()]
        tip = {"title": "name", "sub": "state_name", "rows": rows}
        move, _ = add_move_layer(m, data_id=data_id, values=wide["rank_move"], lang=lang, tooltip=tip, show=False,
                                 name=t(lang, "layer_year_change", before=before, after=after),
                                 notes=[t(lang, "years_note")])
        layers.append(move)

    last = f"{column}_{years[-1]}"
    summary = t(lang, "summary_years", label=label, years=", ".join(str(y) for y in years))
    info = MapInfo("years", f"{title} — {where}", summary, lang,
                   svg_preview(wide, classes.colors_of(wide[last]), title=title))
    return finish(m, lang=lang, info=info, search_data=data_id, search_layers=layers)


def _words(values: pd.Series, column: str, lang: str) -> pd.Series:
    """Evidence and gap-class codes in ``lang`` (the table stores codes; words are rendered here)."""
    if column == "gap_class":
        from ..gap import describe_gap_class

        return values.map(lambda v: describe_gap_class(v, lang) if isinstance(v, str) else v)
    return values.map(lambda v: t(lang, f"evidence_{v}") if v in ("reported", "state_only", "no_report") else v)

