"""CONEVAL poverty by municipality and by state."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from brecha import geography, poverty
from brecha.errors import InputError
from brecha.sources import load


@pytest.fixture
def coneval() -> pd.DataFrame:
    # Aguascalientes: two estimated municipalities and one CONEVAL does not estimate.
    return pd.DataFrame({
        "cvegeo": ["01001", "01002", "01003"],
        "cve_ent": ["01", "01", "01"],
        "pop_coneval": [100.0, 300.0, np.nan],
        "poverty_pct": [50.0, 10.0, np.nan],
        "poverty_people": [50.0, 30.0, np.nan],
        "extreme_poverty_pct": [10.0, 0.0, np.nan],
        "extreme_poverty_people": [10.0, 0.0, np.nan],
    })


IND = ["poverty", "extreme_poverty"]


def test_municipal_poverty_joins_every_municipality_and_keeps_nan(coneval):
    out = poverty.municipal_poverty(coneval, indicators=IND)
    assert len(out) == 2469
    row = out.set_index("cvegeo")
    assert row.loc["01001", "poverty_pct"] == 50.0
    assert np.isnan(row.loc["01003", "poverty_pct"]) and row.loc["01003", "coneval_nd"]
    assert np.isnan(row.loc["02001", "poverty_people"]) and row.loc["02001", "coneval_nd"]  # not in the table
    assert not row.loc["01002", "coneval_nd"]


def test_municipal_poverty_onto_a_geodataframe_keeps_order_and_geometry(coneval):
    muni = geography.municipalities().iloc[[2, 0, 1]]
    out = poverty.municipal_poverty(coneval, muni, indicators=IND)
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 4326
    assert out["cvegeo"].tolist() == ["01003", "01001", "01002"]
    assert out["poverty_people"].tolist()[1:] == [50.0, 30.0]


def test_missing_indicator_columns_are_all_reported(coneval):
    with pytest.raises(InputError) as err:
        poverty.municipal_poverty(coneval, indicators=["poverty", "deprivation_food", "vulnerable_income"])
    assert len(err.value.problems) == 2


def test_state_poverty_is_weighted_by_coneval_population(coneval):
    st = poverty.state_poverty(coneval, indicators=IND).set_index("cve_ent")
    assert len(st) == 32
    ags = st.loc["01"]
    assert ags["poverty_pct_agg_from_municipal"] == pytest.approx(20.0)  # (50 + 30) / 400
    assert ags["poverty_people_agg_from_municipal"] == 80.0
    assert ags["extreme_poverty_pct_agg_from_municipal"] == pytest.approx(2.5)
    assert ags["municipalities"] == 3 and ags["municipalities_estimated"] == 2
    assert ags["poverty_pct"] == ags["poverty_pct_agg_from_municipal"]
    assert ags["poverty_source"] == "agg_from_municipal"
    assert np.isnan(st.loc["02", "poverty_pct_agg_from_municipal"]) and st.loc["02", "municipalities"] == 0
    assert "not official" in st.attrs["method"]
    assert st.attrs["municipalities_not_estimated"] == ["01003"]


def test_state_poverty_falls_back_to_rates_without_counts(coneval):
    rates_only = coneval.drop(columns=["poverty_people"])
    st = poverty.state_poverty(rates_only, indicators=["poverty"]).set_index("cve_ent")
    assert st.loc["01", "poverty_pct_agg_from_municipal"] == pytest.approx(20.0)


def test_official_state_figures_are_used_and_shown_next_to_the_aggregate(coneval):
    official = pd.DataFrame({
        "cve_ent": ["01", "01", "00"], "year": [2020, 2018, 2020], "indicator": ["poverty"] * 3,
        "pct": [27.6, 26.2, 43.9], "people": [396_500.0, 360_500.0, 55_700_000.0]})
    st = poverty.state_poverty(coneval, official=official, indicators=IND).set_index("cve_ent")
    ags = st.loc["01"]
    assert ags["poverty_pct_official"] == 27.6 and ags["poverty_pct"] == 27.6
    assert ags["poverty_people"] == 396_500.0 and ags["poverty_source"] == "official"
    assert ags["poverty_pct_agg_from_municipal"] == pytest.approx(20.0)
    assert ags["extreme_poverty_source"] == "agg_from_municipal"  # no official extreme figure given
    cols = list(st.columns)
    assert cols.index("poverty_pct_official") == cols.index("poverty_people_agg_from_municipal") + 1
    with pytest.raises(InputError, match="2022"):
        poverty.state_poverty(coneval, official=official, year=2022, indicators=IND)


def test_a_state_with_only_an_official_rate_keeps_the_aggregate_pair(coneval, caplog):
    official = pd.DataFrame({"cve_ent": ["01"], "year": [2020], "indicator": ["poverty"],
                             "pct": [27.6], "people": [np.nan]})
    ags = poverty.state_poverty(coneval, official=official, indicators=IND).set_index("cve_ent").loc["01"]
    # Never an official rate beside aggregated people under one label.
    assert ags["poverty_source"] == "agg_from_municipal"
    assert ags["poverty_pct"] == ags["poverty_pct_agg_from_municipal"]
    assert ags["poverty_people"] == ags["poverty_people_agg_from_municipal"]
    assert ags["poverty_pct_official"] == 27.6  # still shown next to the aggregate
    assert "incomplete" in caplog.text and "01" in caplog.text


def test_official_table_needs_its_columns(coneval):
    with pytest.raises(InputError) as err:
        poverty.state_poverty(coneval, official=pd.DataFrame({"cve_ent": ["01"], "year": [2020]}),
                              indicators=IND)
    assert {p.column for p in err.value.problems} == {"indicator", "pct", "people"}


# -- real embedded data ------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return load("coneval_municipal")


def test_real_not_estimated_municipalities_stay_missing(real):
    out = poverty.municipal_poverty(real).set_index("cvegeo")
    nd = out.loc[list(poverty.NOT_ESTIMATED)]
    value_cols = [c for c in out.columns if c.endswith(("_pct", "_people"))]
    assert len(value_cols) == 2 * len(poverty.INDICATORS)
    assert nd[value_cols].isna().all().all() and nd["coneval_nd"].all()
    assert not (nd[value_cols] == 0).any().any()
    assert out["coneval_nd"].sum() == 3


def test_real_state_aggregates(real):
    st = poverty.state_poverty(real).set_index("cve_ent")
    assert st.attrs["national_agg_from_municipal"]["poverty"] == pytest.approx(44.5, abs=0.05)
    assert st["municipalities"].sum() == 2469 and st["municipalities_estimated"].sum() == 2466
    assert st.loc["04", "municipalities"] - st.loc["04", "municipalities_estimated"] == 1
    assert st["poverty_people_agg_from_municipal"].sum() == pytest.approx(real["poverty_people"].sum())
    assert st["poverty_pct_agg_from_municipal"].between(0, 100).all()
    assert (st["poverty_source"] == "agg_from_municipal").all()
