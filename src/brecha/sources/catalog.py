"""The catalogue of embedded sources: vintage, rows, checksum, licence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .._io import sha256_file
from ..settings import DATA_DIR
from ._registry import ATTRIBUTION, SOURCES, Source

__all__ = ["catalog", "source_path", "ATTRIBUTION", "SOURCES"]


def source_path(name: str, data_dir: Path | None = None) -> Path:
    """Path of an embedded source file by registry name."""
    for s in SOURCES:
        if s.name == name:
            return Path(data_dir or DATA_DIR) / s.file
    raise KeyError(f"unknown source {name!r}; known: {[s.name for s in SOURCES]}")


def _rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as f:
        import csv, io
        return sum(1 for _ in csv.reader(io.TextIOWrapper(f, encoding="utf-8"))) - 1


def catalog(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per embedded source with its vintage, rows, checksum and licence.

    ``rows_ok`` is False where the file does not hold the rows the registry
    expects (a truncated or swapped file).
    """
    out = []
    for s in SOURCES:
        p = Path(data_dir or DATA_DIR) / s.file
        rows = _rows(p)
        out.append({"source": s.name, "title": s.title, "vintage": s.vintage, "rows": rows,
                    "rows_ok": rows == s.rows, "sha256": sha256_file(p), "licence": s.licence,
                    "publisher": s.publisher, "redistributor": s.redistributor, "file": s.file})
    return pd.DataFrame(out)


def input_record(name: str, data_dir: Path | None = None) -> dict:
    """Provenance of one embedded source, as recorded in build manifests."""
    s: Source = next(x for x in SOURCES if x.name == name)
    p = source_path(name, data_dir)
    return {"source": name, "file": s.file, "sha256": sha256_file(p), "vintage": s.vintage}
