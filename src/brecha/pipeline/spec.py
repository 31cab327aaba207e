"""Layer specs: one small TOML file per layer, loaded and checked all at once.

A spec (``layers/<name>.toml``, the file name is the layer's name)::

    title = { es = "Municipios", en = "Municipalities" }
    function = "coverage.municipal_layer"    # a name in brecha.pipeline.registry
    key = ["cvegeo"]                          # row order and uniqueness of the table

    [inputs]                                  # the function's input name = "source:<name>" | "layer:<name>"
    municipalities = "source:municipalities"  # (a source's own name, or the function's parameter)
    census_municipal = "source:census_municipal"

    [params]                                  # keyword arguments of the function, units in the names
    catchment_km = 20.0
    radius_km = { same_as = "reach" }         # the value layers/reach.toml sets for radius_km

    [outputs]
    formats = ["parquet", "gpkg", "csv"]      # tables: parquet always, plus gpkg, fgb, csv
    hxl = true                                # csv: add a row of HXL hashtags

    [style]                                   # maps only: how to colour them
    column = "poverty_pct"
    scheme = "Quantiles"
    k = 5
    colors = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
    legend = { es = "Pobreza (%)", en = "Poverty (%)" }

:func:`load_specs` reports every problem in every file in one
:class:`~brecha.errors.InputError`, each with its file and key. Parameters
are checked against the function's type hints (:mod:`._params`: unions,
choices, ranges, finite numbers). Specs are small: a file over :data:`MAX_BYTES` or nested deeper than
:data:`MAX_DEPTH` is refused before it is parsed further.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..settings import CLASS_SCHEMES, scheme_problems
from ..sources._registry import SOURCES
from . import _dag
from .registry import REGISTRY, Registry

__all__ = ["LayerSpec", "load_specs", "FORMATS", "SCHEMES", "MAX_BYTES", "MAX_DEPTH", "SAME_AS"]

#: Output formats each kind of layer may ask for; the first is always written.
FORMATS = {"table": ("parquet", "gpkg", "fgb", "csv"), "raster": ("tif",), "map": ("html",)}
#: mapclassify schemes a map's [style] may name (the maps' own table, :data:`brecha.settings.CLASS_SCHEMES`).
SCHEMES = CLASS_SCHEMES
#: Largest spec file read (bytes): the shipped specs are under 3 kB.
MAX_BYTES = 64 * 1024
#: Deepest nesting of tables and lists in a spec (``[params.gap.weights]`` is 3).
MAX_DEPTH = 8
#: ``radius_km = { same_as = "municipalities" }``: the value another layer's spec sets, so it is set once.
SAME_AS = "same_as"

_KEYS = {"title", "description", "function", "key", "inputs", "params", "outputs", "style"}
_OUTPUT_KEYS = {"formats", "hxl", "hxl_tags"}
_STYLE_KEYS = {"column", "scheme", "k", "colors", "legend"}
# \Z, not $: "$" also matches before a final newline, and "source:offices\n" is no reference.
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_REF = re.compile(r"(source|layer):([a-z][a-z0-9_]*)\Z")
_HXL = re.compile(r"#[a-z][a-z0-9_]*(\s*\+[a-z][a-z0-9_]*)*\Z")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\Z")


@dataclass(frozen=True)
class LayerSpec:
    """A checked layer spec.

    ``sha256`` hashes the parsed content (not the bytes), so comments and
    layout can change without a rebuild.
    """

    name: str
    path: Path
    kind: str
    function: str
    title: dict[str, str]
    description: str
    key: tuple[str, ...]
    inputs: dict[str, str]
    params: dict[str, Any]
    formats: tuple[str, ...]
    hxl: bool
    hxl_tags: dict[str, str]
    style: dict[str, Any] | None
    sha256: str = field(repr=False)

    @property
    def layer_deps(self) -> set[str]:
        """Names of the layers this one reads."""
        return {ref.split(":", 1)[1] for ref in self.inputs.values() if ref.startswith("layer:")}

    @property
    def source_deps(self) -> set[str]:
        """Names of the embedded (or user-replaced) sources this one reads."""
        return {ref.split(":", 1)[1] for ref in self.inputs.values() if ref.startswith("source:")}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path, key: str | None, value, expected: str) -> None:
        self.problems.append(Problem(str(file), None, key, value, expected))


def _hash(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _is_str_table(v) -> bool:
    return isinstance(v, dict) and all(isinstance(x, str) for x in v.values())


def _check_lang(p: _Collector, file: Path, key: str, value) -> dict[str, str]:
    if not (isinstance(value, dict) and isinstance(value.get("es"), str) and isinstance(value.get("en"), str)):
        p.add(file, key, value, 'a table with Spanish and English text, e.g. { es = "...", en = "..." }')
        return {"es": "", "en": ""}
    return {"es": value["es"], "en": value["en"]}


def _check_style(p: _Collector, file: Path, style) -> dict | None:
    if not isinstance(style, dict):
        p.add(file, "style", style, "a [style] table with column, scheme, k, colors and legend (maps need one)")
        return None
    for k in sorted(set(style) - _STYLE_KEYS):
        p.add(file, f"style.{k}", style[k], f"one of the style keys {sorted(_STYLE_KEYS)}")
    if not isinstance(style.get("column"), str):
        p.add(file, "style.column", style.get("column"), "the name of the column to colour")
    k = style.get("k")
    for key, value, expected in scheme_problems(style.get("scheme"), k):
        p.add(file, f"style.{key}", value, expected)
    colours = style.get("colors")
    if not (isinstance(colours, list) and all(isinstance(c, str) and _COLOUR.match(c) for c in colours)):
        p.add(file, "style.colors", colours, 'a list of colours like "#fc8d59"')
    elif isinstance(k, int) and len(colours) != k:
        p.add(file, "style.colors", f"{len(colours)} colours", f"one colour per class (k = {k})")
    legend = _check_lang(p, file, "style.legend", style.get("legend"))
    return {**style, "legend": legend}


def _check_outputs(p: _Collector, file: Path, kind: str, out) -> tuple[tuple[str, ...], bool, dict]:
    if out is None:
        out = {}
    if not isinstance(out, dict):
        p.add(file, "outputs", out, "an [outputs] table")
        return FORMATS[kind][:1], False, {}
    for k in sorted(set(out) - _OUTPUT_KEYS):
        p.add(file, f"outputs.{k}", out[k], f"one of {sorted(_OUTPUT_KEYS)}")
    formats = out.get("formats", list(FORMATS[kind][:1]))
    allowed = FORMATS[kind]
    if not (isinstance(formats, list) and all(isinstance(f, str) for f in formats)):
        p.add(file, "outputs.formats", formats, f"a list drawn from {list(allowed)}")
        formats = []
    for f in formats:
        if f not in allowed:
            p.add(file, "outputs.formats", f, f"a format a {kind} layer can write: one of {list(allowed)}")
    formats = [allowed[0]] + [f for f in allowed[1:] if f in formats]
    hxl = out.get("hxl", False)
    if not isinstance(hxl, bool):
        p.add(file, "outputs.hxl", hxl, "true or false")
        hxl = False
    if hxl and "csv" not in formats:
        p.add(file, "outputs.hxl", hxl, 'HXL tags only with "csv" in outputs.formats')
    tags = out.get("hxl_tags", {})
    if not _is_str_table(tags):
        p.add(file, "outputs.hxl_tags", tags, 'a table of column = "#hashtag+attribute"')
        tags = {}
    for col, tag in tags.items():
        if not _HXL.match(tag):
            p.add(file, f"outputs.hxl_tags.{col}", tag, "an HXL hashtag such as #adm2+code (lower case)")
    return tuple(formats), hxl, dict(tags)


def _references(params: dict) -> dict[str, str]:
    """Parameters given as ``{ same_as = "<layer>" }``: the value that layer's spec sets for the same key."""
    return {k: v[SAME_AS] for k, v in params.items() if isinstance(v, dict) and set(v) == {SAME_AS}}


def _resolve_references(p: _Collector, specs: dict[str, LayerSpec], registry: Registry) -> dict[str, LayerSpec]:
    """Specs with each ``{ same_as = "<layer>" }`` replaced by that layer's value, checked and hashed in.

    The resolved values enter the spec's hash, so changing the one value
    (``radius_km`` in ``municipalities.toml``) rebuilds every layer that
    refers to it, whether or not it reads that layer's output.
    """
    out = dict(specs)
    for name, spec in specs.items():
        refs = _references(spec.params)
        if not refs:
            continue
        params, resolved_keys = dict(spec.params), set()
        for key, target in refs.items():
            other = specs.get(target) if isinstance(target, str) else None
            value = None if other is None else other.params.get(key)
            if other is None:
                p.add(spec.path, f"params.{key}", target, f"a layer with a spec: one of {sorted(specs)}")
            elif value is None or _references({key: value}):
                p.add(spec.path, f"params.{key}", target, f"a layer whose spec sets {key} to a value itself")
            else:
                params[key] = value
                resolved_keys.add(key)
        entry = registry.get(spec.function)
        if entry is not None:
            for key, expected in entry.check_params(params):
                if key.split(".")[0] in resolved_keys:
                    p.add(spec.path, f"params.{key}", _lookup(params, key), expected)
        resolved = json.dumps({k: params[k] for k in sorted(refs)}, sort_keys=True, default=str)
        out[name] = dataclasses.replace(spec, params=params,
                                        sha256=hashlib.sha256((spec.sha256 + resolved).encode()).hexdigest())
    return out


def _lookup(table: Any, dotted: str) -> Any:
    """``table["gap"]["weights"]`` for ``"gap.weights"`` (None where a step is missing)."""
    for part in dotted.split("."):
        table = table.get(part) if isinstance(table, dict) else None
    return table


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed TOML, counting no further than ``limit + 1``."""
    if not isinstance(value, (dict, list)) or limit < 0:
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def _read(p: _Collector, file: Path) -> dict | None:
    """The parsed spec, or None with the problem recorded (too big, too deep, unreadable, not TOML)."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            p.add(file, None, f"{size:,} bytes", f"a spec of at most {MAX_BYTES:,} bytes")
            return None
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        p.add(file, None, None, f"valid TOML in UTF-8 ({exc})")
        return None
    except OSError as exc:
        p.add(file, None, None, f"a readable spec file ({exc.strerror or exc})")
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        p.add(file, None, None, f"valid TOML in UTF-8 ({exc})")
        return None
    except RecursionError:  # nesting deep enough to exhaust the parser's stack within MAX_BYTES
        p.add(file, None, None, f"tables and lists nested at most {MAX_DEPTH} deep")
        return None
    if _depth(raw, MAX_DEPTH) > MAX_DEPTH:
        p.add(file, None, None, f"tables and lists nested at most {MAX_DEPTH} deep")
        return None
    return raw


def _parse(p: _Collector, file: Path, registry: Registry) -> LayerSpec | None:
    name = file.stem
    if not _NAME.match(name):
        # Shown escaped: a newline or control character in the name would break the message itself.
        p.add(file.parent / ascii(file.name)[1:-1], None, name,
              "a file name of lower-case letters, digits and _ (it names the layer and its output files)")
        return None
    raw = _read(p, file)
    if raw is None:
        return None
    for k in sorted(set(raw) - _KEYS):
        p.add(file, k, raw[k], f"one of the spec keys {sorted(_KEYS)}")
    fn = raw.get("function")
    entry = registry.get(fn) if isinstance(fn, str) else None
    if entry is None:
        near = difflib.get_close_matches(str(fn), list(registry), n=3)
        hint = f" (did you mean {near}?)" if near else f" (registered: {list(registry)})"
        p.add(file, "function", fn, f"a registered function name{hint}")
    kind = entry.kind if entry else "table"
    title = _check_lang(p, file, "title", raw.get("title"))
    description = raw.get("description", "")
    if not isinstance(description, str):
        p.add(file, "description", description, "text")
        description = ""
    inputs = raw.get("inputs", {})
    if not _is_str_table(inputs):
        p.add(file, "inputs", inputs, 'a table of name = "source:<name>" or "layer:<name>"')
        inputs = {}
    sources = {s.name for s in SOURCES}
    for local, ref in inputs.items():
        m = _REF.match(ref)
        if not m:
            p.add(file, f"inputs.{local}", ref, '"source:<name>" or "layer:<name>"')
        elif m.group(1) == "source" and m.group(2) not in sources:
            p.add(file, f"inputs.{local}", ref, f"a known source: one of {sorted(sources)}")
    if entry:
        for missing in [n for n in entry.inputs if n not in inputs and n not in entry.optional]:
            p.add(file, f"inputs.{missing}", None, f"an input named {missing!r} (function {fn} reads it)")
        for extra in [n for n in inputs if n not in entry.inputs]:
            p.add(file, f"inputs.{extra}", inputs[extra], f"one of the inputs {fn} reads: {list(entry.inputs)}")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        p.add(file, "params", params, "a [params] table")
        params = {}
    style = None
    if kind == "map":
        style = _check_style(p, file, raw.get("style"))
    elif "style" in raw:
        p.add(file, "style", "[style]", "no [style]: only map specs (function of kind map) take one")
    if entry:
        call = {**params, "style": style or {}} if kind == "map" else params
        for pkey, expected in entry.check_params(call):
            if pkey.split(".")[0] not in _references(params):  # checked once resolved, in load_specs
                p.add(file, "style" if pkey == "style" else f"params.{pkey}", _lookup(call, pkey), expected)
    key = raw.get("key", [])
    key = [key] if isinstance(key, str) else key
    if not (isinstance(key, list) and all(isinstance(k, str) for k in key)):
        p.add(file, "key", key, "a column name or a list of them")
        key = []
    if kind == "table" and not key:
        p.add(file, "key", None, 'the column(s) that identify a row, e.g. key = ["cvegeo"] (they fix the row order)')
    formats, hxl, tags = _check_outputs(p, file, kind, raw.get("outputs"))
    return LayerSpec(name, file, kind, str(fn), title, description, tuple(key), dict(inputs), dict(params),
                     formats, hxl, tags, style, _hash(raw))


def load_specs(layers_dir: str | os.PathLike, *, registry: Registry | None = None) -> dict[str, LayerSpec]:
    """Read and check every ``*.toml`` in ``layers_dir``.

    Returns
    -------
    dict
        Layer name -> :class:`LayerSpec`, in dependency order.

    Raises
    ------
    InputError
        Listing every problem of every spec: bad TOML, unknown keys or
        function, inputs that name an unknown source or layer, parameters the
        function does not take, a dependency cycle.
    """
    registry = REGISTRY if registry is None else registry
    folder = Path(layers_dir)
    p = _Collector()
    found = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not found:
        raise InputError([Problem(str(folder), None, None, None,
                                  "a folder of layer specs (*.toml); set --layers-dir or BRECHA_LAYERS")])
    files = []
    for f in found:
        if f.is_file():
            files.append(f)
        else:  # a folder, FIFO or dangling link named *.toml: never opened (a FIFO would block the read)
            p.add(f, None, None, "a regular file (a layer spec); this is a folder or special file: rename or "
                                 "remove it")
    specs = {s.name: s for s in (_parse(p, f, registry) for f in files) if s is not None}
    for s in specs.values():
        for local, ref in s.inputs.items():
            m = _REF.match(ref)
            if m and m.group(1) == "layer" and m.group(2) not in specs:
                p.add(s.path, f"inputs.{local}", ref, f"a layer with a spec in {folder}: one of {sorted(specs)}")
            elif m and m.group(1) == "layer" and specs[m.group(2)].kind == "map":
                p.add(s.path, f"inputs.{local}", ref, "a table or raster layer (maps cannot be read as inputs)")
    deps = {n: s.layer_deps for n, s in specs.items()}
    cycle = _dag.find_cycle(deps)
    if cycle:
        p.add(specs[cycle[0]].path, "inputs", " -> ".join(cycle), "layers that do not depend on themselves")
    specs = _resolve_references(p, specs, registry)
    if p.problems:
        raise InputError(p.problems)
    return {n: specs[n] for n in _dag.order(deps)}
