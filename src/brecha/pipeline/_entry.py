"""What a spec's ``function`` names: an :class:`Entry` of a :class:`Registry`.

An entry is either the analysis function itself, named lazily as
``"module:function"`` and imported when a spec is checked or built, or an
adapter ``fn(inputs: dict, **params)`` for products that compose several
functions. A spec's inputs bind frames to names; for a function entry each
input whose name is one of the function's parameters is passed as that
keyword argument, and the others (source names: ``census_municipal``...)
are passed together, as one dict by source name, in the function's first
parameter (``coverage.municipal_layer(sources, ...)``). Defaults therefore
live once, in the function's signature.

This module imports no analysis and no entry list, so the entry lists
(:mod:`._analysis`, :mod:`._maps`) and :mod:`.registry` import it without a cycle.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._params import check_values, to_call

__all__ = ["Entry", "Registry", "KINDS", "STYLE_ARGS", "resolve"]

#: What an entry returns: a table (parquet and friends), a raster (COG) or a web map (html).
KINDS = ("table", "raster", "map")
#: Map function arguments a spec sets in ``[style]``, not in ``[params]``.
STYLE_ARGS = ("column", "scheme", "k", "colors", "legend")


@functools.cache
def resolve(target: str) -> Callable[..., Any]:
    """The function ``"package.module:function"`` names, imported now."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Entry:
    """One registered function.

    Attributes
    ----------
    target
        The callable, or ``"module:function"`` imported on first use.
    adapter
        True: ``target(inputs, **params)``; False: the analysis function itself
        (inputs passed by parameter name, the rest as one dict of frames).
    optional
        Inputs a spec may leave out; the function then gets None (or its default).
    style
        Map function entries: turns the spec's ``[style]`` into the function's keyword
        arguments (those in ``STYLE_ARGS`` are then set by the style only).
    """

    name: str
    target: Callable[..., Any] | str
    kind: str = "table"
    inputs: tuple[str, ...] = ()
    summary: str = ""
    optional: tuple[str, ...] = ()
    adapter: bool = True
    style: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    @property
    def function(self) -> Callable[..., Any]:
        """The registered callable (imported now if named by a string)."""
        return resolve(self.target) if isinstance(self.target, str) else self.target

    @property
    def doc(self) -> str:
        """The first line of the function's docstring (imports it when registered by name)."""
        return self.summary or (inspect.getdoc(self.function) or "").split("\n", 1)[0]

    def _frames_param(self) -> str | None:
        """The parameter taking the inputs that are not parameters themselves, if any."""
        if self.adapter:
            return next(iter(inspect.signature(self.function).parameters))
        params = inspect.signature(self.function).parameters
        if all(i in params for i in self.inputs):
            return None
        return next(iter(params))

    @property
    def fn(self) -> Callable[..., Any]:
        """A callable ``fn(inputs: dict, **params)`` whatever the entry's kind (what a build calls)."""
        if self.adapter:
            return self.function
        return functools.partial(_call, self.function, self._frames_param(), self.style)

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The parameters a spec's ``[params]`` may set: the function's, less its inputs (and style)."""
        skip = set(self.inputs) | {self._frames_param()} | (set(STYLE_ARGS) if self.style else set())
        out = {n: p for n, p in inspect.signature(self.function).parameters.items() if n not in skip}
        if self.style:
            out["style"] = inspect.Parameter("style", inspect.Parameter.KEYWORD_ONLY, annotation=dict)
        return out

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
        hints = _hints(self.function)
        known = {k: v for k, v in params.items() if k in named and k in hints}
        problems += check_values(known, {k: hints[k] for k in known})
        return problems


def _call(function: Callable[..., Any], frames_param: str | None, style_rule: Callable | None,
          inputs: Mapping[str, Any], /, **params: Any) -> Any:
    """Call an analysis function: inputs named like its parameters by keyword, the rest as one dict."""
    names = inspect.signature(function).parameters
    if style_rule is not None:
        params = {**{k: v for k, v in params.items() if k != "style"}, **style_rule(params.get("style") or {})}
    params = to_call(params, _hints(function))
    by_name = {k: v for k, v in inputs.items() if k in names and k != frames_param}
    rest = {k: v for k, v in inputs.items() if k not in by_name}
    if frames_param is None:
        return function(**by_name, **params)
    return function(rest, **by_name, **params)


def _hints(fn: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable annotations are not checked
        return {}


class Registry(Mapping[str, Entry]):
    """Named functions; build one per test to inject fakes into :func:`brecha.pipeline.build`."""

    def __init__(self, entries: typing.Iterable[Entry] = ()):
        self._entries: dict[str, Entry] = {}
        for e in entries:
            self.add(e)

    def add(self, entry: Entry) -> Entry:
        """Add ``entry``; its kind must be one of :data:`KINDS` and its name new."""
        if entry.kind not in KINDS:
            raise ValueError(f"{entry.name}: kind must be one of {KINDS}, got {entry.kind!r}")
        if entry.name in self._entries:
            raise ValueError(f"{entry.name!r} is already registered")
        self._entries[entry.name] = entry
        return entry

    def register(self, name: str, *, kind: str = "table", inputs: typing.Iterable[str] = (),
                 optional: typing.Iterable[str] = ()) -> Callable:
        """Decorator: register adapter ``fn(inputs, **params)`` under ``name``."""

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
