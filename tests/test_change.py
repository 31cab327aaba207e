"""Change between builds and scenarios: brecha.change, brecha.scenario and their CLI edges."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from brecha.change import HEADLINE, compare_layers, compare_states, input_changes, scenario_summary
from brecha.errors import InputError
from brecha.scenario import open_planned, open_sites


def _layer(**cols) -> gpd.GeoDataFrame:
    n = len(cols["cvegeo"])
    base = {"cve_ent": [c[:2] for c in cols["cvegeo"]], "name": [f"m{i}" for i in range(n)],
            "state_name": ["S"] * n}
    geom = [box(i, 0, i + 1, 1) for i in range(n)]
    return gpd.GeoDataFrame({**base, **cols}, geometry=geom, crs="EPSG:4326")


def test_identical_layers_change_nothing():
    a = _layer(cvegeo=["01001", "01002"], gap_rank=[1, 2], gap_score=[0.5, 0.25], presence_evidence=["no_report"] * 2)
    ch = compare_layers(a, a.copy())
    assert not ch["changed"].any()
    assert (ch["rank_move"] == 0).all()
    assert ch["changed_columns"].eq("").all()
    assert isinstance(ch, gpd.GeoDataFrame) and ch.crs == a.crs


def test_float_noise_is_not_a_change_but_a_real_move_is():
    a = _layer(cvegeo=["01001", "01002"], gap_score=[0.5, 0.25], need_class=[3, 1])
    b = a.copy()
    b["gap_score"] = [0.5 * (1 + 1e-12), 0.26]
    ch = compare_layers(a, b)
    assert ch["changed"].tolist() == [False, True]
    assert ch.loc[1, "changed_columns"] == "gap_score"
    assert ch.loc[1, "gap_score_before"] == 0.25 and ch.loc[1, "gap_score_after"] == 0.26


def test_nan_equals_nan_and_nan_to_value_is_a_change():
    a = _layer(cvegeo=["01001", "01002"], poverty_pct=[np.nan, np.nan])
    b = _layer(cvegeo=["01001", "01002"], poverty_pct=[np.nan, 12.0])
    assert compare_layers(a, b)["changed"].tolist() == [False, True]


def test_added_and_removed_rows_and_columns_in_one_layer_only():
    a = _layer(cvegeo=["01001", "01002"], gap_rank=[1, 2])
    b = _layer(cvegeo=["01002", "01003"], gap_rank=[2, 1], brand_new=[1, 1])
    ch = compare_layers(a, b)
    assert ch["status"].tolist() == ["removed", "both", "added"]
    assert ch["changed"].tolist() == [True, False, True]
    assert not any(c.startswith("brand_new") for c in ch.columns)


def test_a_rank_moved_only_by_others_is_not_a_change():
    # One place leaves the top: the places below move up one, none of their own figures moved.
    a = _layer(cvegeo=["01001", "01002", "01003"], gap_rank=[1, 2, 3], gap_score=[0.9, 0.8, 0.7],
               initiatives=[0, 0, 0])
    b = _layer(cvegeo=["01001", "01002", "01003"], gap_rank=[3, 1, 2], gap_score=[0.1, 0.8, 0.7],
               initiatives=[1, 0, 0])
    ch = compare_layers(a, b).set_index("cvegeo")
    assert ch["changed"].tolist() == [True, False, False]
    assert ch["rank_move"].tolist() == [-2, 1, 1]
    assert ch.loc["01001", "changed_columns"] == "initiatives;gap_score;gap_rank"
    assert ch.loc["01002", "changed_columns"] == ""


def test_rank_move_sign_is_up_is_positive():
    a = _layer(cvegeo=["01001", "01002", "01003"], gap_rank=[3, 1, 2])
    b = _layer(cvegeo=["01001", "01002", "01003"], gap_rank=[1, 2, 3])
    ch = compare_layers(a, b).set_index("cvegeo")
    assert ch.loc["01001", "rank_move"] == 2 and ch.loc["01002", "rank_move"] == -1


def test_bad_inputs_are_reported_together():
    a = pd.DataFrame({"cvegeo": ["01001", "01001"]})
    with pytest.raises(InputError) as err:
        compare_layers(a, pd.DataFrame({"x": [1]}))
    text = str(err.value)
    assert "repeats" in text and "cvegeo" in text and len(err.value.problems) == 2


def test_states_sum_their_municipalities():
    a = _layer(cvegeo=["01001", "01002", "02001"], gap_rank=[1, 2, 3], initiatives=[0, 1, 0])
    b = _layer(cvegeo=["01001", "01002", "02001"], gap_rank=[2, 1, 3], initiatives=[0, 2, 0])
    st = compare_states(compare_layers(a, b)).set_index("cve_ent")
    # 01001 only moved down because 01002 moved past it: a rank move, not a change of its own
    assert st.loc["01", "changed"] == 1 and st.loc["02", "changed"] == 0
    assert st.loc["01", "moved_up"] == 1 and st.loc["01", "moved_down"] == 1
    assert st.loc["01", "initiatives_before"] == 1 and st.loc["01", "initiatives_after"] == 2


def test_input_changes_name_inputs_settings_and_code():
    def man(sha, radius, code):
        return {"layers": {"municipalities": {"inputs": {"offices": {"sha256": sha, "file": "offices.csv"}},
                                              "params": {"radius_km": radius}, "code_version": code}}}
    same = input_changes(man("a" * 64, 100, "v1"), man("a" * 64, 100, "v1"))
    assert same.empty
    diff = input_changes(man("a" * 64, 100, "v1"), man("b" * 64, 50, "v1"))
    assert diff[["what", "name"]].values.tolist() == [["input", "offices"], ["setting", "radius_km"]]
    assert diff.loc[1, "before"] == "100" and diff.loc[1, "after"] == "50"
    # A file added to an input (brecha build --add-offices) changes it though the embedded file is the same.
    added = man("a" * 64, 100, "v1")
    added["layers"]["municipalities"]["inputs"]["offices"]["added"] = [{"file": "/x/mine.csv", "sha256": "c" * 64}]
    more = input_changes(man("a" * 64, 100, "v1"), added)
    assert more["name"].tolist() == ["offices"] and "mine.csv sha256:cccccccccccc" in more.loc[0, "after"]


def test_scenario_summary_counts_people_newly_within_reach():
    a = _layer(cvegeo=["01001", "01002"], pop_total=[1000, 500], poverty_people=[100, 400],
               pop_within_reach_pct=[0.0, 50.0], poor_within_reach_pct=[0.0, 50.0], gap_rank=[1, 2])
    b = a.copy()
    b["pop_within_reach_pct"] = [100.0, 50.0]
    b["poor_within_reach_pct"] = [100.0, 75.0]
    s = scenario_summary(compare_layers(a, b))
    assert s["people_within_reach_gained"] == pytest.approx(1000.0)
    assert s["poor_within_reach_gained"] == pytest.approx(100 + 100.0)
    assert s["ranks_moved"] == 0


def test_headline_has_each_axis():
    for col in ("need_score", "presence_evidence", "nearest_office_km", "care_access_children", "gap_rank",
                "gap_class"):
        assert col in HEADLINE


def test_open_planned_only_opens_planned():
    off = gpd.GeoDataFrame({"office_id": ["a", "b", "c"], "status": ["existing", "planned", "closed"]},
                           geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]), crs="EPSG:4326")
    out = open_planned(off)
    assert out["status"].tolist() == ["existing", "existing", "closed"]
    assert out["scenario_opened"].tolist() == [False, True, False]
    assert off["status"].tolist() == ["existing", "planned", "closed"]  # the input is untouched


def test_open_sites_refuses_points_outside_mexico_with_their_lines():
    off = gpd.GeoDataFrame({"office_id": ["a"], "status": ["existing"], "agency": ["X"]},
                           geometry=gpd.points_from_xy([-99.1], [19.4]), crs="EPSG:4326")
    sites = pd.DataFrame({"lat": ["19.43", "40.7", "abc"], "lon": ["-99.13", "-74.0", "-99"]})
    from brecha import geography

    with pytest.raises(InputError) as err:
        open_sites(off, sites, municipalities=geography.municipalities(), localities=geography.localities(),
                   file="sites.csv")
    lines = sorted(p.row for p in err.value.problems)
    assert lines == [3, 4]


def test_open_sites_adds_rows_with_ids_that_do_not_collide():
    from brecha import geography

    off = gpd.GeoDataFrame({"office_id": ["proposed-0001"], "status": ["existing"], "agency": ["X"],
                            "cvegeo": ["09015"], "cve_ent": ["09"], "city": ["CDMX"]},
                           geometry=gpd.points_from_xy([-99.1], [19.4]), crs="EPSG:4326")
    sites = pd.DataFrame({"lat": ["16.9"], "lon": ["-92.1"]})
    out = open_sites(off, sites, municipalities=geography.municipalities(), localities=geography.localities())
    assert len(out) == 2 and out["office_id"].is_unique
    new = out.iloc[1]
    assert new["agency"] == "proposed" and new["status"] == "existing" and new["cvegeo"].startswith("07")


# --- end to end on the real embedded data ------------------------------------------------------------------


def test_one_added_initiative_in_ocosingo_marks_it_changed(real_sources_session, municipal_layer_default, tmp_path):
    import brecha.settings as settings
    from brecha.coverage import municipal_layer
    from brecha.pipeline.scenario import municipal_params
    from brecha.sources import read_initiatives

    src = settings.DATA_DIR / "initiatives.csv"
    path = tmp_path / "initiatives.csv"
    path.write_text(src.read_text(encoding="utf-8").rstrip("\n") + (
        '\n"Community care pilot",UNICEF,2023,care,municipality,Chiapas,Ocosingo,,test.txt,"A pilot in Ocosingo."\n'),
        encoding="utf-8")
    inits = read_initiatives(path)
    after = municipal_layer({**real_sources_session, "initiatives": inits}, **municipal_params())
    ch = compare_layers(municipal_layer_default, after).set_index("cvegeo")
    assert ch.loc["07059", "changed"]
    assert ch.loc["07059", "initiatives_after"] == ch.loc["07059", "initiatives_before"] + 1
    # every row marked changed has a column that differs, and no other row is marked
    assert (ch["changed"] == ch["changed_columns"].ne("")).all()


def test_compare_cli_writes_layers_and_an_offline_map(tmp_path, real_build_dir):
    from brecha.cli import main

    out = tmp_path / "cmp"
    with pytest.raises(SystemExit) as ex:
        main(["compare", str(real_build_dir), str(real_build_dir), "--out", str(out)])
    assert ex.value.code == 0
    ch = gpd.read_parquet(out / "layers/change.parquet")
    assert len(ch) == 2469 and not ch["changed"].any()
    import openpyxl

    sheet = openpyxl.load_workbook(out / "layers/change.xlsx", read_only=True).active
    first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[0] == "01001"  # codes stay text in the spreadsheet
    rec = json.loads((out / "change.json").read_text())
    assert rec["summary"]["municipalities_changed"] == 0 and rec["inputs_changed"] == []
    page = (out / "maps/change.html").read_text()
    assert "<script src=\"http" not in page and "leaflet" in page.lower()


def test_layer_specs_publish_change_since_a_kept_build_and_a_scenario(tmp_path, real_build_dir):
    """A scheduled build can publish "what changed since last time" and a scenario, from specs alone."""
    import shutil

    from brecha.pipeline import build
    from brecha.settings import default_layers_dir

    specs = tmp_path / "layers"
    shutil.copytree(default_layers_dir(), specs)
    (specs / "change_since_last.toml").write_text(
        'title = { es = "Cambio", en = "Change" }\nfunction = "change.since_previous"\nkey = ["cvegeo"]\n'
        '[inputs]\nlayer = "layer:municipalities"\n'
        f'[params]\nprevious = "{real_build_dir.as_posix()}"\n[outputs]\nformats = ["parquet"]\n', encoding="utf-8")
    sources = "\n".join(f'{n} = "source:{n}"' for n in ("municipalities", "census_municipal", "localities",
                                                          "coneval_municipal", "denue_care", "offices", "initiatives"))
    same = "\n".join(f'{p} = {{ same_as = "municipalities" }}' for p in ("catchment_km", "radius_km", "decay",
                                                                           "lisa_permutations"))
    (specs / "scenario_planned.toml").write_text(
        'title = { es = "Planeadas", en = "Planned" }\nfunction = "scenario.layer"\nkey = ["cvegeo"]\n'
        f'[inputs]\n{sources}\ngap = "layer:gap_settings"\nbefore = "layer:municipalities"\n'
        f'[params]\nscenario = "planned"\n{same}\n[outputs]\nformats = ["parquet"]\n', encoding="utf-8")
    (specs / "presence_by_year.toml").write_text(
        'title = { es = "Por año", en = "By year" }\nfunction = "scenario.by_year"\nkey = ["cvegeo", "year"]\n'
        f'[inputs]\n{sources}\ngap = "layer:gap_settings"\n[params]\n{same}\n[outputs]\nformats = ["parquet"]\n',
        encoding="utf-8")
    (specs / "map_years.toml").write_text(
        'title = { es = "Años", en = "Years" }\nfunction = "maps.years"\n'
        '[inputs]\ntable = "layer:presence_by_year"\n'
        '[style]\ncolumn = "presence_class"\nscheme = "quantiles"\nk = 3\n'
        'colors = ["#edf8fb", "#66c2a4", "#006d2c"]\nlegend = { es = "Presencia", en = "Presence" }\n'
        '[outputs]\nformats = ["html"]\n', encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(real_build_dir, out)
    res = build(out, layers_dir=specs, layers=["change_since_last", "scenario_planned", "map_years"], store=False)
    assert not res.failed and set(res.built) >= {"change_since_last", "scenario_planned", "presence_by_year",
                                                 "map_years"}
    years = pd.read_parquet(out / "layers/presence_by_year.parquet")
    assert sorted(years["year"].unique()) == [2020, 2022, 2023] and len(years) == 3 * 2469
    assert (out / "maps/map_years.html").stat().st_size < 2_000_000
    assert "municipalities" not in res.built  # the kept layers were reused, not rebuilt
    since = pd.read_parquet(out / "layers/change_since_last.parquet")
    assert len(since) == 2469 and not since["changed"].any()
    scen = pd.read_parquet(out / "layers/scenario_planned.parquet").set_index("cvegeo")
    # Tapachula's planned UNHCR office opens: one more office there, counted once
    assert scen.loc["07089", "offices_after"] == scen.loc["07089", "offices_before"] + 1
    assert scen.loc["07089", "changed"]
