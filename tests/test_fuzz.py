"""Property-based tests: the resolver and the CSV readers on arbitrary input.

The resolver only ever raises :class:`~brecha.errors.PlaceError`, returns
its own canonical answers unchanged, and ignores case and accents. The
readers only ever raise brecha's errors, whatever bytes they are given.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
from itertools import count

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from brecha import geography
from brecha.errors import AmbiguousPlaceError, BrechaError, InputWarning, PlaceError
from brecha.places import Gazetteer, _short_forms, normalize
from brecha.sources import (
    read_census_localities,
    read_census_municipal,
    read_coneval_municipal,
    read_denue,
    read_initiatives,
    read_offices,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_MUNIS = geography.municipalities()[["cvegeo", "name", "state_name"]]
MUNICIPALITIES = list(_MUNIS.itertuples(index=False, name=None))
_STATES = geography.states()
STATE_NAMES = sorted(set(_STATES["name"]) | set(_STATES["short_name"]))
NAMES = sorted(set(_MUNIS["name"]) | set(STATE_NAMES))


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.default()


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@st.composite
def respelled(draw, text: str) -> str:
    """``text`` with random case per letter and, half the time, no accents."""
    if draw(st.booleans()):
        text = strip_accents(text)
    upper = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if u else c.lower() for c, u in zip(text, upper))


def outcome(gz: Gazetteer, text: str, **kw) -> tuple:
    """What resolving gives, comparable across spellings: the place, or the error and its candidates."""
    try:
        p = gz.resolve(text, **kw)
    except PlaceError as err:
        return (type(err).__name__, tuple(sorted(c.get("cvegeo") or c.get("cve_ent") for c in err.candidates)))
    return (p.level, p.cve_ent, p.cvegeo, p.locality)


# --- the resolver -------------------------------------------------------------------

PLACEISH = st.lists(st.one_of(st.sampled_from(NAMES), st.sampled_from([",", ".", " ", "de", "Cd.", "N.L.", "0", "15",
                                                                       "01001", "ñ", "\t", "(", "-"])),
                    min_size=1, max_size=4).map(" ".join)


@SLOW  # unknown names cost a fuzzy search over 2,469 names each
@example(text="01001", state=None, level="state")  # a municipal code must not answer level="state"
@example(text="01001", state=None, level="municipality")
@given(text=st.one_of(st.text(max_size=40), PLACEISH),
       state=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(STATE_NAMES)),
       level=st.sampled_from(["any", "state", "municipality"]))
def test_resolver_only_raises_place_errors(gz, text, state, level):
    try:
        p = gz.resolve(text, state=state, level=level)
    except PlaceError as err:
        assert str(err)  # a message, and candidates that carry codes
        assert all(c.get("cvegeo") or c.get("cve_ent") for c in err.candidates)
        return
    assert p.level in ("state", "municipality")
    assert level != "state" or p.level == "state"
    if level == "municipality" and p.level == "state":
        # Only a name of a state and of no municipality ("Ciudad de México") answers the state here.
        names = [text] + ([text.rsplit(",", 1)[0]] if "," in text else [])
        assert p.precision == "state" and p.cvegeo is None
        assert any(getattr(gz.resolve_state(n), "cve_ent", None) == p.cve_ent for n in names)
    assert p.cve_ent in set(_STATES["cve_ent"])
    assert p.cvegeo is None or (p.level == "municipality" and p.cvegeo[:2] == p.cve_ent)


@FAST
@given(muni=st.sampled_from(MUNICIPALITIES))
def test_resolver_is_idempotent_on_canonical_names(gz, muni):
    cvegeo, name, state_name = muni
    assert gz.resolve(cvegeo).cvegeo == cvegeo
    try:
        p = gz.resolve(f"{name}, {state_name}")
    except AmbiguousPlaceError as err:
        # INEGI's own homonyms in one state (San Pedro Mixtepec, Oaxaca), or a name that is also the
        # short form of a neighbour's (Atizapán and Atizapán de Zaragoza, both in México): never a guess.
        assert cvegeo in {c["cvegeo"] for c in err.candidates}
        key = normalize(name.rstrip("."))
        assert all(normalize(c["name"].rstrip(".")) == key or key in _short_forms(normalize(c["name"]))
                   for c in err.candidates)
        return
    assert p.cvegeo == cvegeo
    again = gz.resolve(f"{p.name}, {p.state_name}")
    assert (again.cvegeo, again.name, again.state_name) == (p.cvegeo, p.name, p.state_name)


@FAST
@given(text=st.one_of(st.sampled_from(NAMES), PLACEISH))
def test_resolving_a_canonical_answer_gives_it_back(gz, text):
    try:
        p = gz.resolve(text)
    except PlaceError:
        return
    canonical = p.name if p.level == "state" else f"{p.name}, {p.state_name}"
    try:
        q = gz.resolve(canonical)
    except AmbiguousPlaceError as err:
        assert p.cvegeo in {c["cvegeo"] for c in err.candidates}
        return
    assert (q.level, q.cve_ent, q.cvegeo) == (p.level, p.cve_ent, p.cvegeo)


@FAST
@given(data=st.data(), muni=st.sampled_from(MUNICIPALITIES))
def test_municipality_pairs_ignore_case_and_accents(gz, data, muni):
    _, name, state_name = muni
    query = f"{name}, {state_name}"
    variant = f"{data.draw(respelled(name))}, {data.draw(respelled(state_name))}"
    assert outcome(gz, variant) == outcome(gz, query)


@FAST
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_names_ignore_case_and_accents(gz, data, name):
    variant = data.draw(respelled(name))
    assert outcome(gz, variant) == outcome(gz, name)


@FAST
@given(data=st.data(), muni=st.sampled_from(MUNICIPALITIES))
def test_state_argument_ignores_case_and_accents(gz, data, muni):
    _, name, state_name = muni
    variant = data.draw(respelled(state_name))
    assert outcome(gz, name, state=variant) == outcome(gz, name, state=state_name)


# --- the readers ------------------------------------------------------------------------

READERS = {
    "offices": (read_offices, ["agency", "city", "state", "lat", "lon", "year_reported", "status"]),
    "initiatives": (read_initiatives, ["initiative", "agencies", "year", "theme", "states", "municipalities"]),
    "census_municipal": (read_census_municipal, ["cvegeo", "pobtot", "p_0a2", "p_3a5", "loc", "mun"]),
    "census_localities": (read_census_localities, ["entidad", "mun", "loc", "longitud", "latitud", "pobtot"]),
    "denue": (read_denue, ["id", "inegi", "codigo_act", "per_ocu", "latitud", "longitud", "tipo"]),
    "coneval": (read_coneval_municipal, ["cvegeo", "pobreza", "pobreza_pob", "pobreza_porcentaje"]),
}

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "*", "N/D", "0", "-5", "1e309", "nan", "inf", "01001", "1001", "001", "0000", "9999",
                     "624411", "623311", "21.9", "-102.3", "102°17'45.768\" W", "32,5", "1,234", "1.234,5", "2020",
                     "Tijuana", "Benito Juárez", "Chiapas; Narnia", "Cancún, Quintana Roo", "0 a 5 personas",
                     "Público", "existing", "=HYPERLINK(\"x\")", '"', "\n", ";", "\x00", "\ufeff"]),
)
_names = count()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _read_only_brecha_errors(reader, path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # extra columns are fine here
        try:
            reader(path)
        except BrechaError:
            pass


@SLOW
@example(which="offices", data=b'"', suffix=".csv")  # found by this test: a lone quote, no header
@given(which=st.sampled_from(sorted(READERS)), data=st.binary(max_size=400),
       suffix=st.sampled_from([".csv", ".csv.gz", ".xlsx", ".txt"]))
def test_readers_survive_random_bytes(scratch, which, data, suffix):
    reader, _ = READERS[which]
    path = scratch / f"bytes{next(_names)}{suffix}"
    path.write_bytes(data)
    _read_only_brecha_errors(reader, path)


@SLOW
@given(which=st.sampled_from(sorted(READERS)), data=st.data(),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_readers_survive_random_tables(scratch, which, data, delimiter, encoding):
    reader, header = READERS[which]
    # Mostly rows as wide as the header, so the cells reach the column checks.
    width = st.one_of(st.just(len(header)), st.integers(0, len(header) + 2))
    rows = data.draw(st.lists(width.flatmap(lambda n: st.lists(CELLS, min_size=n, max_size=n)), max_size=6))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    w.writerows(rows)
    path = scratch / f"table{next(_names)}.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    _read_only_brecha_errors(reader, path)


@settings(SLOW, max_examples=50)  # each example places up to five offices
@given(rows=st.lists(st.tuples(st.sampled_from(MUNICIPALITIES), CELLS, CELLS), min_size=1, max_size=5))
def test_offices_reader_places_or_reports_every_row(scratch, rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["agency", "city", "state", "office_type"])
    for i, ((_, name, state), a, b) in enumerate(rows):
        w.writerow([f"agency{i}", name, state, f"{a}{b}"])
    path = scratch / f"offices{next(_names)}.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)  # "agency0" is not in the agency catalogue: fine here
            off = read_offices(path)
    except BrechaError as err:
        assert all(p.file == str(path) and (p.row is None or p.row >= 1) for p in err.problems)
        return
    assert len(off) == len(rows)  # nothing lost
    for (cvegeo, _, _), got in zip((r[0] for r in rows), off["cvegeo"]):
        assert got == cvegeo
