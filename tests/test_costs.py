"""Costs: straight-line km and a travel-time raster written in the test."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine
from scipy.spatial.distance import cdist

from brecha.costs import Cost, StraightLineKm, TravelTimeRaster
from brecha.errors import InputError


def write_raster(path, grid, *, crs="EPSG:6372", cell_m=1000.0, nodata=-1.0):
    """A GeoTIFF of minutes per km whose top-left corner is (0, rows x cell) m."""
    grid = np.asarray(grid, dtype="float32")
    h, w = grid.shape
    with rasterio.open(path, "w", driver="GTiff", height=h, width=w, count=1, dtype="float32", crs=crs,
                       transform=Affine(cell_m, 0.0, 0.0, 0.0, -cell_m, h * cell_m), nodata=nodata) as dst:
        dst.write(grid, 1)
    return path


@pytest.fixture
def two_speed(tmp_path):
    """20 x 20 km, 1-km cells: 1 min/km west of x = 10 km, 5 min/km east of it."""
    grid = np.ones((20, 20))
    grid[:, 10:] = 5.0
    return TravelTimeRaster(write_raster(tmp_path / "two_speed.tif", grid))


def test_straight_line_pairs_by_hand():
    origins = np.array([[0.0, 0.0], [10.0, 0.0]])
    dests = np.array([[0.0, 0.0], [3.0, 4.0], [30.0, 0.0]])
    m = StraightLineKm().pairs_within(origins, dests, 5.0)
    got = sorted(zip(m.row.tolist(), m.col.tolist(), m.data.tolist()))
    # The co-located pair is kept as an explicit zero; the pair at exactly 5 km is within.
    assert got == [(0, 0, 0.0), (0, 1, 5.0)]
    assert m.shape == (2, 3)


def test_straight_line_pairs_equal_brute_force():
    rng = np.random.default_rng(7)
    o, d = rng.uniform(0, 100, (300, 2)), rng.uniform(0, 100, (80, 2))
    full = cdist(o, d)
    m = StraightLineKm().pairs_within(o, d, 15.0)
    want_i, want_j = np.nonzero(full <= 15.0)
    assert set(zip(m.row.tolist(), m.col.tolist())) == set(zip(want_i.tolist(), want_j.tolist()))
    np.testing.assert_allclose(m.data, full[m.row, m.col], rtol=1e-12)


def test_straight_line_nearest():
    cost, idx = StraightLineKm().nearest(np.array([[0.0, 0.0], [29.0, 0.0]]), np.array([[3.0, 4.0], [30.0, 0.0]]))
    assert cost.tolist() == [5.0, 1.0] and idx.tolist() == [0, 1]
    cost, idx = StraightLineKm().nearest(np.array([[0.0, 0.0]]), np.empty((0, 2)))
    assert cost.tolist() == [np.inf] and idx.tolist() == [-1]


def test_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        StraightLineKm().pairs_within(np.zeros((3, 3)), np.zeros((2, 2)), 1.0)


def test_costs_satisfy_the_protocol(two_speed):
    assert isinstance(StraightLineKm(), Cost) and isinstance(two_speed, Cost)
    assert StraightLineKm.cost_unit == "km" and two_speed.cost_unit == "minutes"


def test_uniform_raster_is_km_times_pace(tmp_path):
    tt = TravelTimeRaster(write_raster(tmp_path / "flat.tif", np.full((30, 30), 2.0)))
    rng = np.random.default_rng(3)
    o, d = rng.uniform(1, 29, (60, 2)), rng.uniform(1, 29, (20, 2))
    m = tt.pairs_within(o, d, 12.0)
    ref = StraightLineKm().pairs_within(o, d, 6.0)
    assert set(zip(m.row.tolist(), m.col.tolist())) == set(zip(ref.row.tolist(), ref.col.tolist()))
    np.testing.assert_allclose(m.data, 2.0 * cdist(o, d)[m.row, m.col], rtol=1e-12)


def test_segment_across_two_speeds(two_speed):
    # 4 km at 1 min/km then 4 km at 5 min/km.
    got = two_speed.segment_costs(np.array([[6.0, 10.5]]), np.array([[14.0, 10.5]]))
    assert got.tolist() == pytest.approx([24.0], rel=1e-12)


def test_chunking_does_not_change_costs(two_speed):
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.5, 19.5, (200, 2)), rng.uniform(0.5, 19.5, (200, 2))
    np.testing.assert_array_equal(two_speed.segment_costs(a, b), two_speed.segment_costs(a, b, chunk_samples=7))


def test_nearest_in_minutes_is_not_nearest_in_km(two_speed):
    origin = np.array([[10.5, 10.5]])
    east, west = [13.5, 10.5], [5.5, 10.5]  # 3 km at 5 min/km vs 0.5 km at 5 + 4.5 km at 1
    cost, idx = two_speed.nearest(origin, np.array([east, west]))
    assert idx.tolist() == [1] and cost.tolist() == pytest.approx([7.0], rel=1e-12)
    m = two_speed.pairs_within(origin, np.array([east, west]), 10.0)
    assert m.col.tolist() == [1] and m.data.tolist() == pytest.approx([7.0])


def test_nodata_and_outside_are_impassable(tmp_path):
    grid = np.ones((10, 10))
    grid[:, 5] = -1.0  # nodata wall at x = 5-6 km
    tt = TravelTimeRaster(write_raster(tmp_path / "wall.tif", grid))
    origins = np.array([[2.5, 5.5]])
    # Behind the wall (4 km), reachable (5 km), off the raster (5.5 km).
    dests = np.array([[6.5, 5.5], [2.5, 0.5], [-3.0, 5.5]])
    m = tt.pairs_within(origins, dests, 100.0)
    assert m.col.tolist() == [1] and m.data.tolist() == pytest.approx([5.0])
    cost, idx = tt.nearest(origins, dests[[0, 2]])
    assert idx.tolist() == [-1] and cost.tolist() == [np.inf]
    # The km-nearest is behind the wall, so the next km-nearest are tried.
    cost, idx = tt.nearest(origins, dests)
    assert idx.tolist() == [1] and cost.tolist() == pytest.approx([5.0])


def test_raster_must_be_in_analysis_crs(tmp_path):
    with pytest.raises(InputError, match="EPSG:6372"):
        TravelTimeRaster(write_raster(tmp_path / "geo.tif", np.ones((3, 3)), crs="EPSG:4326", cell_m=0.01))


def test_raster_pace_must_be_positive(tmp_path):
    grid = np.ones((3, 3))
    grid[1, 1] = 0.0
    with pytest.raises(InputError, match=r"1 cell\(s\) are <= 0"):
        TravelTimeRaster(write_raster(tmp_path / "zero.tif", grid))


def test_pair_blocks_partition_the_origins_and_equal_brute_force(monkeypatch):
    monkeypatch.setattr("brecha._pairs.BLOCK_ORIGINS", 37)  # 300 origins -> 9 blocks
    rng = np.random.default_rng(11)
    o, d = rng.uniform(0, 100, (300, 2)), rng.uniform(0, 100, (80, 2))
    blocks = StraightLineKm().pair_blocks(o, d, 15.0)
    assert len(blocks) == 9
    assert sorted(np.concatenate([b.origins for b in blocks]).tolist()) == list(range(300))
    rows, cols, km = StraightLineKm().pair_arrays(o, d, 15.0)
    full = cdist(o, d)
    want_i, want_j = np.nonzero(full <= 15.0)
    assert sorted(zip(rows.tolist(), cols.tolist())) == sorted(zip(want_i.tolist(), want_j.tolist()))
    np.testing.assert_allclose(km, full[rows, cols], rtol=1e-12)


def test_no_pairs_when_either_side_is_empty():
    rows, cols, km = StraightLineKm().pair_arrays(np.empty((0, 2)), np.zeros((3, 2)), 5.0)
    assert len(rows) == len(cols) == len(km) == 0
    assert StraightLineKm().pairs_within(np.zeros((2, 2)), np.empty((0, 2)), 5.0).shape == (2, 0)
