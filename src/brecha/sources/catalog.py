"""The catalogue of embedded sources: vintage, rows, checksum, licence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ..settings import DATA_DIR
from ._registry import ATTRIBUTION, SOURCES, Source, file_sha256, source

__all__ = ["catalog", "source_path", "input_record", "ATTRIBUTION", "SOURCES"]


def source_path(name: str, data_dir: Path | None = None) -> Path:
    """Path of an embedded source file by registry name.

    Raises
    ------
    KeyError
        Unknown name, or a source with no embedded file (an optional one).
    """
    s = source(name)
    if s.file is None:
        raise KeyError(f"source {name!r} has no embedded file (it is used only when a user gives one)")
    return Path(data_dir or DATA_DIR) / s.file


def _rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as f:
        import csv
        import io
        return sum(1 for _ in csv.reader(io.TextIOWrapper(f, encoding="utf-8"))) - 1


def catalog(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per embedded source with its vintage, rows, checksum and licence.

    ``rows_ok`` is False where the file does not hold the rows the registry
    expects, ``sha256_ok`` where its bytes are not the expected ones (a
    truncated, swapped or republished file). Optional sources with no
    embedded file are left out.
    """
    out = []
    for s in SOURCES:
        if s.file is None:
            continue
        p = Path(data_dir or DATA_DIR) / s.file
        rows = _rows(p)
        digest = file_sha256(p)
        out.append({"source": s.name, "title": s.title, "vintage": s.vintage, "rows": rows,
                    "rows_ok": rows == s.rows, "sha256": digest, "sha256_ok": digest == s.sha256,
                    "licence": s.licence,
                    "publisher": s.publisher, "redistributor": s.redistributor, "file": s.file})
    return pd.DataFrame(out)


def input_record(name: str, data_dir: Path | None = None) -> dict:
    """Provenance of one embedded source, as recorded in build manifests."""
    s: Source = source(name)
    p = source_path(name, data_dir)
    return {"source": name, "file": s.file, "sha256": file_sha256(p), "vintage": s.vintage}
