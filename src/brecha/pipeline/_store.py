"""The DuckDB store, ``DIR/brecha.duckdb``: every source as a table, for SQL users.

Tables are named after the sources (every one ``brecha sources`` lists),
each with its canonical key as PRIMARY KEY (so no code can be duplicated or
empty) and its rows in key order, with geometry as DuckDB ``GEOMETRY``.
``municipal_names_mg2023`` is keyed by ``cvegeo`` too (the file's
``cve_geo``; codes of the 2023 frame). ``initiative_places`` is the long
who-works-where table (no key of its own: national rows have no code) and
``_sources`` records each table's file, sha256 and vintage. The database is built in a temporary file and renamed into
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
#: source -> primary key of its table.
STORED = {"municipalities": "cvegeo", "states": "cve_ent", "census_municipal": "cvegeo",
          "coneval_municipal": "cvegeo", "localities": "cvegeo_loc", "denue_care": "denue_id",
          "offices": "office_id", "initiatives": "initiative_id", "municipal_names_mg2023": "cvegeo"}
#: Columns renamed on the way in, so the municipal key is called cvegeo in every table.
_RENAMED = {"municipal_names_mg2023": {"cve_geo": "cvegeo"}}


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
                store_table(con, name, frame.rename(columns=_RENAMED.get(name, {})), key=key)
                rows[name] = len(frame)
                if name == "initiatives":
                    places = initiative_places(frame)
                    store_table(con, "initiative_places", places)  # already in initiative_id order
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
