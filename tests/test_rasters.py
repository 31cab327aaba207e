"""Surfaces on a grid: population, distance to an office, care access, zonal statistics, COG."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import Affine
from shapely.geometry import box

from brecha import geography, rasters
from brecha.rasters import NODATA, Grid
from brecha.sources import load

KM = 1000.0


@pytest.fixture
def grid() -> Grid:
    # 5 x 6 cells of 1 km, from x = 0 to 6 km and y = 0 to 5 km.
    return Grid(Affine(KM, 0, 0, 0, -KM, 5 * KM), 5, 6)


@pytest.fixture
def munis() -> gpd.GeoDataFrame:
    # West (01001) x 0-3 km, east (01002) x 3-5 km; the column x 5-6 km is sea.
    return gpd.GeoDataFrame({"cvegeo": ["01002", "01001"]},
                            geometry=[box(3 * KM, 0, 5 * KM, 5 * KM), box(0, 0, 3 * KM, 5 * KM)], crs="EPSG:6372")


@pytest.fixture
def localities() -> gpd.GeoDataFrame:
    x = [0.5, 0.7, 3.5, 4.5, 5.5]
    y = [4.5, 4.2, 0.5, 2.5, 2.5]
    return gpd.GeoDataFrame({"cvegeo_loc": ["a", "b", "c", "d", "e"], "pop_total": [10, 30, 5, 7, 11]},
                            geometry=gpd.points_from_xy(np.array(x) * KM, np.array(y) * KM), crs="EPSG:6372")


def test_population_surface_sums_points_per_cell(grid, munis, localities):
    r = rasters.population_surface(localities, grid, municipalities=munis)
    assert (r.name, r.units, r.crs, r.nodata) == ("population", "people", "EPSG:6372", NODATA)
    assert r.array.shape == (5, 6) and r.array.dtype == np.float32
    assert r.array[0, 0] == 40  # a and b share the top-left cell
    assert r.array[4, 3] == 5 and r.array[2, 4] == 7
    assert r.array[2, 5] == 11  # off land but populated: kept
    assert r.array[0, 5] == NODATA  # sea, nobody
    assert r.array[1, 1] == 0  # land, nobody
    assert r.array[r.valid()].sum() == 63


def test_distance_surface_at_cell_centres(grid, munis):
    offices = gpd.GeoDataFrame({"office_id": ["o1", "o2"], "agency": ["UNICEF", "UNHCR"],
                                "status": ["existing", "planned"], "cve_ent": ["01", "01"],
                                "cvegeo": ["01001", "01001"]},
                               geometry=gpd.points_from_xy([2.5 * KM, 0.5 * KM], [2.5 * KM, 0.5 * KM]),
                               crs="EPSG:6372")
    r = rasters.distance_surface(offices, grid, municipalities=munis)
    assert (r.name, r.units) == ("nearest_office_km", "km")
    assert r.array[2, 2] == 0.0
    assert r.array[2, 3] == pytest.approx(1.0)
    assert r.array[0, 0] == pytest.approx(math.sqrt(8), rel=1e-6)  # the planned office is ignored
    assert r.array[4, 0] == pytest.approx(math.sqrt(8), rel=1e-6)
    assert (r.array[:, 5] == NODATA).all()  # off land
    every = rasters.distance_surface(offices, grid, municipalities=munis, status="all")
    assert every.array[4, 0] == 0.0


def test_care_surface_is_a_population_weighted_mean(grid, localities):
    values = pd.Series({"a": 10.0, "b": 20.0, "c": np.nan, "d": 3.0, "e": 4.0})
    r = rasters.care_surface(localities, values, grid, name="care_e2sfca", units="places per 1,000 children")
    assert r.array[0, 0] == pytest.approx((10 * 10 + 30 * 20) / 40)
    assert r.array[4, 3] == NODATA  # its only locality has no value
    assert r.array[2, 4] == pytest.approx(3.0)
    assert (r.name, r.units) == ("care_e2sfca", "places per 1,000 children")
    aligned = rasters.care_surface(localities, pd.Series([1.0, 1.0, 1.0, 1.0, 1.0], index=localities.index), grid)
    assert aligned.valid().sum() == 4


def test_care_surface_weights_by_the_demand_column(grid, localities):
    values = pd.Series({"a": 10.0, "b": 20.0, "c": 1.0, "d": 3.0, "e": 4.0})
    kids = localities.assign(pop_0_5=[3.0, 1.0, 1.0, 1.0, 1.0])  # a has most children, b most people
    r = rasters.care_surface(kids, values, grid, weight="pop_0_5")
    assert r.array[0, 0] == pytest.approx((3 * 10 + 1 * 20) / 4)
    assert r.source == "pop_0_5-weighted mean of locality values"


def test_zonal_table_has_one_column_per_surface(grid, munis, localities):
    pop = rasters.population_surface(localities, grid, municipalities=munis)
    offices = gpd.GeoDataFrame({"office_id": ["o1"], "agency": ["UNICEF"], "status": ["existing"],
                                "cve_ent": ["01"], "cvegeo": ["01001"]},
                               geometry=gpd.points_from_xy([0.5 * KM], [4.5 * KM]), crs="EPSG:6372")
    d = rasters.distance_surface(offices, grid, municipalities=munis)
    t = rasters.zonal_table([(pop, "sum"), (d, "mean")], munis).set_index("cvegeo")
    assert list(t.columns) == ["cells", "population_sum", "nearest_office_km_mean"]
    assert t.loc["01002", "population_sum"] == 23 and t.loc["01001", "cells"] == 15
    assert t.loc["01001", "nearest_office_km_mean"] == pytest.approx(d.array[:, :3].mean())
    other = rasters.national_grid(50.0)
    moved = rasters.Raster(np.zeros((other.height, other.width), np.float32), other.transform, other.crs, NODATA,
                           "x", "")
    with pytest.raises(ValueError, match="grid"):
        rasters.zonal_table([(pop, "sum"), (moved, "mean")], munis)


def test_zonal_sum_keeps_every_person(grid, munis, localities):
    pop = rasters.population_surface(localities, grid, municipalities=munis)
    z = rasters.zonal_stats(pop, munis).set_index("cvegeo")
    assert z.index.tolist() == ["01001", "01002"]
    assert z.loc["01001", "population_sum"] == 40
    assert z.loc["01002", "population_sum"] == 5 + 7 + 11  # the offshore point goes to the nearest municipality
    assert z["population_sum"].sum() == pop.array[pop.valid()].sum()


def test_zonal_mean_of_distances(grid, munis):
    offices = gpd.GeoDataFrame({"office_id": ["o1"], "agency": ["UNICEF"], "status": ["existing"],
                                "cve_ent": ["01"], "cvegeo": ["01001"]},
                               geometry=gpd.points_from_xy([0.5 * KM], [4.5 * KM]), crs="EPSG:6372")
    d = rasters.distance_surface(offices, grid, municipalities=munis)
    z = rasters.zonal_stats(d, munis, stat="mean").set_index("cvegeo")
    assert z.loc["01001", "cells"] == 15 and z.loc["01002", "cells"] == 10
    assert z.loc["01001", "nearest_office_km_mean"] == pytest.approx(d.array[:, :3].mean())
    with pytest.raises(ValueError, match="stat"):
        rasters.zonal_stats(d, munis, stat="max")


def test_zonal_mean_of_a_municipality_smaller_than_a_cell(grid, munis):
    tiny = pd.concat([munis, gpd.GeoDataFrame({"cvegeo": ["01003"]},
                                              geometry=[box(5.1 * KM, 4.1 * KM, 5.3 * KM, 4.3 * KM)],
                                              crs="EPSG:6372")], ignore_index=True)
    arr = np.arange(30, dtype=np.float32).reshape(5, 6)
    r = rasters.Raster(arr, grid.transform, grid.crs, NODATA, "x", "km")
    z = rasters.zonal_stats(r, tiny, stat="mean").set_index("cvegeo")
    assert z.loc["01003", "x_mean"] == arr[0, 5]


def test_national_grid_is_snapped(munis):
    g = rasters.national_grid(2.0, municipalities=munis)
    assert (g.width, g.height, g.cell_km) == (3, 3, 2.0)
    assert g.transform.c % 2000 == 0 and g.transform.f % 2000 == 0
    with pytest.raises(ValueError):
        rasters.national_grid(0)


def test_write_cog_is_tiled_with_overviews_and_round_trips(tmp_path):
    g = Grid(Affine(KM, 0, 1_000 * KM, 0, -KM, 2_000 * KM), 300, 400)
    arr = np.random.default_rng(1).random((300, 400)).astype(np.float32)
    arr[:10, :10] = NODATA
    r = rasters.Raster(arr, g.transform, g.crs, NODATA, "population", "people")
    path = rasters.write_cog(r, tmp_path / "out" / "pop.tif", blocksize=128)
    assert sorted(p.name for p in path.parent.iterdir()) == ["pop.tif"]  # no temporary file left
    with rasterio.open(path) as src:
        assert src.profile["tiled"] and src.block_shapes == [(128, 128)]
        assert src.overviews(1)  # internal overviews
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert src.crs.to_epsg() == 6372 and src.nodata == NODATA
    back = rasters.read_raster(path)
    np.testing.assert_array_equal(back.array, arr)
    assert (back.name, back.units, back.transform) == ("population", "people", g.transform)


def test_coarsen_sums_cells_and_keeps_the_total():
    g = Grid(Affine(KM, 0, 1_000 * KM, 0, -KM, 2_000 * KM), 9, 7)  # not a multiple of the factor
    arr = np.arange(63, dtype=np.float32).reshape(9, 7)
    arr[0, :] = NODATA
    r = rasters.Raster(arr, g.transform, g.crs, NODATA, "population", "people")
    c = rasters.coarsen(r, 2)
    assert c.array.shape == (5, 4) and c.transform.a == 2 * KM and c.units == "people"
    assert c.array[c.valid()].sum() == pytest.approx(arr[arr != NODATA].sum())
    assert c.array[0, 0] == 7 + 8  # row 0 is nodata: the top-left 2x2 cell holds cells (1,0) and (1,1)
    with pytest.raises(ValueError, match="whole number"):
        rasters.coarsen(r, 0)


def test_overview_note_matches_what_the_overviews_hold(tmp_path):
    # A coast: half of the land cells are nodata. 4**k times an overview's mean counts the other half twice.
    g = Grid(Affine(KM, 0, 1_000 * KM, 0, -KM, 2_000 * KM), 64, 64)
    arr = np.full((64, 64), 10.0, np.float32)
    arr[:, ::2] = NODATA
    path = rasters.write_cog(rasters.Raster(arr, g.transform, g.crs, NODATA, "population", "people"),
                             tmp_path / "pop.tif", blocksize=16)
    with rasterio.open(path) as src:
        note = src.tags()["overview_note"]
    with rasterio.open(path, overview_level=0) as ov:
        o = ov.read(1)
    total = arr[arr != NODATA].sum()
    assert o[o != NODATA].sum() * 4 == pytest.approx(2 * total)  # the over-count the note warns of
    assert "not a count" in note and "sum" in note and "multiply by 4**level" not in note
    coarse = rasters.coarsen(rasters.read_raster(path), 2)
    assert coarse.array[coarse.valid()].sum() == pytest.approx(total)  # the rule the note gives


def test_raster_modules_stay_small():
    import brecha

    root = Path(brecha.__file__).parent
    for name in ("rasters.py", "_grid.py", "_zonal.py", "_cog.py"):
        assert len((root / name).read_text().splitlines()) <= 500, name


# -- real embedded data ------------------------------------------------------

@pytest.fixture(scope="module")
def national():
    loc = geography.localities()
    grid = rasters.national_grid(1.0)
    return loc, grid, rasters.population_surface(loc, grid)


def test_real_population_surface_keeps_the_census_total(national):
    loc, grid, pop = national
    assert 3_000 < grid.width < 3_400 and 1_900 < grid.height < 2_200
    assert pop.array[pop.valid()].astype(np.float64).sum() == loc["pop_total"].sum() == 126_014_024
    z = rasters.zonal_stats(pop)
    assert len(z) == 2469
    assert z["population_sum"].sum() == pytest.approx(126_014_024, abs=1)
    census = load("census_municipal").set_index("cvegeo")["pop_total"]
    rel = (z.set_index("cvegeo")["population_sum"] - census).abs() / census
    assert rel.median() < 0.05  # 1 km cells straddle borders; most municipalities are close


def test_real_distance_zonal_mean(national):
    _, grid, _ = national
    d = rasters.distance_surface(load("offices"), grid)
    z = rasters.zonal_stats(d, stat="mean").set_index("cvegeo")
    assert z["nearest_office_km_mean"].notna().all()
    assert z.loc["02004", "nearest_office_km_mean"] < 40  # Tijuana
