"""The registry's web maps (:mod:`brecha.maps`), one entry per map function.

A map spec's ``[style]`` reaches the map: ``scheme`` and ``k`` class its
main choropleth, ``colors`` (low to high) paint it and ``legend`` (es/en)
titles its legend; ``column`` picks that choropleth where a map has several
(reach, care, choropleth) and must name the one a single-purpose map shows
(presence, gap). Every other argument of the map function (``lang``,
``top_n``, ``radius_km``, ``state``...) is a ``[params]`` key, with the
function's own default.

The map kinds ``brecha map KIND`` offers are the map specs
(``layers/map_<kind>.toml``); the map functions they name are
:data:`brecha.maps.MAPS` plus the generic choropleth, one entry each here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import InputError, Problem
from ._entry import Entry

__all__ = ["ENTRIES", "MAP_FUNCTIONS"]


def _style(fixed: str | None) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The ``[style]`` -> keyword arguments rule of a map; ``fixed`` is the only column it can colour."""

    def kwargs(style: Mapping[str, Any]) -> dict[str, Any]:
        if fixed is not None and style.get("column", fixed) != fixed:
            raise InputError([Problem("<style>", None, "style.column", style.get("column"),
                                      f"{fixed!r}: the column this map colours")])
        out = {"scheme": str(style.get("scheme", "quantiles")).lower(), "k": int(style.get("k", 5))}
        for key in ("colors", "legend"):
            if style.get(key):
                out[key] = style[key]
        if fixed is None and style.get("column"):
            out["column"] = style["column"]
        return out

    return kwargs


def _presence_map(municipalities, offices=None, initiatives=None, **kwargs):
    """Initiatives and offices map (the initiatives frame turned into its places)."""
    from ..maps import presence_map
    from ..sources import initiative_places

    places = None if initiatives is None else initiative_places(initiatives)
    return presence_map(municipalities, offices, places, **kwargs)


@functools.cache
def _presence_signature() -> inspect.Signature:
    from ..maps import presence_map

    return inspect.signature(presence_map)


class _Presence:
    """:func:`_presence_map` with :func:`brecha.maps.presence_map`'s signature (its parameters and defaults)."""

    __doc__ = _presence_map.__doc__

    def __call__(self, *args, **kwargs):
        return _presence_map(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        return _presence_signature()


#: Registry name -> (map function, the inputs it reads by parameter name, the one column it colours or None).
MAP_FUNCTIONS: dict[str, tuple[Callable[..., Any] | str, tuple[str, ...], str | None]] = {
    "maps.choropleth": ("brecha.maps:choropleth_map", ("layer",), None),
    "maps.presence": (_Presence(), ("municipalities", "offices", "initiatives", "states"), "initiatives"),
    "maps.reach": ("brecha.maps:reach_map", ("municipalities", "offices"), None),
    "maps.care": ("brecha.maps:care_map", ("municipalities", "denue"), None),
    "maps.gap": ("brecha.maps:gap_map", ("municipalities",), "gap_score"),
    "maps.years": ("brecha.maps:years_map", ("table", "change"), None),
}
#: Inputs a map spec may leave out (the function then gets its default).
_OPTIONAL: dict[str, tuple[str, ...]] = {"maps.years": ("change",)}

ENTRIES: tuple[Entry, ...] = tuple(
    Entry(name, target, "map", inputs, adapter=False, style=_style(fixed), optional=_OPTIONAL.get(name, ()))
    for name, (target, inputs, fixed) in MAP_FUNCTIONS.items())
