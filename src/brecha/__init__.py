"""brecha: coverage and gap analysis for Mexico.

Where development agencies are, and where they are needed: INEGI boundaries
joined with initiatives, field offices, care supply and demand, and CONEVAL
poverty, turned into layers, ranked gap tables and offline maps.

In a notebook, the top-level calls are enough (see :mod:`brecha.api`)::

    import brecha
    layer = brecha.municipal_layer()          # the embedded data, national
    brecha.top_gaps(layer, 20)                # the 20 largest gaps and why
    brecha.show(brecha.gap_map(layer))        # the map, inline and offline

Submodules (``brecha.care``, ``brecha.siting``, ...) and these calls are
imported on first use, so ``import brecha`` stays light.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("brecha")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["load_sources", "municipal_layer", "state_layer", "top_gaps", "resolve", "problem_table", "show",
           "gap_map", "presence_map", "care_map", "reach_map", "save_map"]

_SUBMODULES = frozenset({"access", "api", "care", "change", "cli", "costs", "coverage", "errors", "gap", "geography",
                         "maps", "pipeline", "places", "poverty", "presence", "rasters", "reach", "scenario",
                         "settings", "siting", "sources"})

if TYPE_CHECKING:  # for editors and type checkers; at run time these load lazily
    from .api import (
        care_map,
        gap_map,
        load_sources,
        municipal_layer,
        presence_map,
        problem_table,
        reach_map,
        resolve,
        save_map,
        show,
        state_layer,
        top_gaps,
    )


def __getattr__(name: str):
    # PEP 562: geopandas, DuckDB and folium load only when a call needs them.
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in __all__:
        value = getattr(importlib.import_module(".api", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(__all__))
