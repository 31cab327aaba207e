"""What a layer spec's ``function`` may name.

A spec cannot import arbitrary code: ``function = "care.by_municipality"``
must be a name registered here. Each entry is a thin adapter::

    fn(inputs: dict[str, DataFrame], **params) -> DataFrame | GeoDataFrame | RasterResult | folium.Map

``inputs`` holds the frames the spec binds under the names the entry
declares (``[inputs] boundaries = "source:municipalities"``); ``params`` are
the spec's ``[params]``, checked against the adapter's signature before
anything is built. Adapters import their analysis module inside the body,
so the registry loads fast and a module that is still being written breaks
only its own layers.

>>> "boundaries.municipalities" in REGISTRY
True
>>> REGISTRY["boundaries.states"].inputs
('boundaries', 'municipalities')
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

__all__ = ["Entry", "Registry", "REGISTRY", "KINDS"]

#: What an entry returns: a table (parquet and friends), a raster (COG) or a web map (html).
KINDS = ("table", "raster", "map")


@dataclass(frozen=True)
class Entry:
    """One registered adapter."""

    name: str
    fn: Callable[..., Any]
    kind: str
    inputs: tuple[str, ...]
    summary: str = ""
    #: Inputs a spec may leave out; the adapter then gets None for them.
    optional: tuple[str, ...] = ()

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The adapter's parameters after ``inputs``."""
        params = list(inspect.signature(self.fn).parameters.values())[1:]
        return {p.name: p for p in params}

    def check_params(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Problems with ``params`` as ``(key, expected)`` pairs; empty when they fit."""
        sig = self.parameters()
        takes_any = any(p.kind is p.VAR_KEYWORD for p in sig.values())
        named = {n: p for n, p in sig.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        problems = []
        for key in params:
            if key not in named and not takes_any:
                problems.append((key, f"a parameter of {self.name} (it takes {sorted(named) or 'none'})"))
        for n, p in named.items():
            if p.default is p.empty and n not in params:
                problems.append((n, f"a value (required by {self.name})"))
        hints = _hints(self.fn)
        for key, value in params.items():
            want = hints.get(key)
            if want is not None and not _fits(value, want):
                problems.append((key, f"a value of type {getattr(want, '__name__', want)}, got {value!r}"))
        return problems


def _hints(fn: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations are not checked
        return {}


def _fits(value: Any, want: Any) -> bool:
    """Loose check of TOML values against simple annotations; others pass."""
    origin = typing.get_origin(want) or want
    if origin is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (str, bool, list, dict):
        return isinstance(value, origin)
    return True


class Registry(Mapping[str, Entry]):
    """Named adapters; build one per test to inject fakes into :func:`brecha.pipeline.build`."""

    def __init__(self, entries: typing.Iterable[Entry] = ()):
        self._entries: dict[str, Entry] = {}
        for e in entries:
            self.add(e)

    def add(self, entry: Entry) -> Entry:
        if entry.kind not in KINDS:
            raise ValueError(f"{entry.name}: kind must be one of {KINDS}, got {entry.kind!r}")
        if entry.name in self._entries:
            raise ValueError(f"{entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def register(self, name: str, *, kind: str = "table", inputs: typing.Iterable[str] = (),
                 optional: typing.Iterable[str] = ()) -> Callable:
        """Decorator: register ``fn`` under ``name``; ``optional`` names inputs a spec may omit."""

        def deco(fn: Callable) -> Callable:
            summary = (inspect.getdoc(fn) or "").split("\n", 1)[0]
            self.add(Entry(name, fn, kind, tuple(inputs), summary, tuple(optional)))
            return fn

        return deco

    def __getitem__(self, name: str) -> Entry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


#: The registry ``brecha build`` uses.
REGISTRY = Registry()


# --- Boundaries: buildable from the embedded data alone ----------------------

@REGISTRY.register("boundaries.municipalities", inputs=("boundaries", "census", "poverty"))
def _municipalities(inputs, *, census_columns: list, poverty_columns: list):
    """Municipal boundaries with Census 2020 counts and CONEVAL 2020 poverty."""
    from ._boundaries import municipal_profile

    return municipal_profile(inputs["boundaries"], inputs["census"], inputs["poverty"],
                             census_columns=census_columns, poverty_columns=poverty_columns)


@REGISTRY.register("boundaries.states", inputs=("boundaries", "municipalities"))
def _states(inputs, *, sum_columns: list, pct_columns: dict):
    """State boundaries with the municipal layer's counts summed and shares recomputed."""
    from ._boundaries import state_profile

    return state_profile(inputs["boundaries"], inputs["municipalities"],
                         sum_columns=sum_columns, pct_columns=pct_columns)


# The analysis and raster adapters live in _analysis, the map adapters in _maps.
from . import _analysis, _maps  # noqa: E402,F401  (register the analysis and map adapters)
