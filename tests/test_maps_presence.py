"""The presence (3W) map's payload: fixed agency symbols, one marker per office site, rows handed over unchanged."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from brecha import geography, maps
from brecha.maps._agencies import OTHER_COLOR, agency_entry, agency_symbol
from brecha.maps._offices import office_points
from brecha.presence import presence_by_area
from brecha.sources import initiative_places, load
from brecha.sources.agencies import agency_catalog


@pytest.fixture(scope="module")
def real():
    ini = load("initiatives")
    return initiative_places(ini), load("offices"), ini


def data_block(html: str, block_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{re.escape(block_id)}">(.*?)</script>', html, re.S)
    assert m, block_id
    return json.loads(m.group(1))


def layer_with_presence(places, offices, ini, states=("07",)):
    munis = geography.municipalities()
    munis = munis[munis["cve_ent"].isin(states)] if states else munis
    pm = presence_by_area(places, offices, level="municipality", boundaries=munis, initiatives=ini)
    cols = ["initiatives", "initiatives_state_scope", "agencies", "offices", "offices_planned",
            "presence_evidence", "office_evidence"]
    return munis.merge(pm[["cvegeo", *cols]], on="cvegeo")


def test_every_catalogue_agency_has_its_own_fixed_symbol():
    cat = agency_catalog()
    symbols = [agency_symbol(a) for a in cat["acronym"]]
    assert len(set(symbols)) == len(cat) >= 26
    assert agency_symbol("ACNUR") == agency_symbol("UNHCR") == symbols[list(cat["acronym"]).index("UNHCR")]
    assert agency_symbol("Una ONG local") == ("circle", OTHER_COLOR)
    e = agency_entry("es", "UNHCR")
    assert (e["label"], e["kind"], e["known"]) == ("ACNUR", "agencia de la ONU", True)
    assert agency_entry("en", "COMAR")["kind"] == "government" and agency_entry("en", "EU")["kind"] == "other"


def test_spanish_maps_use_the_spanish_acronym_the_catalogue_names():
    """A Spanish map says CEPAL, not ECLAC: where the catalogue's Spanish name ends in an acronym, it is the label."""
    cat = agency_catalog()
    for r in cat.itertuples():
        found = re.search(r"\(([A-ZÁÉÍÓÚ][^()]*)\)$", r.name_es)  # an acronym, not "(trabajo conjunto)"
        if found and r.acronym != "UNODC":  # UNODC's Mexico office writes UNODC in Spanish too (not ONUDD)
            assert agency_entry("es", r.acronym)["label"] == found.group(1), r.acronym
    labels = {a: agency_entry("es", a)["label"] for a in ("UN System", "UN Global Compact", "EU")}
    assert labels == {"UN System": "Sistema ONU", "UN Global Compact": "Pacto Mundial", "EU": "UE"}
    assert agency_entry("en", "ECLAC")["label"] == "ECLAC"


def test_symbols_do_not_depend_on_the_input(real):
    """Two office files that list agencies in different numbers and orders draw each agency alike."""
    _, off, _ = real
    munis = geography.municipalities().query("cve_ent == '07'").assign(initiatives=0, offices=0)

    def styles(offices) -> dict:
        html = maps.render_html(maps.presence_map(munis, offices, tiles=False))
        found = re.search(r'brecha\.points\([^,]+, (\{.*?"cluster":true\})\)', html)
        assert found
        return json.loads(found.group(1))["styles"]

    full = styles(off)
    only_unhcr = styles(off[off["agency"] == "UNHCR"])
    assert only_unhcr["UNHCR"] == full["UNHCR"]


def test_one_marker_per_office_site_with_its_years(real):
    _, off, _ = real
    rco = off[(off["agency"] == "RCO") & (off["cvegeo"] == "09016")]
    assert len(rco) == 2 and rco["site_id"].nunique() == 1  # reported in 2020 and 2022: one office
    pts, _ = office_points(off, "09", "es")
    rco_pts = pts[pts["agency_key"] == "RCO"]
    assert len(rco_pts) == 1 and rco_pts["year_reported"].iloc[0] == "2020, 2022"
    tij, _ = office_points(off, "02", "en")
    tij = tij[tij["cvegeo"] == "02004"]
    counted = off[(off["cvegeo"] == "02004") & off["status"].isin(["existing", "renovated", "planned", "expanding"])]
    assert len(tij) == counted["site_id"].nunique()


def test_the_page_gets_the_rows_unchanged_and_the_layers_counts(real):
    places, off, ini = real
    munis = layer_with_presence(places, off, ini)
    html = maps.render_html(maps.presence_map(munis, off, places, state="Chiapas", tiles=False))
    rows = data_block(html, "brecha-initiatives")
    in_view = places[(places["cve_ent"] == "07") | places["cve_ent"].isna()]
    assert len(rows["rows"]) == len(in_view)
    assert set(rows["dicts"]["precision"]) <= {"point", "municipality", "state", "unnamed", "national"}
    offices_rows = data_block(html, "brecha-3w-offices")
    assert len(offices_rows["rows"]) == len(off)  # every report line, the page counts sites
    muni = data_block(html, "brecha-muni")
    got = {r[0]: dict(zip(muni["fields"], r)) for r in muni["rows"]}
    assert got["07089"]["offices"] == int(munis.set_index("cvegeo").at["07089", "offices"]) == 6
    assert got["07089"]["presence_evidence"] == "reported"  # a code: the page says it in words
    assert "brecha.threeW(" in html and "B.xlsx = function" in html and "<script src=" not in html


def test_unknown_layer_columns_are_optional_and_bad_inputs_are_named(real):
    places, off, _ = real
    munis = geography.municipalities().query("cve_ent == '06'").assign(initiatives=0, offices=0)
    maps.presence_map(munis, off, places, tiles=False)  # no agencies/evidence columns: still a map
    with pytest.raises(Exception, match="precision"):
        maps.presence_map(munis, off, places.drop(columns=["precision", "level"]), tiles=False)


@pytest.mark.slow
def test_national_map_with_states_stays_under_2_mb(real, tmp_path):
    places, off, ini = real
    munis = layer_with_presence(places, off, ini, states=None)
    ps = presence_by_area(places, off, level="state", initiatives=ini)
    states = geography.states().merge(ps.drop(columns=["name"], errors="ignore"), on="cve_ent")
    path = maps.save_map(maps.presence_map(munis, off, places, states=states, tiles=False), tmp_path / "p.html")
    assert path.stat().st_size <= 2_000_000
    assert pd.notna(path.stat().st_size)


def test_a_state_with_no_office_draws_its_initiatives_and_no_marker(real):
    """Colima is named in no report: its map has no office site and still draws (a KeyError once)."""
    from brecha import maps

    places, offices, ini = real
    layer = layer_with_presence(places, offices, ini, states=("06",))
    assert layer["offices"].sum() == 0
    html = maps.render_html(maps.presence_map(layer, offices, places, state="Colima"))
    assert data_block(html, "brecha-offices")["rows"] == []
