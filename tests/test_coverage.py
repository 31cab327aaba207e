"""The default municipal and state layers: synthetic checks and one end-to-end run on the embedded data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brecha import coverage, gap
from brecha.errors import InputError

REQUIRED = ["cvegeo", "cve_ent", "name", "state_name", "pop_total", "pop_0_11", "pop_60_plus", "pop_disability",
            "poverty_pct", "poverty_people", "extreme_poverty_pct", "care_supply_children", "care_supply_elderly",
            "care_access_children", "care_access_elderly", "initiatives", "offices", "nearest_office_km",
            "gap_score", "gap_rank", "geometry", "need_class", "presence_class", "bivariate_class", "gap_drivers",
            "care_access_disability", "pop_0_5", "lisa_cluster", "lisa_p", "poverty_pct_eb", "care_unmet"]
NOT_ESTIMATED = ["04012", "07125", "29048"]


def small_layer() -> pd.DataFrame:
    return pd.DataFrame({
        "cvegeo": ["01001", "01002", "01003", "01004"], "name": ["=cmd", "B", "C", "D"],
        "state_name": ["S"] * 4, "gap_score": [0.2, np.nan, 0.9, 0.5],
        "gap_rank": pd.array([3, pd.NA, 1, 2], dtype="Int64"), "poverty_pct": [10.04, np.nan, 80.0, 50.0],
        "poverty_people": [10.4, np.nan, 800.0, 500.0], "nearest_office_km": [1.2, 3.0, 250.6, 80.0],
        "gap_drivers": ["a", "not ranked", "high poverty rate (80%)", "b"]})


def test_top_gaps_orders_by_rank_and_leaves_out_unranked():
    top = coverage.top_gaps(small_layer(), n=5)
    assert top["cvegeo"].tolist() == ["01003", "01004", "01001"]
    assert top["gap_rank"].tolist() == [1, 2, 3] and top.columns[0] == "gap_rank"
    assert top.loc[0, "reason"] == "high poverty rate (80%)"
    assert top.loc[0, "nearest_office_km"] == 251.0 and top.loc[2, "poverty_pct"] == 10.0
    assert top.loc[2, "name"] == "'=cmd"  # safe to open in a spreadsheet
    assert len(coverage.top_gaps(small_layer(), n=1)) == 1
    with pytest.raises(InputError):
        coverage.top_gaps(small_layer(), n=0)


def test_missing_sources_are_all_reported():
    with pytest.raises(InputError) as err:
        coverage.municipal_layer({"census_municipal": pd.DataFrame()})
    assert {p.column for p in err.value.problems} == set(coverage.SOURCES) - {"census_municipal"}


@pytest.fixture(scope="module")
def real():
    sources = coverage.load_sources()
    muni = coverage.municipal_layer(sources)
    return sources, muni, coverage.state_layer(sources, municipal=muni)


def test_municipal_layer_end_to_end(real):
    _, m, _ = real
    assert len(m) == 2469 and m.crs.to_epsg() == 4326
    assert m["cvegeo"].is_monotonic_increasing and m["cvegeo"].is_unique
    assert not (set(REQUIRED) - set(m.columns))
    assert m["pop_total"].sum() == 126_014_024
    rows = m.set_index("cvegeo").loc[NOT_ESTIMATED]
    assert rows["poverty_pct"].isna().all() and rows["poverty_people"].isna().all()
    assert rows["gap_score"].isna().all() and rows["gap_rank"].isna().all() and not rows["gap_ranked"].any()
    ranked = m.loc[m["gap_ranked"]]
    assert len(ranked) == 2466
    assert sorted(ranked["gap_rank"].astype(int)) == list(range(1, 2467))
    assert (ranked["gap_score"] > 0).all() and (ranked["gap_score"] <= 1).all()
    top = ranked.sort_values("gap_rank")
    assert top["gap_score"].is_monotonic_decreasing
    assert set(m["lisa_cluster"]) <= {"HH", "LL", "HL", "LH", "ns"} and (m["lisa_cluster"] == "HH").any()
    assert set(ranked["bivariate_class"]) <= {f"{n}-{p}" for n in (1, 2, 3) for p in (1, 2, 3)}
    assert (ranked["gap_drivers"].str.len() > 0).all()
    # The ten largest gaps are poor places: high need tercile.
    assert (top.head(10)["need_class"] == 3).all()
    assert m["geometry"].notna().all() and m.geometry.is_valid.all()


def test_municipal_layer_agrees_with_its_sources(real):
    from brecha import presence
    from brecha.sources import initiative_places

    sources, m, _ = real
    offices = presence.office_counts(sources["offices"])
    assert m["offices"].sum() == offices["offices"].sum()
    ini = presence.initiative_counts(initiative_places(sources["initiatives"]))
    assert m["initiatives"].sum() == ini["initiatives"].sum()
    con = sources["coneval_municipal"].set_index("cvegeo")
    np.testing.assert_allclose(m.set_index("cvegeo")["poverty_people"], con["poverty_people"].reindex(m["cvegeo"]))
    # Empirical Bayes moves the smallest municipalities most.
    moved = (m["poverty_pct_eb"] - m["poverty_pct"]).abs()
    small, large = m["pop_total"] < 2_000, m["pop_total"] > 100_000
    assert moved[small].mean() > moved[large].mean()


def test_weight_sensitivity_runs_on_the_layer(real):
    _, m, _ = real
    table = gap.weight_sensitivity(m, top_n=20)
    assert len(table) == 12 and table["top_overlap"].between(0, 1).all()
    assert table["spearman"].min() > 0.9  # ±20% on one weight barely moves the national ordering


def test_state_layer_end_to_end(real):
    _, m, s = real
    assert len(s) == 32 and s["cve_ent"].is_monotonic_increasing and s.crs.to_epsg() == 4326
    assert s["pop_total"].sum() == m["pop_total"].sum()
    assert sorted(s["gap_rank"].astype(int)) == list(range(1, 33))
    assert (s["poverty_source"] == "agg_from_municipal").all()
    assert s["offices"].sum() >= m["offices"].sum()  # offices placed only in a state count for the state
    np.testing.assert_allclose(s["care_unmet"].sum(), m["care_unmet"].sum())
    top = coverage.top_gaps(s, n=5)
    assert list(top["gap_rank"]) == [1, 2, 3, 4, 5] and "cve_ent" in top
