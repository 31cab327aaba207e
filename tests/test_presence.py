"""Counting initiatives and offices per state and municipality."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from brecha import presence
from brecha.errors import InputError
from brecha.sources import initiative_places, load

COLS = ["initiative_id", "initiative", "agency", "theme", "year", "level", "cve_ent", "cvegeo"]


@pytest.fixture
def places() -> pd.DataFrame:
    rows = [
        # i1: municipal, two municipalities of Aguascalientes, two agencies
        ("i1", "a", "UNICEF", "care", 2023, "municipality", "01", "01001"),
        ("i1", "a", "UNICEF", "care", 2023, "municipality", "01", "01002"),
        ("i1", "a", "UN Women", "care", 2023, "municipality", "01", "01001"),
        ("i1", "a", "UN Women", "care", 2023, "municipality", "01", "01002"),
        # i2: state-level Aguascalientes
        ("i2", "b", "UNICEF", "health", 2022, "state", "01", None),
        # i3: state-level Baja California and municipal Hermosillo, Sonora (26030: another state)
        ("i3", "c", "UNHCR", "migration", 2020, "state", "02", None),
        ("i3", "c", "UNHCR", "migration", 2020, "municipality", "26", "26030"),
        # i4: national
        ("i4", "d", "UNICEF", "care", 2023, "national", None, None),
    ]
    return pd.DataFrame(rows, columns=COLS)


@pytest.fixture
def offices() -> gpd.GeoDataFrame:
    df = pd.DataFrame({
        "office_id": ["o1", "o2", "o3", "o4", "o5"],
        "agency": ["UNHCR", "UN Women", "UNHCR", "UNICEF", "ILO"],
        "status": ["existing", "expanding", "planned", "existing", "existing"],
        "cve_ent": ["02", "02", "05", "07", None],
        "cvegeo": ["02004", "02004", "05030", None, None],
    })
    return gpd.GeoDataFrame(df, geometry=[None] * 5, crs=4326)


def test_municipal_counts_cover_every_municipality_with_zeros(places):
    out = presence.initiative_counts(places, level="municipality")
    assert len(out) == 2469 and out["cvegeo"].is_unique
    got = out.set_index("cvegeo")["initiatives"]
    assert got["01001"] == 1 and got["01002"] == 1 and got["26030"] == 1
    assert got.sum() == 3  # a state-level initiative is not spread over municipalities
    assert out.attrs["national_initiatives"] == 1


def test_state_counts_count_each_initiative_once_per_state(places):
    out = presence.initiative_counts(places, level="state").set_index("cve_ent")
    assert len(out) == 32
    assert out.loc["01", "initiatives"] == 2  # i1 (two municipalities, two agencies) once, plus i2
    assert out.loc["01", "initiatives_state_scope"] == 1
    assert out.loc["01", "initiatives_municipal_scope"] == 1
    assert out.loc["02", "initiatives"] == 1 and out.loc["26", "initiatives"] == 1
    assert out["initiatives"].sum() == 4  # the national initiative counts for no state
    assert presence.national_initiatives(places) == 1


def test_filters_take_a_value_or_a_list(places):
    unicef = presence.initiative_counts(places, level="state", agency="unicef").set_index("cve_ent")
    assert unicef.loc["01", "initiatives"] == 2 and unicef.loc["02", "initiatives"] == 0
    assert unicef.attrs["national_initiatives"] == 1
    care = presence.initiative_counts(places, level="state", theme=["Care", "migration"]).set_index("cve_ent")
    assert care.loc["01", "initiatives"] == 1 and care.loc["02", "initiatives"] == 1
    y = presence.initiative_counts(places, level="municipality", year=[2020, 2022])
    assert y["initiatives"].sum() == 1 and presence.national_initiatives(places, year=2020) == 0


def test_bad_level_and_missing_columns_are_reported(places, offices):
    with pytest.raises(ValueError, match="level"):
        presence.initiative_counts(places, level="county")
    with pytest.raises(InputError) as err:
        presence.initiative_counts(places.drop(columns=["theme", "year"]))
    assert len(err.value.problems) == 2
    with pytest.raises(InputError):
        presence.office_counts(offices.drop(columns="status"))


def test_office_counts_default_status_and_all(offices):
    st = presence.office_counts(offices, level="state").set_index("cve_ent")
    assert st.loc["02", "offices"] == 2 and st.loc["05", "offices"] == 0  # planned does not count
    assert st.loc["07", "offices"] == 1  # state-only office counts for its state
    assert st.attrs["unplaced_offices"] == 1
    every = presence.office_counts(offices, level="state", status="all")
    assert every["offices"].sum() == 4
    mu = presence.office_counts(offices, level="municipality", status="all").set_index("cvegeo")
    assert mu["offices"].sum() == 3 and mu.loc["05030", "offices"] == 1
    assert mu.attrs["state_only_offices"] == 1


def test_office_counts_by_agency_wide_and_long(offices):
    wide = presence.office_counts(offices, level="state", by_agency=True).set_index("cve_ent")
    assert {"offices_unhcr", "offices_un_women", "offices_unicef"} <= set(wide.columns)
    per = wide.filter(like="offices_")
    assert (per.sum(axis=1) == wide["offices"]).all()
    assert wide.loc["02", "offices_un_women"] == 1
    long = presence.office_counts(offices, level="municipality", by_agency=True, wide=False)
    assert long.to_dict("records") == [{"cvegeo": "02004", "agency": "UN Women", "offices": 1},
                                       {"cvegeo": "02004", "agency": "UNHCR", "offices": 1}]


def test_without_presence(places, offices):
    st = presence.without_presence(places, offices, level="state")
    absent = set(st["cve_ent"])
    assert {"01", "02", "07", "26"}.isdisjoint(absent)
    assert "05" in absent  # only a planned office there
    assert len(absent) == 32 - 4
    assert "name" in st.columns
    mu = presence.without_presence(places, offices, level="municipality")
    assert {"01001", "01002", "02004", "26030"}.isdisjoint(mu["cvegeo"])
    assert len(mu) == 2469 - 4


def test_agency_slug():
    assert presence.agency_slug("UN-HABITAT") == "un_habitat"
    assert presence.agency_slug("  ") == "unknown"


# -- real embedded data ------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    initiatives = load("initiatives")
    return initiative_places(initiatives), load("offices")


def test_real_state_scope_counts_each_state_level_initiative_once(real):
    places, _ = real
    out = presence.initiative_counts(places, level="state").set_index("cve_ent")
    state_rows = places[places["level"] == "state"]
    expected = state_rows.groupby("cve_ent")["initiative_id"].nunique()
    assert (out.loc[expected.index, "initiatives_state_scope"] == expected).all()
    pairs = places[places["level"] != "national"][["initiative_id", "cve_ent"]].drop_duplicates()
    assert out["initiatives"].sum() == len(pairs)
    assert out.attrs["national_initiatives"] == places.loc[places.level == "national", "initiative_id"].nunique()


def test_real_office_totals(real):
    _, offices = real
    st = presence.office_counts(offices, level="state", status="all", by_agency=True)
    assert st["offices"].sum() == offices["cve_ent"].notna().sum()
    assert st["offices"].sum() + st.attrs["unplaced_offices"] == len(offices)
    mu = presence.office_counts(offices, level="municipality", status="all")
    assert mu["offices"].sum() == offices["cvegeo"].notna().sum()
    assert mu.set_index("cvegeo").loc["02004", "offices"] >= 4  # IOM, UNDP, UNHCR, UNICEF in Tijuana
