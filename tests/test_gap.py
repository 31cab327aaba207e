"""The gap index on small synthetic frames: smoothing, aggregation, ranks, drivers, sensitivity, LISA."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from brecha import gap
from brecha.errors import InputError
from brecha.gap import GapSettings


def frame(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Municipalities with every column :func:`gap.gap_index` reads."""
    rng = np.random.default_rng(seed)
    pop = rng.integers(300, 200_000, n).astype(float)
    pct = rng.uniform(10, 95, n).round(1)
    return pd.DataFrame({
        "cvegeo": [f"99{i:03d}" for i in range(n)],
        "pop_coneval": pop,
        "poverty_pct": pct,
        "poverty_people": (pop * pct / 100).round(),
        "care_unmet": (pop * rng.uniform(0, 0.1, n)).round(),
        "initiatives": rng.poisson(0.3, n),
        "agencies": rng.poisson(0.2, n),
        "offices": rng.poisson(0.1, n),
        "nearest_office_km": rng.uniform(0, 400, n),
    })


def extremes() -> pd.DataFrame:
    """A: highest need and highest presence; B: lowest need and no presence; four in between."""
    f = pd.DataFrame({
        "cvegeo": ["A", "B", "c", "d", "e", "f"],
        "pop_coneval": [1e5, 1e3, 2e4, 3e4, 4e4, 5e4],
        "poverty_pct": [95.0, 5.0, 40.0, 50.0, 60.0, 70.0],
        "poverty_people": [95e3, 50.0, 8e3, 15e3, 24e3, 35e3],
        "care_unmet": [9e3, 0.0, 1e3, 2e3, 3e3, 4e3],
        "initiatives": [5, 0, 1, 0, 1, 0],
        "agencies": [4, 0, 1, 0, 1, 0],
        "offices": [3, 0, 1, 0, 0, 1],
        "nearest_office_km": [0.5, np.nan, 20.0, 60.0, 90.0, 10.0],
    })
    return f


# --- empirical Bayes -------------------------------------------------------

def test_eb_shrinks_small_populations_more_than_large_ones():
    # Two pairs with the same raw rates; the small places should move toward the mean much more.
    events = np.array([900.0, 9.0, 100.0, 1.0, 500.0, 5000.0])
    base = np.array([1000.0, 10.0, 1000.0, 10.0, 1000.0, 10000.0])
    rate, w = gap.empirical_bayes(events, base)
    m = events.sum() / base.sum()
    raw = events / base
    move = np.abs(rate - raw)
    assert w[1] < w[0] and w[3] < w[2]
    assert move[1] > 5 * move[0] and move[3] > 5 * move[2]
    # Shrinkage is toward the overall rate, never past it.
    assert np.all(np.abs(rate - m) <= np.abs(raw - m) + 1e-12)


def test_eb_poisson_matches_esda():
    from esda.smoothing import Empirical_Bayes

    rng = np.random.default_rng(3)
    base = rng.integers(100, 50_000, 50).astype(float)
    events = rng.binomial(base.astype(int), rng.uniform(0.001, 0.02, 50)).astype(float)
    ours, _ = gap.empirical_bayes(events, base, variance="poisson")
    theirs = Empirical_Bayes(events, base).r.ravel()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_eb_leaves_missing_values_missing():
    rate, w = gap.empirical_bayes([10.0, np.nan, 30.0], [100.0, 100.0, 100.0])
    assert np.isnan(rate[1]) and np.isnan(w[1]) and np.isfinite(rate[[0, 2]]).all()


def test_small_village_cannot_top_the_poverty_ranking_by_noise():
    f = frame(30)
    f.loc[0, ["pop_coneval", "poverty_pct"]] = [40.0, 99.9]  # a hamlet with an extreme rate
    out = gap.gap_index(f)
    assert out.loc[0, "poverty_pct_raw"] == 99.9
    assert out.loc[0, "poverty_pct_eb"] < 99.9
    assert out.loc[0, "poverty_eb_weight"] < out["poverty_eb_weight"].drop(0).min()


# --- normalisation and aggregation ----------------------------------------

def test_normalise_rank_and_minmax():
    assert gap.normalise([3, 1, 2, np.nan]).tolist()[:3] == [1.0, 0.0, 0.5]
    assert np.isnan(gap.normalise([3, 1, 2, np.nan])[3])
    np.testing.assert_allclose(gap.normalise([0, 9, 99], "minmax", log_count=True), [0, 0.5, 1.0])
    assert gap.normalise([4, 4, 4], "minmax").tolist() == [0.0, 0.0, 0.0]


def test_arithmetic_mean_lets_presence_fully_offset_need():
    out = gap.gap_index(extremes(), GapSettings(aggregate="arithmetic")).set_index("cvegeo")
    # Highest need + highest presence scores exactly like no need + no presence.
    assert out.loc["A", "gap_score"] == pytest.approx(out.loc["B", "gap_score"])
    assert out.loc["A", "gap_score"] == pytest.approx(0.5)


def test_geometric_mean_high_presence_cannot_fully_offset_high_poverty():
    floor = 0.1
    out = gap.gap_index(extremes(), GapSettings(aggregate="geometric", presence_floor=floor)).set_index("cvegeo")
    # No need, (almost) no gap, however absent the agencies: need terms sit at NEED_FLOOR.
    assert out.loc["B", "gap_score"] == pytest.approx(gap.NEED_FLOOR ** 0.5)
    assert out.loc["A", "gap_score"] > 3 * out.loc["B", "gap_score"]
    # Full presence shrinks A's score by at most floor ** (presence weight share) = floor ** 0.5.
    assert out.loc["A", "gap_score"] == pytest.approx(floor ** 0.5)
    served = extremes()
    served.loc[0, ["initiatives", "agencies", "offices", "nearest_office_km"]] = [0, 0, 0, np.nan]
    unserved = gap.gap_index(served, GapSettings(presence_floor=floor)).set_index("cvegeo")
    assert out.loc["A", "gap_score"] >= floor ** 0.5 * unserved.loc["A", "gap_score"] - 1e-12


def test_rank_one_is_the_largest_gap_and_ranks_are_a_permutation():
    out = gap.gap_index(frame(50))
    assert out.loc[out["gap_rank"] == 1, "gap_score"].item() == out["gap_score"].max()
    assert sorted(out["gap_rank"].astype(int)) == list(range(1, 51))
    by_rank = out.sort_values("gap_rank")["gap_score"].to_numpy()
    assert np.all(np.diff(by_rank) <= 0)


def test_more_need_or_less_presence_never_lowers_the_score():
    f = frame(30, seed=5)
    base = gap.gap_index(f)
    poorer = f.copy()
    poorer.loc[7, ["poverty_pct", "poverty_people"]] = [99.0, f["poverty_people"].max() + 1]
    assert gap.gap_index(poorer).loc[7, "gap_score"] >= base.loc[7, "gap_score"]
    farther = f.copy()
    farther.loc[7, ["offices", "initiatives", "agencies", "nearest_office_km"]] = [0, 0, 0, 999.0]
    assert gap.gap_index(farther).loc[7, "gap_score"] >= base.loc[7, "gap_score"]


def test_missing_poverty_is_excluded_not_scored():
    f = frame(20)
    f.loc[4, ["poverty_pct", "poverty_people"]] = np.nan
    out = gap.gap_index(f)
    assert not out.loc[4, "gap_ranked"] and out["gap_ranked"].drop(4).all()
    assert np.isnan(out.loc[4, "gap_score"]) and pd.isna(out.loc[4, "gap_rank"])
    assert pd.isna(out.loc[4, "need_class"]) and pd.isna(out.loc[4, "bivariate_class"])
    assert gap.describe_drivers(out.loc[4, "gap_drivers"], "en") == "not ranked: no CONEVAL poverty estimate"
    assert sorted(out["gap_rank"].dropna().astype(int)) == list(range(1, 20))
    # The excluded place does not move anybody else's score.
    alone = gap.gap_index(f.drop(index=4))
    np.testing.assert_allclose(out["gap_score"].drop(4), alone["gap_score"])
    assert out.loc[4, "gap_class"] == "no_data"


def test_classes_and_bivariate_labels():
    out = gap.gap_index(extremes())
    assert set(out["need_class"].astype(int)) <= {1, 2, 3}
    assert set(out["presence_class"].astype(int)) <= {1, 2, 3}
    a = out.set_index("cvegeo").loc["A"]
    assert (a.need_class, a.presence_class, a.bivariate_class) == (3, 3, "3-3")
    assert out.set_index("cvegeo").loc["B", "bivariate_class"] == "1-1"
    f = frame(60, seed=2)
    c = gap.gap_index(f)
    counts = c["need_class"].value_counts()
    assert counts.min() >= 19  # terciles: three groups of about 20
    worst = c.loc[c["gap_rank"] == 1].iloc[0]
    assert worst.need_class == 3


def test_drivers_are_codes_and_values_said_in_either_language():
    f = frame(40, seed=1)
    # A small, very poor, far-away place: rate and distance should drive it, not its size.
    f.loc[3, ["pop_coneval", "poverty_pct", "poverty_people", "care_unmet"]] = [2000.0, 99.0, 1980.0, 0.0]
    f.loc[3, ["initiatives", "agencies", "offices", "nearest_office_km"]] = [0, 0, 0, 612.0]
    weights = {**gap.DEFAULT_WEIGHTS, "reach": 3.0}
    out = gap.gap_index(f, GapSettings(weights=weights))
    pairs = json.loads(out.loc[3, "gap_drivers"])
    assert pairs[0][0] in ("poverty_pct", "none_within") and {p[0] for p in pairs} == {"poverty_pct", "none_within"}
    assert dict(map(tuple, pairs))["none_within"] == pytest.approx(612.0)
    en = gap.describe_drivers(out.loc[3, "gap_drivers"], "en")
    es = gap.describe_drivers(out.loc[3, "gap_drivers"], "es")
    assert "high poverty rate (99%)" in en and "no office within 612 km" in en
    assert "alta tasa de pobreza (99 %)" in es and "ninguna oficina a menos de 612 km" in es
    assert all(json.loads(t) for t in out["gap_drivers"])  # every cell is a non-empty JSON list
    assert gap.describe_drivers(None, "es") is None and gap.describe_drivers("texto propio", "es") == "texto propio"
    with pytest.raises(ValueError):
        gap.describe_drivers(out.loc[3, "gap_drivers"], "fr")


def test_weights_change_the_score_and_bad_weights_are_all_reported():
    f = frame(30)
    only_rate = gap.gap_index(f, GapSettings(weights={"poverty_pct": 1.0}))
    order = only_rate.sort_values("gap_rank")["poverty_pct_eb"].to_numpy()
    assert np.all(np.diff(order) <= 0)
    with pytest.raises(InputError) as err:
        GapSettings(weights={"poverty_pct": -1, "wealth": 2})
    assert len(err.value.problems) == 2
    with pytest.raises(InputError) as err:
        GapSettings(normalisation="zscore", aggregate="harmonic", presence_floor=1.5, reach_scale_km=0,
                    presence_normalisation="log_max_typo")  # type: ignore[arg-type]
    assert len(err.value.problems) == 5
    assert "presence_normalisation" in {p.column for p in err.value.problems}
    with pytest.raises(InputError) as err:
        gap.gap_index(f.drop(columns=["care_unmet", "offices"]))
    assert {p.column for p in err.value.problems} == {"care_unmet", "offices"}


def test_geometric_scores_stay_positive_at_a_component_minimum():
    # The place with the fewest poor people is not zeroed by that one component.
    out = gap.gap_index(frame(50, seed=8))
    assert (out["gap_score"] > 0).all()


# --- settings, presence apart from reach, classes -------------------------

def test_settings_round_trip_through_the_table():
    s = GapSettings(weights={"poverty_pct": 2.0, "reach": 1.0}, aggregate="arithmetic", reach_scale_km=50.0)
    assert GapSettings.from_frame(s.to_frame()) == s
    assert GapSettings.of(s.to_frame()) == s and GapSettings.of(None) == GapSettings()
    assert gap.settings_table(presence_floor=0.2).equals(GapSettings(presence_floor=0.2).to_frame())
    # The presence scale is explicit in the gap_settings table, and survives the round trip.
    table = gap.settings_table().set_index("setting")["value"]
    assert table["presence_normalisation"] == '"log_max"' and table["normalisation"] == '"rank"'
    r = GapSettings(presence_normalisation="rank")
    assert GapSettings.from_frame(r.to_frame()) == r != GapSettings()
    bad = s.to_frame()
    bad.loc[len(bad)] = ["colour", '"red"']
    with pytest.raises(InputError, match="colour"):
        GapSettings.from_frame(bad)
    with pytest.raises(AttributeError):
        s.aggregate = "geometric"  # frozen


def test_reach_is_not_presence():
    f = frame(40, seed=3)
    near, far = f.copy(), f.copy()
    near["nearest_office_km"], far["nearest_office_km"] = 1.0, 900.0
    a, b = gap.gap_index(near), gap.gap_index(far)
    # Distance alone moves neither presence nor (with the default weights) the gap.
    np.testing.assert_array_equal(a["presence_score"], b["presence_score"])
    np.testing.assert_array_equal(a["gap_score"], b["gap_score"])
    # Nor is a distance column needed unless reach has a weight.
    gap.gap_index(f.drop(columns="nearest_office_km"))
    with pytest.raises(InputError, match="nearest_office_km"):
        gap.gap_index(f.drop(columns="nearest_office_km"), GapSettings(weights={**gap.DEFAULT_WEIGHTS, "reach": 1.0}))


def test_presence_class_is_never_high_without_anything_reported():
    f = frame(90, seed=9)
    f.loc[:70, ["initiatives", "agencies", "offices"]] = 0  # most places report nothing, as in the real data
    out = gap.gap_index(f)
    nothing = (f[["initiatives", "agencies", "offices"]].sum(axis=1) == 0).to_numpy()
    assert (out.loc[nothing, "presence_class"] == 1).all()
    some = out.loc[~nothing, "presence_class"].astype(int)
    assert 3 in set(some) and set(some) <= {1, 2, 3}


def test_no_report_is_its_own_class_not_a_gap():
    f = frame(60, seed=11)
    f[["initiatives", "agencies", "offices"]] = 0
    f["presence_evidence"] = ["no_report"] * 20 + ["state_only"] * 20 + ["reported"] * 20
    f.loc[40:, ["initiatives", "agencies"]] = 1
    out = gap.gap_index(f)
    high = out["need_class"] == 3
    assert set(out.loc[high & (f["presence_evidence"] == "no_report"), "gap_class"]) == {"no_report"}
    # Only the state named: its own class, never a confirmed gap; "gap" needs the place itself named.
    assert set(out.loc[high & (f["presence_evidence"] == "state_only"), "gap_class"]) == {"state_only"}
    assert set(f.loc[out["gap_class"] == "gap", "presence_evidence"]) <= {"reported"}
    assert gap.describe_gap_class("state_only", "es") == ("solo el estado: necesidad alta; "
                                                          "los reportes nombran solo el estado")
    assert "reports name only the state" in gap.describe_gap_class("state_only", "en")
    assert {"gap", "state_only", "no_report"} <= set(gap.GAP_CLASSES)
    assert set(out.loc[~high, "gap_class"]) == {"lower_need"}
    assert set(out["gap_class"]) <= set(gap.GAP_CLASSES)
    some = out.loc[high & (f["presence_evidence"] == "no_report"), "gap_drivers"].iloc[0]
    assert "sin reporte" in gap.describe_drivers(some, "es") or "pobreza" in gap.describe_drivers(some, "es")
    assert gap.describe_gap_class("no_report", "es").startswith("sin reporte")
    assert gap.describe_gap_class("no_report", "en").startswith("no report")


def _one_report(settings: GapSettings) -> tuple[pd.Series, pd.Series]:
    """The neediest of 300 places, before and after one initiative (one agency) is placed there.

    As in the 2020 reports, ~97% of places report nothing and a few report up to 10 initiatives.
    """
    f = frame(300, seed=21)
    f[["initiatives", "agencies", "offices"]] = 0
    f.loc[:8, "initiatives"], f.loc[:8, "agencies"], f.loc[:3, "offices"] = range(2, 11), 3, 1
    target = int(f.loc[9:, "poverty_people"].idxmax())
    f.loc[target, ["poverty_pct", "poverty_people", "care_unmet"]] = [98.0, 5e5, 5e4]
    before = gap.gap_index(f, settings).loc[target]
    f.loc[target, ["initiatives", "agencies"]] = 1
    return before, gap.gap_index(f, settings).loc[target]


def test_one_report_moves_a_needy_place_modestly_not_to_the_top_percentiles():
    before, after = _one_report(GapSettings())
    assert before["gap_rank"] == 1 and before["presence_score"] == 0
    # log(1 + 1) / log(1 + 10): the scale of brecha.presence.presence_score, not the share of tied zeros.
    assert after["n_initiatives"] == pytest.approx(np.log(2) / np.log(11))
    assert after["gap_score"] / before["gap_score"] > 0.8
    assert after["presence_class"] == before["presence_class"] or after["presence_class"] <= 2
    # The rank scale this replaces: one report counted as ~97th percentile presence and halved the score.
    rb, ra = _one_report(GapSettings(presence_normalisation="rank"))
    assert ra["n_initiatives"] > 0.95 and ra["gap_score"] / rb["gap_score"] < 0.6
    assert after["gap_rank"] < ra["gap_rank"]


# --- sensitivity ----------------------------------------------------------

def test_weight_sensitivity_table():
    f = frame(60, seed=4)
    table = gap.weight_sensitivity(f, GapSettings(weights={**gap.DEFAULT_WEIGHTS, "offices": 0.0}), top_n=10)
    assert len(table) == 2 * 5  # offices and reach have weight 0: not perturbed
    assert set(table["component"]) == set(gap.DEFAULT_WEIGHTS) - {"offices", "reach"}
    assert list(table.columns) == ["component", "factor", "weight", "top_overlap", "spearman",
                                   "max_rank_change", "max_rank_change_top", "mean_rank_change"]
    assert table["top_overlap"].between(0, 1).all() and table["spearman"].between(-1, 1).all()
    assert sorted(set(table["factor"].round(2))) == [0.8, 1.2]


def test_sensitivity_is_zero_when_a_component_cannot_reorder():
    f = frame(40, seed=6)
    f[["initiatives", "agencies", "offices"]] = 0
    f["nearest_office_km"] = 50.0
    table = gap.weight_sensitivity(f, GapSettings(aggregate="arithmetic")).set_index(["component", "factor"])
    # Presence is the same everywhere: its weight shifts every score equally.
    for c in gap.PRESENCE:
        row = table.loc[(c, 0.8)]
        assert row.max_rank_change == 0 and row.top_overlap == 1.0
    assert table.loc[("poverty_pct", 1.2), "mean_rank_change"] > 0


# --- LISA ------------------------------------------------------------------

def grid(hot: set[tuple[int, int]], size: int = 12, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(size):
        for j in range(size):
            value = rng.uniform(0.8, 1.0) if (i, j) in hot else rng.uniform(0.0, 0.5)
            rows.append({"cvegeo": f"{i:02d}{j:03d}", "gap_score": value,
                         "geometry": box(-100 + j * 0.1, 20 + i * 0.1, -100 + (j + 1) * 0.1, 20 + (i + 1) * 0.1)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_lisa_finds_the_planted_hot_block():
    hot = {(i, j) for i in range(4, 8) for j in range(4, 8)}
    g = grid(hot)
    out = gap.gap_clusters(g, permutations=499)
    cells = {(int(c[:2]), int(c[2:])): k for c, k in zip(out["cvegeo"], out["lisa_cluster"])}
    inner = {(5, 5), (5, 6), (6, 5), (6, 6)}
    assert all(cells[c] == "HH" for c in inner)
    assert sum(cells[c] == "HH" for c in hot) >= 12
    assert sum(k == "HH" for c, k in cells.items() if c not in hot) <= 2
    again = gap.gap_clusters(g, permutations=499)
    np.testing.assert_array_equal(out["lisa_p"], again["lisa_p"])  # fixed seed: same pseudo p-values


def test_lisa_skips_unranked_and_joins_islands():
    g = grid({(1, 1), (1, 2), (2, 1), (2, 2)}, size=6)
    g.loc[0, "gap_score"] = np.nan
    island = gpd.GeoDataFrame({"cvegeo": ["99999"], "gap_score": [0.9]},
                              geometry=[box(-98.0, 25.0, -97.9, 25.1)], crs="EPSG:4326")
    g = pd.concat([g, island], ignore_index=True)
    out = gap.gap_clusters(g, permutations=99)
    assert out.loc[0, "lisa_cluster"] == "ns" and np.isnan(out.loc[0, "lisa_p"])
    assert np.isfinite(out["lisa_p"].iloc[-1])  # the island was tested against its nearest polygon
    assert set(out["lisa_cluster"]) <= {"HH", "LL", "HL", "LH", "ns"}
