"""Short calls for notebooks: load, analyse, look, change a parameter, look again.

Each call is the one the CLI makes, with defaults that suit an interactive
session: sources default to the embedded data, a ``state`` (any spelling)
narrows a layer to one state, and :func:`show` displays a map inline with
every asset inlined, exactly the page ``brecha map`` writes. Everything here
is re-exported at the top level, so ``import brecha`` is enough::

    import brecha
    layer = brecha.municipal_layer(state="Chiapas")
    brecha.top_gaps(layer, 10)
    brecha.show(brecha.gap_map(layer, lang="en"))

The map functions (:func:`brecha.maps.gap_map`, ``presence_map``,
``care_map``, ``reach_map``, ``save_map``), :func:`brecha.coverage.top_gaps`
and :func:`brecha.places.resolve` are re-exported unchanged:

>>> resolve("Cd. Juárez").cvegeo
'08037'
>>> import pandas as pd
>>> toy = pd.DataFrame({"cvegeo": ["07001", "07002"], "name": ["A", "B"], "state_name": ["Chiapas"] * 2,
...                     "gap_rank": [2, 1], "gap_score": [0.41, 0.87], "poverty_pct": [80.0, 91.26],
...                     "gap_drivers": ["", "high poverty rate (91%)"]})
>>> top_gaps(toy, n=1)[["gap_rank", "name", "reason"]].to_dict("records")
[{'gap_rank': 1, 'name': 'B', 'reason': 'high poverty rate (91%)'}]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import coverage
from . import sources as _sources
from .coverage import top_gaps
from .errors import InputError, Problem
from .maps import care_map, gap_map, presence_map, reach_map, save_map
from .places import Gazetteer, resolve

__all__ = ["load_sources", "municipal_layer", "state_layer", "top_gaps", "resolve", "problem_table", "show",
           "InlineMap", "gap_map", "presence_map", "care_map", "reach_map", "save_map"]


def load_sources(*, initiatives: str | os.PathLike | None = None, offices: str | os.PathLike | None = None,
                 data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """The source frames the layers need, by name: embedded data, or your own agency files.

    Parameters
    ----------
    initiatives, offices
        Your own CSV or Excel files replacing the embedded ones (read with
        :func:`brecha.sources.read_initiatives` / :func:`~brecha.sources.read_offices`;
        every unresolvable place is reported at once as an
        :class:`~brecha.errors.InputError`, see :func:`problem_table`).
    data_dir
        Folder of the embedded data (the package's own by default).

    Returns
    -------
    dict
        :data:`brecha.coverage.SOURCES` plus ``municipalities`` and ``states``
        boundaries, each a fresh (Geo)DataFrame you may change freely.

    >>> sources = load_sources()
    >>> sorted(sources)  # doctest: +NORMALIZE_WHITESPACE
    ['census_municipal', 'coneval_municipal', 'denue_care', 'initiatives', 'localities',
     'municipalities', 'offices', 'states']
    >>> len(sources["municipalities"]), len(sources["states"])
    (2469, 32)
    """
    own = {"initiatives": initiatives, "offices": offices}
    out = {name: _sources.load(name, own.get(name), data_dir=data_dir) for name in coverage.SOURCES}
    out["municipalities"] = _sources.load("municipalities", data_dir=data_dir)
    out["states"] = _sources.load("states", data_dir=data_dir)
    return out


def _state(state: str):
    """The state named by ``state`` (any spelling), or an InputError."""
    place = Gazetteer.default().resolve_state(state)
    if place is None:
        raise InputError([Problem("state", None, None, state, "a Mexican state (name, short form, abbreviation "
                                                             "or 2-digit code)")])
    return place


def municipal_layer(sources: Mapping[str, pd.DataFrame] | None = None, *, state: str | None = None,
                    **params: Any) -> gpd.GeoDataFrame:
    """One row per municipality: people, poverty, care, presence, reach and the gap.

    Parameters
    ----------
    sources
        Frames from :func:`load_sources` (loaded when omitted).
    state
        Any spelling of one state: its municipalities only, ranked among
        themselves (``gap_rank`` 1 is the state's largest gap). Care supply,
        offices and people across the state line still count, so the state
        border cuts no catchment.
    **params
        ``catchment_km`` (care catchment, km), ``radius_km`` (office reach,
        km), gap weights and the rest, as in
        :func:`brecha.coverage.municipal_layer`.

    Returns
    -------
    GeoDataFrame
        :data:`brecha.coverage.MUNICIPAL_COLUMNS`, EPSG:4326; ``attrs`` record
        the parameters (and ``state``).

    References
    ----------
    See :mod:`brecha.coverage` for each column's method and source.

    >>> layer = municipal_layer(state="Tlaxcala")
    >>> len(layer), layer.attrs["state"], int(layer["gap_rank"].min())
    (60, 'Tlaxcala', 1)
    """
    place = None if state is None else _state(state)  # a misspelt state fails before minutes of work
    frames = load_sources() if sources is None else sources
    if place is not None:
        munis = frames.get("municipalities")
        munis = _sources.load("municipalities") if munis is None else munis
        frames = {**frames, "municipalities": munis[munis["cve_ent"] == place.cve_ent]}
    layer = coverage.municipal_layer(frames, **params)
    if place is not None:
        layer.attrs["state"] = place.name
    return layer


def state_layer(sources: Mapping[str, pd.DataFrame] | None = None, *,
                municipal: gpd.GeoDataFrame | None = None, **params: Any) -> gpd.GeoDataFrame:
    """One row per state: counts summed, rates aggregated, and the state gap.

    Parameters
    ----------
    sources
        Frames from :func:`load_sources` (loaded when omitted).
    municipal
        The national municipal layer when you already have it (saves its
        build; a one-state layer will not do).
    **params
        As in :func:`brecha.coverage.state_layer`.

    Returns
    -------
    GeoDataFrame
        32 rows, EPSG:4326; see :func:`brecha.coverage.state_layer`.

    The state layer does not use the LISA clusters, so few permutations do
    for a quick look:

    >>> states = state_layer(lisa_permutations=99)
    >>> len(states), int(states["gap_rank"].min()), int(states["municipalities"].sum())
    (32, 1, 2469)
    """
    frames = load_sources() if sources is None else sources
    if municipal is not None and municipal["cve_ent"].nunique() < 32:
        raise InputError([Problem("municipal", None, "cve_ent", int(municipal["cve_ent"].nunique()),
                                  "the national municipal layer (all 32 states)")])
    return coverage.state_layer(frames, municipal=municipal, **params)


def problem_table(error: InputError) -> pd.DataFrame:
    """The problems of an :class:`~brecha.errors.InputError` as a table, one row each.

    Returns
    -------
    DataFrame
        ``file, line`` (1-based file line, header = 1; empty for whole-file
        problems), ``column, value, expected`` (what would be accepted,
        with candidate places when the name was ambiguous or close to one).

    >>> from brecha.errors import InputError, Problem
    >>> err = InputError([Problem("a.csv", 3, "municipalities", "Guadalupe", "one known place")])
    >>> problem_table(err)[["line", "column", "value"]].to_dict("records")
    [{'line': 3, 'column': 'municipalities', 'value': 'Guadalupe'}]
    """
    rows = [asdict(p) for p in error.problems]
    out = pd.DataFrame(rows, columns=["file", "row", "column", "value", "expected"]).rename(columns={"row": "line"})
    out["line"] = out["line"].astype("Int64")
    return out


class InlineMap:
    """A brecha map shown in a notebook as the standalone page ``save_map`` writes.

    folium's own notebook display renders the page without brecha's offline
    inlining, so Leaflet would be missing; this renders it with
    :func:`brecha.maps.render_html` (every script and stylesheet inlined,
    every label escaped) inside an ``<iframe srcdoc>``. The frame is
    sandboxed: the map's scripts run, but cannot reach the notebook page.
    """

    def __init__(self, m, *, height_px: int = 560):
        self.map = m
        self.height_px = int(height_px)

    def _repr_html_(self) -> str:
        from .maps._offline import inline_html

        return inline_html(self.map, height_px=self.height_px)


def show(m, *, height_px: int = 560) -> InlineMap:
    """Display a brecha map inline in Jupyter, working offline.

    Parameters
    ----------
    m
        A map from :func:`gap_map`, :func:`presence_map`, :func:`care_map`
        or :func:`reach_map`.
    height_px
        Height of the map in the notebook (pixels).

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> toy = gpd.GeoDataFrame({"cvegeo": ["29001", "29002"], "cve_ent": ["29", "29"], "name": ["A", "B"],
    ...     "state_name": ["Tlaxcala"] * 2, "gap_score": [0.8, 0.2], "gap_rank": [1, 2],
    ...     "need_class": [3, 1], "presence_class": [1, 3], "gap_drivers": ["high poverty", ""]},
    ...     geometry=[box(-98.3, 19.3, -98.2, 19.4), box(-98.2, 19.3, -98.1, 19.4)], crs="EPSG:4326")
    >>> cell = show(gap_map(toy, lang="en"))._repr_html_()
    >>> cell.startswith("<iframe srcdoc="), "brecha-asset:" in cell, "L.map" in cell
    (True, False, True)
    """
    return InlineMap(m, height_px=height_px)
