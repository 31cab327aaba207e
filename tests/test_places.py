"""The place resolver: names as reports write them -> INEGI codes.

Covers accents, case, abbreviations, short forms, localities, "Municipality,
State" pairs, ambiguity and unknown names, and ``brecha resolve``.
"""

from __future__ import annotations

import json

import pytest

from brecha.errors import AmbiguousPlaceError, PlaceError, UnknownPlaceError
from brecha.places import Gazetteer, normalize, resolve

STATES = [
    # (query, cve_ent)
    ("Oaxaca", "20"), ("oaxaca", "20"), ("OAXACA", "20"),
    ("Yucatán", "31"), ("Yucatan", "31"), ("YUCATÁN", "31"),
    ("Nuevo León", "19"), ("nuevo leon", "19"), ("N.L.", "19"), ("NL", "19"),
    ("BCS", "03"), ("Baja California Sur", "03"), ("BC", "02"), ("Baja California Norte", "02"),
    ("Edomex", "15"), ("Estado de México", "15"), ("estado de mexico", "15"), ("Mex.", "15"),
    ("CDMX", "09"), ("Ciudad de México", "09"), ("Distrito Federal", "09"), ("D.F.", "09"), ("Mexico City", "09"),
    ("Michoacán", "16"), ("Michoacán de Ocampo", "16"), ("Veracruz", "30"),
    ("Veracruz de Ignacio de la Llave", "30"), ("Coahuila", "05"), ("Coahuila de Zaragoza", "05"),
    ("Q. Roo", "23"), ("Qroo", "23"), ("SLP", "24"), ("San Luis", "24"), ("Ags.", "01"),
    ("09", "09"), ("9", "09"),
]


@pytest.mark.parametrize("query,cve_ent", STATES)
def test_states(query, cve_ent):
    p = resolve(query)
    assert (p.level, p.cve_ent, p.cvegeo) == ("state", cve_ent, None)
    assert p.name == p.state_name


MUNICIPALITIES = [
    # (query, kwargs, cvegeo, locality the answer went through)
    ("Tijuana", {}, "02004", None),
    ("tijuana", {}, "02004", None),
    ("Mérida", {}, "31050", None),
    ("MERIDA", {}, "31050", None),
    ("Cd. Juárez", {}, "08037", None),
    ("Ciudad Juárez", {}, "08037", None),
    ("cd juarez", {}, "08037", None),
    ("Cancún", {}, "23005", "Cancún"),
    ("cancun", {}, "23005", "Cancún"),
    ("Villahermosa", {}, "27004", "Villahermosa"),
    ("Playa del Carmen", {}, "23008", "Playa del Carmen"),
    ("Cabo San Lucas", {}, "03008", "Cabo San Lucas"),
    ("Acapulco", {}, "12001", None),  # short form of Acapulco de Juárez
    ("Chilpancingo", {}, "12029", None),
    ("Oaxaca de Juárez", {}, "20067", None),
    ("Tijuana, Baja California", {}, "02004", None),
    ("Tijuana, BC", {}, "02004", None),
    ("Benito Juárez, Quintana Roo", {}, "23005", None),
    ("benito juarez, q. roo", {}, "23005", None),
    ("Benito Juárez, CDMX", {}, "09014", None),
    ("Benito Juárez", {"state": "Sonora"}, "26071", None),
    ("Juárez, Chihuahua", {}, "08037", None),
    ("Juárez", {"state": "N.L."}, "19031", None),
    ("Puebla, Puebla", {}, "21114", None),
    ("Veracruz, Veracruz", {}, "30193", None),
    ("Oaxaca", {"level": "municipality"}, "20067", None),
    ("Solidaridad, Quintana Roo", {}, "23008", None),
    ("01001", {}, "01001", None),
    ("23005", {}, "23005", None),
]


@pytest.mark.parametrize("query,kwargs,cvegeo,locality", MUNICIPALITIES)
def test_municipalities(query, kwargs, cvegeo, locality):
    p = resolve(query, **kwargs)
    assert (p.level, p.cvegeo, p.cve_ent) == ("municipality", cvegeo, cvegeo[:2])
    assert p.locality == locality
    assert p.query == query


def test_answers_say_how_they_matched():
    assert resolve("Cancún").matched_by == "urban_locality"
    assert resolve("Cd. Juárez").matched_by == "city_alias"
    assert resolve("Tijuana").matched_by == "municipality_name"
    assert resolve("Acapulco").matched_by == "municipality_short_name"
    assert resolve("01001").matched_by == "code"
    assert resolve("Edomex").matched_by == "state_name"


@pytest.mark.parametrize("query,n", [("Benito Juárez", 7), ("benito juarez", 7), ("Juárez", 5)])
def test_ambiguous_names_list_every_candidate_with_codes(query, n):
    with pytest.raises(AmbiguousPlaceError) as info:
        resolve(query)
    err = info.value
    assert isinstance(err, PlaceError) and isinstance(err, LookupError)
    assert len(err.candidates) == n
    assert all(c["level"] == "municipality" and len(c["cvegeo"]) == 5 for c in err.candidates)
    assert "add the state" in str(err)
    for c in err.candidates:
        assert f"{c['cvegeo']}  {c['name']}, {c['state_name']}" in str(err)


def test_benito_juarez_candidates():
    with pytest.raises(AmbiguousPlaceError) as info:
        resolve("Benito Juárez")
    assert {c["cvegeo"] for c in info.value.candidates} == {"09014", "12014", "23005", "26071", "29045", "30027",
                                                            "32004"}


def test_homonyms_within_a_state_stay_ambiguous():
    # INEGI has two San Pedro Mixtepec in Oaxaca (different districts): the name cannot pick one.
    with pytest.raises(AmbiguousPlaceError) as info:
        resolve("San Pedro Mixtepec, Oaxaca")
    assert {c["cvegeo"] for c in info.value.candidates} == {"20318", "20319"}
    assert resolve("20319").cvegeo == "20319"  # the code always can


@pytest.mark.parametrize("query,kwargs,says", [
    ("Xyzzyville", {}, "unknown place 'Xyzzyville'"),
    ("Guadalajaraa", {}, "close names"),
    ("Tijuana, Yucatán", {}, "'Tijuana' is not a municipality of Yucatán; it is Tijuana, Baja California (02004)"),
    ("Tijuana", {"state": "Yucatán"}, "not a municipality of Yucatán"),
    ("Tijuana", {"state": "Narnia"}, "unknown state 'Narnia'"),
    ("Tijuana", {"level": "state"}, "unknown state 'Tijuana'"),
    ("99999", {}, "no municipality with code 99999"),
    ("", {}, "empty place name"),
    ("   ", {}, "empty place name"),
])
def test_unknown_places_raise(query, kwargs, says):
    with pytest.raises(UnknownPlaceError) as info:
        resolve(query, **kwargs)
    assert says in str(info.value)


def test_unknown_names_suggest_close_spellings_with_codes():
    with pytest.raises(UnknownPlaceError) as info:
        resolve("Guadalajaraa")
    assert "14039" in {c["cvegeo"] for c in info.value.candidates}
    assert "14039  Guadalajara, Jalisco" in str(info.value)


def test_unknown_names_without_close_spellings_say_so():
    with pytest.raises(UnknownPlaceError) as info:
        resolve("Xyzzyville")
    assert info.value.candidates == []
    assert str(info.value) == "unknown place 'Xyzzyville'; no close names"


def test_wrong_state_names_the_right_one():
    with pytest.raises(UnknownPlaceError) as info:
        resolve("Tijuana, Yucatán")
    assert [c["cvegeo"] for c in info.value.candidates] == ["02004"]


def test_wrong_state_is_not_rescued_by_a_hamlet_of_the_same_name():
    with pytest.raises(PlaceError):
        resolve("Tijuana", state="Jalisco")


def test_edo_mex_abbreviation():
    assert resolve("Edo. Méx.").cve_ent == "15"


def test_level_state_refuses_municipal_codes():
    with pytest.raises(UnknownPlaceError):
        resolve("01001", level="state")


def test_normalize():
    assert normalize("  Cd. Juárez ") == "ciudad juarez"
    assert normalize("N.L.") == "nl"
    assert normalize("SAN PEDRO TLAQUEPAQUE") == "san pedro tlaquepaque"
    assert normalize("Gral. Escobedo") == "general escobedo"


def test_gazetteer_is_cached():
    assert Gazetteer.default() is Gazetteer.default()


# --- brecha resolve -----------------------------------------------------------------

def _cli(argv, capsys) -> tuple[int, str, str]:
    from brecha.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


JSON_KEYS = {"level", "cve_ent", "cvegeo", "name", "state_name", "matched_by"}


def test_resolve_json_municipality(capsys):
    code, out, _ = _cli(["resolve", "--json", "Cancún"], capsys)
    assert code == 0
    ans = json.loads(out)
    assert JSON_KEYS <= set(ans)
    assert (ans["level"], ans["cve_ent"], ans["cvegeo"], ans["name"], ans["state_name"], ans["matched_by"]) == (
        "municipality", "23", "23005", "Benito Juárez", "Quintana Roo", "urban_locality")
    assert ans["locality"] == "Cancún"


def test_resolve_json_state_has_null_cvegeo(capsys):
    code, out, _ = _cli(["resolve", "--json", "Edomex"], capsys)
    assert code == 0
    ans = json.loads(out)
    assert ans["level"] == "state" and ans["cve_ent"] == "15" and ans["cvegeo"] is None
    assert '"cvegeo": null' in out


def test_resolve_text_output(capsys):
    code, out, _ = _cli(["resolve", "Villahermosa"], capsys)
    assert code == 0
    assert out.strip() == "27004\tmunicipality\tCentro, Tabasco\t[urban_locality] (locality Villahermosa)"


def test_resolve_joins_words_and_takes_a_state(capsys):
    code, out, _ = _cli(["resolve", "--json", "Benito", "Juárez", "--state", "Q. Roo"], capsys)
    assert code == 0 and json.loads(out)["cvegeo"] == "23005"


@pytest.mark.parametrize("argv", [["resolve", "Benito Juárez"], ["resolve", "--json", "Benito Juárez"],
                                  ["resolve", "Xyzzyville"], ["resolve", "--json", "Xyzzyville"]])
def test_resolve_exits_2_for_ambiguous_or_unknown(capsys, argv):
    code, out, err = _cli(argv, capsys)
    assert code == 2
    if "--json" in argv:
        ans = json.loads(out)
        assert ans["error"] in ("AmbiguousPlaceError", "UnknownPlaceError")
        assert ans["query"] == argv[-1]
    assert "error:" in err


def test_resolve_prints_no_dangling_close_names(capsys):
    code, out, err = _cli(["resolve", "Xyzzyville"], capsys)
    assert code == 2
    assert err.strip() == "error: unknown place 'Xyzzyville'; no close names"
    code, out, _ = _cli(["resolve", "--json", "Xyzzyville"], capsys)
    assert json.loads(out)["message"] == "unknown place 'Xyzzyville'; no close names"
    code, _, err = _cli(["resolve", "Guadalajaraa"], capsys)
    assert err.splitlines()[:2] == ["error: unknown place 'Guadalajaraa'; close names:",
                                    "  14039  Guadalajara, Jalisco  (municipality)"]
