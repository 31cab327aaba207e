"""Load a source by its name in :data:`brecha.sources.SOURCES`: the embedded copy, or a user's file.

How a source is read comes from its table entry alone: a parquet file as a
(Geo)DataFrame by its ``geometry`` flag, anything else with its ``reader``.
The package's own embedded files are checked against their expected SHA-256
before reading; a data folder of the user's (``BRECHA_DATA``, ``data_dir``)
is theirs, recorded by hash in the build manifest but not checked.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import InputError, Problem
from ..settings import DATA_DIR
from ._registry import SOURCES, Source, file_sha256, source

__all__ = ["load", "reader", "read_names_mg2023", "check_embedded"]

#: Embedded files already checked: path -> (size, mtime_ns) when they hashed right.
_CHECKED: dict[Path, tuple[int, int]] = {}


def reader(s: Source) -> Callable[..., Any]:
    """The function ``s.reader`` names (``"module:function"``), imported now."""
    if s.reader is None:
        raise ValueError(f"source {s.name!r} has no reader")
    module, _, fn = s.reader.partition(":")
    return getattr(importlib.import_module(module), fn)


def check_embedded(s: Source, path: Path) -> None:
    """Refuse an embedded file whose bytes are not the ones the table expects.

    Raises
    ------
    InputError
        Naming the file, the expected and the actual SHA-256, and how to
        record a deliberately regenerated file.
    """
    st = path.stat()
    if s.sha256 is None or _CHECKED.get(path) == (st.st_size, st.st_mtime_ns):
        return
    actual = file_sha256(path)
    if actual != s.sha256:
        raise InputError([Problem(str(path), None, None, f"sha256 {actual}",
                                  f"sha256 {s.sha256} (the embedded {s.name} file as shipped; if it was regenerated "
                                  f"on purpose, record it: python -m brecha.sources._registry {s.name})")])
    _CHECKED[path] = (st.st_size, st.st_mtime_ns)


def read_names_mg2023(path: str | os.PathLike) -> pd.DataFrame:
    """The 2023 municipal name catalogue as text, its ``cve_geo`` renamed to the canonical ``cvegeo``."""
    return pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"cve_geo": "cvegeo"})


def load(name: str, path: str | os.PathLike | None = None, *, data_dir: Path | None = None) -> pd.DataFrame:
    """The canonical frame of source ``name``, keyed by its ``key`` column.

    Parameters
    ----------
    name
        A name in :data:`brecha.sources.SOURCES` (``census_municipal``,
        ``localities``, ``coneval_municipal``, ``denue_care``, ``offices``,
        ``initiatives``, ``municipalities``, ``states``, ...).
    path
        A user's file replacing the embedded one (replaceable and optional
        sources only; other sources have their own ``read_*`` functions).
    data_dir
        Folder of the embedded files (default: the package's own, hash-checked).

    >>> load("census_municipal")["pop_total"].sum()
    np.float64(126014024.0)
    """
    s = source(name)
    if path is not None:
        if not (s.replaceable or s.optional):
            allowed = sorted(x.name for x in SOURCES if x.replaceable or x.optional)
            raise ValueError(f"only {allowed} can be replaced by a file; use the read_* functions")
        return reader(s)(path)
    if s.file is None:
        raise ValueError(f"source {name!r} has no embedded file: give one (brecha build --{name.replace('_', '-')})")
    folder = Path(data_dir or DATA_DIR)
    p = folder / s.file
    if folder.resolve() == DATA_DIR.resolve():
        check_embedded(s, p)
    if p.suffix == ".parquet":
        return gpd.read_parquet(p) if s.geometry else pd.read_parquet(p)
    return reader(s)(p)
