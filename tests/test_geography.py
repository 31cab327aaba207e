"""The canonical geography on the embedded real data: counts, keys, CRS, population.

Also checks that every embedded office lands in the municipality the
resolver gave it: its point falls inside that municipality's polygon.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely

from brecha import geography
from brecha.places import resolve
from brecha.sources import load


@pytest.fixture(scope="module")
def munis():
    return geography.municipalities()


@pytest.fixture(scope="module")
def offices():
    return load("offices")


def test_32_states():
    st = geography.states()
    assert len(st) == 32
    assert st["cve_ent"].tolist() == [f"{i:02d}" for i in range(1, 33)]
    assert st.crs.to_epsg() == 4326
    assert st.geometry.is_valid.all()


def test_2469_municipalities_with_string_keys(munis):
    assert len(munis) == 2469
    assert munis["cvegeo"].is_unique
    assert munis["cvegeo"].map(type).eq(str).all() and munis["cvegeo"].str.fullmatch(r"\d{5}").all()
    assert munis["cve_ent"].str.fullmatch(r"\d{2}").all()
    assert (munis["cvegeo"].str[:2] == munis["cve_ent"]).all()
    assert (munis["cvegeo"].str[2:] == munis["cve_mun"]).all()
    assert munis["cvegeo"].is_monotonic_increasing
    assert set(munis["cve_ent"]) == set(geography.states()["cve_ent"])
    assert geography.municipal_codes() == munis["cvegeo"].tolist()


def test_crs_is_4326_and_geometries_are_valid_polygons(munis):
    assert munis.crs.to_epsg() == 4326
    assert munis.geometry.is_valid.all()
    assert munis.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    minx, miny, maxx, maxy = munis.total_bounds
    assert -118.5 < minx < maxx < -86.5 and 14.4 < miny < maxy < 32.8


def test_municipalities_tile_their_states(munis):
    # Areas in EPSG:6372 (km2): the states were dissolved from the municipalities. The simplified
    # boundaries overlap by slivers (at most 6.4 km2, in Yucatán), hence the 0.1% tolerance.
    m = geography.to_analysis_crs(munis).assign(km2=lambda d: d.area / 1e6).groupby("cve_ent")["km2"].sum()
    s = geography.to_analysis_crs(geography.states()).set_index("cve_ent").area / 1e6
    pd.testing.assert_series_equal(m.sort_index(), s.sort_index(), check_names=False, rtol=1e-3)
    assert (m.sort_index() >= s.sort_index() - 1e-6).all()  # overlaps only add area: no gaps inside a state
    assert 1.9e6 < s.sum() < 2.0e6  # Mexico: 1.96 million km2


def test_census_population_is_exact():
    census = load("census_municipal")
    assert census["pop_total"].sum() == 126_014_024
    assert census["cvegeo"].tolist() == geography.municipal_codes()


def test_localities_population_is_exact_and_keys_nest():
    loc = geography.localities()
    assert len(loc) == 189_432
    assert loc["pop_total"].sum() == 126_014_024
    assert loc["cvegeo_loc"].str.fullmatch(r"\d{9}").all()
    assert (loc["cvegeo_loc"].str[:5] == loc["cvegeo"]).all()
    assert set(loc["cvegeo"]) <= set(geography.municipal_codes())


def test_every_placed_office_falls_in_its_municipality(munis, offices):
    placed = offices[offices.geometry.notna() & ~offices.geometry.is_empty]
    assert len(placed) >= 50
    polygons = munis.set_index("cvegeo").geometry.loc[placed["cvegeo"]].values
    inside = shapely.contains(polygons, placed.geometry.values)
    assert inside.all(), placed.loc[~inside, ["city", "state", "cvegeo"]]
    # and the point-in-polygon join agrees with the resolver
    assert geography.assign_municipality(placed).tolist() == placed["cvegeo"].tolist()


def test_offices_without_a_point_are_states_or_unplaced(offices):
    rest = offices[offices.geometry.isna() | offices.geometry.is_empty]
    assert set(rest["placed"]) <= {"state", "none"}
    assert rest.loc[rest["placed"] == "state", "cve_ent"].str.fullmatch(r"\d{2}").all()


@pytest.mark.parametrize("city,state,cvegeo", [
    ("Cancún", "Quintana Roo", "23005"),
    ("Villahermosa", "Tabasco", "27004"),
    ("Ciudad Juárez", "Chihuahua", "08037"),
    ("Tijuana", "Baja California", "02004"),
    ("Tapachula", "Chiapas", "07089"),
    ("Matamoros", "Tamaulipas", "28022"),
])
def test_office_spot_checks(offices, munis, city, state, cvegeo):
    rows = offices[(offices["city"] == city) & (offices["state"] == state)]
    assert len(rows) >= 1
    assert set(rows["cvegeo"]) == {cvegeo}
    poly = munis.set_index("cvegeo").geometry[cvegeo]
    assert all(poly.contains(pt) for pt in rows.geometry)
    assert resolve(f"{city}, {state}").cvegeo == cvegeo


def test_resolved_localities_lie_in_their_municipality(munis):
    # Cancún and Villahermosa are localities of Benito Juárez and Centro.
    loc = geography.localities().set_index("cvegeo_loc")
    poly = munis.set_index("cvegeo").geometry
    for name, cvegeo in (("Cancún", "23005"), ("Villahermosa", "27004")):
        p = resolve(name)
        pt = loc[(loc["cvegeo"] == p.cvegeo) & (loc["name"] == p.locality)].geometry.iloc[0]
        assert p.cvegeo == cvegeo and poly[cvegeo].contains(pt)


def test_xy_km_is_planar_and_in_km():
    import geopandas as gpd

    pts = gpd.GeoSeries.from_xy([-99.1332, -98.2063], [19.4326, 19.0414], crs=4326)  # CDMX, Puebla
    xy = geography.xy_km(pts)
    d = float(((xy[0] - xy[1]) ** 2).sum() ** 0.5)
    assert d == pytest.approx(105.7, abs=1.5)  # great-circle distance ~105 km


# --- brecha sources ------------------------------------------------------------------

def _sources_cli(argv: list[str], capsys) -> str:
    from brecha.cli import main

    with pytest.raises(SystemExit) as info:
        main(["sources", *argv])
    assert info.value.code == 0
    return capsys.readouterr().out


def test_brecha_sources_shows_vintage_rows_checksum_and_licence(capsys):
    from brecha._io import sha256_file
    from brecha.settings import DATA_DIR
    from brecha.sources.catalog import SOURCES

    out = _sources_cli([], capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    embedded = [s for s in SOURCES if s.file is not None]  # optional sources (coneval_state) ship no file
    assert len(embedded) == 9
    for s in embedded:
        line = lines[s.name]
        assert f" {s.vintage} " in line and f" {s.rows:,} rows " in line and line.endswith(s.licence), line
        assert f"sha256 {sha256_file(DATA_DIR / s.file)[:16]} " in line
    assert " 2,469 rows " in lines["municipalities"] and " 2,469 rows " in lines["census_municipal"]
    assert " 32 rows " in lines["states"] and " 189,432 rows " in lines["localities"]
    assert "Census 2020 population: 126,014,024" in out
    assert "UNEXPECTED ROW COUNT" not in out
    assert out.rstrip().endswith("CONEVAL, Medición de la pobreza municipal 2020; INEGI, DENUE")


def test_brecha_sources_json_has_full_checksums(capsys):
    rows = {r["source"]: r for r in json.loads(_sources_cli(["--json"], capsys))}
    assert rows["municipalities"]["rows"] == 2469 and rows["municipalities"]["rows_ok"] is True
    assert rows["localities"]["rows"] == 189_432
    assert all(len(r["sha256"]) == 64 and r["licence"] and r["vintage"] for r in rows.values())
