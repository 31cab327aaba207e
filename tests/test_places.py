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


JSON_KEYS = {"level", "cve_ent", "cvegeo", "name", "state_name", "matched_by", "precision", "alternatives"}


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
    assert out.strip() == ("27004\tmunicipality\tCentro, Tabasco\t[urban_locality; precision point] "
                           "(locality Villahermosa)")


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


# --- a resolver that never guesses (issue 13.6) ------------------------------------------
# Spellings as the agencies' reports write them (/work/shared/data/agencies: offices.csv `city`/`state`,
# initiatives.csv `states`/`municipalities`, and names in the `source_quote` texts), with the answer the
# report means: a 5-character cvegeo, a 2-character cve_ent (state precision), or the set of candidates
# when the words alone cannot say which municipality (never answered silently).
A = "ambiguous"
REPORT_SPELLINGS = [
    # offices.csv: (city, state)
    ("Tijuana", "Baja California", "02004"), ("Mexicali", "Baja California", "02002"),
    ("Acapulco", "Guerrero", "12001"), ("Acayucan", "Veracruz de Ignacio de la Llave", "30003"),
    ("Aguascalientes", "Aguascalientes", "01001"), ("Campeche", "Campeche", "04002"),
    ("Cancún", "Quintana Roo", "23005"), ("Chihuahua", "Chihuahua", "08019"), ("Chilpancingo", "Guerrero", "12029"),
    ("Ciudad Juárez", "Chihuahua", "08037"), ("Ciudad de México", "Ciudad de México", "09"),
    ("Guadalajara", "Jalisco", "14039"), ("Los Cabos", "Baja California Sur", "03008"),
    ("Matamoros", "Tamaulipas", "28022"), ("Miguel Hidalgo", "Ciudad de México", "09016"),
    ("Monterrey", "Nuevo León", "19039"), ("Morelia", "Michoacán de Ocampo", "16053"), ("Mérida", "Yucatán", "31050"),
    ("Oaxaca", "Oaxaca", "20067"), ("Palenque", "Chiapas", "07065"),
    ("Piedras Negras", "Coahuila de Zaragoza", "05025"),
    ("Puebla", "Puebla", "21114"), ("Saltillo", "Coahuila de Zaragoza", "05030"), ("Tapachula", "Chiapas", "07089"),
    ("Tenosique", "Tabasco", "27017"), ("Toluca", "México", "15106"), ("Tuxtla Gutiérrez", "Chiapas", "07101"),
    ("Villahermosa", "Tabasco", "27004"), ("Zacatecas", "Zacatecas", "32056"),
    # initiatives.csv `municipalities`: "Municipality, State"
    ("Heroica Ciudad de Juchitán de Zaragoza, Oaxaca", None, "20043"), ("Acapulco de Juárez, Guerrero", None, "12001"),
    ("Benito Juárez, Quintana Roo", None, "23005"), ("Centro, Tabasco", None, "27004"),
    ("Coatzacoalcos, Veracruz de Ignacio de la Llave", None, "30039"), ("Coyuca de Benítez, Guerrero", None, "12021"),
    ("Culiacán, Sinaloa", None, "25006"), ("Huixquilucan, México", None, "15037"),
    ("Iztapalapa, Ciudad de México", None, "09007"), ("Juárez, Chihuahua", None, "08037"),
    ("Larráinzar, Chiapas", None, "07049"), ("Oaxaca de Juárez, Oaxaca", None, "20067"),
    ("Pachuca de Soto, Hidalgo", None, "13048"), ("Querétaro, Querétaro", None, "22014"),
    ("San Luis Potosí, San Luis Potosí", None, "24028"), ("San Nicolás de los Garza, Nuevo León", None, "19046"),
    ("Santa María Tlahuitoltepec, Oaxaca", None, "20437"), ("Tláhuac, Ciudad de México", None, "09011"),
    ("Xochimilco, Ciudad de México", None, "09013"),
    # quotes: bare names
    ("Juchitán", None, (A, {"12080", "20043"})), ("Juchitan", None, (A, {"12080", "20043"})),
    ("Juchitan", "Oaxaca", "20043"), ("Juchitán de Zaragoza", None, "20043"),
    ("Tlalnepantla", None, (A, {"15104", "17023"})), ("Tlalnepantla", "Estado de México", "15104"),
    ("Atizapán", None, (A, {"15012", "15013"})), ("Atizapán de Zaragoza", None, "15013"),
    ("Tapachula", None, "07089"), ("Tijuana", None, "02004"), ("Monterrey", None, "19039"), ("Mexicali", None, "02002"),
    ("Guadalajara", None, "14039"), ("Ciudad Juarez", None, "08037"), ("Cd. Juárez", None, "08037"),
    ("Juárez", None, (A, {"05015", "07048", "08037", "16046", "19031"})), ("Tenosique", None, "27017"),
    ("Piedras Negras", None, "05025"), ("Matamoros", None, (A, {"05017", "08044", "28022"})),
    ("Tuxtla Gutierrez", None, "07101"), ("Palenque", None, "07065"), ("Saltillo", None, "05030"),
    ("Villahermosa", None, "27004"), ("Acapulco", None, "12001"), ("Cancún", None, "23005"), ("Mérida", None, "31050"),
    ("Iztapalapa", None, "09007"), ("Tlahuac", None, "09011"), ("Los Cabos", None, "03008"), ("Morelia", None, "16053"),
    ("Coyuca", None, (A, {"12021", "12022"})), ("Larrainzar", None, "07049"), ("Pachuca", None, "13048"),
    ("Culiacán", None, "25006"), ("San Nicolas de los Garza", None, "19046"),
    ("San Nicolás", None, (A, {"19046", "20289", "21138", "28036"})), ("Huixquilucan", None, "15037"),
    ("Solidaridad", None, "23008"),
    # states as the reports write them (a state's name answers the state, municipality or not)
    ("Mexico City", None, "09"), ("CDMX", None, "09"), ("Ciudad de México", None, "09"), ("Chiapas", None, "07"),
    ("Chihuahua", None, "08"), ("Baja California", None, "02"), ("Baja California Norte", None, "02"),
    ("Guerrero", None, "12"), ("Oaxaca", None, "20"), ("Sonora", None, "26"), ("Jalisco", None, "14"),
    ("Puebla", None, "21"), ("Tabasco", None, "27"), ("Aguascalientes", None, "01"), ("Nuevo Leon", None, "19"),
    ("Yucatan", None, "31"), ("Hidalgo", None, "13"), ("Michoacan", None, "16"), ("Coahuila", None, "05"),
    ("Veracruz", None, "30"), ("Campeche", None, "04"), ("Sinaloa", None, "25"), ("Guanajuato", None, "11"),
    ("Querétaro", None, "22"), ("Zacatecas", None, "32"), ("San Luis Potosí", None, "24"),
    ("Quintana Roo", None, "23"), ("State of Mexico", None, "15"), ("Estado de México", None, "15"),
    ("Tamaulipas", None, "28"), ("Tlaxcala", None, "29"), ("Durango", None, "10"),
]


@pytest.mark.parametrize("query,state,expected", REPORT_SPELLINGS)
def test_report_spellings(query, state, expected):
    if isinstance(expected, tuple):
        with pytest.raises(AmbiguousPlaceError) as info:
            resolve(query, state=state)
        assert {c["cvegeo"] for c in info.value.candidates} == expected[1]
        return
    p = resolve(query, state=state)
    assert (p.cvegeo or p.cve_ent) == expected
    assert p.precision == ("state" if len(expected) == 2 else ("point" if p.locality else "municipality"))


def test_report_table_is_large_enough():
    assert len(REPORT_SPELLINGS) >= 60


def test_every_short_form_collision_needs_a_state():
    from brecha.places import short_form_collisions

    gz = Gazetteer.default()
    collisions = short_form_collisions()
    assert "juchitan" in collisions and "tlalnepantla" in collisions and "atizapan" in collisions
    for key, codes in collisions.items():
        try:
            p = gz.resolve(key)
        except AmbiguousPlaceError as err:
            assert set(codes) <= {c["cvegeo"] for c in err.candidates}, key
            continue
        assert p.level == "state", key  # "hidalgo", "morelos": the state, the municipalities as alternatives
        assert set(codes) <= {a["cvegeo"] for a in p.alternatives}, key
    # With the state, each one that is alone of its name in its state is answered.
    for key, codes in collisions.items():
        for code in codes:
            if sum(c[:2] == code[:2] for c in codes) == 1:
                assert gz.resolve(key, state=code[:2]).cvegeo == code, (key, code)


def test_a_city_elsewhere_makes_a_municipal_name_ambiguous():
    # Xico is 30092 (Veracruz) and a city of 384,000 people in Valle de Chalco Solidaridad (15122).
    with pytest.raises(AmbiguousPlaceError) as info:
        resolve("Xico")
    assert {c["cvegeo"] for c in info.value.candidates} == {"30092", "15122"}
    assert resolve("Xico", state="Veracruz").cvegeo == "30092"
    from brecha.places import city_collisions

    assert city_collisions()["xico"] == ["15122", "30092"]
    # The port of Veracruz (405,952 people in 30193) is larger than Boca del Río's Veracruz locality.
    assert resolve("Veracruz", level="municipality").cvegeo == "30193"


def test_state_names_that_are_municipalities_list_them_as_alternatives():
    gz = Gazetteer.default()
    seen = 0
    for ent in gz.states.index:
        name = gz.state_name(ent)
        p = gz.resolve(name)
        assert (p.level, p.cve_ent, p.precision) == ("state", ent, "state")
        same = {c for c, n in zip(gz.munis.index, gz.munis["name"]) if normalize(n) == normalize(name)}
        assert same <= {a["cvegeo"] for a in p.alternatives}, name
        seen += bool(same)
    assert seen >= 10  # Aguascalientes, Campeche, Chihuahua, Colima, Durango, Puebla, ...
    alt = resolve("Aguascalientes").alternatives
    assert [a["cvegeo"] for a in alt] == ["01001"] and alt[0]["level"] == "municipality"


@pytest.mark.parametrize("query", ["Ciudad de México", "CDMX", "Mexico City", "cdmx", "Ciudad de Mexico"])
@pytest.mark.parametrize("level", ["any", "municipality"])
def test_mexico_city_without_alcaldia_is_the_state(query, level):
    p = resolve(query, level=level)
    assert (p.level, p.cve_ent, p.cvegeo, p.precision) == ("state", "09", None, "state")
    assert resolve(query, state="CDMX", level=level).cvegeo is None


def test_resolve_aguascalientes_json_lists_the_municipality(capsys):
    code, out, err = _cli(["resolve", "--json", "Aguascalientes"], capsys)
    ans = json.loads(out)
    assert code == 0 and ans["level"] == "state" and ans["precision"] == "state"
    assert [a["cvegeo"] for a in ans["alternatives"]] == ["01001"]
    code, out, err = _cli(["resolve", "Aguascalientes"], capsys)
    assert out.startswith("01\tstate\t") and "also names 01001" in err


@pytest.mark.parametrize("query", ["Juchitán", "Tlalnepantla", "Atizapán"])
def test_cli_refuses_colliding_short_forms(capsys, query):
    code, out, err = _cli(["resolve", query], capsys)
    assert code == 2 and out == "" and "add the state" in err


# --- the precomputed gazetteer and the search index ------------------------------------------

def test_shipped_gazetteer_regenerates_to_the_same_bytes():
    from brecha import _gazetteer
    from brecha.settings import DATA_DIR

    shipped = (DATA_DIR / _gazetteer.FILE_NAME).read_bytes()
    assert _gazetteer.build_from(DATA_DIR) == shipped, "run: python -m brecha.sources._embed --gazetteer"


def test_names_of_states_and_municipalities_never_decompress_the_localities():
    import gzip

    from brecha import _gazetteer
    from brecha.settings import DATA_DIR

    path = DATA_DIR / _gazetteer.FILE_NAME
    gz = Gazetteer.from_data(_gazetteer.read(path))
    assert gz.resolve("Aguascalientes").level == "state" and gz.resolve("Tijuana").cvegeo == "02004"
    assert gz.localities._loaded is None
    assert gz.resolve("Cancún").locality == "Cancún" and gz.localities._loaded is not None
    whole = gzip.decompress(path.read_bytes()).decode("utf-8")  # one file to zcat: both members
    assert whole.startswith("#brecha-gazetteer 1\n") and "\ncancun\t23005\t888797\tCancún\n" in whole


def test_gazetteer_from_frames_answers_like_the_shipped_file():
    import pandas as pd

    from brecha import geography
    from brecha.settings import DATA_DIR

    loc = geography.localities()
    small = loc[loc["cve_ent"].isin(["20", "12", "23"])]
    names = pd.read_csv(DATA_DIR / "municipal_names_mg2023.csv", dtype=str)
    gz = Gazetteer(geography.municipalities(), geography.states(), small, names)
    for q in ["Juchitán, Oaxaca", "Cancún", "Acapulco", "Aguascalientes", "20043"]:
        a, b = gz.resolve(q), resolve(q)
        assert (a.level, a.cvegeo, a.cve_ent, a.precision, a.alternatives) == (
            b.level, b.cvegeo, b.cve_ent, b.precision, b.alternatives), q
    assert "geometry" in gz.munis  # readers use the frame's polygons when it has them


@pytest.mark.parametrize("argv,heavy", [(["resolve", "Cancún"], 0), (["--help"], 0), (["resolve", "Juchitán"], 0)])
def test_resolve_and_help_import_no_heavy_library(argv, heavy):
    import subprocess
    import sys

    code = (f"import sys\nfrom brecha.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'geopandas', 'shapely', 'duckdb', 'folium', 'pyarrow', 'numpy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_search_index_finds_cities_abbreviations_and_accents():
    from brecha.places import search_index

    idx = search_index()
    assert list(idx.columns) == ["key", "label", "code", "kind", "pop"]
    assert set(idx["kind"]) == {"state", "abbreviation", "municipality", "locality"}

    def first(text):
        hits = idx[idx["key"] == normalize(text)]
        assert not hits.empty, text
        return hits.iloc[0]

    assert first("Cancún")["code"] == "23005" and first("Cancún")["kind"] == "locality"
    assert first("cancun")["label"] == "Cancún (Benito Juárez, Quintana Roo)"
    assert first("Villahermosa")["code"] == "27004"
    assert (first("CDMX")["code"], first("CDMX")["kind"]) == ("09", "abbreviation")
    assert first("Edomex")["code"] == "15"
    assert first("Ciudad Juárez")["code"] == "08037"
    assert first("Acapulco")["code"] == "12001"  # short forms too
    assert set(idx.loc[idx["kind"] == "municipality", "code"]) == set(Gazetteer.default().munis.index)
    assert idx["pop"].min() >= 0 and (idx["key"] == idx["key"].map(normalize)).all()
    assert len(idx.to_json(orient="values").encode()) < 300_000


def test_readers_place_mexico_city_without_alcaldia_at_state_precision(tmp_path):
    import warnings

    from brecha.errors import InputWarning
    from brecha.sources import read_initiatives, read_offices

    off = tmp_path / "offices.csv"
    off.write_text("agency,city,state\nUNDP,Ciudad de México,Ciudad de México\nUNDP,Miguel Hidalgo,CDMX\n",
                   encoding="utf-8")
    ini = tmp_path / "initiatives.csv"
    ini.write_text('initiative,agencies,year,theme,states,municipalities\nX,UNDP,2022,health,,'
                   '"Ciudad de México;Tijuana, Baja California"\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        o, i = read_offices(off), read_initiatives(ini)
    assert o["cve_ent"].tolist() == ["09", "09"]
    assert o["cvegeo"].isna().tolist() == [True, False] and o["cvegeo"].iloc[1] == "09016"
    assert (i["cve_ents"].iloc[0], i["cvegeos"].iloc[0]) == (["02", "09"], ["02004"])
