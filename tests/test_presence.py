"""Reported presence per municipality and state: every counting rule of brecha.presence on a small fixture."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from brecha import presence
from brecha.errors import InputError

P_COLS = ["initiative_id", "agency", "theme", "year", "precision", "cve_ent", "cvegeo", "people_reached",
          "scope_level"]
MUNIS = ["01001", "01002", "01003", "02001", "02004", "05030", "07001", "09015", "09016", "18001"]


@pytest.fixture
def munis() -> pd.DataFrame:
    return pd.DataFrame({"cvegeo": MUNIS, "cve_ent": [c[:2] for c in MUNIS], "name": [f"m{c}" for c in MUNIS]})


@pytest.fixture
def states() -> pd.DataFrame:
    return pd.DataFrame({"cve_ent": sorted({c[:2] for c in MUNIS})})


@pytest.fixture
def places() -> pd.DataFrame:
    nan = np.nan
    rows = [
        # i1: two municipalities of state 01, two agencies, two themes; 1,000 people for both together
        *[("i1", a, t, 2023, "municipality", "01", g, 1000.0, "municipality")
          for a in ("UNICEF", "UN Women") for t in ("care", "health") for g in ("01001", "01002")],
        ("i2", "UNICEF", "health", 2022, "state", "01", None, 500.0, "state"),  # state 01, place not named
        ("i3", "UNHCR", "migration", 2020, "point", "02", "02004", 300.0, "city;state"),  # Tijuana ...
        ("i3", "UNHCR", "migration", 2020, "state", "05", None, 300.0, "city;state"),  # ... and state 05
        ("i4", "UNICEF", "care", 2023, "national", None, None, 1e6, "national"),
        ("i5", "UN Women", "care", 2023, "unnamed", None, None, nan, "state"),  # "10 states (not named)"
        ("i6", "UNICEF", "care", 2023, "point", "07", "07001", 16e6, "national;city"),  # a national figure
        ("i7", "", "care", 2021, "municipality", "09", "09016", 20.0, "municipality"),  # no agency named
    ]
    return pd.DataFrame(rows, columns=P_COLS)


@pytest.fixture
def offices() -> gpd.GeoDataFrame:
    rows = [  # office_id, site_id, agency, status, cve_ent, cvegeo, year, complete_list, excludes
        ("o1", "s1", "RCO", "existing", "09", "09016", 2020, False, ""),
        ("o2", "s1", "RCO", "existing", "09", "09016", 2022, False, ""),  # the same office, two reports
        ("o3", "s2", "UNHCR", "existing", "02", "02004", 2020, True, "09"),  # deployment table: all but CDMX
        ("o4", "s3", "IOM", "existing", "02", "02004", 2020, True, "09"),
        ("o5", "s4", "UNHCR", "planned", "05", "05030", 2023, False, ""),
        ("o6", "s5", "UNICEF", "existing", "07", None, 2023, False, ""),  # state only
        ("o7", "s6", "ILO", "existing", None, None, 2023, False, ""),  # no place
        ("o8", "s7", "UNICEF", "expanding", "05", None, 2023, False, ""),  # "expanding to" state 05
        ("o9", "s2", "UNHCR", "planned", "02", "02004", 2023, False, ""),  # planned where it already exists
    ]
    df = pd.DataFrame(rows, columns=["office_id", "site_id", "agency", "status", "cve_ent", "cvegeo",
                                     "year_reported", "complete_list", "complete_list_excludes"])
    return gpd.GeoDataFrame(df, geometry=[None] * len(df), crs=4326)


@pytest.fixture
def mu(places, offices, munis) -> pd.DataFrame:
    return presence.presence_by_area(places, offices, level="municipality", boundaries=munis).set_index("cvegeo")


@pytest.fixture
def st(places, offices, states) -> pd.DataFrame:
    return presence.presence_by_area(places, offices, level="state", boundaries=states).set_index("cve_ent")


def test_every_area_of_the_boundaries_gets_a_row(mu, st, munis):
    assert list(mu.index) == MUNIS and list(st.index) == ["01", "02", "05", "07", "09", "18"]
    assert mu.loc["01003", "name"] == "m01003"
    for col in ("initiatives", "initiatives_state_scope", "agencies", "offices", "offices_planned",
                "office_years", "people_reached", "presence_evidence", "office_evidence"):
        assert col in mu.columns and col in st.columns
    assert mu["initiatives"].dtype == "int64" and mu["people_reached"].dtype == float


def test_initiatives_placed_at_the_level_or_finer_count_once(mu, st):
    got = mu["initiatives"]
    assert got["01001"] == 1 and got["01002"] == 1  # two agencies x two themes: one initiative
    assert got["02004"] == 1 and got["07001"] == 1 and got["09016"] == 1
    assert got["01003"] == 0 and got.sum() == 5  # the state-level i2 is not spread
    assert st.loc["01", "initiatives"] == 2 and st.loc["01", "initiatives_municipal_scope"] == 1
    assert st.loc["05", "initiatives"] == 1 and st.loc["02", "initiatives"] == 1
    assert st.loc["18", "initiatives"] == 0


def test_state_scope_is_its_own_column_and_never_spread(mu, st):
    assert (mu.loc[["01001", "01002", "01003"], "initiatives_state_scope"] == 1).all()  # i2
    assert mu.loc["05030", "initiatives_state_scope"] == 1  # i3 names state 05 only
    assert mu.loc["02004", "initiatives_state_scope"] == 0  # i3 names Tijuana, not state 02 alone
    assert mu.loc["01003", "initiatives"] == 0
    assert st.loc["01", "initiatives_state_scope"] == 1 and st.loc["02", "initiatives_state_scope"] == 0


def test_unnamed_and_national_are_separate_counts_in_no_area(mu, st, places):
    for t in (mu, st):
        assert t.attrs["unnamed_initiatives"] == 1 and t.attrs["national_initiatives"] == 1
    assert presence.unnamed_initiatives(places) == 1 and presence.national_initiatives(places) == 1
    # an initiative naming a place is neither, even with an unnamed row besides
    extra = pd.DataFrame([("i8", "UNDP", "care", 2023, "municipality", "19", "19039", np.nan, ""),
                          ("i8", "UNDP", "care", 2023, "unnamed", None, None, np.nan, "")], columns=P_COLS)
    both = pd.concat([places, extra])
    assert presence.unnamed_initiatives(both) == 1 and presence.national_initiatives(both) == 1


def test_offices_are_distinct_sites_with_their_years(mu, st):
    assert mu.loc["09016", "offices"] == 1 and mu.loc["09016", "office_years"] == "2020;2022"
    assert mu.loc["02004", "offices"] == 2 and mu.loc["02004", "office_years"] == "2020"
    assert pd.isna(mu.loc["01001", "office_years"])
    assert mu.loc["07001", "offices"] == 0 and st.loc["07", "offices"] == 1  # a state-only office
    assert mu.attrs["state_only_offices"] == 1 and mu.attrs["unplaced_offices"] == 1


def test_planned_and_expanding_offices_are_apart(mu, st):
    assert mu.loc["05030", "offices"] == 0 and mu.loc["05030", "offices_planned"] == 1
    assert st.loc["05", "offices_planned"] == 2 and st.loc["05", "offices"] == 0  # planned + expanding
    assert mu.loc["02004", "offices_planned"] == 0  # planned at a site that already exists
    assert "expanding" not in presence.DEFAULT_OFFICE_STATUS


def test_agencies_join_initiatives_and_existing_offices(mu, st):
    assert mu.loc["01001", "agencies"] == 2  # UNICEF, UN Women (i1)
    assert mu.loc["02004", "agencies"] == 2  # UNHCR (i3 and an office: once), IOM
    assert mu.loc["09016", "agencies"] == 1  # RCO; i7 names no agency
    assert mu.loc["05030", "agencies"] == 0  # a planned office is no agency present
    assert st.loc["05", "agencies"] == 1 and st.loc["07", "agencies"] == 1  # UNHCR (i3); UNICEF (i6, office)


def test_people_reached_only_where_the_figure_has_one_place(mu, st):
    assert np.isnan(mu.loc["01001", "people_reached"])  # 1,000 for two municipalities: not split
    assert st.loc["01", "people_reached"] == 1500.0  # i1 (one state) + i2
    assert np.isnan(mu.loc["02004", "people_reached"]) and np.isnan(st.loc["02", "people_reached"])  # i3: 2 states
    assert np.isnan(mu.loc["07001", "people_reached"])  # national scope: the 16 million are not Chiapas's
    assert mu.loc["09016", "people_reached"] == 20.0
    assert np.isnan(mu.loc["18001", "people_reached"])  # nothing stated is unknown, not 0


def test_people_reached_from_the_initiatives_frame(places, offices, munis):
    ini = pd.DataFrame({"initiative_id": ["i7"], "people_reached": [55.0], "scope_level": ["municipality"]})
    out = presence.presence_by_area(places.drop(columns=["people_reached", "scope_level"]), offices,
                                    boundaries=munis, initiatives=ini).set_index("cvegeo")
    assert out.loc["09016", "people_reached"] == 55.0 and out["people_reached"].notna().sum() == 1
    bad = places.copy()
    bad.loc[0, "people_reached"] = 7.0  # two figures for i1
    with pytest.raises(InputError, match="one figure per initiative"):
        presence.presence_by_area(bad, offices, boundaries=munis)


def test_presence_evidence(mu, st):
    ev = mu["presence_evidence"]
    assert ev[["01001", "01002", "02004", "07001", "09016"]].eq("reported").all()
    assert ev["05030"] == "reported"  # a planned office names the place
    assert ev[["01003", "02001", "09015"]].eq("state_only").all()
    assert ev["18001"] == "no_report"  # national and unnamed initiatives name no state
    assert set(st["presence_evidence"]) <= {"reported", "no_report"}
    assert st.loc["18", "presence_evidence"] == "no_report" and st.loc["05", "presence_evidence"] == "reported"


def test_office_evidence_and_complete_lists(mu, st, places, offices, munis):
    ev = mu["office_evidence"]
    assert ev[["02004", "05030", "09016"]].eq("reported").all()
    assert ev[["01001", "07001", "18001"]].eq("confirmed_absent").all()
    assert ev["09015"] == "no_report"  # the complete lists exclude Mexico City
    assert st.loc["18", "office_evidence"] == "confirmed_absent" and st.loc["07", "office_evidence"] == "reported"
    blind = offices.copy()
    blind.loc[blind.office_id == "o3", ["cvegeo", "complete_list_excludes"]] = [None, ""]
    blind.loc[blind.office_id == "o4", "complete_list"] = False
    out = presence.presence_by_area(places, blind, boundaries=munis).set_index("cvegeo")["office_evidence"]
    assert out["02001"] == "no_report"  # the list names an office in state 02, not where
    assert out["09015"] == "confirmed_absent" and out["18001"] == "confirmed_absent"
    blind.loc[blind.office_id == "o3", "cve_ent"] = None  # a "complete" list that places an office nowhere
    out = presence.presence_by_area(places, blind, boundaries=munis)["office_evidence"]
    assert "confirmed_absent" not in set(out)


def test_defaults_while_readers_lack_columns(places, offices, munis):
    old = places.drop(columns=["precision", "people_reached", "scope_level"])
    old["level"] = places["precision"].replace({"point": "municipality"})
    off = offices.drop(columns=["site_id", "complete_list", "complete_list_excludes"])
    out = presence.presence_by_area(old, off, boundaries=munis[["cvegeo"]]).set_index("cvegeo")
    assert out.loc["09016", "offices"] == 2  # without site_id each row is its own office
    assert set(out["office_evidence"]) == {"reported", "no_report"}  # no complete list: nothing confirmed
    assert out["people_reached"].isna().all() and out.loc["01003", "cve_ent"] == "01"
    assert out.attrs["unnamed_initiatives"] == 1  # a level of "unnamed" is read as such


def test_filters_by_agency_theme_and_year(places, offices, munis):
    unicef = presence.presence_by_area(places, offices, boundaries=munis, agency="unicef").set_index("cvegeo")
    assert unicef.loc["01001", "initiatives"] == 1 and unicef.loc["02004", "initiatives"] == 0
    assert unicef.loc["02004", "offices"] == 0  # the agency filter applies to offices too
    care = presence.presence_by_area(places, offices, boundaries=munis, theme=["Care"]).set_index("cvegeo")
    assert care["initiatives"].sum() == 4 and care.attrs["national_initiatives"] == 1
    y = presence.presence_by_area(places, offices, boundaries=munis, year=[2020, 2022])
    assert y["initiatives"].sum() == 1 and y.attrs["national_initiatives"] == 0
    assert presence.national_initiatives(places, year=2020) == 0


def test_bad_inputs_are_reported(places, offices, munis):
    with pytest.raises(ValueError, match="level"):
        presence.presence_by_area(places, offices, level="county")
    with pytest.raises(InputError) as err:
        presence.presence_by_area(places.drop(columns=["theme", "year"]), offices, boundaries=munis)
    assert len(err.value.problems) == 2
    bad = places.copy()
    bad.loc[0, "precision"] = "region"
    bad.loc[len(bad) - 1, "cvegeo"] = None  # municipality precision without a code
    with pytest.raises(InputError) as err:
        presence.presence_by_area(bad, offices, boundaries=munis)
    assert {p.column for p in err.value.problems} == {"precision", "cvegeo"}
    with pytest.raises(InputError, match="each area once"):
        presence.presence_by_area(places, offices, boundaries=pd.concat([munis, munis.head(1)]))
    with pytest.raises(InputError):
        presence.office_counts(offices.drop(columns="status"))


def test_codes_outside_the_boundaries_are_warned(places, offices, munis, caplog):
    with caplog.at_level(logging.WARNING, logger="brecha.presence"):
        out = presence.presence_by_area(places, offices, boundaries=munis[munis.cvegeo != "09016"])
    assert "09016" in caplog.text and len(out) == len(MUNIS) - 1


def test_office_counts_are_sites(offices, munis, states):
    st = presence.office_counts(offices, level="state", boundaries=states).set_index("cve_ent")
    assert st.loc["09", "offices"] == 1 and st.loc["02", "offices"] == 2 and st.loc["05", "offices"] == 0
    every = presence.office_counts(offices, level="state", status="all", boundaries=states)
    assert every["offices"].sum() == 6 and every.attrs["unplaced_offices"] == 1
    wide = presence.office_counts(offices, level="state", by_agency=True, boundaries=states).set_index("cve_ent")
    assert (wide.filter(like="offices_").sum(axis=1) == wide["offices"]).all()
    long = presence.office_counts(offices, level="municipality", by_agency=True, wide=False, boundaries=munis)
    assert long.to_dict("records") == [{"cvegeo": "02004", "agency": "IOM", "offices": 1},
                                       {"cvegeo": "02004", "agency": "UNHCR", "offices": 1},
                                       {"cvegeo": "09016", "agency": "RCO", "offices": 1}]


def test_initiative_counts_and_without_presence(places, offices, munis, states):
    ini = presence.initiative_counts(places, level="state", boundaries=states).set_index("cve_ent")
    assert ini.loc["01", "initiatives"] == 2 and ini.attrs["unnamed_initiatives"] == 1
    none = presence.without_presence(places, offices, boundaries=munis)
    assert set(none["cvegeo"]) == {"01003", "02001", "05030", "09015", "18001"}
    assert none.set_index("cvegeo").loc["18001", "presence_evidence"] == "no_report"
    assert presence.agency_slug("UN-HABITAT") == "un_habitat" and presence.agency_slug("  ") == "unknown"


# -- real embedded data ------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    from brecha import geography
    from brecha.sources import initiative_places, load

    ini, off = load("initiatives"), load("offices")
    places = initiative_places(ini)
    mu = presence.presence_by_area(places, off, level="municipality", initiatives=ini)
    st = presence.presence_by_area(places, off, level="state", initiatives=ini)
    return places, off, mu, st, geography.municipalities()


def test_real_unreported_states_are_no_report_not_absent(real):
    _, _, mu, st, munis = real
    assert len(mu) == len(munis) == 2469
    quiet = mu[mu["cve_ent"].isin(["06", "17", "18"])]  # Colima, Morelos, Nayarit: in no report
    assert len(quiet) == munis["cve_ent"].isin(["06", "17", "18"]).sum() == 66
    assert (quiet["presence_evidence"] == "no_report").all()
    assert set(mu.loc[mu["presence_evidence"] == "no_report", "cve_ent"]) == {"06", "17", "18"}
    assert (st.set_index("cve_ent").loc[["06", "17", "18"], "presence_evidence"] == "no_report").all()
    placed = (mu["initiatives"] > 0) | (mu["offices"] > 0)
    assert (mu.loc[placed, "presence_evidence"] == "reported").all()


def test_real_unnamed_initiatives_are_not_national(real):
    places, _, mu, st, _ = real
    unnamed = set(places.loc[places["precision"] == "unnamed", "initiative_id"])
    national = set(places.loc[places["precision"] == "national", "initiative_id"])
    assert len(unnamed) == 16 and unnamed.isdisjoint(national)
    for t in (mu, st):
        assert t.attrs["unnamed_initiatives"] == 16 and t.attrs["national_initiatives"] == len(national)
    named = places[places["precision"].isin(["point", "municipality", "state"])]
    assert st["initiatives"].sum() == len(named[["initiative_id", "cve_ent"]].drop_duplicates())


def test_real_offices_count_sites_not_report_rows(real):
    _, off, mu, _, _ = real
    counted = off[off["status"].isin(presence.DEFAULT_OFFICE_STATUS)]
    tijuana = counted[counted["cvegeo"] == "02004"]
    m = mu.set_index("cvegeo")
    assert m.loc["02004", "offices"] == tijuana["site_id"].nunique() <= len(tijuana) == 7
    rco = counted[counted["cvegeo"] == "09016"]
    assert len(rco) == 2 and m.loc["09016", "offices"] == 1 and m.loc["09016", "office_years"] == "2020;2022"
    sites = counted.dropna(subset=["cvegeo"]).drop_duplicates(["cvegeo", "site_id"])
    assert mu["offices"].sum() == len(sites) < counted["cvegeo"].notna().sum()


def test_real_presence_class_3_always_has_an_initiative_or_office(real):
    _, _, mu, st, _ = real
    for t in (mu, st):
        cls = presence.presence_class(t)
        nothing = (t["initiatives"] == 0) & (t["offices"] == 0)
        assert not (nothing & (cls == 3)).any() and (cls[nothing] == 1).all()
    assert (presence.presence_class(mu) == 3).sum() < ((mu["initiatives"] > 0) | (mu["offices"] > 0)).sum()
