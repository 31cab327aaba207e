"""The DuckDB store and its spatial extension, without touching the network.

Each connection gets its own empty ``extension_directory`` (a tmp dir), so
what DuckDB may have installed in the user's home does not decide which way
the extension is loaded, and ``BRECHA_OFFLINE=1`` keeps ``INSTALL`` from
reaching DuckDB's extension server.
"""

from __future__ import annotations

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from brecha import _duckdb, geography
from brecha._duckdb import load_spatial, store_table
from brecha.pipeline._fingerprint import Sources
from brecha.pipeline._store import STORE_NAME, STORED, build_store
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
    assert con.execute("SELECT typeof(geometry) FROM munis LIMIT 1").fetchone() == ("GEOMETRY",)
    hit = con.execute("SELECT cvegeo FROM munis WHERE ST_Within(ST_Point(-99.1332, 19.4326), geometry)").fetchall()
    assert hit == [("09015",)]  # the Zócalo, in Cuauhtémoc
    assert con.execute("SELECT count(*) FROM munis WHERE ST_Within(ST_Point(-86.85, 21.16), geometry)").fetchone() == (0,)


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

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    record = build_store(out, Sources())
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
