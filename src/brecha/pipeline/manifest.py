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
from pathlib import Path
from typing import Any

from .. import __version__
from .._io import atomic_path, sha256_file

__all__ = ["MANIFEST_NAME", "FORMAT", "empty", "load", "save", "verify", "output_problem", "primary_output", "input_checksums",
           "write_text"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
#: Bumped when the manifest's layout changes; an older layout means "rebuild everything".
FORMAT = 1


def empty() -> dict[str, Any]:
    """A manifest describing nothing."""
    return {"format": FORMAT, "brecha_version": __version__, "layers": {}, "failures": {},
            "store": None, "index": None}


def load(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of ``out_dir``; an empty one when it is missing, unreadable or of another format."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s (%s); every layer will be rebuilt", path, exc)
        return empty()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        log.warning("ignoring %s of another format; every layer will be rebuilt", path)
        return empty()
    base = empty()
    base.update(data)
    return base


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
