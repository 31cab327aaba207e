"""Maximal covering siting: greedy and exact on synthetic lines and grids, and on Chiapas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from brecha import siting
from brecha.costs import StraightLineKm
from brecha.errors import InputError


def points(xs_km, ys_km=None, **cols) -> gpd.GeoDataFrame:
    """Points at planar km in EPSG:6372."""
    ys_km = [0.0] * len(xs_km) if ys_km is None else ys_km
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(np.asarray(xs_km) * 1000.0,
                                                             np.asarray(ys_km) * 1000.0), crs="EPSG:6372")


def line_instance():
    """Greedy's trap: the middle site covers most alone, the two flanking sites cover most together."""
    demand = points([0, 10, 20, 30], demand=[2.0, 2.5, 2.5, 2.0])
    cands = points([5, 15, 25], site_id=["west", "middle", "east"], name=["W", "M", "E"])
    return demand, cands


def test_greedy_takes_the_best_single_site_and_reports_gains():
    demand, cands = line_instance()
    one = siting.maximal_covering(demand, cands, k=1, radius_km=6)
    assert one["site_id"].tolist() == ["middle"] and one["gain"].tolist() == [5.0]
    two = siting.maximal_covering(demand, cands, k=2, radius_km=6)
    assert two["site_id"].tolist() == ["middle", "west"]
    assert two["gain"].tolist() == [5.0, 2.0] and two["covered"].tolist() == [5.0, 7.0]
    assert two.attrs["total_demand"] == 9.0 and two["covered_share"].iloc[-1] == pytest.approx(7 / 9)


def test_exact_beats_greedy_where_greedy_is_trapped_but_greedy_keeps_its_bound():
    demand, cands = line_instance()
    greedy = siting.maximal_covering(demand, cands, k=2, radius_km=6)
    exact = siting.maximal_covering(demand, cands, k=2, radius_km=6, method="exact")
    assert set(exact["site_id"]) == {"west", "east"} and exact.attrs["covered"] == 9.0
    assert exact.attrs["optimal"]
    assert exact.attrs["covered"] > greedy.attrs["covered"] >= siting.greedy_bound(2) * exact.attrs["covered"]
    assert exact["gain"].sum() == exact["covered"].iloc[-1] == 9.0  # greedy order among the chosen


def test_random_instances_exact_geq_greedy_geq_bound():
    rng = np.random.default_rng(11)
    for _ in range(4):
        demand = points(rng.uniform(0, 100, 150), rng.uniform(0, 100, 150), demand=rng.exponential(100, 150))
        cands = points(rng.uniform(0, 100, 25), rng.uniform(0, 100, 25), site_id=[f"s{i}" for i in range(25)])
        for k in (1, 2, 3):
            g = siting.maximal_covering(demand, cands, k=k, radius_km=15).attrs["covered"]
            e = siting.maximal_covering(demand, cands, k=k, radius_km=15, method="exact").attrs["covered"]
            assert e >= g - 1e-9 >= siting.greedy_bound(k) * e - 1e-6


def test_gains_never_increase_and_greedy_sites_are_nested():
    rng = np.random.default_rng(2)
    demand = points(rng.uniform(0, 200, 300), rng.uniform(0, 200, 300), demand=rng.exponential(10, 300))
    cands = points(rng.uniform(0, 200, 40), rng.uniform(0, 200, 40), site_id=[f"s{i}" for i in range(40)])
    five = siting.maximal_covering(demand, cands, k=5, radius_km=30)
    assert np.all(np.diff(five["gain"]) <= 1e-9)  # submodular: each site adds no more than the last
    three = siting.maximal_covering(demand, cands, k=3, radius_km=30)
    assert three["site_id"].tolist() == five["site_id"].tolist()[:3]


def test_greedy_stops_when_everything_coverable_is_covered():
    demand = points([0, 100], demand=[1.0, 1.0])
    cands = points([1, 2, 3], site_id=["a", "b", "c"])
    out = siting.maximal_covering(demand, cands, k=3, radius_km=5)
    assert len(out) == 1 and out.attrs["covered"] == 1.0 and out.attrs["coverable"] == 1.0
    curve = siting.coverage_curve(demand, cands, k_max=3, radius_km=5)
    assert curve["greedy_covered"].tolist() == [1.0, 1.0, 1.0] and curve["greedy_gain"].tolist() == [1.0, 0, 0]


def test_bad_arguments_are_reported_together():
    demand, cands = line_instance()
    with pytest.raises(InputError) as err:
        siting.maximal_covering(demand.assign(demand=-1.0), cands, k=9, radius_km=-5)
    assert len(err.value.problems) == 3


def test_unmet_demand_drops_people_already_within_reach():
    loc = gpd.GeoDataFrame({
        "cvegeo_loc": ["990010001", "990010002", "990020001"], "cvegeo": ["99001", "99001", "99002"],
        "cve_ent": ["99"] * 3, "name": ["A", "B", "C"], "pop_total": [800.0, 200.0, 500.0]},
        geometry=gpd.points_from_xy([0, 50_000, 300_000], [0, 0, 0]), crs="EPSG:6372")
    census = pd.DataFrame({"cvegeo": ["99001", "99002"], "pop_0_5": [1.0, 1.0], "pop_0_11": [1.0, 1.0],
                           "pop_60_plus": [1.0, 1.0], "pop_disability": [1.0, 1.0]})
    poverty = pd.DataFrame({"cvegeo": ["99001", "99002"], "poverty_people": [500.0, np.nan]})
    offices = gpd.GeoDataFrame({"office_id": ["o1"], "agency": ["X"], "status": ["existing"],
                                "cve_ent": ["99"], "cvegeo": ["99001"]},
                               geometry=gpd.points_from_xy([1000], [0]), crs="EPSG:6372")
    d = siting.unmet_demand(loc, census, poverty, offices, radius_km=20)
    # Locality A is reached, B (50 km) is not: 20% of 99001's 500 poor; 99002 has no estimate.
    assert d["cvegeo_loc"].tolist() == ["990010002"] and d["demand"].tolist() == pytest.approx([100.0])
    assert d.attrs["poor_total"] == pytest.approx(500.0) and d.attrs["poor_reached"] == pytest.approx(400.0)
    assert d.crs.to_epsg() == 4326
    m = siting.unmet_demand(loc, census, poverty, offices, radius_km=20, level="municipality")
    assert m["cvegeo"].tolist() == ["99001"] and m["demand"].sum() == pytest.approx(100.0)


class _TenMinutesPerKm(StraightLineKm):
    """Travel time at 10 minutes per straight-line km: B (49 km) is 490 minutes away."""

    cost_unit = "minutes"

    def nearest(self, origins_xy_km, destinations_xy_km):
        value, index = super().nearest(origins_xy_km, destinations_xy_km)
        return value * 10.0, index


def test_unmet_demand_compares_minutes_with_minutes():
    loc = gpd.GeoDataFrame({
        "cvegeo_loc": ["990010001", "990010002"], "cvegeo": ["99001", "99001"], "cve_ent": ["99"] * 2,
        "name": ["A", "B"], "pop_total": [800.0, 200.0]},
        geometry=gpd.points_from_xy([0, 50_000], [0, 0]), crs="EPSG:6372")
    census = pd.DataFrame({"cvegeo": ["99001"], "pop_0_5": [1.0], "pop_0_11": [1.0], "pop_60_plus": [1.0],
                           "pop_disability": [1.0]})
    poverty = pd.DataFrame({"cvegeo": ["99001"], "poverty_people": [500.0]})
    offices = gpd.GeoDataFrame({"office_id": ["o1"], "agency": ["X"], "status": ["existing"], "cve_ent": ["99"],
                                "cvegeo": ["99001"]}, geometry=gpd.points_from_xy([1000], [0]), crs="EPSG:6372")
    cost = _TenMinutesPerKm()
    with pytest.raises(InputError, match="radius_minutes"):  # a km radius is never read as minutes
        siting.unmet_demand(loc, census, poverty, offices, radius_km=100, cost=cost)
    # 100 km would reach B; 100 minutes (10 km) does not: B's 100 poor stay unmet.
    d = siting.unmet_demand(loc, census, poverty, offices, radius_km=100, radius_minutes=100, cost=cost)
    assert d["cvegeo_loc"].tolist() == ["990010002"] and d["demand"].tolist() == pytest.approx([100.0])
    assert d.attrs["cost_unit"] == "minutes" and d.attrs["threshold"] == 100.0
    assert siting.unmet_demand(loc, census, poverty, offices, radius_km=100, radius_minutes=600, cost=cost).empty


def test_candidate_seats_prefer_locality_0001():
    loc = gpd.GeoDataFrame({
        "cvegeo_loc": ["990010001", "990010002", "990020005", "990020007"],
        "cvegeo": ["99001", "99001", "99002", "99002"], "name": ["Seat", "Big", "Small", "Town"],
        "pop_total": [100.0, 900.0, 10.0, 50.0]},
        geometry=gpd.points_from_xy([-99, -99.1, -98, -98.1], [19, 19, 20, 20]), crs="EPSG:4326")
    seats = siting.candidate_sites(loc)
    assert seats["site_id"].tolist() == ["990010001", "990020007"]
    centres = siting.candidate_sites(loc, kind="centres")
    assert centres["site_id"].tolist() == ["99001", "99002"]
    assert centres.geometry.x.iloc[0] == pytest.approx(-99.09, abs=0.002)  # pulled toward "Big"


@pytest.fixture(scope="module")
def chiapas():
    from brecha import sources

    loc = sources.load("localities")
    d = siting.unmet_demand(loc[loc["cve_ent"] == "07"], sources.load("census_municipal"),
                            sources.load("coneval_municipal"), sources.load("offices"), radius_km=50,
                            level="municipality")
    return d, siting.candidate_sites(loc, cve_ent="07")


def test_chiapas_exact_geq_greedy_geq_bound(chiapas):
    demand, cands = chiapas
    assert len(cands) == 124 and demand["cvegeo"].str.startswith("07").all()
    curve = siting.coverage_curve(demand, cands, k_max=3, radius_km=50, exact=True)
    for row in curve.itertuples():
        assert row.exact_covered >= row.greedy_covered - 1e-6
        assert row.greedy_covered >= (1 - 1 / np.e) * row.exact_covered
        assert row.greedy_ratio >= siting.greedy_bound(row.k) - 1e-9
    assert curve["greedy_covered"].is_monotonic_increasing
    assert curve["greedy_share"].iloc[-1] <= 1.0
