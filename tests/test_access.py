"""E2SFCA family: hand-computed cases, conservation, and equality with PySAL access."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import Affine

from brecha.access import access_table, decay_weights, e2sfca, nearest_supply_km, outside_catchment, two_sfca
from brecha.costs import StraightLineKm, TravelTimeRaster
from brecha.errors import InputError
from brecha.geography import localities, xy_km
from brecha.settings import DATA_DIR

E = np.exp(-0.5)


def points(xy_km_list, crs="EPSG:6372", index=None, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy_km_list, dtype=float) * 1000.0
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs, index=index)


@pytest.fixture
def line():
    """Three demand points and two supply points on the x axis (km)."""
    demand = points([[0, 0], [10, 0], [100, 0]], index=["a", "b", "c"], pop=[100.0, 200.0, 50.0])
    supply = points([[2, 0], [12, 0]], places=[30.0, 60.0])
    return demand, supply


def test_two_sfca_by_hand(line):
    demand, supply = line
    # Catchment 9 km: S1 (2 km) serves a and b, 30 / 300; S2 (12 km) serves b only, 60 / 200.
    got = two_sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=9.0)
    assert got.index.tolist() == ["a", "b", "c"]
    assert got.tolist() == pytest.approx([0.1, 0.1 + 0.3, 0.0], rel=1e-12)
    # Per 1,000 people: a reaches 100 places per 1,000.
    assert got["a"] * 1000 == pytest.approx(100.0)


def test_gaussian_by_hand():
    d0 = 20.0
    demand = points([[0, 0], [10, 0]], pop=[100.0, 50.0])
    supply = points([[0, 0]], places=[30.0])
    w = (np.exp(-0.5 * 0.25) - E) / (1 - E)  # weight at half the catchment
    ratio = 30.0 / (100.0 + w * 50.0)
    got = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=d0)
    assert got.tolist() == pytest.approx([ratio, w * ratio], rel=1e-12)


def test_decay_weights_by_hand():
    c = np.array([0.0, 10.0, 20.0, 30.0, 31.0])
    assert decay_weights(c, 30.0, "step").tolist() == [1, 1, 1, 1, 0]
    assert decay_weights(c, 30.0, "step3").tolist() == [1.0, 1.0, 0.68, 0.22, 0.0]
    assert decay_weights(c, 30.0, "step3", zone_weights=(1.0, 0.5)).tolist() == [1.0, 1.0, 0.5, 0.5, 0.0]
    g = decay_weights(c, 30.0, "gaussian")
    assert g[0] == 1.0 and g[3] == 0.0 and g[4] == 0.0
    assert g[1] == pytest.approx((np.exp(-0.5 / 9) - E) / (1 - E))
    assert np.all(np.diff(g) <= 0)


@pytest.mark.parametrize("decay", ["gaussian", "step", "step3"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conservation(decay, seed):
    """Sum of access x demand equals the supply of every point that serves someone."""
    rng = np.random.default_rng(seed)
    demand = points(rng.uniform(0, 100, (400, 2)), pop=rng.integers(0, 500, 400).astype(float))
    supply = points(rng.uniform(0, 100, (30, 2)), places=rng.uniform(1, 50, 30))
    got = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=15.0, decay=decay)
    pairs = StraightLineKm().pairs_within(xy_km(demand), xy_km(supply), 15.0)
    w = decay_weights(pairs.data, 15.0, decay)
    served = np.bincount(pairs.col, weights=w * demand["pop"].to_numpy()[pairs.row], minlength=30) > 0
    assert 0 < served.sum()
    assert (got * demand["pop"]).sum() == pytest.approx(supply["places"][served].sum(), rel=1e-10)


def test_supply_nobody_can_reach_adds_nothing(line):
    demand, supply = line
    lonely = pd.concat([supply, points([[500, 500]], places=[1000.0])], ignore_index=True)
    a = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=9.0)
    b = e2sfca(demand, lonely, demand_col="pop", supply_col="places", catchment_km=9.0)
    pd.testing.assert_series_equal(a, b)
    assert np.isfinite(b).all()


def test_crs_of_inputs_does_not_matter(line):
    demand, supply = line
    want = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=9.0)
    got = e2sfca(demand.to_crs(4326), supply, demand_col="pop", supply_col="places", catchment_km=9.0)
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_nearest_and_outside(line):
    demand, supply = line
    near = nearest_supply_km(demand, supply)
    assert near.tolist() == pytest.approx([2.0, 2.0, 88.0])
    assert outside_catchment(demand, supply, catchment_km=9.0).tolist() == [False, False, True]
    t = access_table(demand, supply, demand_col="pop", supply_col="places", catchment_km=9.0)
    assert t.columns.tolist() == ["access", "nearest_cost", "outside"]
    assert t["outside"].tolist() == [False, False, True]


def test_every_problem_reported_at_once(line):
    demand, supply = line
    demand = demand.assign(pop=[100.0, -1.0, np.nan])
    with pytest.raises(InputError) as err:
        e2sfca(demand, supply, demand_col="pop", supply_col="beds", catchment_km=0, decay="cubic")
    assert len(err.value.problems) == 4
    assert all(s in str(err.value) for s in ("'pop'", "'beds'", "catchment_km", "decay"))


def test_travel_time_cost_plugs_in(tmp_path, line):
    """On a flat 2 min/km surface, a 2c-minute catchment is a c-km catchment."""
    demand, supply = line
    path = tmp_path / "flat.tif"
    with rasterio.open(path, "w", driver="GTiff", height=10, width=200, count=1, dtype="float32",
                       crs="EPSG:6372", transform=Affine(1000.0, 0, -50_000.0, 0, -1000.0, 5_000.0)) as dst:
        dst.write(np.full((10, 200), 2.0, dtype="float32"), 1)
    tt = TravelTimeRaster(path)
    for decay in ("gaussian", "step3"):
        km = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=9.0, decay=decay)
        mins = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=18.0, decay=decay,
                      cost=tt)
        np.testing.assert_allclose(mins, km, rtol=1e-12)
    assert nearest_supply_km(demand, supply, cost=tt).tolist() == pytest.approx([4.0, 4.0, 176.0])


# --- equality with PySAL access on a real state -----------------------------------------


@pytest.fixture(scope="module")
def aguascalientes():
    locs = localities().loc[lambda d: d.cve_ent == "01"].set_index("cvegeo_loc")
    denue = gpd.read_parquet(DATA_DIR / "denue_care.parquet").loc[lambda d: d.cve_ent == "01"]
    return locs, denue.set_index("denue_id")


def pysal_access(demand, supply, max_cost, weight_fn, method="two_stage_fca"):
    from access import Access
    from scipy.spatial.distance import cdist

    full = cdist(xy_km(demand), xy_km(supply))  # independent of brecha.costs
    i, j = np.nonzero(full <= max_cost)
    cost_df = pd.DataFrame({"origin": demand.index[i], "dest": supply.index[j], "cost": full[i, j]})
    acc = Access(demand_df=pd.DataFrame({"pop": demand["pop_total"].astype(float)}), demand_value="pop",
                 supply_df=pd.DataFrame({"staff": supply["staff_mid"]}), supply_value="staff",
                 cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost")
    out = getattr(acc, method)(name="x", max_cost=max_cost, weight_fn=weight_fn)["x_staff"]
    return out.reindex(demand.index)


@pytest.mark.parametrize("decay", ["gaussian", "step", "step3"])
def test_equals_pysal_access(aguascalientes, decay):
    from access import weights

    locs, denue = aguascalientes
    d0 = 20.0
    if decay == "gaussian":
        fn, method = (lambda c: (np.exp(-0.5 * (c / d0) ** 2) - E) / (1 - E)), "enhanced_two_stage_fca"
    elif decay == "step":
        fn, method = None, "two_stage_fca"
    else:
        edges = d0 * np.arange(1, 4) / 3
        fn = weights.step_fn(dict(zip(edges.tolist(), [1.0, 0.68, 0.22])))
        method = "enhanced_two_stage_fca"
    theirs = pysal_access(locs, denue, d0, fn, method)
    ours = e2sfca(locs, denue, demand_col="pop_total", supply_col="staff_mid", catchment_km=d0, decay=decay)
    assert ours.index.equals(locs.index)
    reached = theirs.notna()
    assert reached.sum() > 1000
    np.testing.assert_allclose(ours[reached], theirs[reached], rtol=1e-9)
    # PySAL leaves localities that reach nothing out (NaN); brecha gives them 0.
    assert (ours[~reached] == 0).all()
    assert (outside_catchment(locs, denue, catchment_km=d0) == ~reached).all()


@pytest.mark.parametrize("decay", ["gaussian", "step3"])
def test_blocks_and_threads_give_the_dense_answer_bit_for_bit(monkeypatch, decay):
    """Many small blocks, on 1 or 4 threads: the same bits, equal to a dense-matrix E2SFCA."""
    from scipy.spatial.distance import cdist

    monkeypatch.setattr("brecha._pairs.BLOCK_ORIGINS", 53)
    rng = np.random.default_rng(5)
    demand = points(rng.uniform(0, 100, (700, 2)), pop=rng.integers(0, 500, 700).astype(float))
    supply = points(rng.uniform(0, 100, (40, 2)), places=rng.uniform(1, 50, 40))
    runs = {}
    for cores in (1, 4):
        monkeypatch.setattr("brecha._threads.os.cpu_count", lambda cores=cores: cores)
        runs[cores] = e2sfca(demand, supply, demand_col="pop", supply_col="places", catchment_km=15.0,
                             decay=decay).to_numpy()
    assert runs[1].tobytes() == runs[4].tobytes()
    w = decay_weights(cdist(xy_km(demand), xy_km(supply)), 15.0, decay)
    served = w.T @ demand["pop"].to_numpy()
    ratio = np.divide(supply["places"].to_numpy(), served, out=np.zeros(40), where=served > 0)
    np.testing.assert_allclose(runs[1], w @ ratio, rtol=1e-12, atol=0)
