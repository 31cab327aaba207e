"""Shared helpers for the pipeline tests: a test registry of tiny functions and spec folders.

Holds no tests; the test_pipeline_* modules import it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from affine import Affine

from brecha.maps._offline import OfflineMap
from brecha.pipeline import Registry, RasterResult, verify
from brecha.pipeline import manifest as mf
from brecha.settings import DATA_DIR

REPO = Path(__file__).resolve().parents[1]
#: The real specs cheap enough for tests (the municipal map takes seconds).
CHEAP_SPECS = ("gap_settings", "municipalities", "states", "map_poverty_states")
CODE = "0.0.0+test"

REG = Registry()


@REG.register("t.subset", inputs=("base",))
def _subset(inputs, *, columns: list, tag: str = "a"):
    """Some columns of the base table, tagged."""
    df = inputs["base"][["cve_ent", *columns, "geometry"]].copy()
    df["geometry"] = df.geometry.simplify(0.05)  # small files keep the tests fast
    df["tag"] = tag
    return df.iloc[::-1]  # reversed on purpose: the build must sort by key


@REG.register("t.count", inputs=("layer",))
def _count(inputs):
    """A plain table derived from a layer."""
    df = inputs["layer"]
    return pd.DataFrame({"cve_ent": df["cve_ent"], "name_len": df["name"].str.len(), "note": "=1+1"})


@REG.register("t.fail", inputs=("base",))
def _fail(inputs, *, message: str = "boom"):
    """Always fails."""
    raise RuntimeError(message)


@REG.register("t.grid", kind="raster")
def _grid(inputs, *, cell_km: float):
    """A small float raster in EPSG:6372."""
    arr = np.arange(40 * 30, dtype="float32").reshape(40, 30)
    return RasterResult(arr, Affine(cell_km * 1000, 0, 2.0e6, 0, -cell_km * 1000, 1.5e6), "EPSG:6372", -1.0, ("value",))


@REG.register("t.cells", inputs=("grid",))
def _cells(inputs):
    """A table from a raster layer read back from its COG."""
    r = inputs["grid"]
    return pd.DataFrame({"name": [r.name], "cells": [int(r.valid().sum())], "total": [float(r.array.sum())],
                         "cell_m": [r.transform.a]})


@REG.register("t.map", kind="map", inputs=("layer",))
def _map(inputs, *, style: dict, lang: str = "es"):
    """A folium map of the layer."""
    m = OfflineMap(location=[23, -102], zoom_start=5, tiles=None)
    folium.GeoJson(inputs["layer"][["cve_ent", "geometry"]]).add_to(m)
    return m


STYLE = """
[style]
column = "name_len"
scheme = "Quantiles"
k = 3
colors = ["#fee8c8", "#fdbb84", "#e34a33"]
legend = { es = "Largo", en = "Length" }
"""

SPECS = {
    "base": """
title = { es = "Base", en = "Base" }
function = "t.subset"
key = ["cve_ent"]
[inputs]
base = "source:states"
[params]
columns = ["name"]
[outputs]
formats = ["parquet", "gpkg", "fgb", "csv"]
hxl = true
""",
    "derived": """
title = { es = "Derivada", en = "Derived" }
function = "t.count"
key = ["cve_ent"]
[inputs]
layer = "layer:base"
[outputs]
formats = ["parquet", "csv"]
""",
    "grid": """
title = { es = "Malla", en = "Grid" }
function = "t.grid"
[params]
cell_km = 5
[outputs]
formats = ["tif"]
""",
    "map": """
title = { es = "Mapa", en = "Map" }
function = "t.map"
[inputs]
layer = "layer:base"
""" + STYLE,
}


def write_specs(folder: Path, specs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in specs.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def data_copy(folder: Path, names=("states.parquet",)) -> Path:
    """A data folder holding copies of some embedded files, to change an input safely."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copyfile(DATA_DIR / n, folder / n)
    return folder


def cheap_layers(folder: Path) -> Path:
    """A specs folder with the real specs of :data:`CHEAP_SPECS`."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in CHEAP_SPECS:
        shutil.copyfile(REPO / "layers" / f"{n}.toml", folder / f"{n}.toml")
    return folder


def brecha_argv() -> list[str]:
    """The ``brecha`` command of this interpreter."""
    return [sys.executable, "-m", "brecha"]


def read_output(path: Path) -> object:
    """Read an output the way a user would; raises if it is truncated or corrupt."""
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix in (".gpkg", ".fgb"):
        return gpd.read_file(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str)
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{path} is truncated"
        return text
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=None)
    if path.suffix == ".tif":
        import rasterio

        with rasterio.open(path) as ds:
            return ds.read()
    if path.suffix == ".duckdb":
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute("SELECT count(*) FROM _sources").fetchone()
        finally:
            con.close()
    raise AssertionError(f"unexpected output {path}")


def assert_consistent(out: Path) -> dict:
    """The manifest matches the files byte for byte, and every file it lists can be read."""
    assert verify(out) == []
    man = mf.load(out)
    records = [r for e in man["layers"].values() for r in e["outputs"]]
    records += [r for r in (man["store"], man["index"]) if r]
    for rec in records:
        read_output(out / rec["path"])
    return man
