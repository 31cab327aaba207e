"""The build manifest, ``DIR/manifest.json``: what each output is and what made it.

For every layer it records the spec hash, the inputs (sha256 and vintage of
each source, sha256 of each upstream layer), the brecha and code versions,
the parameters, the build time and, per output file, its sha256 and row
count. The build rewrites it atomically around every rename, so at any
instant, even after ``kill -9``, it describes only files that exist and
match their recorded sha256 (:func:`verify` checks that).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__
from .._io import atomic_path, sha256_file

__all__ = ["MANIFEST_NAME", "FORMAT", "empty", "load", "save", "verify", "output_problem", "primary_output",
           "input_checksums", "write_text", "inside"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
#: Bumped when the manifest's layout changes; an older layout means "rebuild everything".
FORMAT = 1


def empty() -> dict[str, Any]:
    """A manifest describing nothing."""
    return {"format": FORMAT, "brecha_version": __version__, "layers": {}, "failures": {},
            "store": None, "index": None}


def load(out_dir: str | Path, *, warn: bool = True) -> dict[str, Any]:
    """The manifest of ``out_dir``; an empty one when it is missing, unreadable, of another format or shape.

    The manifest is a file anyone can edit, so nothing in it is trusted: a
    manifest of the wrong shape is ignored (every layer is rebuilt) and an
    entry naming a path outside ``out_dir`` (``../x``, an absolute path, a
    path through a symbolic link) is dropped, each with a warning, so that a
    build never reads, replaces or deletes a file it does not own.
    ``warn=False`` logs those at debug level (a second look at the same file).
    """
    say = log.warning if warn else log.debug
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty()
    except (OSError, ValueError) as exc:
        say("ignoring unreadable %s (%s); every layer will be rebuilt", path, exc)
        return empty()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        say("ignoring %s of another format; every layer will be rebuilt", path)
        return empty()
    base = empty()
    base.update(data)
    wrong = _shape_problem(base)
    if wrong:
        say("ignoring %s: %s; every layer will be rebuilt", path, wrong)
        return empty()
    _drop_foreign_paths(Path(out_dir), base, path, say)
    return base


def _is_output(rec: Any) -> bool:
    return isinstance(rec, dict) and isinstance(rec.get("path"), str) and isinstance(rec.get("sha256"), str)


def _is_inputs(recs: Any) -> bool:
    # sha256 None: an optional source the user did not give (recorded so that giving one makes layers stale).
    return isinstance(recs, dict) and all(
        r is None or (isinstance(r, dict) and isinstance(r.get("sha256"), (str, type(None)))) for r in recs.values())


def _shape_problem(man: dict[str, Any]) -> str | None:
    """What is wrong with the manifest's layout, or None (only what the build relies on is checked)."""
    if not isinstance(man["layers"], dict):
        return f"'layers' is a {type(man['layers']).__name__}, not a table of layers"
    for name, e in man["layers"].items():
        if not isinstance(e, dict):
            return f"layer {name!r} is a {type(e).__name__}, not a table"
        if not isinstance(e.get("outputs"), list) or not e["outputs"] or not all(map(_is_output, e["outputs"])):
            return f"layer {name!r} has no list of outputs each with a path and a sha256"
        if not _is_inputs(e.get("inputs", {})):
            return f"layer {name!r} has inputs without a sha256"
    if not isinstance(man["failures"], dict) or not all(
            isinstance(f, dict) and isinstance(f.get("error"), str) for f in man["failures"].values()):
        return "'failures' is not a table of failures each with an error"
    for key in ("store", "index"):
        rec = man[key]
        if rec is not None and not _is_output(rec):
            return f"{key!r} is neither null nor an output with a path and a sha256"
    if man["store"] is not None and not _is_inputs(man["store"].get("inputs", {})):
        return "'store' has inputs without a sha256"
    return None


def inside(out_dir: Path, rel: str) -> Path | None:
    """``out_dir / rel`` when that names a file inside ``out_dir`` reached without a symbolic link, else None.

    ``rel`` is a manifest's relative POSIX path; absolute paths, ``..``,
    drive letters and backslashes are refused, and so is a path that
    resolves elsewhere (through a link in ``out_dir``).
    """
    if not rel or "\\" in rel or ":" in rel or "\0" in rel:
        return None
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
        return None
    root = os.path.realpath(out_dir)
    full = out_dir.joinpath(*parts)
    if os.path.commonpath([root, os.path.realpath(full)]) != root or os.path.realpath(full) == root:
        return None
    return full


def _drop_foreign_paths(out: Path, man: dict[str, Any], path: Path, say: Callable[..., None]) -> None:
    def foreign(rec: dict) -> bool:
        return inside(out, rec["path"]) is None

    for name in [n for n, e in man["layers"].items() if any(map(foreign, e["outputs"]))]:
        bad = next(r["path"] for r in man["layers"].pop(name)["outputs"] if foreign(r))
        say("%s: ignoring layer %s, whose output %r is not a file inside %s; it will be rebuilt",
                    path, name, bad, out)
    for key in ("store", "index"):
        if man[key] is not None and foreign(man[key]):
            say("%s: ignoring the %s entry, whose path %r is not a file inside %s", path, key,
                        man[key]["path"], out)
            man[key] = None


def save(out_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically (stable key order, so unchanged content gives unchanged bytes)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return write_text(Path(out_dir) / MANIFEST_NAME, text)


def write_text(target: Path, text: str) -> Path:
    """Write UTF-8 text atomically, readable like any file the user creates."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def output_problem(out_dir: str | Path, record: dict[str, Any], *, full: bool = False) -> str | None:
    """Why an output record no longer describes its file, or None when it does.

    Size and modification time are compared first; the sha256 is recomputed
    when they differ, or always with ``full``.
    """
    path = Path(out_dir) / record["path"]
    try:
        st = path.stat()
    except FileNotFoundError:
        return f"output {record['path']} is missing"
    if not full and st.st_size == record.get("bytes") and st.st_mtime_ns == record.get("mtime_ns"):
        return None
    if sha256_file(path) != record["sha256"]:
        return f"output {record['path']} was modified"
    return None


def verify(out_dir: str | Path, manifest: dict[str, Any] | None = None, *, full: bool = True) -> list[str]:
    """Every way ``manifest`` (default: the one on disk) disagrees with the files; empty when consistent."""
    manifest = load(out_dir) if manifest is None else manifest
    records = [r for e in manifest["layers"].values() for r in e["outputs"]]
    records += [r for r in (manifest.get("store"), manifest.get("index")) if r]
    return [p for p in (output_problem(out_dir, r, full=full) for r in records) if p]


def input_checksums(manifest: dict[str, Any]) -> set[str]:
    """The sha256 of every input the manifest says a build read successfully."""
    recs = [r for e in manifest["layers"].values() for r in e.get("inputs", {}).values() if r]
    recs += list(((manifest.get("store") or {}).get("inputs") or {}).values())
    return {r["sha256"] for r in recs}


def primary_output(entry: dict[str, Any]) -> dict[str, Any]:
    """The output downstream layers read (the Parquet of a table layer)."""
    return entry["outputs"][0]
