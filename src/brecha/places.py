"""Turn place names as reports write them into INEGI codes, never guessing.

>>> resolve("Edomex").cve_ent
'15'
>>> resolve("Cancún").cvegeo, resolve("Cancún").precision
('23005', 'point')
>>> resolve("Cd. Juárez").name
'Juárez'
>>> resolve("Juchitán")
Traceback (most recent call last):
...
brecha.errors.AmbiguousPlaceError: 'Juchitán' names 2 municipalities; add the state, e.g. 'Juchitán, Guerrero':
  12080  Juchitán, Guerrero  (municipality)
  20043  Juchitán de Zaragoza, Oaxaca  (municipality)
>>> [a["cvegeo"] for a in resolve("Aguascalientes").alternatives]
['01001']

Matching runs in a fixed order and stops at the first step that gives an
answer: INEGI codes; state names, short forms and abbreviations (a state
name that is also a municipality's name answers the state and lists the
municipality under ``alternatives``); municipality names; a small table of
city aliases; and Census 2020 localities.

A municipality name is looked up in three tables at once: exact 2020 names,
short forms of long official names ("Acapulco" for "Acapulco de Juárez",
"Juchitán" for "Juchitán de Zaragoza") and 2023 names.
When they give more than one municipality ("Juchitán" is also the exact name
of 12080 in Guerrero) the name is ambiguous unless a state is given: brecha
lists the candidates and never picks one silently. So is a municipality's
name that is also the name of a larger city elsewhere ("Xico": 30092, and a
city of 384,000 people in 15122). "Ciudad de México" or
"CDMX" with no alcaldía is the state (precision ``"state"``), never an
alcaldía.

Every answer carries ``precision`` (the vocabulary of
``brecha.sources.agencies.PRECISION``: ``"point"`` for a named locality,
``"municipality"``, ``"state"``) and ``matched_by`` (which table matched).
The names come from ``data/gazetteer.tsv.gz`` (:mod:`brecha._gazetteer`),
normalised when the data is built, so a call costs milliseconds and imports
no pandas.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import _gazetteer
from ._gazetteer import CITY_ALIASES, CITY_POP, STATE_ALIASES, GazetteerData, Localities, Locality, normalize
from ._gazetteer import HONORIFIC as _HONORIFIC
from ._gazetteer import short_forms as _short_forms
from .errors import AmbiguousPlaceError, UnknownPlaceError
from .settings import DATA_DIR

if TYPE_CHECKING:  # pandas is imported only when a frame is asked for
    import pandas as pd

__all__ = ["Place", "Gazetteer", "resolve", "normalize", "search_index", "short_form_collisions", "city_collisions"]

#: INEGI's threshold for an urban locality (people).
URBAN_LOCALITY_POP = 2_500

Precision = Literal["point", "municipality", "state"]


@dataclass(frozen=True)
class Place:
    """A resolved place: a state or a municipality.

    ``precision`` is ``"point"`` when the name is a Census locality (the
    answer is the municipality containing it, named in ``locality``),
    ``"municipality"`` or ``"state"``. ``alternatives`` lists the other
    places the same words name (a municipality called like the state),
    as ``to_dict`` answers.
    """

    level: Literal["state", "municipality"]
    cve_ent: str
    cvegeo: str | None
    name: str
    state_name: str
    matched_by: str
    query: str = ""
    locality: str | None = None
    precision: Precision = "municipality"
    alternatives: tuple[dict, ...] = field(default=())

    def to_dict(self) -> dict:
        """The JSON answer of ``brecha resolve --json``."""
        d = asdict(self)
        d["alternatives"] = list(self.alternatives)
        return d


class Gazetteer:
    """Indexes of state, municipality and locality names for :meth:`resolve`.

    Parameters
    ----------
    municipalities
        ``cvegeo, name`` of the vintage (geometry, if any, is kept in :attr:`munis`).
    states
        ``cve_ent, name, short_name, abbr, abbr_code``.
    localities
        ``cvegeo, name, pop_total`` (Census 2020 localities).
    names_2023
        Optional later-frame names: ``cve_geo, nombre_municipio``.

    :meth:`default` reads the precomputed file instead, which is much faster.
    """

    def __init__(self, municipalities, states, localities, names_2023=None):
        st = states.sort_values("cve_ent")
        cols = ["cve_ent", "name", "short_name", "abbr", "abbr_code"]
        loc = Localities.from_rows((normalize(n), c, int(p), str(n)) for c, n, p in
                                   zip(localities["cvegeo"], localities["name"], localities["pop_total"].fillna(0)))
        cities: dict[str, list[Locality]] = {}
        for key, code, pop, name in loc.rows():
            if pop >= CITY_POP:
                cities.setdefault(key, []).append(Locality(code, pop, name))
        data = GazetteerData(
            {r[0]: tuple(r[1:]) for r in st[cols].astype(object).where(st[cols].notna(), "").itertuples(index=False)},
            {c: (n, normalize(n)) for c, n in zip(municipalities["cvegeo"], municipalities["name"])},
            [] if names_2023 is None else [(c, n, normalize(n)) for c, n in
                                           zip(names_2023["cve_geo"], names_2023["nombre_municipio"])],
            loc, cities)
        self._setup(data)
        self._frames: tuple[pd.DataFrame, pd.DataFrame] | None = (
            municipalities.set_index("cvegeo").sort_index(), st.set_index("cve_ent"))

    @classmethod
    def from_data(cls, data: GazetteerData) -> Gazetteer:
        """A gazetteer over parsed file contents (see :mod:`brecha._gazetteer`)."""
        gz = cls.__new__(cls)
        gz._setup(data)
        gz._frames = None
        return gz

    def _setup(self, data: GazetteerData) -> None:
        self._states = data.states
        self._names = {c: n for c, (n, _) in data.municipalities.items()}
        self._loc = data.localities
        self._cities = data.cities
        self._state_key: dict[str, str] = {}
        for ent, texts in self._states.items():
            for t in texts:
                if t:
                    self._state_key[normalize(t)] = ent
        # Alias keys go through the same normalisation as queries ("edo mex" -> "estado mex").
        self._state_key.update({normalize(k): v for k, v in STATE_ALIASES.items()})
        self._city = {normalize(k): v for k, v in CITY_ALIASES.items()}
        self._muni: dict[str, set[str]] = {}
        self._muni_short: dict[str, set[str]] = {}
        for code, (_, n) in data.municipalities.items():  # keys normalised when the file was built
            self._muni.setdefault(n, set()).add(code)
            for f in _short_forms(n):
                self._muni_short.setdefault(f, set()).add(code)
        self._muni_2023: dict[str, set[str]] = {}
        for code, _, n in data.names_2023:
            if code in self._names:
                self._muni_2023.setdefault(n, set()).add(code)

    @classmethod
    @lru_cache(maxsize=2)
    def default(cls, data_dir: Path | None = None) -> Gazetteer:
        """The gazetteer of the embedded 2020 frame and Census 2020 localities."""
        return cls.from_data(_gazetteer.read(Path(data_dir or DATA_DIR) / _gazetteer.FILE_NAME))

    # -- frames for callers that want them (built on first use: they need pandas) ------------
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The (municipalities, states) frames, built on first use."""
        if self._frames is None:
            import pandas as pd

            cols = ["name", "short_name", "abbr", "abbr_code"]
            st = pd.DataFrame([(e, *v) for e, v in self._states.items()], columns=["cve_ent", *cols])
            mu = pd.DataFrame({"cvegeo": list(self._names), "name": list(self._names.values())})
            mu["cve_ent"] = mu["cvegeo"].str[:2]
            mu["state_name"] = mu["cve_ent"].map({e: v[0] for e, v in self._states.items()})
            self._frames = (mu.set_index("cvegeo").sort_index(), st.set_index("cve_ent").sort_index())
        return self._frames

    @property
    def states(self):
        """States indexed by ``cve_ent``: ``name, short_name, abbr, abbr_code``."""
        return self._tables()[1]

    @property
    def munis(self):
        """Municipalities indexed by ``cvegeo`` (with geometry when built from a GeoDataFrame)."""
        return self._tables()[0]

    @property
    def localities(self) -> Localities:
        """Census 2020 localities by normalised name."""
        return self._loc

    # -- answers -------------------------------------------------------------
    def state_name(self, ent: str) -> str:
        """Official name of state ``ent``."""
        return self._states[ent][0]

    def municipality_name(self, cvegeo: str) -> str:
        """Name of municipality ``cvegeo`` in the 2020 frame."""
        return self._names[cvegeo]

    def _state(self, ent: str, query: str, how: str, alternatives=()) -> Place:
        name = self._states[ent][0]
        return Place("state", ent, None, name, name, how, query, None, "state", tuple(alternatives))

    def _muni_place(self, code: str, query: str, how: str, locality: str | None = None, alternatives=()) -> Place:
        ent = code[:2]
        return Place("municipality", ent, code, self._names[code], self._states[ent][0], how, query, locality,
                     "point" if locality else "municipality", tuple(alternatives))

    def describe(self, cvegeo: str) -> str:
        """A municipality as messages name it: ``'Benito Juárez, Quintana Roo (23005)'``."""
        return f"{self._names[cvegeo]}, {self._states[cvegeo[:2]][0]} ({cvegeo})"

    def _candidates(self, codes) -> list[dict]:
        return [self._muni_place(c, "", "candidate").to_dict() for c in sorted(codes)]

    def _municipal_matches(self, key: str) -> set[str]:
        """Codes whose exact, short or 2023 name is ``key`` (or its form without honorific)."""
        out: set[str] = set()
        for k in dict.fromkeys((key, _HONORIFIC.sub("", key))):
            for table in (self._muni, self._muni_short, self._muni_2023):
                out |= table.get(k, set())
        return out

    def resolve_state(self, text: str) -> Place | None:
        """The state named by ``text`` (name, short form, abbreviation, code), or ``None``.

        The answer lists under ``alternatives`` the municipalities the same
        words name ("Aguascalientes" is also 01001).
        """
        key = normalize(text)
        if re.fullmatch(r"\d{1,2}", key) and key.zfill(2) in self._states:
            return self._state(key.zfill(2), text, "code")
        if key in self._state_key:
            ent, how = self._state_key[key], "state_name"
        else:
            starts = {e for k, e in self._state_key.items() if k.startswith(key + " ")}
            if len(starts) != 1:
                return None
            ent, how = starts.pop(), "state_short_name"
        return self._state(ent, text, how, self._candidates(self._municipal_matches(key)))

    def resolve(self, text: str, *, state: str | None = None,
                level: Literal["any", "state", "municipality"] = "any") -> Place:
        """Resolve one place name; see the module docstring for the order.

        Parameters
        ----------
        text
            A state, a municipality, a city, ``"Municipality, State"`` or a code.
        state
            Restrict municipality matches to this state (any spelling).
        level
            ``"state"`` accepts only states. ``"municipality"`` prefers a
            municipality ("Oaxaca" is 20067 Oaxaca de Juárez, with the state
            under ``alternatives``), but a name of a state and of no
            municipality ("Ciudad de México", "Edomex") answers the state,
            precision ``"state"``: ``cvegeo`` is then ``None``.

        Raises
        ------
        AmbiguousPlaceError
            Several municipalities match; the candidates are listed.
        UnknownPlaceError
            Nothing matches; close spellings are suggested.
        """
        query = str(text)
        raw = query.strip()
        if not raw:
            raise UnknownPlaceError(query, "empty place name")
        if state is None and "," in raw:
            left, right = raw.rsplit(",", 1)
            st = self.resolve_state(right)
            if st is not None and left.strip():
                return self._within(left.strip(), st, query, level)
        st_filter = None
        if state is not None:
            st_filter = self.resolve_state(state)
            if st_filter is None:
                raise UnknownPlaceError(state, f"unknown state {state!r}", self._state_suggestions(state))
        key = normalize(raw)
        if re.fullmatch(r"\d{5}", key):
            if level == "state":
                raise UnknownPlaceError(query, f"{key} is a municipal code; a state code has 2 digits ({key[:2]})")
            if key in self._names:
                return self._muni_place(key, query, "code")
            raise UnknownPlaceError(query, f"no municipality with code {key} in the 2020 frame")
        if level != "municipality" and st_filter is None:
            st = self.resolve_state(raw)
            if st is not None:
                return st
        if level == "state":
            raise UnknownPlaceError(query, f"unknown state {raw!r}", self._state_suggestions(raw))
        if st_filter is not None:
            return self._within(raw, st_filter, query, level)
        return self._municipality(key, query, None)

    def _within(self, name: str, st: Place, query: str, level: str = "any") -> Place:
        key = normalize(name)
        if level == "state":
            raise UnknownPlaceError(query, f"unknown state {query!r}", self._state_suggestions(query))
        try:
            return self._municipality(key, query, st.cve_ent)
        except UnknownPlaceError as err:
            try:
                elsewhere = self._municipality(key, name, None)
            except (UnknownPlaceError, AmbiguousPlaceError):
                raise err from None
            if elsewhere.level == "state":
                raise err from None
            raise UnknownPlaceError(
                query, f"{name!r} is not a municipality of {st.name}; it is {elsewhere.name}, "
                       f"{elsewhere.state_name} ({elsewhere.cvegeo})", [elsewhere.to_dict()]) from None

    def _municipality(self, key: str, query: str, ent: str | None) -> Place:
        def pick(codes: set[str], how: str) -> Place:
            """The one municipality of ``codes`` (not empty, already within ``ent``), or the ambiguity."""
            if len(codes) > 1:
                example = self._muni_place(sorted(codes)[0], "", "")
                raise AmbiguousPlaceError(
                    query, f"{query!r} names {len(codes)} municipalities; add the state, "
                           f"e.g. '{example.name}, {example.state_name}':", self._candidates(codes))
            return self._muni_place(next(iter(codes)), query, how, alternatives=state_alt)

        named_ent = self._state_key.get(key)
        state_alt = [self._state(named_ent, "", "candidate").to_dict()] if named_ent and ent is None else []
        bare = _HONORIFIC.sub("", key)
        for k in dict.fromkeys((key, bare)):
            # Exact, short and 2023 names are one pool: a short form that is another
            # municipality's exact name ("Juchitán") names both, so it is ambiguous.
            found = [(how, table.get(k, set())) for table, how in (
                (self._muni, "municipality_name"), (self._muni_short, "municipality_short_name"),
                (self._muni_2023, "municipality_name_2023"))]
            codes = set().union(*(c for _, c in found))
            if ent is not None:
                codes = {c for c in codes if c.startswith(ent)}
            if codes:
                how = next(h for h, c in found if codes & c)
                # A state given settles it: "Morelos, Michoacán" is the municipality, not Morelia's town Morelos.
                return pick(codes | (self._cities_elsewhere(k, codes, None) if ent is None else set()), how)
        alias = self._city.get(key)
        if alias and (ent is None or alias.startswith(ent)):
            return self._muni_place(alias, query, "city_alias")
        if named_ent and (ent is None or ent == named_ent):
            # A state's name and no municipality's ("Ciudad de México"): the state, never a place in it.
            return self._state(named_ent, query, "state_name")
        hit = self._locality(key, query, ent)
        if hit:
            return hit
        where = f" in {self._states[ent][0]}" if ent else ""
        close = self._suggest(key, ent)
        # The colon introduces the list PlaceError prints below; with no list there is nothing to introduce.
        tail = "; close names:" if close else "; no close names"
        raise UnknownPlaceError(query, f"unknown place {query!r}{where}{tail}", close)

    def _cities_elsewhere(self, key: str, codes: set[str], ent: str | None) -> set[str]:
        """Municipalities outside ``codes`` holding a city called ``key`` larger than any locality of
        that name inside ``codes`` (the name may mean either)."""
        # Only cities (CITY_POP+) can outrank: the short [cities] list spares decompressing all localities.
        loc = [r for r in self._cities.get(key, []) if ent is None or r.cvegeo.startswith(ent)]
        own = max((r.pop_total for r in loc if r.cvegeo in codes), default=0)
        return {r.cvegeo for r in loc if r.cvegeo not in codes and r.pop_total >= max(CITY_POP, own + 1)}

    def _locality(self, key: str, query: str, ent: str | None) -> Place | None:
        loc = self._loc.get(key)
        if ent is not None:
            loc = [r for r in loc if r.cvegeo.startswith(ent)]
        if not loc:
            return None
        if ent is not None and key in self._muni and all(r.pop_total < URBAN_LOCALITY_POP for r in loc):
            # "Tijuana, Jalisco": a hamlet sharing a city's name is not what the report means.
            return None
        munis = {r.cvegeo for r in loc}
        how = "locality"
        if len(munis) > 1:
            # Only a town (INEGI: 2,500+ people) is what a report means by a city name.
            urban = [r for r in loc if r.pop_total >= URBAN_LOCALITY_POP]
            how = "urban_locality"
            if len({r.cvegeo for r in urban}) != 1:
                largest = list(dict.fromkeys(r.cvegeo for r in loc))[:20]  # loc is largest first
                raise AmbiguousPlaceError(
                    query, f"{query!r} is a locality in {len(munis)} municipalities; add the state:",
                    self._candidates(largest))
            loc = urban
        top = loc[0]
        return self._muni_place(top.cvegeo, query, how, locality=top.name)

    def _suggest(self, key: str, ent: str | None) -> list[dict]:
        names = self._muni
        if ent:
            names = {k: {c for c in v if c.startswith(ent)} for k, v in names.items()}
            names = {k: v for k, v in names.items() if v}
        close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.75)
        return self._candidates({c for k in close for c in names[k]})

    def _state_suggestions(self, text: str) -> list[dict]:
        close = difflib.get_close_matches(normalize(text), list(self._state_key), n=3, cutoff=0.6)
        return [self._state(self._state_key[k], text, "candidate").to_dict() for k in close]


def resolve(text: str, *, state: str | None = None, level: Literal["any", "state", "municipality"] = "any") -> Place:
    """Resolve a place name with the default gazetteer; see :meth:`Gazetteer.resolve`.

    >>> resolve("Cancún").cvegeo, resolve("Cancún").matched_by
    ('23005', 'urban_locality')
    >>> resolve("Edomex").level, resolve("Edomex").cve_ent
    ('state', '15')
    """
    return Gazetteer.default().resolve(text, state=state, level=level)


def short_form_collisions() -> dict[str, list[str]]:
    """Short forms that are also another municipality's exact name: key -> sorted codes named.

    These are the names :meth:`Gazetteer.resolve` refuses without a state
    ("juchitan": 12080 Juchitán and 20043 Juchitán de Zaragoza).
    """
    from ._search import short_form_collisions as find

    return find(Gazetteer.default())


def city_collisions() -> dict[str, list[str]]:
    """Municipality names that are also a larger city's name elsewhere: key -> sorted codes ("xico")."""
    from ._search import city_collisions as find

    return find(Gazetteer.default())


def search_index(*, min_locality_pop: int = 15_000):
    """The search table a map's search box embeds: names (accents, short forms, cities) -> codes.

    Built from the same gazetteer as :func:`resolve`, so a map finds what the
    resolver finds ("Cancún" -> 23005 Benito Juárez, "Villahermosa" -> 27004
    Centro, "CDMX" -> state 09).

    Parameters
    ----------
    min_locality_pop
        Localities of at least this many people (Census 2020) are listed
        when their name differs from their municipality's; the default
        keeps the table small (about 200 KB as JSON values).

    Returns
    -------
    DataFrame
        One row per (name, place), sorted by ``key`` then ``pop`` descending:
        ``key`` (normalised name to match typed text against, see
        :func:`normalize`: lower case, no accents, "cd" -> "ciudad"),
        ``label`` (display name, e.g. ``"Cancún (Benito Juárez, Quintana
        Roo)"``), ``code`` (``cvegeo`` of 5 characters, or ``cve_ent`` of 2
        for a state), ``kind`` (``"state"``, ``"abbreviation"`` (a state's
        abbreviation or alias: CDMX, Edomex), ``"municipality"``,
        ``"locality"``), ``pop`` (people, Census 2020: of the state,
        municipality or locality; for ordering). A key may name several
        places (homonyms): show them all. ``df.to_json(orient="values")``
        is the compact form for embedding.
    """
    from ._search import build_search_index

    return build_search_index(Gazetteer.default(), min_locality_pop=min_locality_pop)
