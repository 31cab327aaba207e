"""``brecha compare``: what changed between two build folders, written as layers and a map.

The I/O edge of :mod:`brecha.change`: it reads each folder's manifest, the
municipal (and state) layer the manifest describes — refusing a file that no
longer matches its recorded sha256, or a path that leaves the folder — and
writes into ``DIR``::

    DIR/layers/change.parquet (+ .csv, .xlsx)  one row per municipality
    DIR/layers/change_states.parquet (+ ...)   the same, summed by state
    DIR/layers/change_inputs.csv               which inputs, settings or code differ
    DIR/maps/change.html                       an offline map of the rank moves
    DIR/change.json                            both builds' manifests' provenance and the summary

Every file is written atomically, so a failed compare leaves ``DIR`` as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .._io import atomic_path, sha256_file
from ..change import compare_layers, compare_states, input_changes, scenario_summary
from ..errors import InputError, Problem
from . import manifest as mf
from .writers import written_formats

__all__ = ["CompareResult", "read_build_layer", "compare_builds", "write_change", "change_since"]


@dataclass
class CompareResult:
    """What :func:`compare_builds` compared and wrote."""

    change: pd.DataFrame
    states: pd.DataFrame
    inputs: pd.DataFrame
    summary: dict[str, Any]
    files: list[str] = field(default_factory=list)


def read_build_layer(out_dir: str | Path, layer: str = "municipalities") -> tuple[gpd.GeoDataFrame, dict]:
    """The Parquet of ``layer`` in build folder ``out_dir``, checked against its manifest, and the manifest.

    Raises
    ------
    InputError
        No manifest entry for ``layer``, a recorded path outside the folder,
        a missing file, or a file whose sha256 is not the recorded one.
    """
    folder = Path(out_dir)
    manifest = mf.load(folder)
    entry = (manifest.get("layers") or {}).get(layer)
    where = str(folder / mf.MANIFEST_NAME)
    if not isinstance(entry, dict) or not entry.get("outputs"):
        raise InputError([Problem(where, None, f"layers.{layer}", None,
                                  f"a build folder with the {layer!r} layer (run brecha build --out {folder})")])
    rec = mf.primary_output(entry)
    path = (folder / str(rec.get("path", ""))).resolve()
    if folder.resolve() not in path.parents:
        raise InputError([Problem(where, None, f"layers.{layer}.outputs.path", rec.get("path"),
                                  "a path inside the build folder")])
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, None, "the layer file the manifest lists")])
    if sha256_file(path) != rec.get("sha256"):
        raise InputError([Problem(str(path), None, "sha256", None,
                                  "the file the manifest describes (it was modified after the build: rebuild it)")])
    return gpd.read_parquet(path), manifest


def compare_builds(old_out: str | Path, new_out: str | Path) -> CompareResult:
    """Compare the municipal layers of two build folders (nothing written).

    ``compare_builds("last_week", "outputs").change`` holds the table
    :func:`brecha.change.compare_layers` describes; ``.inputs`` says which
    inputs, settings and code differ. :func:`write_change` writes it.
    """
    before, mb = read_build_layer(old_out)
    after, ma = read_build_layer(new_out)
    change = compare_layers(before, after)
    return CompareResult(change, compare_states(change), input_changes(mb, ma), scenario_summary(change))


def _write_table(frame: pd.DataFrame, target: Path, fmt: str, key: Sequence[str]) -> None:
    """One table file, as a build writes that format (``csv`` and ``xlsx`` keep codes as text)."""
    from .writers import write_csv, write_parquet, write_xlsx

    writers = {"parquet": lambda f, p: write_parquet(f, p), "csv": lambda f, p: write_csv(f, p, key=key),
               "xlsx": lambda f, p: write_xlsx(f, p, key=key, sheet=target.stem[:31])}
    with atomic_path(target) as tmp:
        writers[fmt](frame, tmp)


def write_change(result: CompareResult, out_dir: str | Path, *, lang: str = "es", name: str = "change",
                 provenance: dict[str, Any] | None = None) -> CompareResult:
    """Write ``result`` into ``out_dir`` as ``name`` (layers, map, ``<name>.json``); returns it with ``files``
    filled."""
    from ..maps import render_html
    from ..maps.change import change_map

    out = Path(out_dir)
    files = []
    for stem, frame, key in ((name, result.change, ("cvegeo",)), (f"{name}_states", result.states, ("cve_ent",))):
        for fmt in written_formats(("parquet", "csv")):  # csv gets its xlsx twin, as in a build
            rel = f"layers/{stem}.{fmt}"
            _write_table(frame, out / rel, fmt, key)
            files.append(rel)
    _write_table(result.inputs, out / f"layers/{name}_inputs.csv", "csv", ())
    files.append(f"layers/{name}_inputs.csv")
    if isinstance(result.change, gpd.GeoDataFrame) and "rank_move" in result.change.columns:
        page = render_html(change_map(result.change, result.inputs, lang=lang))
        with atomic_path(out / f"maps/{name}.html") as tmp:
            tmp.write_text(page, encoding="utf-8")
        files.append(f"maps/{name}.html")
    record = {"summary": result.summary, "inputs_changed": result.inputs.to_dict("records"),
              **(provenance or {}), "files": files}
    with atomic_path(out / f"{name}.json") as tmp:
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
                       encoding="utf-8")
    files.append(f"{name}.json")
    result.files = files
    return result


def change_since(layer: gpd.GeoDataFrame, *, previous: str) -> pd.DataFrame:
    """The municipal change table of ``layer`` against the kept build folder ``previous``.

    For a layer spec, so a scheduled build publishes what changed since the
    build it kept (e.g. ``previous = "/var/lib/brecha/last_week"``, refreshed
    by copying the output folder before each build). With no build there yet
    (the first run) every row has ``status`` "no_previous" and ``changed``
    False, with a warning, rather than calling everything changed.
    """
    import logging

    folder = Path(previous).expanduser()
    if not (folder / mf.MANIFEST_NAME).is_file():
        logging.getLogger(__name__).warning("no previous build in %s: the change layer lists no change", folder)
        out = compare_layers(layer, layer)
        out["status"] = "no_previous"
        return out
    before, _ = read_build_layer(folder)
    return compare_layers(before, layer)
