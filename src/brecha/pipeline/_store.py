"""The DuckDB store, ``DIR/brecha.duckdb``: every source as a table, for SQL users.

Tables are named after the sources, ordered by their canonical key, with
geometry as DuckDB ``GEOMETRY``; ``initiative_places`` is the long
who-works-where table and ``_sources`` records each table's file, sha256
and vintage. The database is built in a temporary file and renamed into
place, so readers never see a half-loaded store.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pandas as pd

from .._duckdb import connect, store_table
from .._io import atomic_path, sha256_file
from ..sources.agencies import initiative_places
from ._fingerprint import Sources

__all__ = ["STORE_NAME", "STORED", "build_store", "store_inputs"]

log = logging.getLogger(__name__)

STORE_NAME = "brecha.duckdb"
#: source -> key column of its table.
STORED = {"municipalities": "cvegeo", "states": "cve_ent", "census_municipal": "cvegeo",
          "coneval_municipal": "cvegeo", "localities": "cvegeo_loc", "denue_care": "denue_id",
          "offices": "office_id", "initiatives": "initiative_id"}


def store_inputs(sources: Sources) -> dict[str, dict]:
    """The provenance of every stored source."""
    return {name: sources.record(name) for name in STORED}


def build_store(out_dir: Path, sources: Sources) -> dict:
    """Load every source into ``out_dir/brecha.duckdb`` atomically; return its manifest record."""
    target = Path(out_dir) / STORE_NAME
    rows = {}
    with atomic_path(target) as tmp:
        tmp.unlink()  # DuckDB refuses the empty placeholder file; it creates its own
        con = connect(tmp)
        try:
            for name, key in STORED.items():
                frame = sources.frame(name)
                store_table(con, name, frame, key=key)
                rows[name] = len(frame)
                if name == "initiatives":
                    places = initiative_places(frame)
                    store_table(con, "initiative_places", places, key="initiative_id")
                    rows["initiative_places"] = len(places)
            prov = pd.DataFrame([{"table": n, **sources.record(n)} for n in STORED])
            store_table(con, "_sources", prov, key="table")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        wal = Path(f"{tmp}.wal")
        if wal.exists():  # a checkpointed, closed database needs no WAL
            os.unlink(wal)
    st = target.stat()
    return {"path": STORE_NAME, "format": "duckdb", "sha256": sha256_file(target), "bytes": st.st_size,
            "mtime_ns": st.st_mtime_ns, "tables": rows, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
