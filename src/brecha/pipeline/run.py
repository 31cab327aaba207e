"""The build: layers in dependency order, only what changed, written so a crash loses nothing.

Each layer's outputs are written to temporary files beside their targets.
Before they are renamed into place the manifest drops the layer's old entry,
and after the renames it records the new one, each manifest write itself an
atomic rename. Whenever the process dies, the manifest describes only files
that exist with the recorded sha256, and every file a reader finds is a
complete one. A layer that fails keeps its previous outputs and entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from .. import __version__
from .._io import TEMP_NAME, atomic_path, sha256_file
from ..errors import BuildError, InputError, OutputError, OutputFolderError, Problem
from ..settings import default_layers_dir
from . import manifest as mf
from ._fingerprint import Sources, code_version, input_records, stale_reason
from ._lock import build_lock
from ._progress import Event
from ._store import STORE_NAME, build_store, store_inputs, store_layers
from .registry import REGISTRY, Registry
from .spec import LayerSpec, load_specs
from .writers import FOLDER, SUFFIX, WRITERS, RasterResult, prepare_table, written_formats

__all__ = ["build", "status", "BuildResult", "LayerState"]

log = logging.getLogger(__name__)

# Names of atomic_path's temporary files (they carry brecha's mark), and of what GDAL and DuckDB create beside them.
_TEMP = TEMP_NAME
_INDEX = "maps/index.html"


@dataclass
class BuildResult:
    """What a build did. ``exit_code`` is 0 when nothing failed, else 1."""

    out_dir: Path
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    planned: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def changed(self) -> bool:
        return bool(self.built or self.failed)


@dataclass(frozen=True)
class LayerState:
    """A layer's state for ``brecha layers``: ``up to date``, ``stale``, ``never built`` or ``failed``."""

    name: str
    kind: str
    function: str
    state: str
    reason: str = ""
    outputs: tuple[str, ...] = ()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _log_event(ev: Event) -> None:
    log.info("%s", ev)


def _select(specs: Mapping[str, LayerSpec], names: Iterable[str]) -> list[str]:
    from ._dag import closure

    names = list(names)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise InputError([Problem("--layer", None, None, n, f"a layer with a spec: one of {sorted(specs)}")
                          for n in unknown])
    keep = closure({n: s.layer_deps for n, s in specs.items()}, names) if names else set(specs)
    return [n for n in specs if n in keep]  # specs come in dependency order


def _check_folders(out: Path) -> None:
    """Refuse sub-folders of ``out`` that are symbolic links: writing through one writes outside ``out``.

    Raises
    ------
    OutputFolderError
        Naming the link and where it points (exit code 2).
    """
    for name in sorted(set(FOLDER.values())):
        sub = out / name
        if sub.is_symlink():
            raise OutputFolderError(f"{sub} is a symbolic link (to {os.readlink(sub)}); brecha writes only inside "
                                    f"the output folder and does not follow links there. Remove the link (or make "
                                    f"{name}/ a real folder), or choose another --out.", path=sub)


def _clean_temp(out: Path) -> list[str]:
    """Remove temporary files a killed build left; only called while holding the lock.

    Only regular files whose names carry brecha's temporary mark (:data:`_TEMP`)
    are removed, never a link or anyone else's ``*.tmp``.
    """
    removed = []
    for folder in [out, *(out / f for f in set(FOLDER.values()))]:
        if folder.is_dir() and not folder.is_symlink():
            for entry in os.scandir(folder):
                if _TEMP.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                    removed.append(str(Path(entry.path).relative_to(out)))
    return sorted(removed)


def _read_layer(out: Path, entry: dict) -> Any:
    """An upstream layer as its function returned it: a (Geo)DataFrame, or a raster layer's COG as a Raster."""
    path = out / mf.primary_output(entry)["path"]
    if entry.get("kind") == "raster":
        from ..rasters import read_raster

        return read_raster(path)
    if b"geo" in (pq.read_schema(path).metadata or {}):
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _check_result(spec: LayerSpec, result: Any) -> Any:
    if spec.kind == "table":
        return prepare_table(result, spec.key)
    if spec.kind == "raster":
        if not hasattr(result, "array"):
            raise BuildError(f"a raster function must return a RasterResult, got {type(result).__name__}")
        return result if isinstance(result, RasterResult) else RasterResult(
            result.array, result.transform, result.crs, getattr(result, "nodata", None),
            tuple(getattr(result, "band_names", ())))
    return result


def _stat(out: Path, rec: dict) -> dict:
    st = (out / rec["path"]).stat()
    return {**rec, "bytes": st.st_size, "mtime_ns": st.st_mtime_ns}


class _Build:
    """State of one build run (kept together so each step stays a short method)."""

    def __init__(self, out: Path, specs, registry: Registry, sources: Sources, code: str, emit):
        self.out, self.specs, self.registry, self.sources = out, specs, registry, sources
        self.code, self.emit = code, emit
        self.man = mf.load(out)

    def save(self) -> None:
        mf.save(self.out, self.man)

    def reason(self, spec: LayerSpec, force: bool) -> tuple[str | None, dict]:
        inputs = input_records(spec, self.sources, self.man["layers"])
        if force:
            return "forced", inputs
        reason = stale_reason(spec, self.man["layers"].get(spec.name), inputs, self.code, self.out)
        if reason is None and spec.name in self.man["failures"]:
            reason = "last build failed"
        return reason, inputs

    def layer(self, spec: LayerSpec, inputs: dict, reason: str) -> dict:
        t0 = time.monotonic()
        frames = {}
        for local, ref in spec.inputs.items():
            kind, name = ref.split(":", 1)
            frames[local] = (self.sources.frame(name) if kind == "source"
                             else _read_layer(self.out, self.man["layers"][name]))
        params = {**spec.params, "style": spec.style} if spec.kind == "map" else dict(spec.params)
        result = _check_result(spec, self.registry[spec.function].fn(frames, **params))
        folder = self.out / FOLDER[spec.kind]
        records = []
        old = self.man["layers"].get(spec.name)
        with contextlib.ExitStack() as stack:
            for fmt in written_formats(spec.formats):  # csv brings its xlsx twin
                target = folder / f"{spec.name}{SUFFIX[fmt]}"
                tmp = stack.enter_context(atomic_path(target))
                info = WRITERS[fmt](result, tmp, spec)
                records.append({"format": fmt, "path": target.relative_to(self.out).as_posix(),
                                "sha256": sha256_file(tmp), **info})
            # The old entry must not outlive the files it describes: drop it before the renames.
            if self.man["layers"].pop(spec.name, None) is not None:
                self.save()
        entry = {"spec": spec.path.name, "spec_sha256": spec.sha256, "kind": spec.kind,
                 "function": spec.function, "params": params, "inputs": inputs,
                 "brecha_version": __version__, "code_version": self.code, "built_at": _now(),
                 "reason": reason, "seconds": round(time.monotonic() - t0, 3),
                 "outputs": [_stat(self.out, r) for r in records]}
        self.man["layers"][spec.name] = entry
        self.man["failures"].pop(spec.name, None)
        self.save()
        kept = {r["path"] for r in records}
        for rec in (old or {}).get("outputs", []):
            gone = mf.inside(self.out, rec["path"])  # checked again: the manifest is anyone's to edit
            if rec["path"] not in kept and gone is not None:  # a format dropped from the spec
                with contextlib.suppress(FileNotFoundError):
                    gone.unlink()
        return entry

    def store(self, force: bool) -> str | None:
        tables = store_layers(self.out, self.specs, self.man["layers"])  # the built table layers, too
        want = {"inputs": store_inputs(self.sources, tables), "code_version": self.code}
        have = self.man.get("store") or {}
        reason = ("forced" if force else "never built" if not have
                  else "sources changed" if have.get("inputs") != want["inputs"]
                  else "code version changed" if have.get("code_version") != want["code_version"]
                  else mf.output_problem(self.out, have))
        if reason is None:
            self.emit({"event": "store", "status": "skipped", "path": STORE_NAME})
            return None
        self.emit({"event": "store", "status": "building", "path": STORE_NAME, "reason": reason})
        if self.man.get("store"):
            self.man["store"] = None
            self.save()
        rec = build_store(self.out, self.sources, tables)
        self.man["store"] = {**rec, **want}
        self.save()
        self.emit({"event": "store", "status": "built", "path": STORE_NAME, "reason": reason})
        return reason

    def index(self) -> bool:
        """Rewrite ``maps/index.html`` when the list of maps or a map changed."""
        maps = sorted(n for n, s in self.specs.items() if s.kind == "map" and n in self.man["layers"])
        if not any(s.kind == "map" for s in self.specs.values()):
            return False
        listed = [(n, self.specs[n].title, self.specs[n].description,
                   mf.primary_output(self.man["layers"][n])["sha256"]) for n in maps]
        digest = hashlib.sha256(json.dumps(listed, sort_keys=True).encode()).hexdigest()
        have = self.man.get("index")
        if have and have.get("listed_sha256") == digest and mf.output_problem(self.out, have) is None:
            return False
        from ..maps import IndexEntry, read_entry, write_index  # imported only when needed: it is slow

        entries = []
        for name, title, description, _ in listed:
            found = read_entry(self.out / "maps" / f"{name}.html")  # brecha maps carry a preview
            entries.append(IndexEntry(f"{name}.html", title["es"], description,  # the index is Spanish
                                      found.preview_svg if found else ""))
        if have:
            self.man["index"] = None
            self.save()
        path = write_index(self.out / "maps", entries)
        self.man["index"] = _stat(self.out, {"path": _INDEX, "format": "html", "sha256": sha256_file(path),
                                             "listed_sha256": digest})
        self.save()
        self.emit({"event": "index", "status": "built", "path": _INDEX, "reason": "maps changed"})
        return True


def build(out_dir: str | os.PathLike = "outputs", *, layers_dir: str | os.PathLike | None = None,
          layers: Iterable[str] = (), sources: Mapping[str, str | os.PathLike] | None = None,
          force: bool = False, dry_run: bool = False, lock_timeout_s: float = 0.0, store: bool = True,
          registry: Registry | None = None, data_dir: Path | None = None, code: str | None = None,
          on_event: Callable[[Event], None] | None = None) -> BuildResult:
    """Build the layers of ``layers_dir`` (and the DuckDB store) into ``out_dir``.

    Parameters
    ----------
    layers
        Build only these layers and what they depend on (default: all).
    sources
        ``{"offices": path, "initiatives": path}``: a user's files replacing
        the embedded agency data.
    force
        Rebuild even what is up to date.
    dry_run
        Report what would be built; write nothing and take no lock.
    lock_timeout_s
        Seconds to wait for another build of ``out_dir`` to finish.
    registry, data_dir, code
        Overrides for tests: the adapters, the embedded data folder, the
        code version.
    on_event
        Called with each progress event (see :mod:`brecha.pipeline._progress`).

    Raises
    ------
    InputError
        A spec, a ``--layer`` name or a user's file is bad (nothing is built).
    LockError
        Another build held the lock for longer than ``lock_timeout_s``.
    OutputFolderError
        ``out_dir`` cannot be created or written to (nothing is built).
    OutputError
        A write failed for want of disk space (or an I/O error): the build
        stops there. Every file already in ``out_dir`` is complete and the
        manifest still matches them (see :func:`brecha.pipeline.verify`).
    """
    t0 = time.monotonic()
    emit = on_event or _log_event
    registry = REGISTRY if registry is None else registry
    specs = load_specs(default_layers_dir() if layers_dir is None else layers_dir, registry=registry)
    names = _select(specs, layers)
    srcs = Sources(sources, data_dir)
    out = Path(out_dir)
    srcs.check_replacements(known=mf.input_checksums(mf.load(out, warn=False)))  # _Build warns
    code = code or code_version()
    res = BuildResult(out, dry_run=dry_run)
    emit({"event": "start", "out": str(out), "layers": len(names), "code_version": code, "dry_run": dry_run})
    if dry_run:
        for name, reason in _plan(out, specs, names, srcs, code, force, registry).items():
            (res.planned.__setitem__(name, reason) if reason else res.skipped.append(name))
            emit({"event": "layer", "layer": name, "status": "planned" if reason else "skipped", "reason": reason})
        return _finish(res, t0, emit)
    asked = time.monotonic()
    with build_lock(out, timeout_s=lock_timeout_s) as lock:
        emit({"event": "lock", "path": str(lock), "waited_s": round(time.monotonic() - asked, 3)})
        _check_folders(out)
        removed = _clean_temp(out)
        if removed:
            emit({"event": "cleanup", "removed": removed})
        b = _Build(out, specs, registry, srcs, code, emit)
        for name in names:
            _one(b, specs[name], force, res)
        if store:
            try:
                b.store(force)
            except OutputError:  # a full disk fails every write that follows: stop here
                raise
            except Exception as exc:  # a store failure must not hide the layers' results
                log.debug("store failed", exc_info=True)
                res.failed["store"] = f"{type(exc).__name__}: {exc}"
                emit({"event": "store", "status": "failed", "path": STORE_NAME, "error": res.failed["store"]})
        b.index()
        if res.changed:
            b.man.update(brecha_version=__version__, code_version=code, built_at=_now())
            b.save()  # last write of the build
    return _finish(res, t0, emit)


def _one(b: _Build, spec: LayerSpec, force: bool, res: BuildResult) -> None:
    name = spec.name
    blocked = sorted(d for d in spec.layer_deps if d in res.failed or d not in b.man["layers"])
    if blocked:
        res.failed[name] = f"not built: upstream layer {blocked[0]} failed or was never built"
        b.emit({"event": "layer", "layer": name, "status": "failed", "error": res.failed[name]})
        return
    reason, inputs = b.reason(spec, force)
    if reason is None:
        res.skipped.append(name)
        b.emit({"event": "layer", "layer": name, "status": "skipped", "reason": None})
        return
    b.emit({"event": "layer_start", "layer": name, "reason": reason})
    try:
        entry = b.layer(spec, inputs, reason)
    except OutputError as exc:  # a full disk would fail the other layers too: stop the build
        b.emit({"event": "layer", "layer": name, "status": "failed", "reason": reason, "error": str(exc)})
        raise
    except Exception as exc:  # one layer's failure must not stop the others
        log.debug("layer %s failed", name, exc_info=True)
        msg = f"{type(exc).__name__}: {exc}"[:2000]
        res.failed[name] = msg
        b.man["failures"][name] = {"error": msg, "at": _now(), "spec_sha256": spec.sha256, "reason": reason}
        b.save()
        b.emit({"event": "layer", "layer": name, "status": "failed", "reason": reason, "error": msg})
        return
    res.built.append(name)
    b.emit({"event": "layer", "layer": name, "status": "built", "reason": reason, "seconds": entry["seconds"],
            "rows": entry["outputs"][0].get("rows")})


def _finish(res: BuildResult, t0: float, emit) -> BuildResult:
    res.seconds = time.monotonic() - t0
    emit({"event": "summary", "built": len(res.built), "skipped": len(res.skipped), "failed": len(res.failed),
          "planned": len(res.planned), "seconds": round(res.seconds, 3), "dry_run": res.dry_run,
          "changed": res.changed, "failures": res.failed})
    return res


def _plan(out: Path, specs, names, srcs: Sources, code: str, force: bool, registry) -> dict[str, str | None]:
    """Reason each layer would be rebuilt now (None: up to date), without building."""
    b = _Build(out, specs, registry, srcs, code, _log_event)
    plan: dict[str, str | None] = {}
    for name in names:
        spec = specs[name]
        reason, _ = b.reason(spec, force)
        upstream = sorted(d for d in spec.layer_deps if plan.get(d))
        if reason is None and upstream:
            reason = f"upstream layer {upstream[0]} is stale"
        plan[name] = reason
    return plan


def status(out_dir: str | os.PathLike = "outputs", *, layers_dir: str | os.PathLike | None = None,
           sources: Mapping[str, str | os.PathLike] | None = None, registry: Registry | None = None,
           data_dir: Path | None = None, code: str | None = None) -> list[LayerState]:
    """The state of every layer spec against the last build in ``out_dir``.

    A stale layer downstream of a stale one may turn out up to date after a
    build: when the upstream rebuild gives identical bytes, it is skipped.
    """
    registry = REGISTRY if registry is None else registry
    specs = load_specs(default_layers_dir() if layers_dir is None else layers_dir, registry=registry)
    srcs = Sources(sources, data_dir)
    out = Path(out_dir)
    man = mf.load(out)
    plan = _plan(out, specs, list(specs), srcs, code or code_version(), False, registry)
    states = []
    for name, reason in plan.items():
        spec, fail = specs[name], man["failures"].get(name)
        entry = man["layers"].get(name) or {}
        outs = tuple(r["path"] for r in entry.get("outputs", []))
        if fail and fail.get("spec_sha256") == spec.sha256:
            state, why = "failed", f"{fail['error']} (at {fail['at']})"
        elif fail:
            state, why = "stale", f"spec changed since the last build failed ({fail['error']})"
        elif reason is None:
            state, why = "up to date", f"built {entry.get('built_at')}"
        elif reason == "never built":
            state, why = "never built", ""
        else:
            state, why = "stale", reason
        states.append(LayerState(name, spec.kind, spec.function, state, why, outs))
    return states
