"""Offices with coordinates: the point decides the municipality, and must agree with the names.

Small synthetic CSVs over the embedded 2020 frame. Distances quoted in the
comments are planar km in EPSG:6372 to the simplified boundaries.
"""

from __future__ import annotations

import pytest
import shapely

from brecha import geography
from brecha.errors import InputError, InputWarning
from brecha.sources import read_offices
from brecha.sources.agencies import POINT_TOLERANCE_KM

HEADER = "agency,city,state,lat,lon\n"
ZOCALO = "19.4326,-99.1332"  # Cuauhtémoc, Ciudad de México (09015)


def _problems(write_csv, rows: str) -> list:
    with pytest.raises(InputError) as info:
        read_offices(write_csv("offices.csv", HEADER + rows))
    return info.value.problems


def _inside_own_municipality(off) -> bool:
    polys = geography.municipalities().set_index("cvegeo").geometry.loc[off["cvegeo"]].values
    return bool(shapely.contains(polys, off.geometry.values).all())


def test_a_point_far_from_the_named_city_is_a_problem(write_csv):
    # The audit's case: "Cancún, Quintana Roo" with Mexico City's coordinates.
    [p] = _problems(write_csv, f"UNDP,Cancún,Quintana Roo,{ZOCALO}\n")
    assert (p.row, p.column, p.value) == (2, "lat/lon", "19.4326, -99.1332")
    assert p.file.endswith("offices.csv")
    assert "within 5 km of Benito Juárez, Quintana Roo (23005)" in p.expected
    assert "the point is in Cuauhtémoc, Ciudad de México (09015)" in p.expected
    assert "1,266 km from it" in p.expected


def test_every_disagreeing_point_is_reported_at_once(write_csv):
    problems = _problems(write_csv, f"UNDP,Cancún,Quintana Roo,{ZOCALO}\n"
                                    "IOM,Tapachula,Chiapas,14.9067,-92.2631\n"  # fine
                                    f"UNHCR,,Chiapas,{ZOCALO}\n"
                                    "UNICEF,Tapachula,Chiapas,14.6,-92.25\n")  # 7 km outside Tapachula
    assert [(p.row, p.column) for p in problems] == [(2, "lat/lon"), (4, "lat/lon"), (5, "lat/lon")]
    assert "within 5 km of Chiapas (07), the state named in column 'state'" in problems[1].expected
    assert "within 5 km of Tapachula, Chiapas (07089)" in problems[2].expected
    assert "7 km from it" in problems[2].expected


def test_a_point_just_across_the_border_counts_for_the_named_place_with_a_warning(write_csv):
    # 2.7 km south of Tapachula's boundary, in 07087: within the tolerance. The row names Tapachula,
    # so it counts there (names are what the report says), is drawn at its point, and is said.
    said = r"1 office point\(s\) lie outside the place their row names.*line\(s\) \[2\]"
    with pytest.warns(InputWarning, match=said):
        off = read_offices(write_csv("offices.csv", HEADER + "UNHCR,Tapachula,Chiapas,14.7,-92.25\n"))
    assert POINT_TOLERANCE_KM == 5.0
    assert off["cvegeo"].tolist() == ["07089"] and off["cve_ent"].tolist() == ["07"]
    assert off["placed"].tolist() == ["coordinates"] and off["precision"].tolist() == ["point"]
    assert (off.geometry.x.item(), off.geometry.y.item()) == (-92.25, 14.7)  # drawn where it is


def test_a_point_on_a_shared_state_border_keeps_the_named_state(write_csv):
    # A vertex of the border Loreto (32024, Zacatecas) shares with Asientos (01002, Aguascalientes):
    # point-in-polygon alone gives the lowest code, 01002; the named municipality decides, with a warning.
    with pytest.warns(InputWarning, match="counted in the named municipality or state"):
        off = read_offices(write_csv("offices.csv", HEADER + "UNODC,Loreto,Zacatecas,22.264138,-102.027512\n"
                                                             "IOM,,Zacatecas,22.25,-102.04\n"))
    assert off["cvegeo"].tolist()[0] == "32024"
    assert off["cve_ent"].tolist() == ["32", "32"] and off["state"].tolist() == ["Zacatecas", "Zacatecas"]
    assert off["cvegeo"].iloc[1].startswith("32")  # the state's municipality nearest the point


@pytest.mark.parametrize("word", ["Estado", "State", "Edo", "N/A", "edo."])
def test_placeholder_state_words_are_refused(write_csv, word):
    [p] = _problems(write_csv, f"UNHCR,,{word},,\n")
    assert (p.row, p.column, p.value) == (2, "state", word)
    assert "not a placeholder" in p.expected


def test_a_point_with_no_names_takes_its_codes_from_the_point(write_csv):
    off = read_offices(write_csv("offices.csv", HEADER + f"UNHCR,,,{ZOCALO}\nIOM,,,14.9067,-92.2631\n"))
    assert off["cvegeo"].tolist() == ["09015", "07089"]
    assert off["cve_ent"].tolist() == ["09", "07"]
    assert off["state"].tolist() == ["Ciudad de México", "Chiapas"]
    assert off["placed"].tolist() == ["coordinates", "coordinates"]
    assert _inside_own_municipality(off)


def test_a_state_only_row_gets_the_municipality_of_its_point(write_csv):
    off = read_offices(write_csv("offices.csv", HEADER + "UNHCR,,Chiapas,14.9067,-92.2631\n"))
    assert (off["cvegeo"].item(), off["cve_ent"].item(), off["placed"].item()) == ("07089", "07", "coordinates")


def test_mexico_city_names_the_whole_entity(write_csv):
    # "Ciudad de México" names no alcaldía: without a point the office is at state precision (no
    # municipality, no point); a point in any borough agrees with the name and counts there.
    off = read_offices(write_csv("offices.csv", HEADER + "UNHCR,Ciudad de México,Ciudad de México,19.36,-99.16\n"
                                                         "UNDP,Ciudad de México,Ciudad de México,,\n"))
    assert off["cvegeo"].iloc[0] != "09015" and off["cve_ent"].iloc[0] == "09"
    assert off["precision"].tolist() == ["point", "state"]
    assert off["cvegeo"].iloc[1] is None and off["cve_ent"].iloc[1] == "09" and off.geometry.iloc[1] is None
    assert _inside_own_municipality(off.iloc[[0]])


def test_a_point_just_off_the_coast_goes_to_the_nearest_municipality(write_csv):
    # 1.6 km off Cancún's simplified shore: in no polygon, within the tolerance of 23005.
    off = read_offices(write_csv("offices.csv", HEADER + "UNHCR,,,21.15,-86.74\nIOM,Cancún,,21.15,-86.74\n"))
    assert off["cvegeo"].tolist() == ["23005", "23005"]


def test_a_point_at_sea_is_a_problem(write_csv):
    problems = _problems(write_csv, "UNHCR,,,20.0,-95.0\nIOM,Tijuana,,20.0,-95.0\n")
    assert [(p.row, p.column) for p in problems] == [(2, "lat/lon"), (3, "lat/lon")]
    assert problems[0].expected == "a point on land in a Mexican municipality (or within 5 km of one)"
    assert "the point is in no municipality" in problems[1].expected


def test_a_wrong_name_is_one_problem_not_two(write_csv):
    # The point is not also checked against a name that could not be resolved.
    problems = _problems(write_csv, f"UNHCR,Xyzzyville,Jalisco,{ZOCALO}\nIOM,Tijuana,Narnia,{ZOCALO}\n")
    assert [(p.row, p.column) for p in problems] == [(2, "city"), (3, "state")]


def test_offices_named_only_by_their_points_are_told_apart_by_them(write_csv):
    off = read_offices(write_csv("offices.csv", HEADER + f"UNHCR,,,{ZOCALO}\nUNHCR,,,14.9067,-92.2631\n"))
    assert len(off) == 2
    [p] = _problems(write_csv, f"UNHCR,,,{ZOCALO}\nUNHCR,,,{ZOCALO}\n")
    assert "repeated on lines [2, 3]" in p.expected


def test_two_offices_of_one_agency_in_one_city_are_told_apart_by_their_points(write_csv):
    # Two points about 1 km apart, both in Tapachula (07089).
    rows = "UNHCR,Tapachula,Chiapas,14.9067,-92.2631\nUNHCR,Tapachula,Chiapas,14.9000,-92.2700\n"
    assert len(read_offices(write_csv("offices.csv", HEADER + rows))) == 2
    [p] = _problems(write_csv, "UNHCR,Tapachula,Chiapas,14.9067,-92.2631\nUNHCR,Tapachula,Chiapas,14.9067,-92.2631\n")
    assert "repeated on lines [2, 3]" in p.expected and "nan" not in str(p.value)


def test_names_are_resolved_once_per_distinct_place_not_per_row(write_csv, monkeypatch):
    # Issue 17: the reader resolved (and filtered localities) once per row; 200,000 rows took minutes.
    from brecha.places import Gazetteer

    gz = Gazetteer.default()
    calls = []
    real = gz.resolve
    monkeypatch.setattr(gz, "resolve", lambda *a, **k: calls.append(a) or real(*a, **k))
    places = ["Tapachula,Chiapas", "Tijuana,Baja California", "Monterrey,Nuevo León", ",Sonora"]
    rows = "".join(f"UNHCR,{places[i % 4]},,,{i}\n" for i in range(2_000))
    off = read_offices(write_csv("offices.csv", "agency,city,state,lat,lon,office_type\n" + rows), gazetteer=gz)
    assert len(off) == 2_000 and len(calls) == 3  # three distinct cities; a state alone needs no resolve
    assert off["cvegeo"].iloc[:3].tolist() == ["07089", "02004", "19039"]
