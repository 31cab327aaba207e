"""The change map: how far each municipality moved in the gap ranking, and why.

It reads the columns of a change table (:func:`brecha.change.compare_layers`)
and the list of inputs that differ (:func:`brecha.change.input_changes`); it
computes nothing. ``rank_move`` is diverging and centred on 0, so its
classes are too (:func:`move_classes`): one neutral class for "no move",
blue for places moved down the ranking (less urgent), red for places moved
up (more urgent), the same bounds on both sides. A figure can change
without the rank moving (an office opened where the gap rank stays), so
every changed municipality whose rank did not move is outlined.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from ._base import (
    MUNI_COLUMNS,
    add_legend,
    check_frame,
    check_inputs,
    finish,
    new_map,
    prepare_polygons,
    select_state,
)
from ._classify import Classes
from ._i18n import field, t
from ._layers import RuntimeLayer, add_data
from ._legend import class_legend, symbol_legend
from ._offline import MapInfo
from ._payload import block
from ._preview import svg_preview

__all__ = ["change_map", "move_classes", "changed_words", "why_notes", "add_move_layer", "pair_columns", "pair_rows",
           "MOVE_COLORS"]

#: ColorBrewer RdBu reversed: blue moved down (less urgent), white did not move, red moved up (more urgent).
MOVE_COLORS = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")
#: Columns shown before and after in the tooltip, when the table has them.
_PAIRS = ("gap_rank", "gap_class", "presence_class", "presence_evidence", "initiatives", "offices",
          "nearest_office_km")
#: Outline of the municipalities with some figure changed (drawn over the move colours, no fill, no mouse events).
OUTLINE_STYLE = {"color": "#111111", "weight": 1.6, "opacity": 0.9, "fill": False}
#: Change-table columns with codes that read as words (brecha.gap.GAP_CLASSES, brecha.presence.PRESENCE_EVIDENCE).
_CODES = {"presence_evidence": "evidence_"}


def move_classes(values: Sequence[float] | pd.Series, lang: str) -> Classes:
    """Diverging classes of a rank move (places; positive = up the ranking), symmetric around 0.

    Zero is its own neutral class. The moves are split at ``T``, the median
    size of the non-zero moves (at least 1): "down T+1 or more", "down
    1–T", "no move", "up 1–T", "up T+1 or more"; when no move exceeds ``T``
    the two outer classes are dropped. Missing moves (no rank before or
    after) are "no data".

    >>> c = move_classes([-30, -2, 0, 0, 1, 3, 50, None], "en")
    >>> c.bins, c.labels[2], c.labels[4]
    ((-4.0, -1.0, 0.0, 3.0, 50.0), 'no move', 'up 4+ places (more urgent)')
    >>> c.colors_of([-30, 0, 2, None])[:3] == ["#2166ac", "#f7f7f7", "#f4a582"]
    True
    """
    y = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").astype(float).to_numpy()
    valid = y[np.isfinite(y)]
    nodata = int(len(y) - len(valid))
    moved = np.abs(valid[valid != 0])
    if not len(moved):
        return Classes((0.0,), (MOVE_COLORS[2],), (t(lang, "move_none"),), (int(len(valid)),), False, "diverging",
                       1, nodata)
    top = float(np.ceil(moved.max()))
    cut = max(1.0, float(np.round(np.median(moved))))
    n = int(cut)
    down = t(lang, "move_down_one") if n == 1 else t(lang, "move_down", a=1, b=n)
    up = t(lang, "move_up_one") if n == 1 else t(lang, "move_up", a=1, b=n)
    if top <= cut:  # every move is within the inner classes
        bins: tuple[float, ...] = (-1.0, 0.0, top)
        colors: tuple[str, ...] = (MOVE_COLORS[1], MOVE_COLORS[2], MOVE_COLORS[3])
        labels: tuple[str, ...] = (down, t(lang, "move_none"), up)
    else:
        bins = (-(cut + 1), -1.0, 0.0, cut, top)
        colors = MOVE_COLORS
        labels = (t(lang, "move_down_many", n=n + 1), down, t(lang, "move_none"), up,
                  t(lang, "move_up_many", n=n + 1))
    edges = (-np.inf, *bins)
    counts = tuple(int(((valid > lo) & (valid <= hi)).sum()) for lo, hi in zip(edges[:-1], edges[1:]))
    return Classes(tuple(float(b) for b in bins), tuple(colors), labels, counts, False, "diverging", len(bins), nodata)


def changed_words(value: object, lang: str) -> str:
    """``changed_columns`` ("initiatives;gap_rank") as the map's labels ("Iniciativas, Lugar en la brecha")."""
    if not isinstance(value, str) or not value:
        return t(lang, "nothing_changed")
    return ", ".join(field(lang, c).label for c in value.split(";") if c)


def why_notes(inputs: pd.DataFrame | None, lang: str, *, most: int = 6) -> list[str]:
    """One line per differing input, setting or code version (``what, name, before, after``), in ``lang``."""
    if inputs is None or len(inputs) == 0:
        return [t(lang, "why_same")]
    notes = []
    for r in inputs.head(most).itertuples():
        before, after = getattr(r, "before", "") or "", getattr(r, "after", "") or ""
        key = {"input": "why_input", "setting": "why_setting", "code": "why_code"}.get(str(r.what))
        if key is None:  # a scenario's own change ("9 offices opened"): named as it is
            key = "why_other" if before else "why_other_new"
        notes.append(t(lang, key, name=r.name, before=before or "—", after=after or "—"))
    if len(inputs) > most:
        notes.append(t(lang, "why_more", n=len(inputs) - most))
    return notes


def add_move_layer(m: folium.Map, *, data_id: str, values: pd.Series, lang: str, name: str, tooltip: dict,
                   show: bool, notes: Sequence[str] = (), field_key: str = "rank_move",
                   control: bool = True) -> tuple[RuntimeLayer, Classes]:
    """A choropleth of a rank move with :func:`move_classes` and its legend (shown while the layer is)."""
    classes = move_classes(values, lang)
    options = {"data": data_id, "field": field_key, "key": "cvegeo", "tooltip": tooltip, **classes.runtime()}
    layer = RuntimeLayer("choropleth", options, name=name, overlay=False, show=show, control=control)
    m.add_child(layer)
    html = class_legend(name, classes, nodata_label=t(lang, "nodata"), extra_notes=(t(lang, "move_note"), *notes))
    add_legend(m, layer, html, f"{data_id}:{field_key}")
    return layer, classes


def _word(base: str, v: object, lang: str) -> str:
    """One before or after value as the tooltip shows it (classes and evidence in words, numbers grouped)."""
    from ..gap import describe_gap_class

    if v is None or v is pd.NA or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    if base == "gap_class":
        return str(describe_gap_class(v, lang))
    if base in _CODES:
        return t(lang, f"{_CODES[base]}{v}")
    if base == "presence_class" and isinstance(v, (int, float, np.integer, np.floating)) and float(v) in (1, 2, 3):
        return t(lang, f"class_{int(v)}")
    if isinstance(v, (int, float, np.integer, np.floating)):
        fld = field(lang, base)
        return f"{float(v):,.{fld.decimals}f}{fld.unit}"
    return str(v)


def pair_columns(change: pd.DataFrame, lang: str, bases: Sequence[str] = _PAIRS) -> pd.DataFrame:
    """``<base>_pair`` text columns, "before → after" (one value when equal), for each base the table compares."""
    out = {}
    for base in bases:
        b, a = f"{base}_before", f"{base}_after"
        if b in change.columns and a in change.columns:
            words = [(_word(base, x, lang), _word(base, y, lang)) for x, y in zip(change[b], change[a])]
            out[f"{base}_pair"] = [x if x == y else f"{x} → {y}" for x, y in words]
    return pd.DataFrame(out, index=change.index)


def pair_rows(pairs: Sequence[str], lang: str) -> list[dict]:
    """Tooltip rows of :func:`pair_columns`' columns, labelled by their column; the first says "before → after"."""
    rows = []
    for i, c in enumerate(pairs):
        base = c[: -len("_pair")]
        label = field(lang, base).label + (f" ({t(lang, 'side_before')} → {t(lang, 'side_after')})" if i == 0 else "")
        rows.append({"k": c, "l": label, "u": "", "d": 0})
    return rows


def change_map(change: gpd.GeoDataFrame, inputs: pd.DataFrame | None = None, *, state: str | None = None,
               lang: str = "es", tiles: bool = True) -> folium.Map:
    """An offline map of ``rank_move``: red moved up the gap ranking (more urgent), blue down, white stayed.

    A municipality with some figure changed but the same rank is outlined; every tooltip
    gives each compared figure "before → after" and what changed in words.

    Parameters
    ----------
    change
        A municipal change table with geometry (:func:`brecha.change.compare_layers`):
        ``cvegeo, cve_ent, name, state_name, changed, changed_columns,
        rank_move`` (places, positive = towards rank 1) and, when present,
        ``<column>_before`` / ``<column>_after`` of the gap rank, gap class,
        presence class, initiatives, offices and distance to an office (tooltip).
    inputs
        The differing inputs, settings and code (``what, name, before,
        after``; :func:`brecha.change.input_changes`), listed in the legend.
    state, lang, tiles
        As in :func:`brecha.maps.presence_map`.

    >>> from brecha import geography
    >>> ch = geography.municipalities().query("cve_ent == '01'").head(3).assign(
    ...     changed=[True, True, False], changed_columns=["initiatives;gap_rank", "gap_rank", ""],
    ...     rank_move=[5, -2, 0], gap_rank_before=[10, 3, 7], gap_rank_after=[5, 5, 7])
    >>> type(change_map(ch, tiles=False)).__name__
    'OfflineMap'
    """
    need = MUNI_COLUMNS + ("changed", "changed_columns", "rank_move")
    check_inputs(check_frame(change, "change", need, geometry="polygon"), lang=lang)
    place = select_state(state)
    gdf, _ = prepare_polygons(change, place)
    n = int(pd.Series(gdf["changed"]).fillna(False).astype(bool).sum())
    moved = int((pd.to_numeric(gdf["rank_move"], errors="coerce").fillna(0) != 0).sum())
    words = pair_columns(gdf, lang)
    for c in words.columns:
        gdf[c] = words[c]
    pairs = list(words.columns)
    gdf["changed_columns"] = gdf["changed_columns"].map(lambda v: changed_words(v, lang))

    where = place.name if place else t(lang, "mexico")
    title = t(lang, "title_change", n=f"{n:,}")
    m = new_map(gdf, lang=lang, tiles=tiles, title=title, subtitle=where)
    spec = {"cvegeo": None, "name": None, "state_name": None, "changed_columns": None, "rank_move": 0,
            **{c: None for c in pairs}}
    data_id = add_data(m, "brecha-change", block(gdf, spec, key="cvegeo",
                                                 dict_fields=["state_name", "changed_columns", *pairs], geometry=True))
    rows = [field(lang, "rank_move").spec(em=True), *pair_rows(pairs, lang), field(lang, "changed_columns").spec()]
    tip = {"title": "name", "sub": "state_name", "rows": rows}
    notes = [t(lang, "changed_n", n=f"{n:,}", moved=f"{moved:,}"), *why_notes(inputs, lang)]
    layer, classes = add_move_layer(m, data_id=data_id, values=gdf["rank_move"], lang=lang,
                                    name=t(lang, "layer_change"), tooltip=tip, show=True, notes=notes, control=False)
    still = pd.to_numeric(gdf["rank_move"], errors="coerce").fillna(0).to_numpy() == 0
    changed = gdf[pd.Series(gdf["changed"]).fillna(False).astype(bool).to_numpy() & still]
    if len(changed):  # a figure can change without the rank moving (white): outline those places
        name = t(lang, "layer_changed", n=f"{len(changed):,}")
        outline = RuntimeLayer("shapes", {"data": add_data(m, "brecha-changed", block(changed, {}, geometry=True)),
                                          "style": OUTLINE_STYLE, "interactive": False},
                               name=name, overlay=True, show=True)
        m.add_child(outline)
        sym = ('<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18"><rect x="2" y="2" width="14" '
               'height="14" fill="none" stroke="#111111" stroke-width="1.6"/></svg>')
        add_legend(m, outline, symbol_legend("", [(sym, name)]), "changed")
    info = MapInfo("change", f"{title} — {where}", t(lang, "summary_change"), lang,
                   svg_preview(gdf, classes.colors_of(gdf["rank_move"]), title=title))
    return finish(m, lang=lang, info=info, search_data=data_id, search_layers=[layer])

