"""Care supply against demand: apportioning, places, and the municipal table."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from brecha.care import (
    CARE_GROUPS,
    DEMAND_COLUMNS,
    PLACES_PER_STAFF,
    UNMET_GROUPS,
    apportion,
    care_by_locality,
    care_by_municipality,
    care_supply,
    care_unmet,
    estimate_places,
)
from brecha.errors import InputError, InputWarning
from brecha.geography import localities
from brecha.settings import DATA_DIR


def pts(xy_km, **cols) -> gpd.GeoDataFrame:
    xy = np.asarray(xy_km, dtype=float) * 1000.0
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:6372")


@pytest.fixture
def tiny():
    """Two municipalities: 01001 with localities at 0 and 30 km, 01002 with one at 200 km."""
    census = pd.DataFrame({"cvegeo": ["01001", "01002"], "pop_0_5": [40.0, 10.0], "pop_0_11": [80.0, 20.0],
                           "pop_60_plus": [60.0, 6.0], "pop_disability": [30.0, 3.0]})
    locs = pts([[0, 0], [30, 0], [200, 0]], cvegeo_loc=["010010001", "010010002", "010020001"],
               cvegeo=["01001", "01001", "01002"], pop_total=[300, 100, 50])
    denue = pts([[1, 0], [2, 0], [0, 3], [999, 999]], cvegeo=["01001"] * 4,
                scian=["624411", "624412", "623311", "531113"], staff_mid=[3.0, 8.0, 20.5, 3.0])
    return census, locs, denue


def test_apportion_by_hand(tiny):
    census, locs, _ = tiny
    out = apportion(locs, census, ["pop_0_5", "pop_60_plus"])
    assert out["pop_0_5"].tolist() == [30.0, 10.0, 10.0]
    assert out["pop_60_plus"].tolist() == [45.0, 15.0, 6.0]
    assert isinstance(out, gpd.GeoDataFrame) and out.index.equals(locs.index)
    assert "pop_0_5" not in locs.columns  # the input is not modified


def test_apportion_empty_municipality_splits_evenly(tiny):
    census, locs, _ = tiny
    out = apportion(locs.assign(pop_total=[0, 0, 50]), census, ["pop_0_5"])
    assert out["pop_0_5"].tolist() == [20.0, 20.0, 10.0]


def test_apportion_keeps_nan(tiny):
    census, locs, _ = tiny
    out = apportion(locs, census.assign(pop_0_5=[np.nan, 10.0]), ["pop_0_5"])
    assert out["pop_0_5"].isna().tolist() == [True, True, False]


def test_apportion_reports_every_problem(tiny):
    census, locs, _ = tiny
    locs = locs.assign(cvegeo=["01001", "01001", "09999"], pop_total=[300, -1, 50])
    with pytest.raises(InputError) as err:
        apportion(locs, census.assign(pop_0_5=["x", 1.0]), ["pop_0_5"])
    assert len(err.value.problems) == 3
    assert "09999" in str(err.value) and "pop_total" in str(err.value)


def test_apportion_preserves_national_totals():
    census = pd.read_parquet(DATA_DIR / "census_municipal.parquet")
    locs = localities()
    out = apportion(locs, census, DEMAND_COLUMNS)
    assert len(out) == 189_432
    sums = out.groupby("cvegeo")[list(DEMAND_COLUMNS)].sum()
    want = census.set_index("cvegeo")[list(DEMAND_COLUMNS)].loc[sums.index]
    np.testing.assert_allclose(sums.to_numpy(), want.to_numpy(), rtol=1e-12)
    assert out[list(DEMAND_COLUMNS)].sum().to_numpy() == pytest.approx(census[list(DEMAND_COLUMNS)].sum(), rel=1e-12)


def test_estimate_places(tiny):
    *_, denue = tiny
    out = estimate_places(denue)
    assert out["care_type"].tolist() == ["day_care", "day_care", "elderly"]  # 531113 is not care
    assert out["places"].tolist() == [18.0, 48.0, 41.0]
    custom = estimate_places(denue, places_per_staff={"day_care": 1.0, "elderly": 1.0, "disability": 1.0})
    assert custom["places"].tolist() == [3.0, 8.0, 20.5]


def test_mental_health_residences_are_not_disability_supply(tiny):
    *_, denue = tiny
    out = estimate_places(denue.assign(scian=["623211", "623221", "623222", "623212"]))
    assert out["scian"].tolist() == ["623211", "623212"]  # 623221/623222: mental disorder and addiction
    assert (out["care_type"] == "disability").all()


def test_time_cost_needs_minutes_and_keeps_km_columns(tiny, tmp_path):
    import rasterio
    from rasterio.transform import Affine

    from brecha.costs import TravelTimeRaster

    census, locs, denue = tiny
    path = tmp_path / "pace.tif"
    with rasterio.open(path, "w", driver="GTiff", height=4, width=1200, count=1, dtype="float32",
                       crs="EPSG:6372", transform=Affine(1000.0, 0, -100_000.0, 0, -1000.0, 2000.0)) as dst:
        dst.write(np.full((4, 1200), 2.0, dtype="float32"), 1)  # 2 minutes per km everywhere
    cost = TravelTimeRaster(path)
    with pytest.raises(InputError, match="catchment_minutes"):
        care_by_locality(census, locs, denue, cost=cost)
    km = care_by_locality(census, locs, denue, catchment_km=20.0, decay="step")
    mins = care_by_locality(census, locs, denue, catchment_minutes=40.0, decay="step", cost=cost)
    np.testing.assert_allclose(mins["care_access_children"], km["care_access_children"])
    np.testing.assert_allclose(mins["nearest_care_km_children"], km["nearest_care_km_children"])
    np.testing.assert_allclose(mins["nearest_care_minutes_children"], 2.0 * km["nearest_care_km_children"],
                               rtol=1e-6)
    table = care_by_municipality(census, locs, denue, catchment_minutes=40.0, decay="step", cost=cost)
    assert {"nearest_care_km_children", "nearest_care_minutes_children"} <= set(table.columns)


def test_missing_staff_band_counts_as_smallest(tiny):
    *_, denue = tiny
    with pytest.warns(InputWarning, match="1 DENUE"):
        out = estimate_places(denue.assign(staff_mid=[np.nan, 8.0, 20.5, 3.0]))
    assert out["places"].iloc[0] == 3.0 * PLACES_PER_STAFF["day_care"]


def test_bad_places_per_staff_is_refused(tiny):
    *_, denue = tiny
    with pytest.raises(InputError, match="places_per_staff"):
        estimate_places(denue, places_per_staff={"day_care": 6.0, "elderly": 0.0})


def test_care_supply_by_hand(tiny):
    *_, denue = tiny
    s = care_supply(denue)
    assert s["cvegeo"].tolist() == ["01001"]
    row = s.iloc[0]
    assert (row.care_units_children, row.care_supply_children) == (2, 66.0)
    assert (row.care_units_elderly, row.care_supply_elderly) == (1, 41.0)
    assert (row.care_units_disability, row.care_supply_disability) == (0, 0.0)


def test_care_by_locality_by_hand(tiny):
    census, locs, denue = tiny
    out = care_by_locality(census, locs, denue, catchment_km=20.0, decay="step")
    # Only the locality at 0 km (30 children) reaches the two day cares (66 places).
    assert out["care_access_children"].tolist() == pytest.approx([66.0 / 30.0 * 1000, 0.0, 0.0])
    assert out["care_outside_children"].tolist() == [False, True, True]
    assert out["nearest_care_km_children"].tolist() == pytest.approx([1.0, 28.0, 198.0])
    assert out["care_outside_disability"].all() and np.isinf(out["nearest_care_km_disability"]).all()


def test_care_by_municipality_by_hand(tiny):
    census, locs, denue = tiny
    out = care_by_municipality(census, locs, denue, catchment_km=20.0, decay="step")
    assert out["cvegeo"].tolist() == ["01001", "01002"]
    a = out.set_index("cvegeo").loc["01001"]
    assert a.care_per_1000_children == pytest.approx(66.0 / 40.0 * 1000)
    assert a.care_per_1000_children_0_11 == pytest.approx(66.0 / 80.0 * 1000)
    assert a.care_per_1000_elderly == pytest.approx(41.0 / 60.0 * 1000)
    # 30 of 40 children reach 2,200 places per 1,000; the other 10 reach none.
    assert a.care_access_children == pytest.approx(66.0 / 30.0 * 1000 * 30 / 40)
    assert a.care_outside_share_children == pytest.approx(10 / 40)
    assert a.nearest_care_km_children == pytest.approx((30 * 1.0 + 10 * 28.0) / 40)
    b = out.set_index("cvegeo").loc["01002"]
    assert (b.care_units_children, b.care_supply_children, b.care_per_1000_children) == (0, 0.0, 0.0)
    assert (b.care_access_children, b.care_outside_share_children) == (0.0, 1.0)
    # No disability care anywhere: everyone is outside, and the nearest is infinitely far.
    assert out["care_outside_share_disability"].tolist() == [1.0, 1.0]
    assert np.isinf(out["nearest_care_km_disability"]).all()


# --- end to end on the national embedded data ------------------------------------------


@pytest.fixture(scope="module")
def national():
    census = pd.read_parquet(DATA_DIR / "census_municipal.parquet")
    denue = gpd.read_parquet(DATA_DIR / "denue_care.parquet")
    return census, denue, care_by_municipality(census, localities(), denue)


def test_national_table_shape(national):
    census, _, out = national
    assert len(out) == 2469
    assert out["cvegeo"].tolist() == sorted(census["cvegeo"])
    for g in ("children", "children_0_11", "elderly", "disability"):
        for prefix in ("care_per_1000_", "care_access_", "care_outside_share_", "nearest_care_km_"):
            assert prefix + g in out.columns
    for g in ("children", "elderly", "disability"):
        for prefix in ("care_supply_", "care_units_", "care_per_1000_", "care_access_", "care_outside_share_",
                       "nearest_care_km_"):
            assert prefix + g in out.columns


def test_national_no_nan_where_demand(national):
    census, _, out = national
    merged = out.merge(census, on="cvegeo")
    for g in CARE_GROUPS:
        has = merged[g.demand_col] > 0
        cols = [f"care_{m}_{g.name}" for m in ("per_1000", "access", "outside_share")] + [f"nearest_care_km_{g.name}"]
        assert merged.loc[has, cols].notna().all().all(), g.name
        assert merged[f"care_outside_share_{g.name}"].between(0, 1).all()


def test_national_totals_preserved(national):
    census, denue, out = national
    places = estimate_places(denue)
    merged = out.merge(census, on="cvegeo")
    for g in CARE_GROUPS:
        mine = places[places["care_type"] == g.care_type]
        assert out[f"care_units_{g.supply_name}"].sum() == len(mine)
        assert out[f"care_supply_{g.supply_name}"].sum() == pytest.approx(mine["places"].sum(), rel=1e-12)
        # E2SFCA hands out every place (each establishment has children/elders within 20 km).
        handed = (merged[f"care_access_{g.name}"] * merged[g.demand_col]).sum() / 1000
        assert handed == pytest.approx(mine["places"].sum(), rel=1e-9)
    assert out["care_units_children"].sum() == 10_491
    # Mental-health and addiction residences (623221/623222) are not disability supply.
    assert out["care_units_disability"].sum() == 164
    assert not {"care_units_children_0_11", "care_supply_children_0_11"} & set(out.columns)


def test_children_0_11_share_day_care_supply_with_their_own_demand(national):
    census, _, out = national
    m = out.merge(census, on="cvegeo")
    handed = (m["care_access_children_0_11"] * m["pop_0_11"]).sum() / 1000
    assert handed == pytest.approx(m["care_supply_children"].sum(), rel=1e-9)
    # More children share the same places: access per 1,000 children is lower for 0-11.
    assert (m["care_access_children_0_11"] <= m["care_access_children"] + 1e-9).mean() > 0.95
    np.testing.assert_allclose(m["care_per_1000_children_0_11"],
                               1000 * m["care_supply_children"] / m["pop_0_11"].where(m["pop_0_11"] > 0))


def test_care_unmet_outside_share_and_benchmark():
    f = pd.DataFrame({"pop_0_5": [100.0, 100.0, 100.0, 100.0],
                      "pop_60_plus": [50.0, 50.0, 50.0, 50.0],
                      "care_access_children": [120.0, 60.0, 0.0, 30.0],
                      "care_outside_share_children": [0.0, 0.0, 1.0, 0.5],
                      "care_access_elderly": [4.0, 0.0, 0.0, 2.0]})
    out = care_unmet(f)
    assert out.attrs["benchmark"]["children"] == pytest.approx(52.5)  # demand-weighted mean access
    assert out.loc[0, "care_shortfall_children"] == 0.0  # above the national level
    assert out.loc[2, "care_shortfall_children"] == 1.0  # all demand beyond every catchment
    # Half the children are outside; the other half reach 60 per 1,000, above 52.5: only the outside half is unmet.
    assert out.loc[3, "care_unmet_children"] == pytest.approx(50.0)
    assert out.loc[1, "care_unmet_elderly"] == pytest.approx(50.0)  # no elderly care at all
    np.testing.assert_allclose(out["care_unmet"], out["care_unmet_children"] + out["care_unmet_elderly"])


def test_care_unmet_groups_come_from_the_one_care_table():
    assert [g.name for g in UNMET_GROUPS] == ["children", "elderly"]
    assert all(g in CARE_GROUPS for g in UNMET_GROUPS)
    import brecha.gap
    assert not hasattr(brecha.gap, "CARE_GROUPS")  # one table, in brecha.care
