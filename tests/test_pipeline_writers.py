"""Writers: deterministic GeoParquet 1.1, CSV with HXL and formula neutralising, GPKG/FGB, COG."""

from __future__ import annotations

import json
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest
import rasterio
from affine import Affine
from shapely.geometry import Point

from brecha.errors import BuildError
from brecha.pipeline.writers import (
    GPKG_VERSION,
    RasterResult,
    hxl_tags,
    prepare_table,
    write_cog,
    write_csv,
    write_fgb,
    write_gpkg,
    write_parquet,
    write_xlsx,
    written_formats,
)


@pytest.fixture
def points():
    return gpd.GeoDataFrame(
        {"cvegeo": ["02001", "01001", "01002"], "name": ["=cmd|' /C calc'!A0", "Aguascalientes", "-3.5"],
         "pop_total": [10.0, 20.0, np.nan], "places": [["a", "b"], [], ["c"]]},
        geometry=[Point(-99.1, 19.4), Point(-102.3, 21.9), Point(-102.1, 22.2)], crs="EPSG:4326")


def test_prepare_table_sorts_by_key_and_moves_to_storage_crs(points):
    out = prepare_table(points.to_crs("EPSG:6372"), ["cvegeo"])
    assert list(out["cvegeo"]) == ["01001", "01002", "02001"]
    assert out.crs.to_epsg() == 4326 and list(out.index) == [0, 1, 2]


@pytest.mark.parametrize("frame, match", [
    (pd.DataFrame({"cvegeo": ["1", "1"]}), "repeats"),
    (pd.DataFrame({"cvegeo": ["1", None]}), "empty"),
    (pd.DataFrame({"code": ["1"]}), "not in the result"),
    ([1, 2], "DataFrame"),
])
def test_prepare_table_rejects_bad_keys(frame, match):
    with pytest.raises(BuildError, match=match):
        prepare_table(frame, ["cvegeo"])


def test_geoparquet_is_1_1_and_byte_identical_when_rewritten(points, tmp_path):
    frame = prepare_table(points, ["cvegeo"])
    write_parquet(frame, tmp_path / "a.parquet")
    write_parquet(prepare_table(points.iloc[::-1], ["cvegeo"]), tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    f = pq.ParquetFile(tmp_path / "a.parquet")
    geo = json.loads(f.schema_arrow.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    assert geo["columns"]["geometry"]["encoding"] == "WKB"
    assert geo["columns"]["geometry"]["geometry_types"] == ["Point"]
    assert f.metadata.created_by == f"parquet-cpp-arrow version {pyarrow.__version__}"
    assert set(f.schema_arrow.metadata) == {b"geo", b"pandas"}
    assert f.metadata.row_group(0).column(0).compression == "ZSTD"
    # GeoParquet 1.1 bbox covering: a bbox struct column named in the metadata, with per-row-group statistics.
    assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    assert f.schema_arrow.field("bbox").type.num_fields == 4
    names = [f.metadata.row_group(0).column(i).path_in_schema for i in range(f.metadata.num_columns)]
    xmin = f.metadata.row_group(0).column(names.index("bbox.xmin")).statistics
    assert xmin.min == pytest.approx(-102.3) and "bbox" not in gpd.read_parquet(tmp_path / "a.parquet").columns


def _row_group_boxes(path) -> list[tuple[float, float, float, float]]:
    """Per row group, the (xmin, ymin, xmax, ymax) its bbox covering statistics give."""
    md = pq.ParquetFile(path).metadata
    names = [md.row_group(0).column(i).path_in_schema for i in range(md.num_columns)]
    boxes = []
    for g in range(md.num_row_groups):
        stats = {k: md.row_group(g).column(names.index(f"bbox.{k}")).statistics
                 for k in ("xmin", "ymin", "xmax", "ymax")}
        assert all(st is not None and st.has_min_max for st in stats.values()), g
        boxes.append((stats["xmin"].min, stats["ymin"].min, stats["xmax"].max, stats["ymax"].max))
    return boxes


def _hit(box, query) -> bool:
    return not (box[2] < query[0] or box[0] > query[2] or box[3] < query[1] or box[1] > query[3])


def test_geoparquet_row_groups_let_a_bbox_read_skip_rows(tmp_path):
    from brecha.pipeline.writers import ROW_GROUP_ROWS

    n = 3 * ROW_GROUP_ROWS
    frame = gpd.GeoDataFrame({"cvegeo": [f"{i:05d}" for i in range(n)]},
                             geometry=[Point(-118 + 30 * i / n, 15 + 15 * i / n) for i in range(n)], crs="EPSG:4326")
    write_parquet(frame, tmp_path / "g.parquet")
    boxes = _row_group_boxes(tmp_path / "g.parquet")
    assert len(boxes) == 3
    for g, box in enumerate(boxes):  # each group's statistics are the bounds of its own rows
        rows = frame.iloc[g * ROW_GROUP_ROWS:(g + 1) * ROW_GROUP_ROWS].total_bounds
        assert box == pytest.approx(tuple(rows))
    query = (-118.0, 14.9, -108.1, 20.0)
    hit = [g for g, box in enumerate(boxes) if _hit(box, query)]
    holds = [g for g in range(3) if not frame.iloc[g * ROW_GROUP_ROWS:(g + 1) * ROW_GROUP_ROWS].cx[
        query[0]:query[2], query[1]:query[3]].empty]
    assert hit == holds == [0]  # a reader testing the statistics reads one group of three


def test_municipal_row_groups_span_much_of_the_country(tmp_path):
    # What the writers' docstring says: state codes are alphabetical, so the groups are not compact.
    from brecha import geography

    write_parquet(prepare_table(geography.municipalities(), ["cvegeo"]), tmp_path / "m.parquet")
    boxes = _row_group_boxes(tmp_path / "m.parquet")
    assert len(boxes) == 5 and boxes[0][2] - boxes[0][0] > 25  # degrees of longitude in row group 0
    oaxaca, baja_california = (-96.8, 16.8, -96.6, 17.0), (-116.0, 31.0, -115.5, 31.5)
    assert [g for g, b in enumerate(boxes) if _hit(b, oaxaca)] == [0, 1, 2, 3]  # skips one group of five
    assert [g for g, b in enumerate(boxes) if _hit(b, baja_california)] == [0]  # skips four


def test_plain_tables_are_plain_parquet(tmp_path):
    write_parquet(pd.DataFrame({"cvegeo": ["01001"], "n": [1]}), tmp_path / "t.parquet")
    assert b"geo" not in pq.read_schema(tmp_path / "t.parquet").metadata


def test_csv_has_hxl_row_neutralised_formulas_and_point_coordinates(points, tmp_path):
    frame = prepare_table(points, ["cvegeo"])
    write_csv(frame, tmp_path / "p.csv", key=["cvegeo"], hxl=True, tags={"places": "#loc+list"})
    raw = (tmp_path / "p.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "cvegeo,name,pop_total,places,lon,lat"
    assert lines[1] == "#adm2+code,#adm2+name,#population+total,#loc+list,#geo+lon,#geo+lat"
    df = pd.read_csv(tmp_path / "p.csv", dtype=str, skiprows=[1], keep_default_na=False)
    row = df.set_index("cvegeo").loc["02001"]
    assert row["name"].startswith("'=cmd")  # a formula is shown as text
    assert df.set_index("cvegeo").loc["01002", "name"] == "-3.5"  # a number stays a number
    assert row["pop_total"] == "10" and row["lon"] == "-99.1"
    assert df.set_index("cvegeo").loc["01001", "places"] == "" and row["places"] == "a; b"


def test_csv_without_hxl_has_no_tag_row(points, tmp_path):
    write_csv(prepare_table(points, ["cvegeo"]), tmp_path / "p.csv")
    assert len((tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()) == 4


@pytest.mark.parametrize("writer", [write_gpkg, write_fgb])
def test_ogr_formats_read_back_with_list_cells_as_text(writer, points, tmp_path):
    tmp = tmp_path / ".out.abc.tmp"  # the build writes to temporary names like this one
    writer(prepare_table(points, ["cvegeo"]), tmp, layer="pts")
    path = tmp.rename(tmp_path / ("out.gpkg" if writer is write_gpkg else "out.fgb"))
    back = gpd.read_file(path)
    assert len(back) == 3 and back.crs.to_epsg() == 4326
    assert sorted(back["places"].fillna("")) == ["", "a; b", "c"]


def test_ogr_formats_need_geometry(tmp_path):
    with pytest.raises(BuildError, match="geometry"):
        write_gpkg(pd.DataFrame({"a": [1]}), tmp_path / "x.gpkg")


def test_cog_is_tiled_with_overviews_and_band_names(tmp_path):
    arr = np.random.default_rng(0).random((1200, 900)).astype("float32")
    rec = write_cog(RasterResult(arr, Affine(1000, 0, 2.0e6, 0, -1000, 1.5e6), "EPSG:6372", -1.0, ("demand",)),
                    tmp_path / "r.tif")
    assert rec["shape"] == [1, 1200, 900]
    with rasterio.open(tmp_path / "r.tif") as ds:
        assert ds.crs.to_epsg() == 6372 and ds.nodata == -1.0 and ds.descriptions == ("demand",)
        assert ds.profile["tiled"] and ds.profile["blockxsize"] == 512 and ds.overviews(1)
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        np.testing.assert_array_equal(ds.read(1), arr)


def test_cog_of_a_surface_has_tags_units_and_the_same_bytes_twice(tmp_path):
    from brecha.rasters import Raster, read_raster

    arr = np.random.default_rng(1).random((700, 600)).astype("float32") * 100
    surface = Raster(arr, Affine(1000, 0, 2.0e6, 0, -1000, 1.5e6), "EPSG:6372", -9999.0, "population", "people",
                     "Census 2020 localities")
    result = RasterResult.from_raster(surface)
    rec = write_cog(result, tmp_path / "a.tif")
    write_cog(RasterResult.from_raster(surface), tmp_path / "b.tif")
    assert (tmp_path / "a.tif").read_bytes() == (tmp_path / "b.tif").read_bytes()
    assert rec["units"] == "people" and rec["resampling"] == "average"
    with rasterio.open(tmp_path / "a.tif") as ds:
        tags = ds.tags()
        assert (tags["name"], tags["units"], tags["source"]) == ("population", "people", "Census 2020 localities")
        assert tags["cell_size"] == "1000" and tags["overview_resampling"] == "average" and "overview_note" in tags
        assert ds.descriptions == ("population",) and ds.tags(1)["units"] == "people"
        assert ds.units == ("people",)  # the band unit type GDAL and QGIS show
        assert tags["cell_size_unit"] == "metre"  # EPSG:6372's axis unit
        # Average overviews: the first overview cell is the mean of its 2 x 2 full-resolution cells.
        over = ds.read(1, out_shape=(350, 300))
        assert over[0, 0] == pytest.approx(arr[:2, :2].mean(), rel=1e-5)
    back = read_raster(tmp_path / "a.tif")
    assert (back.name, back.units, back.source) == ("population", "people", "Census 2020 localities")


def test_build_cog_writer_writes_straight_to_the_builds_temporary_file(tmp_path, monkeypatch):
    import brecha._cog

    def nested(*args, **kwargs):
        raise AssertionError("a second temporary file inside the build's atomic write")

    monkeypatch.setattr(brecha._cog, "atomic_path", nested)
    tmp = tmp_path / ".r.tif.abcd1234.tmp"  # what the build's atomic_path hands a writer
    arr = np.arange(12, dtype="float32").reshape(3, 4)
    write_cog(RasterResult(arr, Affine(0.5, 0, -100.0, 0, -0.5, 20.0), "EPSG:4326", -1.0, ("d",), units="km"), tmp)
    assert [p.name for p in tmp_path.iterdir()] == [tmp.name]
    with rasterio.open(tmp) as ds:
        assert ds.units == ("km",) and ds.tags()["cell_size_unit"] == "degree"  # from the CRS, not "m"
        np.testing.assert_array_equal(ds.read(1), arr)


def test_atomic_outputs_get_normal_permissions(tmp_path):
    """mkstemp makes 0600 files; outputs must be readable by the group and others like any file (umask 022)."""
    import os

    from brecha._io import atomic_write

    old = os.umask(0o022)
    try:
        p = atomic_write(tmp_path / "x.csv", "a\n1\n")
    finally:
        os.umask(old)
    assert oct(p.stat().st_mode & 0o777) == oct(0o644)


# -- files that open everywhere ---------------------------------------------------

def test_xlsx_keeps_codes_as_text_freezes_the_header_and_runs_no_formula(points, tmp_path):
    from openpyxl import load_workbook

    frame = prepare_table(points, ["cvegeo"])
    write_xlsx(frame, tmp_path / "p.xlsx", key=["cvegeo"], hxl=True, sheet="points")
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert ws.title == "points" and ws.freeze_panes == "A3"  # header and HXL rows stay in view
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("cvegeo", "name", "pop_total", "places", "lon", "lat")
    assert rows[1][0] == "#adm2+code" and len(rows) == 5
    codes = [ws.cell(row=r, column=1) for r in range(3, 6)]
    assert [c.value for c in codes] == ["01001", "01002", "02001"]  # leading zeros kept
    assert all(c.data_type == "s" and c.number_format == "@" for c in codes)
    name = ws.cell(row=5, column=2)
    assert name.value == "=cmd|' /C calc'!A0" and name.data_type == "s"  # text, not a formula
    assert rows[2][2] == 20 and rows[3][2] is None and rows[4][3] == "a; b"


def test_xlsx_bytes_are_the_same_twice(points, tmp_path):
    frame = prepare_table(points, ["cvegeo"])
    write_xlsx(frame, tmp_path / "a.xlsx", key=["cvegeo"])
    write_xlsx(frame, tmp_path / "b.xlsx", key=["cvegeo"])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_every_csv_table_gets_an_xlsx_twin():
    assert written_formats(("parquet", "gpkg", "csv")) == ("parquet", "gpkg", "csv", "xlsx")
    assert written_formats(("parquet",)) == ("parquet",)


def test_gpkg_is_version_1_2_for_older_gdal(points, tmp_path):
    write_gpkg(prepare_table(points, ["cvegeo"]), tmp_path / "p.gpkg", layer="pts")
    head = (tmp_path / "p.gpkg").read_bytes()[:100]
    assert head[68:72] == b"GPKG"  # application_id
    major, minor = (int(x) for x in GPKG_VERSION.split("."))
    assert int.from_bytes(head[60:64], "big") == major * 10000 + minor * 100 == 10200  # user_version


def test_hxl_tags_say_what_hxl_means():
    cols = ["pop_total", "pop_within_reach_pct", "poor_within_reach_pct", "poverty_people",
            "poverty_people_official", "extreme_poverty_people", "people_reached", "care_unmet_people"]
    tags = dict(zip(cols, hxl_tags(cols, ["cvegeo"])))
    assert all("+pct" in tags[c] and tags[c].startswith("#indicator") for c in cols if c.endswith("_pct"))
    assert not any(t.startswith("#affected") for t in tags.values())  # poor people are not crisis-affected
    assert tags["poverty_people"] == "#population+poor" and tags["people_reached"] == "#reached"
    assert tags["poverty_people_official"] == "#population+poor+official"


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL's command-line tools (Debian gdal-bin) are not installed")
def test_system_gdal_reads_the_gpkg_without_warnings(points, tmp_path):
    # Debian 12's gdal-bin is GDAL 3.6, which warns on GeoPackage 1.4 (GDAL >= 3.7's default).
    write_gpkg(prepare_table(points, ["cvegeo"]), tmp_path / "p.gpkg", layer="pts")
    run = subprocess.run(["ogrinfo", "-so", "-al", str(tmp_path / "p.gpkg")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and "Feature Count: 3" in run.stdout
    assert "Warning" not in run.stdout + run.stderr
