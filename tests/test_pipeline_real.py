"""End-to-end builds of the cheap real layers on the embedded data."""

from __future__ import annotations

import hashlib
import json
import shutil

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pytest

from brecha.pipeline import build
from brecha.settings import DATA_DIR

from test_pipeline_support import CODE, REPO, assert_consistent

TABLES = ("gap_settings", "municipalities", "states")


@pytest.fixture
def tables_only(tmp_path):
    folder = tmp_path / "layers"
    folder.mkdir()
    for n in TABLES:
        shutil.copyfile(REPO / "layers" / f"{n}.toml", folder / f"{n}.toml")
    return folder


def _build(out, layers, **kw):
    events = []
    res = build(out, layers_dir=layers, code=CODE, store=False, on_event=events.append, **kw)
    return res, {e["layer"]: e.get("reason") for e in events if e["event"] == "layer"}


def _differing_columns(a, b) -> list[str]:
    """The columns whose values differ between two tables of the same layer (for the failure message)."""
    x = pd.read_parquet(a) if a.suffix == ".parquet" else pd.read_csv(a, dtype=str)
    y = pd.read_parquet(b) if b.suffix == ".parquet" else pd.read_csv(b, dtype=str)
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        return ["<columns or rows>"]
    return [c for c in x.columns if c != "geometry" and not x[c].equals(y[c])]


# Serial (make test-slow): once under pytest-xdist, after other tests in the same worker, one of these
# files differed between the two builds; alone and serially it never has. Kept, not skipped, until
# the cause is found: see the closing note of stop 12.
@pytest.mark.slow
def test_same_inputs_give_byte_identical_layers(tmp_path, tables_only):
    for name in ("a", "b"):
        assert _build(tmp_path / name, tables_only)[0].exit_code == 0
    for rel in ["layers/municipalities.parquet", "layers/states.parquet", "layers/municipalities.csv",
                "layers/states.csv"]:
        # Digests, not bytes: a failure names the file at once instead of diffing megabytes.
        same = hashlib.sha256((tmp_path / "a" / rel).read_bytes()).hexdigest() == \
            hashlib.sha256((tmp_path / "b" / rel).read_bytes()).hexdigest()
        assert same, (f"{rel} differs between two builds of the same inputs: columns "
                      f"{_differing_columns(tmp_path / 'a' / rel, tmp_path / 'b' / rel)}")
    meta = pq.ParquetFile(tmp_path / "a/layers/municipalities.parquet")
    geo = json.loads(meta.schema_arrow.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["columns"]["geometry"]["crs"]["id"]["code"] == 4326
    assert sorted(geo["columns"]["geometry"]["geometry_types"]) in (["MultiPolygon"], ["MultiPolygon", "Polygon"])


def test_real_layers_hold_the_census_and_coneval_figures(tmp_path, tables_only):
    res, _ = _build(tmp_path / "out", tables_only)
    assert res.exit_code == 0
    muni = gpd.read_parquet(tmp_path / "out/layers/municipalities.parquet")
    states = gpd.read_parquet(tmp_path / "out/layers/states.parquet")
    assert len(muni) == 2469 and muni["cvegeo"].is_monotonic_increasing and muni.crs.to_epsg() == 4326
    assert muni["poverty_pct"].isna().sum() == 3
    assert states["pop_total"].sum() == 126_014_024 and states["municipalities"].sum() == 2469
    chiapas = states.set_index("cve_ent").loc["07"]
    assert 70 < chiapas["poverty_pct"] < 80  # CONEVAL 2020: 75.5 % (official state figure)
    csv = pd.read_csv(tmp_path / "out/layers/municipalities.csv", dtype=str, skiprows=[1])
    assert csv.loc[0, "cvegeo"] == "01001" and csv.loc[0, "pop_total"] == "948990"
    assert_consistent(tmp_path / "out")


def test_skip_then_rebuild_after_one_input_changes(tmp_path, tables_only):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    out = tmp_path / "out"
    assert _build(out, tables_only, data_dir=data)[0].built == list(TABLES)
    res, reasons = _build(out, tables_only, data_dir=data)
    assert res.built == [] and res.skipped == list(TABLES)
    census = pd.read_parquet(data / "census_municipal.parquet")
    census.loc[census.cvegeo == "01001", "pop_total"] += 1
    census.to_parquet(data / "census_municipal.parquet", index=False)
    res, reasons = _build(out, tables_only, data_dir=data)
    assert res.built == ["municipalities", "states"]
    assert {k: v for k, v in reasons.items() if v} == {"municipalities": "input source:census_municipal changed",
                       "states": "input source:census_municipal changed"}
    assert gpd.read_parquet(out / "layers/states.parquet")["pop_total"].sum() == 126_014_025


def test_store_holds_every_source_keyed_and_is_built_once(tmp_path, tables_only):
    out = tmp_path / "out"
    events = []
    res = build(out, layers_dir=tables_only, layers=["municipalities"], code=CODE, on_event=events.append)
    assert res.exit_code == 0
    assert [e["status"] for e in events if e["event"] == "store"] == ["building", "built"]
    con = duckdb.connect(str(out / "brecha.duckdb"), read_only=True)
    try:
        tables = dict(con.execute("SELECT table_name, estimated_size FROM duckdb_tables()").fetchall())
        assert {"municipalities", "states", "census_municipal", "coneval_municipal", "localities", "denue_care",
                "offices", "initiatives", "initiative_places", "_sources"} <= set(tables)
        assert con.execute("SELECT count(*), min(cvegeo) FROM municipalities").fetchone() == (2469, "01001")
        assert con.execute("SELECT typeof(geometry) FROM localities LIMIT 1").fetchone()[0] == "GEOMETRY"
        shas = dict(con.execute('SELECT "table", sha256 FROM _sources').fetchall())
    finally:
        con.close()
    man = assert_consistent(out)
    assert shas["census_municipal"] == man["store"]["inputs"]["census_municipal"]["sha256"]
    events.clear()
    build(out, layers_dir=tables_only, layers=["municipalities"], code=CODE, on_event=events.append)
    assert [e["status"] for e in events if e["event"] == "store"] == ["skipped"]
    assert not list(out.glob(".*.tmp*"))


def test_official_state_workbook_is_an_optional_hashed_input(tmp_path, tables_only):
    import openpyxl
    from click.testing import CliRunner
    from test_coneval_state import _per_indicator_sheet, _per_state_sheet

    from brecha._io import sha256_file
    from brecha.cli import build as build_cli

    out = tmp_path / "out"
    assert _build(out, tables_only)[0].built == list(TABLES)
    states = gpd.read_parquet(out / "layers/states.parquet")
    assert (states["poverty_source"] == "agg_from_municipal").all() and "poverty_pct_official" not in states
    wb = openpyxl.Workbook()
    _per_state_sheet(wb)
    _per_indicator_sheet(wb)
    wb.save(tmp_path / "anexo.xlsx")
    res, reasons = _build(out, tables_only, sources={"coneval_state": tmp_path / "anexo.xlsx"})
    assert res.built == ["states"] and reasons["states"] == "input source:coneval_state changed"
    states = gpd.read_parquet(out / "layers/states.parquet").set_index("cve_ent")
    assert states.loc["01", "poverty_pct"] == 27.6 and states.loc["01", "poverty_source"] == "official"
    assert states.loc["02", "poverty_source"] == "agg_from_municipal"
    assert states.loc["01", "poverty_pct_agg_from_municipal"] != 27.6  # the aggregate stays beside it
    assert states.attrs["states_with_official"]["poverty"] == 1
    man = assert_consistent(out)
    rec = man["layers"]["states"]["inputs"]["official_poverty"]
    assert rec["sha256"] == sha256_file(tmp_path / "anexo.xlsx") and rec["vintage"] == "user file"
    assert _build(out, tables_only, sources={"coneval_state": tmp_path / "anexo.xlsx"})[0].built == []
    # brecha layers takes the same option, so the states layer it fed reads as up to date.
    from brecha.cli import layers as layers_cli
    from brecha.pipeline import status

    seen = {s.name: s.state for s in status(out, layers_dir=tables_only, code=CODE,
                                            sources={"coneval_state": tmp_path / "anexo.xlsx"})}
    assert seen == {name: "up to date" for name in TABLES}
    assert "--coneval-state" in CliRunner().invoke(layers_cli.command, ["--help"]).output
    # A workbook without a table stops the build before anything is written (exit 2), naming the file.
    empty = openpyxl.Workbook()
    empty.active["A1"] = "Nada que ver"
    empty.save(tmp_path / "empty.xlsx")
    cli = CliRunner().invoke(build_cli.command, ["--out", str(out), "--layers-dir", str(tables_only), "--no-store",
                                                 "--coneval-state", str(tmp_path / "empty.xlsx")])
    assert cli.exit_code == 2 and "empty.xlsx" in cli.output
    missing = CliRunner().invoke(build_cli.command, ["--out", str(out), "--layers-dir", str(tables_only),
                                                     "--coneval-state", str(tmp_path / "nowhere.xlsx")])
    assert missing.exit_code == 2 and "coneval_state" in missing.output
