"""Location precision, sites, complete lists and canonical agencies on the embedded agency data."""

from __future__ import annotations

import pandas as pd
import pytest

from brecha.settings import DATA_DIR
from brecha.sources.agencies import (
    PRECISION,
    agency_catalog,
    canonical_agency,
    initiative_places,
    read_initiatives,
    read_offices,
    unnamed_places,
)


@pytest.fixture(scope="module")
def offices():
    return read_offices(DATA_DIR / "offices.csv")


@pytest.fixture(scope="module")
def initiatives():
    return read_initiatives(DATA_DIR / "initiatives.csv")


def test_precision_vocabulary_is_ordered_finest_first():
    assert PRECISION == ("point", "municipality", "state", "unnamed", "national")


def test_the_rco_is_in_miguel_hidalgo_and_counts_once(offices):
    rco = offices[offices["agency"] == "RCO"]
    assert rco["cvegeo"].tolist() == ["09016", "09016"] and rco["year_reported"].tolist() == [2020, 2022]
    assert rco["site_id"].nunique() == 1  # two report years, one office
    assert offices["site_id"].nunique() == len(offices) - 3  # RCO; UN Women's and UNODC's centres of excellence


def test_mexico_city_without_an_alcaldia_is_state_precision(offices):
    cdmx = offices[(offices["city"] == "Ciudad de México")]
    assert len(cdmx) == 2
    assert cdmx["precision"].eq("state").all() and cdmx["cvegeo"].isna().all() and cdmx["cve_ent"].eq("09").all()


def test_every_office_has_a_precision_that_matches_where_it_is(offices):
    assert offices["precision"].isin(PRECISION).all()
    assert offices.loc[offices["precision"].isin(["point", "municipality"]), "cvegeo"].notna().all()
    state = offices[offices["precision"] == "state"]
    assert state["cvegeo"].isna().all() and state["cve_ent"].notna().all()
    assert offices.loc[offices["precision"] == "national", "cve_ent"].isna().all()
    assert offices.set_index("city").loc["Cancún", "precision"] == "point"  # a locality, not a municipality


def test_the_2020_deployment_table_is_a_complete_list(offices):
    table = offices["office_type"].str.contains("deployment table")
    assert int(table.sum()) == 35
    assert (offices["complete_list"] == table).all()
    assert set(offices.loc[table, "year_reported"]) == {2020}
    # The report's table covers the 19 states outside Mexico City; it says nothing about the capital.
    assert offices.loc[table, "cve_ent"].nunique() == 19
    assert set(offices.loc[table, "complete_list_excludes"]) == {"09"}


def test_the_sixteen_unplaced_subnational_initiatives_are_never_national(initiatives):
    un = initiatives[initiatives["places_unnamed"]]
    assert len(un) == 16
    assert not un["scope_level"].str.contains("national").any()
    places = initiative_places(initiatives)
    rows = places[places["initiative_id"].isin(un["initiative_id"])]
    assert set(rows["precision"]) == {"unnamed"} and set(rows["level"]) == {"unnamed"}
    assert rows["cve_ent"].isna().all() and rows["cvegeo"].isna().all()
    nat = places[places["precision"] == "national"]["initiative_id"].unique()
    assert not set(nat) & set(un["initiative_id"])
    counts = un.set_index("initiative_id")[["places_count", "places_level"]]
    assert counts.loc["i0006"].tolist() == [10, "state"]          # "105 schools in 10 (unnamed) states"
    assert counts.loc["i0022"].tolist() == [5, "municipality"]    # "5 border cities (not named)"
    assert counts.loc["i0018"].tolist() == [13, "state"]          # "from 3 pilot states (2014) to 13 states"
    assert pd.isna(counts.loc["i0039", "places_count"])           # "eight Biosphere Reserves": not places


def test_initiative_places_precision_values(initiatives):
    places = initiative_places(initiatives)
    assert set(places["precision"]) <= set(PRECISION)
    assert places["places_count"].dtype == "Int64"
    assert places.loc[places["precision"] == "municipality", "cvegeo"].notna().all()
    assert places.loc[places["precision"] == "state", "cvegeo"].isna().all()


@pytest.mark.parametrize("scope, figure, expected", [
    ("state", "13 states (not named)", (True, 13, "state")),
    ("municipality", "three municipal governments (only Monterrey named)", (True, 3, "municipality")),
    ("region", "eight Biosphere Reserves", (True, None, None)),
    ("national", "", (False, None, None)),
    ("national;state", "200+ partnered institutions in 29 states (not named)", (False, None, None)),
    ("", "", (False, None, None)),
])
def test_unnamed_places_rule(scope, figure, expected):
    assert unnamed_places(scope, figure) == expected


def test_catalogue_gives_canonical_acronyms_and_kinds(initiatives, offices):
    cat = agency_catalog()
    assert cat["acronym"].is_unique and set(cat["kind"]) == {"un_agency", "government", "other"}
    assert canonical_agency("ACNUR")[:2] == ("UNHCR", "un_agency")
    assert canonical_agency("COMAR")[1] == "government" and canonical_agency("EU")[1] == "other"
    assert canonical_agency("UN Mexico")[0] == "UN System"
    assert canonical_agency("OHCHR (written UNHCHR)")[0] == "OHCHR"
    assert canonical_agency("Save the Children") == ("Save the Children", "other", False)
    used = {a for lst in initiatives["agencies"] for a in lst} | set(offices["agency"])
    assert used <= set(cat["acronym"])  # every agency in the embedded data is in the catalogue
