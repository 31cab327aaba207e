"""What a layer spec's ``function`` may name: :data:`REGISTRY`.

A spec cannot import arbitrary code: ``function = "coverage.municipal_layer"``
must be a name registered here. Most entries are the analysis functions
themselves, named lazily (``"brecha.coverage:municipal_layer"``), so the
registry loads fast, a module still being written breaks only its own
layers, and every default lives once, in the function's signature; the few
products that compose several functions (siting, the rasters, the presence
map) have a thin adapter ``fn(inputs: dict, **params)``. The lists are in
:mod:`._analysis` (tables and rasters) and :mod:`._maps` (web maps); this
module only assembles them, so nothing here imports back.

>>> "coverage.municipal_layer" in REGISTRY
True
>>> REGISTRY["coverage.top_gaps"].inputs
('layer',)
"""

from __future__ import annotations

from ._analysis import ENTRIES as _TABLES
from ._entry import KINDS, Entry, Registry
from ._maps import ENTRIES as _MAPS

__all__ = ["Entry", "Registry", "REGISTRY", "KINDS"]

#: The registry ``brecha build`` uses.
REGISTRY = Registry(_TABLES + _MAPS)
