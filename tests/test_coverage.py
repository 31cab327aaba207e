"""The default municipal and state layers: synthetic checks and one end-to-end run on the embedded data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brecha import coverage, gap
from brecha.errors import InputError
from brecha.gap import GapSettings

REQUIRED = ["cvegeo", "cve_ent", "name", "state_name", "pop_total", "pop_0_11", "pop_60_plus", "pop_disability",
            "poverty_pct", "poverty_people", "extreme_poverty_pct", "care_supply_children", "care_supply_elderly",
            "care_access_children", "care_access_elderly", "initiatives", "offices", "nearest_office_km",
            "gap_score", "gap_rank", "geometry", "need_class", "presence_class", "bivariate_class", "gap_drivers",
            "care_access_disability", "pop_0_5", "lisa_cluster", "lisa_p", "poverty_pct_eb", "care_unmet",
            "initiatives_state_scope", "agencies", "offices_planned", "people_reached", "presence_evidence",
            "office_evidence", "people_out_of_reach", "gap_class"]
NOT_ESTIMATED = ["04012", "07125", "29048"]


def small_layer() -> pd.DataFrame:
    return pd.DataFrame({
        "cvegeo": ["01001", "01002", "01003", "01004"], "name": ["=cmd", "B", "C", "D"],
        "state_name": ["S"] * 4, "gap_score": [0.2, np.nan, 0.9, 0.5],
        "gap_rank": pd.array([3, pd.NA, 1, 2], dtype="Int64"), "poverty_pct": [10.04, np.nan, 80.0, 50.0],
        "poverty_people": [10.4, np.nan, 800.0, 500.0], "nearest_office_km": [1.2, 3.0, 250.6, 80.0],
        "gap_class": ["lower_need", "no_data", "no_report", "state_only"],
        "gap_drivers": ['[["none_above", null]]', '[["not_ranked", null]]', '[["poverty_pct", 80.0]]',
                        '[["no_report", null]]']})


def test_top_gaps_orders_by_rank_and_leaves_out_unranked():
    top = coverage.top_gaps(small_layer(), n=5)
    assert top["cvegeo"].tolist() == ["01003", "01004", "01001"]
    assert top["gap_rank"].tolist() == [1, 2, 3] and top.columns[0] == "gap_rank"
    assert top.loc[0, "reason"] == "high poverty rate (80%)"
    assert top.loc[0, "gap_class"] == "no_report" and top.loc[0, "gap_class_text"].startswith("no report")
    es = coverage.top_gaps(small_layer(), n=5, lang="es")
    assert es.loc[0, "gap_class_text"].startswith("sin reporte")
    # Only the state named: its own words in the top-N table, never "brecha"/"gap".
    assert top.loc[1, "gap_class"] == "state_only"
    assert top.loc[1, "gap_class_text"] == "state only: high need; reports name only the state"
    assert es.loc[1, "gap_class_text"] == "solo el estado: necesidad alta; los reportes nombran solo el estado"
    assert es.loc[0, "reason"] == "alta tasa de pobreza (80 %)"
    assert es.loc[1, "reason"] == "sin reporte para el lugar ni su estado"
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
def real(real_sources_session, municipal_layer_default):
    """The session's embedded sources and municipal layer (built once per run, see conftest), and its states."""
    return (real_sources_session, municipal_layer_default,
            coverage.state_layer(real_sources_session, municipal=municipal_layer_default))


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
    assert (ranked["gap_drivers"].str.startswith("[[")).all()
    assert set(m["gap_class"]) <= set(gap.GAP_CLASSES)
    # The ten largest gaps are poor places: high need tercile.
    assert (top.head(10)["need_class"] == 3).all()
    assert m["geometry"].notna().all() and m.geometry.is_valid.all()


def test_municipal_layer_agrees_with_its_sources(real):
    from brecha import presence
    from brecha.reach import within_reach
    from brecha.sources import initiative_places

    sources, m, _ = real
    pres = presence.presence_by_area(initiative_places(sources["initiatives"]), sources["offices"],
                                     initiatives=sources["initiatives"])
    for c in ("initiatives", "agencies", "offices", "presence_evidence", "office_evidence"):
        assert m[c].tolist() == pres.set_index("cvegeo")[c].reindex(m["cvegeo"]).tolist()
    out = within_reach(sources["localities"], sources["census_municipal"], sources["coneval_municipal"],
                       sources["offices"]).municipality.set_index("cvegeo")["pop_outside"]
    np.testing.assert_allclose(m.set_index("cvegeo")["people_out_of_reach"], out.reindex(m["cvegeo"]).fillna(0))
    np.testing.assert_allclose(m["people_out_of_reach"],
                               m["pop_total"] * (1 - m["pop_within_reach_pct"] / 100), rtol=1e-9, atol=1e-6)
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


def test_state_poverty_columns_say_where_they_come_from(real):
    _, _, s = real
    for i in ("poverty", "extreme_poverty"):
        np.testing.assert_allclose(s[f"{i}_pct"], s[f"{i}_pct_agg_from_municipal"])
        np.testing.assert_allclose(s[f"{i}_people"], s[f"{i}_people_agg_from_municipal"])
        assert f"{i}_pct_official" not in s  # no workbook given
    assert "pop_coneval" not in s and "pop_coneval_agg_from_municipal" in s
    assert "agg_from_municipal" in s.attrs["poverty_method"] and s.attrs["official_year"] is None
    assert s.attrs["states_with_official"] == {"poverty": 0, "extreme_poverty": 0}


def test_state_layer_uses_official_figures_and_keeps_the_aggregate(real, tmp_path):
    import openpyxl

    from brecha.sources import read_coneval_state
    from test_coneval_state import _per_indicator_sheet, _per_state_sheet

    sources, m, s = real
    wb = openpyxl.Workbook()
    _per_state_sheet(wb)
    _per_indicator_sheet(wb)
    wb.save(tmp_path / "anexo.xlsx")
    official = read_coneval_state(tmp_path / "anexo.xlsx")
    o = coverage.state_layer(sources, municipal=m, official_poverty=official).set_index("cve_ent")
    agg = s.set_index("cve_ent")
    # Aguascalientes 2020 in the workbook: poverty 27.6% (396,500 people); extreme 1.7% in 01, 30.5% in 07.
    assert o.loc["01", "poverty_pct"] == 27.6 and o.loc["01", "poverty_people"] == 396_500
    assert o.loc["01", "poverty_pct_official"] == 27.6 and o.loc["01", "poverty_source"] == "official"
    assert o.loc["07", "extreme_poverty_pct"] == 30.5 and o.loc["07", "extreme_poverty_source"] == "official"
    assert o.loc["07", "poverty_source"] == "agg_from_municipal"  # the workbook has Chiapas' extreme poverty only
    np.testing.assert_allclose(o["poverty_pct_agg_from_municipal"], agg["poverty_pct_agg_from_municipal"])
    assert o.loc["07", "poverty_pct"] == agg.loc["07", "poverty_pct"] and np.isnan(o.loc["07", "poverty_pct_official"])
    cols = list(o.columns)
    assert cols.index("poverty_pct_official") == cols.index("poverty_people_agg_from_municipal") + 1
    assert o.attrs["states_with_official"] == {"poverty": 1, "extreme_poverty": 3} and o.attrs["official_year"] == 2020


def test_the_gap_settings_travel_explicitly_not_in_attrs(real, tmp_path):
    sources, m, s = real
    weights = {**GapSettings().weights, "poverty_pct": 3.0}
    table = gap.settings_table(weights=weights, aggregate="arithmetic")
    # The table survives a CSV (no attrs channel), as the pipeline's gap_settings layer does.
    table.to_csv(tmp_path / "gap_settings.csv", index=False)
    table = pd.read_csv(tmp_path / "gap_settings.csv")
    st = coverage.state_layer(sources, municipal=m, gap=table)
    assert not np.allclose(st["gap_score"], s["gap_score"])
    again = coverage.state_layer(sources, municipal=m, gap=GapSettings(weights=weights, aggregate="arithmetic"))
    np.testing.assert_array_equal(st["gap_score"], again["gap_score"])
    assert "gap" not in m.attrs and "gap" not in s.attrs
    sens = gap.weight_sensitivity(m, table, change=0.2, top_n=20)
    assert set(sens["component"]) == {c for c, w in weights.items() if w > 0}  # a zero weight is not varied
    lower = sens.loc[(sens["component"] == "poverty_pct") & (sens["factor"] < 1), "weight"]
    assert lower.item() == pytest.approx(2.4)
    with pytest.raises(InputError, match="radius_km"):
        coverage.state_layer(sources, municipal=m, radius_km=50.0)  # would be ignored: m is built already


def test_presence_is_reported_presence_and_no_report_is_its_own_class(real):
    _, m, s = real
    nothing = (m["initiatives"] == 0) & (m["offices"] == 0)
    assert not (nothing & (m["presence_class"] == 3)).any()  # was 780 when reach was presence
    cmn = m[m["cve_ent"].isin(["06", "17", "18"])]  # Colima, Morelos, Nayarit: in no report
    assert len(cmn) == 66 and (cmn["presence_evidence"] == "no_report").all()
    assert set(cmn.loc[cmn["need_class"] == 3, "gap_class"]) == {"no_report"}
    assert set(cmn["gap_class"]) <= {"no_report", "lower_need"}
    top = coverage.top_gaps(m, n=50, lang="es")
    cmn_top = top.loc[top["cvegeo"].str[:2].isin(["06", "17", "18"]), "gap_class_text"]
    assert cmn_top.str.startswith("sin reporte").all()
    for c in ("presence_evidence", "office_evidence", "share_poor", "fair_share_gap", "people_out_of_reach"):
        assert c in s


def test_municipal_layer_has_every_care_group(real):
    _, m, s = real
    for g in ("children", "children_0_11", "elderly", "disability"):
        for measure in ("care_per_1000", "care_access", "care_outside_share"):
            assert f"{measure}_{g}" in m and f"{measure}_{g}" in s
    has = m["pop_0_11"] > 0
    assert m.loc[has, "care_access_children_0_11"].notna().all()
    assert m["care_outside_share_children_0_11"].between(0, 1).all()
    assert "care_supply_children_0_11" not in m  # the same day-care places as care_supply_children


@pytest.fixture(scope="module")
def aguascalientes(real, tmp_path_factory):
    """The 11 municipalities of Aguascalientes, and a travel-time raster of 2 minutes per km over Mexico."""
    import rasterio

    from brecha.costs import TravelTimeRaster
    from brecha.rasters import national_grid

    sources, _, _ = real
    sub = {k: (v[v["cvegeo"].astype(str).str[:2] == "01"] if k not in ("offices", "initiatives", "states")
               else v) for k, v in sources.items()}
    grid = national_grid(20.0)
    path = tmp_path_factory.mktemp("cost") / "pace.tif"
    with rasterio.open(path, "w", driver="GTiff", height=grid.height, width=grid.width, count=1, dtype="float32",
                       crs=grid.crs, transform=grid.transform) as dst:
        dst.write(np.full((grid.height, grid.width), 2.0, dtype="float32"), 1)
    return sub, TravelTimeRaster(path)


def test_travel_time_cost_needs_minutes_and_keeps_km_columns(aguascalientes):
    sub, cost = aguascalientes
    with pytest.raises(InputError) as err:
        coverage.municipal_layer(sub, cost=cost, lisa_permutations=9)
    assert {p.value for p in err.value.problems} == {None} and "radius_minutes" in str(err.value)
    km = coverage.municipal_layer(sub, lisa_permutations=9)
    mins = coverage.municipal_layer(sub, cost=cost, catchment_minutes=40.0, radius_minutes=200.0,
                                    lisa_permutations=9)
    assert len(km) == 11 and list(mins.columns[:len(coverage.MUNICIPAL_COLUMNS) - 1]) == list(km.columns[:-1])
    assert mins.attrs["cost_unit"] == "minutes" and mins.attrs["radius_minutes"] == 200.0
    # Straight-line km stay km; minutes get their own columns (2 minutes per km everywhere).
    np.testing.assert_allclose(mins["nearest_office_km"], km["nearest_office_km"])
    np.testing.assert_allclose(mins["nearest_office_minutes"], 2 * km["nearest_office_km"], rtol=1e-6)
    np.testing.assert_allclose(mins["nearest_care_km_children"], km["nearest_care_km_children"])
    np.testing.assert_allclose(mins["nearest_care_minutes_children"], 2 * km["nearest_care_km_children"], rtol=1e-6)
    # 40 minutes at 2 min/km is the 20 km catchment; 200 minutes the 100 km radius.
    np.testing.assert_allclose(mins["care_access_children"], km["care_access_children"], rtol=1e-9)
    np.testing.assert_allclose(mins["pop_within_reach_pct"], km["pop_within_reach_pct"])
    np.testing.assert_allclose(mins["gap_score"], km["gap_score"])
    # The km radius is not read as minutes: 100 minutes is 50 km here.
    half = coverage.municipal_layer(sub, cost=cost, catchment_minutes=40.0, radius_minutes=100.0,
                                    lisa_permutations=9)
    assert (half["pop_within_reach_pct"] <= km["pop_within_reach_pct"] + 1e-9).all()
    assert not np.allclose(half["pop_within_reach_pct"], km["pop_within_reach_pct"])
