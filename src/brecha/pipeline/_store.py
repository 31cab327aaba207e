"""The DuckDB store, ``DIR/brecha.duckdb``: every source and every table layer, for SQL users.

Sources are tables named after them (every required entry of
:data:`brecha.sources.SOURCES`, i.e. what ``brecha sources`` lists), each
with its canonical key (``Source.key``) as PRIMARY KEY (so no code can be
duplicated or empty) and its rows in key order. The build's table layers
follow as ``layer_<name>`` (``layer_municipalities``, ``layer_top_gaps``),
keyed as their spec says. Geometry is ``GEOMETRY``; its CRS (EPSG:4326,
WGS 84 longitude/latitude) is in the ``_crs`` table (table, column, crs)
and in the column's comment: DuckDB 1.5.5 keeps a ``GEOMETRY('EPSG:4326')``
type in memory but not in a database file (``ST_CRS`` reads NULL after a
reopen). Every table and key and geometry column carries a comment
(``duckdb_tables()``, ``duckdb_columns()``):
a source's title, vintage, publisher and licence; a layer's title and
description, and its columns' HXL hashtags.

``initiative_places`` is the long who-works-where table (no key of its own:
national rows have no code), ``_crs`` the CRS of each geometry column, ``_sources`` records each source table's file,
sha256 and vintage and ``_layers`` each layer table's spec and parquet
sha256. The database is built in a temporary file and renamed into place,
so readers never see a half-loaded store.

Offline, another DuckDB loads the spatial extension of the wheel with the
statement :func:`brecha._duckdb.spatial_load_sql` prints.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from .._duckdb import connect, store_table
from .._io import atomic_path, sha256_file
from ..sources import SOURCES
from ..sources.agencies import initiative_places
from ._fingerprint import Sources

__all__ = ["STORE_NAME", "STORED", "LayerTable", "build_store", "store_inputs", "store_layers"]

log = logging.getLogger(__name__)

STORE_NAME = "brecha.duckdb"
#: source -> primary key of its table: every source with an embedded copy, keyed as the source table says.
STORED: dict[str, str] = {s.name: s.key for s in SOURCES if not s.optional}
#: Columns renamed on the way in, should a reader still return the file's own name for the key.
_RENAMED = {"municipal_names_mg2023": {"cve_geo": "cvegeo"}}


@dataclass(frozen=True)
class LayerTable:
    """A built table layer the store loads: its GeoParquet/Parquet file and what the spec says of it."""

    name: str
    path: Path
    key: tuple[str, ...]
    title: str
    description: str
    sha256: str
    column_tags: Mapping[str, str]


def _source_comment(name: str) -> str:
    s = next(x for x in SOURCES if x.name == name)
    parts = [s.title, f"vintage {s.vintage}", f"publisher {s.publisher}", f"licence {s.licence}"]
    if s.official_url:
        parts.append(s.official_url)
    return "; ".join(parts) + f". One row per {s.rows_word} (key {s.key})."


def store_layers(out_dir: Path, specs: Mapping[str, Any], built: Mapping[str, dict]) -> list[LayerTable]:
    """The table layers of a build to load into the store (those built, in name order).

    ``specs`` are the build's :class:`brecha.pipeline.spec.LayerSpec` by name,
    ``built`` the manifest's ``layers`` entries.
    """
    from .writers import hxl_tags

    out = []
    for name in sorted(built):
        spec, entry = specs.get(name), built[name]
        if spec is None or entry.get("kind") != "table":
            continue
        rec = next((o for o in entry.get("outputs", []) if o.get("format") == "parquet"), None)
        if rec is None:
            continue
        path = Path(out_dir) / rec["path"]
        columns = pq.read_schema(path).names
        tags = dict(zip(columns, hxl_tags(columns, spec.key, getattr(spec, "hxl_tags", None))))
        title = (spec.title.get("en") or spec.title.get("es")) if isinstance(spec.title, dict) else str(spec.title)
        out.append(LayerTable(name, path, tuple(spec.key), title or name, spec.description or "", rec["sha256"],
                              {c: t for c, t in tags.items() if t}))
    return out


def store_inputs(sources: Sources, layers: Sequence[LayerTable] = ()) -> dict[str, dict]:
    """The provenance of every stored source and layer (the store is rebuilt when it changes)."""
    rec = {name: sources.record(name) for name in STORED}
    rec.update({f"layer:{t.name}": {"path": t.path.name, "sha256": t.sha256} for t in layers})
    return rec


def _table_name(layer: str) -> str:
    return f"layer_{layer}"  # always prefixed: a layer may share a source's name (municipalities, states)


def build_store(out_dir: Path, sources: Sources, layers: Sequence[LayerTable] = ()) -> dict:
    """Load every source and ``layers`` into ``out_dir/brecha.duckdb`` atomically; return its manifest record."""
    target = Path(out_dir) / STORE_NAME
    rows = {}
    crs: list[dict[str, str]] = []
    with atomic_path(target) as tmp:
        tmp.unlink()  # DuckDB refuses the empty placeholder file; it creates its own
        con = connect(tmp)
        try:
            for name, key in STORED.items():
                frame = sources.frame(name)
                if frame is None:  # a required source always has a frame; say so if not
                    raise RuntimeError(f"source {name!r} has no data to store")
                frame = frame.rename(columns={k: v for k, v in _RENAMED.get(name, {}).items() if v not in frame})
                store_table(con, name, frame, key=key, comment=_source_comment(name),
                            column_comments=_column_notes(frame, (key,), {}))
                crs += _crs_rows(name, frame)
                rows[name] = len(frame)
                if name == "initiatives":
                    places = initiative_places(frame)
                    store_table(con, "initiative_places", places,  # already in initiative_id order
                                comment="Who works where: one row per initiative x place x agency x theme "
                                        "(from the initiatives table; national rows have no code).")
                    rows["initiative_places"] = len(places)
            for t in layers:
                table = _table_name(t.name)
                frame = gpd.read_parquet(t.path) if b"geo" in (pq.read_schema(t.path).metadata or {}) \
                    else pd.read_parquet(t.path)
                store_table(con, table, frame, key=t.key,
                            comment=f"Layer {t.name}: {t.title}. {t.description}".strip(),
                            column_comments=_column_notes(frame, t.key, t.column_tags))
                crs += _crs_rows(table, frame)
                rows[table] = len(frame)
            store_table(con, "_crs", pd.DataFrame(crs, columns=["table", "column", "crs"]), key=("table", "column"),
                        comment="CRS of each geometry column (the database file keeps no CRS in the type).")
            prov = pd.DataFrame([{"table": n, **sources.record(n)} for n in STORED])
            store_table(con, "_sources", prov, key="table", comment="Provenance of each source table.")
            if layers:
                lay = pd.DataFrame([{"table": _table_name(t.name), "layer": t.name, "file": t.path.name,
                                     "sha256": t.sha256, "title": t.title} for t in layers])
                store_table(con, "_layers", lay, key="table", comment="Provenance of each layer table.")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        wal = Path(f"{tmp}.wal")
        if wal.exists():  # a checkpointed, closed database needs no WAL
            os.unlink(wal)
    st = target.stat()
    return {"path": STORE_NAME, "format": "duckdb", "sha256": sha256_file(target), "bytes": st.st_size,
            "mtime_ns": st.st_mtime_ns, "tables": rows, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _crs_rows(table: str, frame: pd.DataFrame) -> list[dict[str, str]]:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return []
    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    return [{"table": table, "column": frame.geometry.name, "crs": f"EPSG:{epsg}" if epsg else "unknown"}]


def _column_notes(frame: pd.DataFrame, key: tuple[str, ...], tags: Mapping[str, str]) -> dict[str, str]:
    notes = {c: f"HXL {t}" for c, t in tags.items()}
    for k in key:
        notes[k] = "key: unique, not empty" + (f"; HXL {tags[k]}" if k in tags else "")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        crs = frame.crs.to_epsg() if frame.crs is not None else None
        notes[frame.geometry.name] = (f"geometry, CRS EPSG:{crs} (see _crs)" if crs else "geometry, CRS unknown")
    return notes
