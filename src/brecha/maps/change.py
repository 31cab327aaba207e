"""The change map: how far each municipality moved in the gap ranking, and why.

It reads the columns of a change table (:func:`brecha.change.compare_layers`)
and the list of inputs that differ (:func:`brecha.change.input_changes`); it
computes nothing.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from .choropleth import choropleth_map

__all__ = ["change_map"]

#: ColorBrewer RdBu reversed: blue moved down (less urgent), red moved up (more urgent), white did not move.
_DIVERGING = ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"]
_WHAT = {"input": {"es": "datos", "en": "data"}, "setting": {"es": "parámetro", "en": "setting"},
         "code": {"es": "versión de brecha", "en": "brecha version"}}


def _why(inputs: pd.DataFrame | None, lang: str) -> str:
    if inputs is None or inputs.empty:
        return {"es": "mismas entradas y parámetros", "en": "same inputs and settings"}[lang]
    parts = [f"{_WHAT.get(r.what, {}).get(lang, r.what)}: {r.name}" for r in inputs.itertuples()]
    head = {"es": "cambió", "en": "changed"}[lang]
    return f"{head} " + ", ".join(parts[:4]) + (" …" if len(parts) > 4 else "")


def change_map(change: gpd.GeoDataFrame, inputs: pd.DataFrame | None = None, *, lang: str = "es",
               tiles: bool = True) -> folium.Map:
    """An offline choropleth of ``rank_move`` (places moved up the gap ranking; positive is more urgent).

    Parameters
    ----------
    change
        A municipal change table with geometry (``cvegeo, cve_ent, name,
        state_name, rank_move, gap_rank_before, gap_rank_after``).
    inputs
        The differing inputs, settings and code (``what, name``), named in the title.
    """
    why = _why(inputs, lang)
    n = int(pd.Series(change["changed"]).sum()) if "changed" in change.columns else 0
    title = {"es": f"Qué cambió: {n} municipios ({why})", "en": f"What changed: {n} municipalities ({why})"}
    legend = {"es": "Lugares que subió en la brecha (+ más urgente)",
              "en": "Places moved up the gap ranking (+ more urgent)"}
    context = [c for c in ("gap_rank_before", "gap_rank_after") if c in change.columns]
    return choropleth_map(change, column="rank_move", context=context, scheme="equal_interval", k=5,
                          colors=_DIVERGING, legend=legend, title=title, name="change", lang=lang, tiles=tiles)
