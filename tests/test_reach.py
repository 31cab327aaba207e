"""Office reach: nearest office and people within reach."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from brecha import geography, reach
from brecha.costs import StraightLineKm
from brecha.reach import MEASURES
from brecha.sources import load

KM = 1000.0


@pytest.fixture
def localities() -> gpd.GeoDataFrame:
    # Municipality A (01001): 100 people at 0 km, 300 at 50 km. B (01002): 600 at 200 km.
    return gpd.GeoDataFrame(
        {"cvegeo_loc": ["010010001", "010010002", "010020001"], "cvegeo": ["01001", "01001", "01002"],
         "pop_total": [100, 300, 600]},
        geometry=gpd.points_from_xy([2_000 * KM, 2_050 * KM, 2_200 * KM], [1_000 * KM] * 3), crs="EPSG:6372")


@pytest.fixture
def census() -> pd.DataFrame:
    return pd.DataFrame({"cvegeo": ["01001", "01002"], "pop_0_5": [40.0, 60.0], "pop_0_11": [80.0, 120.0],
                         "pop_60_plus": [20.0, 30.0], "pop_disability": [8.0, 12.0]})


@pytest.fixture
def poverty() -> pd.DataFrame:
    return pd.DataFrame({"cvegeo": ["01001", "01002"], "poverty_people": [200.0, np.nan]})


@pytest.fixture
def offices() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"office_id": ["o1", "o2", "o3"], "agency": ["UNICEF", "UNHCR", "UNHCR"], "city": ["A", "B", "nowhere"],
         "status": ["existing", "planned", "existing"], "cve_ent": ["01", "01", "01"],
         "cvegeo": ["01001", "01002", None]},
        geometry=gpd.points_from_xy([2_000 * KM, 2_210 * KM, np.nan], [1_000 * KM] * 3), crs="EPSG:6372")


class DoubleMinutes:
    """A fake travel-time cost: two minutes per straight-line km."""

    cost_unit = "minutes"

    def nearest(self, o, d):
        km, idx = StraightLineKm().nearest(o, d)
        return 2 * km, idx

    def pairs_within(self, o, d, max_cost):
        m = StraightLineKm().pairs_within(o, d, max_cost / 2)
        m.data = m.data * 2
        return m


def test_municipal_centres_are_population_weighted(localities):
    c = reach.municipal_centres(localities)
    xy = geography.xy_km(c)
    assert c.index.tolist() == ["01001", "01002"]
    assert xy[0, 0] == pytest.approx(2_037.5)  # (0 * 100 + 50 * 300) / 400 km from 2,000
    assert c.crs.to_epsg() == 6372


def test_nearest_office_uses_only_active_offices_with_a_point(localities, offices):
    c = reach.municipal_centres(localities)
    out = reach.nearest_office(c, offices).set_index("cvegeo")
    assert list(out.columns) == ["nearest_office_km", "nearest_office_id", "nearest_office_agency",
                                 "nearest_office_city"]
    assert out.loc["01001", "nearest_office_km"] == pytest.approx(37.5)
    assert out.loc["01002", "nearest_office_km"] == pytest.approx(200.0)  # the planned office is ignored
    assert out.loc["01002", "nearest_office_id"] == "o1"
    every = reach.nearest_office(c, offices, status="all").set_index("cvegeo")
    assert every.loc["01002", "nearest_office_km"] == pytest.approx(10.0)
    assert every.loc["01002", "nearest_office_agency"] == "UNHCR"


def test_nearest_office_with_no_office_is_missing(localities, offices):
    out = reach.nearest_office(reach.municipal_centres(localities), offices, agency="ILO")
    assert out["nearest_office_km"].isna().all() and out["nearest_office_id"].isna().all()


def test_nearest_office_names_the_column_by_the_cost_unit(localities, offices):
    out = reach.nearest_office(reach.municipal_centres(localities), offices, cost=DoubleMinutes())
    assert out["nearest_office_minutes"].tolist() == pytest.approx([75.0, 400.0])
    with pytest.raises(TypeError, match="Cost"):
        reach.nearest_office(reach.municipal_centres(localities), offices, cost=object())


def test_locality_demand_apportions_by_population_share(localities, census, poverty):
    d = reach.locality_demand(localities, census, poverty)
    assert d["poor"].tolist()[:2] == pytest.approx([50.0, 150.0])
    assert np.isnan(d["poor"].iloc[2])  # B is not estimated: NaN, never zero
    assert d["pop_0_5"].tolist() == pytest.approx([10.0, 30.0, 60.0])
    assert d.groupby("cvegeo")["pop_disability"].sum().tolist() == pytest.approx([8.0, 12.0])


def _check_totals(table: pd.DataFrame) -> None:
    for m in MEASURES:
        total, inside, outside = table[f"{m}_total"], table[f"{m}_inside"], table[f"{m}_outside"]
        known = total.notna()
        np.testing.assert_allclose((inside + outside)[known], total[known])
        assert inside[~known].isna().all() and outside[~known].isna().all()


def test_within_reach_hand_checked(localities, census, poverty, offices):
    r = reach.within_reach(localities, census, poverty, offices, radius_km=10.0)
    mu = r.municipality.set_index("cvegeo")
    assert mu.loc["01001", "pop_inside"] == 100 and mu.loc["01001", "pop_outside"] == 300
    assert mu.loc["01001", "poor_inside"] == pytest.approx(50.0)
    assert mu.loc["01001", "pop_0_5_inside"] == pytest.approx(10.0)
    assert mu.loc["01001", "pop_inside_pct"] == pytest.approx(25.0)
    assert mu.loc["01002", "pop_inside"] == 0 and np.isnan(mu.loc["01002", "poor_total"])
    nat = r.national.iloc[0]
    assert nat["pop_total"] == 1000 and nat["poor_total"] == pytest.approx(200.0)
    assert nat["pop_without_poverty_estimate"] == 600
    for table in (r.municipality, r.state, r.national):
        _check_totals(table)
    assert r.threshold == 10.0 and r.cost_unit == "km"


def test_within_reach_radius_and_status(localities, census, poverty, offices):
    wide = reach.within_reach(localities, census, poverty, offices, radius_km=60.0)
    assert wide.national["pop_inside"].item() == 400
    every = reach.within_reach(localities, census, poverty, offices, radius_km=60.0, status="all")
    assert every.national["pop_inside"].item() == 1000
    _check_totals(every.state)


def test_within_reach_by_agency(localities, census, poverty, offices):
    r = reach.within_reach(localities, census, poverty, offices, radius_km=60.0, status="all", by="agency")
    g = r.groups.set_index("agency")
    assert g.loc["UNICEF", "pop_inside"] == 400 and g.loc["UNHCR", "pop_inside"] == 600
    assert (g["pop_total"] == 1000).all()
    gm = r.groups_municipality.set_index(["agency", "cvegeo"])
    assert gm.loc[("UNHCR", "01002"), "pop_0_11_inside"] == pytest.approx(120.0)
    _check_totals(r.groups_municipality)


def test_within_reach_needs_max_cost_for_minutes(localities, census, poverty, offices):
    with pytest.raises(ValueError, match="max_cost"):
        reach.within_reach(localities, census, poverty, offices, cost=DoubleMinutes())
    r = reach.within_reach(localities, census, poverty, offices, cost=DoubleMinutes(), max_cost=120.0)
    assert r.cost_unit == "minutes" and r.national["pop_inside"].item() == 400
    assert "nearest_office_minutes" in r.localities.columns


# -- real embedded data ------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    return (geography.localities(), load("census_municipal"), load("coneval_municipal"), load("offices"))


def test_real_nearest_office(real):
    loc, _, _, offices = real
    out = reach.nearest_office(reach.municipal_centres(loc), offices).set_index("cvegeo")
    assert len(out) == 2469
    assert out.loc["02004", "nearest_office_km"] < 5  # Tijuana has offices
    assert out["nearest_office_km"].notna().all() and (out["nearest_office_km"] >= 0).all()


def test_real_within_reach_preserves_totals(real):
    loc, census, poverty, offices = real
    r = reach.within_reach(loc, census, poverty, offices, radius_km=100.0, by="agency")
    nat = r.national.iloc[0]
    assert nat["pop_total"] == 126_014_024
    assert nat["pop_inside"] + nat["pop_outside"] == 126_014_024
    assert r.state["pop_total"].sum() == 126_014_024 and len(r.state) == 32
    assert len(r.municipality) == 2469
    for table in (r.municipality, r.state, r.national, r.groups):
        _check_totals(table)
    assert r.national["poor_total"].item() == pytest.approx(poverty["poverty_people"].sum())
    mu = r.municipality.set_index("cvegeo")
    assert mu.loc[["04012", "07125", "29048"], "poor_total"].isna().all()
    assert (r.groups["pop_total"] == 126_014_024).all()


@pytest.mark.parametrize("value", [np.int64(50), np.int32(0), np.float32(12.5), 100, 7.5])
def test_cost_threshold_takes_numpy_numbers(value):
    assert reach.cost_threshold(StraightLineKm(), km=value, minutes=None, name="radius") == float(value)


@pytest.mark.parametrize("value", [True, np.bool_(True), -1, float("nan"), "100", None])
def test_cost_threshold_refuses_what_is_not_a_distance(value):
    from brecha.errors import InputError

    with pytest.raises(InputError, match="a number >= 0"):
        reach.cost_threshold(StraightLineKm(), km=value, minutes=None, name="radius")
