"""Load a source by registry name: the embedded copy, or a user's file."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..settings import DATA_DIR
from .agencies import read_initiatives, read_offices

_READERS = {"offices": read_offices, "initiatives": read_initiatives}


def load(name: str, path: str | os.PathLike | None = None, *, data_dir: Path | None = None) -> pd.DataFrame:
    """The canonical frame of source ``name``.

    Parameters
    ----------
    name
        A name from :func:`brecha.sources.catalog` (``census_municipal``,
        ``localities``, ``coneval_municipal``, ``denue_care``, ``offices``,
        ``initiatives``, ``municipalities``, ``states``).
    path
        A user's file replacing the embedded one (offices and initiatives
        only; other sources have their own ``read_*`` functions).

    >>> load("census_municipal")["pop_total"].sum()
    np.float64(126014024.0)
    """
    from .catalog import source_path

    if path is not None:
        if name not in _READERS:
            raise ValueError(f"only {sorted(_READERS)} can be replaced by a file; use the read_* functions")
        return _READERS[name](path)
    p = source_path(name, data_dir or DATA_DIR)
    if name in _READERS:
        return _READERS[name](p)
    if name in ("municipalities", "states", "localities", "denue_care"):
        return gpd.read_parquet(p)
    return pd.read_parquet(p)
