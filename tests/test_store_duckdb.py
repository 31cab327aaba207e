"""The DuckDB store and its spatial extension, without touching the network.

Each connection gets its own empty ``extension_directory`` (a tmp dir), so
what DuckDB may have installed in the user's home does not decide which way
the extension is loaded, and ``BRECHA_OFFLINE=1`` keeps ``INSTALL`` from
reaching DuckDB's extension server.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from brecha import _duckdb, geography
from brecha._duckdb import load_spatial, store_table
from brecha.pipeline._fingerprint import Sources
from brecha.pipeline._store import STORE_NAME, STORED, LayerTable, build_store, store_layers
from brecha.pipeline.writers import write_parquet
from brecha.sources import SOURCES
from brecha.sources.catalog import catalog


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("BRECHA_OFFLINE", "1")


def _fresh(ext_dir) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:", config={"extension_directory": str(ext_dir)})


def test_plain_load_fails_so_the_wheel_is_used(tmp_path):
    con = _fresh(tmp_path)
    with pytest.raises(duckdb.Error):  # nothing installed in this extension directory
        con.execute("LOAD spatial")
    how = load_spatial(_fresh(tmp_path))
    wheel = _duckdb._wheel_extension()
    assert wheel is not None and how == f"wheel {wheel}"
    assert f"v{duckdb.__version__}" in wheel.parts  # the build for this DuckDB, not another
    assert "duckdb_extension_spatial" in wheel.parts


def test_an_installed_extension_is_loaded_by_name(tmp_path):
    # INSTALL from the wheel's file (a local path: no network) into the tmp extension directory.
    _fresh(tmp_path).execute(f"INSTALL '{_duckdb._wheel_extension().as_posix()}'")
    assert load_spatial(_fresh(tmp_path)) == "LOAD spatial"


def test_every_failed_attempt_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(_duckdb, "_wheel_extension", lambda: None)
    with pytest.raises(RuntimeError) as info:
        load_spatial(_fresh(tmp_path))
    msg = str(info.value)
    assert msg.startswith("could not load DuckDB's spatial extension:")
    assert "\n  LOAD spatial:" in msg and "\n  INSTALL spatial:" not in msg  # offline: no INSTALL tried
    assert f"pip install duckdb-extension-spatial=={duckdb.__version__}" in msg
    # BRECHA_OFFLINE=0 tries INSTALL; a repository that is an empty local folder keeps it off the network.
    monkeypatch.setenv("BRECHA_OFFLINE", "0")
    con = _fresh(tmp_path)
    con.execute(f"SET custom_extension_repository = '{(tmp_path / 'repo').as_posix()}'")
    with pytest.raises(RuntimeError) as info:
        load_spatial(con)
    assert "\n  INSTALL spatial:" in str(info.value)


def test_spatial_sql_works_on_a_stored_table(tmp_path):
    con = _fresh(tmp_path)
    assert load_spatial(con).startswith("wheel ")
    munis = geography.municipalities()
    store_table(con, "munis", munis[munis["cve_ent"] == "09"], key="cvegeo")
    assert con.execute("SELECT typeof(geometry), ST_CRS(geometry) FROM munis LIMIT 1").fetchone() == (
        "GEOMETRY('EPSG:4326')", "EPSG:4326")  # the CRS travels with the column type
    hit = con.execute("SELECT cvegeo FROM munis WHERE ST_Within(ST_Point(-99.1332, 19.4326), geometry)").fetchall()
    assert hit == [("09015",)]  # the Zócalo, in Cuauhtémoc
    cancun = "SELECT count(*) FROM munis WHERE ST_Within(ST_Point(-86.85, 21.16), geometry)"
    assert con.execute(cancun).fetchone() == (0,)


def test_store_table_refuses_duplicate_and_empty_keys(tmp_path):
    con = duckdb.connect()
    store_table(con, "t", pd.DataFrame({"cvegeo": ["01002", "01001"], "n": [2, 1]}), key="cvegeo")
    assert con.execute("SELECT cvegeo FROM t").fetchall() == [("01001",), ("01002",)]  # key order
    for bad in (["01001", "01001"], ["01001", None], ["01001", ""], ["01001", "  "]):
        with pytest.raises(ValueError, match="table 't': key cvegeo must be unique and not empty"):
            store_table(con, "t", pd.DataFrame({"cvegeo": bad, "n": [1, 2]}), key="cvegeo")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)  # the old table is left as it was
    for later in ("'01001'", "''", "' '"):  # a later INSERT is held to the same key rules
        with pytest.raises(duckdb.ConstraintException):
            con.execute(f"INSERT INTO t VALUES ({later}, 9)")


# --- The built store ---------------------------------------------------------------

class _Spec:  # what store_layers reads of a LayerSpec
    def __init__(self, key):
        self.key, self.title, self.description, self.hxl_tags = key, {"en": "Top municipalities"}, "A test.", {}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    (out / "layers").mkdir()
    munis = geography.municipalities()
    top = munis[munis["cve_ent"] == "09"][["cvegeo", "name", "geometry"]].assign(poverty_pct=1.5)
    write_parquet(top, out / "layers" / "top.parquet")
    built = {"top": {"kind": "table", "outputs": [{"format": "parquet", "path": "layers/top.parquet",
                                                  "sha256": "0" * 64}]},
             "a_map": {"kind": "map", "outputs": [{"format": "html", "path": "maps/a_map.html"}]}}
    layers = store_layers(out, {"top": _Spec(["cvegeo"]), "a_map": _Spec([])}, built)
    assert [t.name for t in layers] == ["top"]  # maps and rasters are not tables
    record = build_store(out, Sources(), layers)
    return out / STORE_NAME, record


def test_store_has_every_source_with_its_key_and_rows(store):
    path, record = store
    cat = catalog().set_index("source")
    assert set(STORED) == set(cat.index)  # every source `brecha sources` lists is stored
    con = duckdb.connect(str(path), read_only=True)
    try:
        keys = dict(con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                                "WHERE constraint_type = 'PRIMARY KEY'").fetchall())
        for name, key in STORED.items():
            assert keys[name] == [key], name
            n = con.execute(f'SELECT count(*), count(DISTINCT "{key}") FROM "{name}"').fetchone()
            assert n == (cat.at[name, "rows"], cat.at[name, "rows"]), name
            assert record["tables"][name] == cat.at[name, "rows"]
        assert keys["_sources"] == ["table"]
        names = con.execute("SELECT cvegeo, nombre_municipio FROM municipal_names_mg2023 "
                            "WHERE cvegeo IN ('23008', '02007') ORDER BY 1").fetchall()
        assert names == [("02007", "San Felipe"), ("23008", "Solidaridad")]  # 02007: created after 2020
        assert con.execute("SELECT count(*) FROM _sources").fetchone() == (len(STORED),)
        assert con.execute("SELECT sum(pop_total) FROM census_municipal").fetchone() == (126_014_024,)
    finally:
        con.close()


def test_the_store_refuses_a_duplicate_code(store):
    path, _ = store
    con = duckdb.connect(str(path))
    try:
        for table, key in (("municipalities", "cvegeo"), ("localities", "cvegeo_loc"), ("denue_care", "denue_id")):
            with pytest.raises(duckdb.ConstraintException):
                con.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}" ORDER BY "{key}" LIMIT 1')
    finally:
        con.close()


def test_stored_sources_and_keys_come_from_the_source_table():
    assert STORED == {s.name: s.key for s in SOURCES if not s.optional}


def test_store_has_layers_crs_and_comments(store):
    path, record = store
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert record["tables"]["layer_top"] == 16  # Mexico City's alcaldías
        keys = dict(con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                                "WHERE constraint_type = 'PRIMARY KEY'").fetchall())
        assert keys["layer_top"] == ["cvegeo"]
        crs = dict(((t, c), v) for t, c, v in con.execute('SELECT "table", "column", crs FROM _crs').fetchall())
        for table in ("layer_top", "municipalities", "states", "localities", "denue_care"):
            assert crs[(table, "geometry")] == "EPSG:4326", table
        assert ("census_municipal", "geometry") not in crs
        comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        munis = next(s for s in SOURCES if s.name == "municipalities")
        assert munis.title in comments["municipalities"] and munis.licence in comments["municipalities"]
        assert comments["layer_top"].startswith("Layer top: Top municipalities.")
        cols = {(t, c): m for t, c, m in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns()").fetchall()}
        assert cols[("layer_top", "poverty_pct")] == "HXL #indicator+pct+poverty"
        assert cols[("layer_top", "cvegeo")].startswith("key: unique, not empty")
        assert "EPSG:4326" in cols[("municipalities", "geometry")]
        assert con.execute("SELECT layer, file FROM _layers").fetchall() == [("top", "top.parquet")]
    finally:
        con.close()


def test_the_documented_offline_load_works(tmp_path):
    con = _fresh(tmp_path)  # an empty extension directory: LOAD spatial alone fails
    con.execute(_duckdb.spatial_load_sql())
    assert con.execute("SELECT ST_AsText(ST_Point(1, 2))").fetchone() == ("POINT (1 2)",)


def test_store_inputs_change_when_a_layer_changes(tmp_path):
    from brecha.pipeline._store import store_inputs

    srcs = Sources()
    a = LayerTable("top", tmp_path / "top.parquet", ("cvegeo",), "t", "", "a" * 64, {})
    b = LayerTable("top", tmp_path / "top.parquet", ("cvegeo",), "t", "", "b" * 64, {})
    assert store_inputs(srcs, [a]) != store_inputs(srcs, [b]) != store_inputs(srcs)
