"""Turn place names as reports write them into INEGI codes.

>>> resolve("Edomex").cve_ent
'15'
>>> resolve("Cancún").cvegeo
'23005'
>>> resolve("Cd. Juárez").name
'Juárez'
>>> resolve("Benito Juárez")
Traceback (most recent call last):
...
brecha.errors.AmbiguousPlaceError: 'Benito Juárez' names 7 municipalities; add the state, e.g. 'Benito Juárez, Ciudad de México':
  09014  Benito Juárez, Ciudad de México  (municipality)
...

Matching runs in a fixed order and stops at the first step that gives an
answer: INEGI codes; state names, short forms and abbreviations;
municipality names (exact, then the short form of a long official name,
then names of the 2023 frame); a small table of city aliases; and Census
2020 localities. Several municipalities for one name is an error that lists
them; brecha never picks one silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from .errors import AmbiguousPlaceError, UnknownPlaceError
from .settings import DATA_DIR

__all__ = ["Place", "Gazetteer", "resolve", "normalize"]

#: INEGI's threshold for an urban locality (people).
URBAN_LOCALITY_POP = 2_500

_ABBREVIATIONS = {
    "cd": "ciudad", "sta": "santa", "sto": "santo", "sn": "san", "gral": "general",
    "h": "heroica", "edo": "estado", "mpio": "municipio", "nvo": "nuevo", "dr": "doctor",
}

#: Extra state spellings seen in reports (normalised form -> cve_ent).
STATE_ALIASES = {
    "distrito federal": "09", "df": "09", "mexico city": "09", "ciudad de mexico": "09", "cdmx": "09",
    "edomex": "15", "estado de mexico": "15", "state of mexico": "15", "edo mex": "15", "mexico": "15",
    "mex": "15", "nl": "19", "nuevo leon": "19", "bc": "02", "baja california norte": "02", "bcs": "03",
    "qroo": "23", "q roo": "23", "slp": "24", "veracruz": "30", "michoacan": "16", "coahuila": "05",
    "queretaro de arteaga": "22",
}

#: Cities whose common name is neither a municipality nor a Census locality name.
CITY_ALIASES = {
    "ciudad juarez": "08037",
    "heroica ciudad juarez": "08037",
    "ciudad obregon": "26018",
    "ciudad de mexico": "09015",  # seat of the federal powers, for offices placed "in Mexico City"
    "mexico city": "09015",
}

_HONORIFIC = re.compile(r"^(heroica ciudad de |heroica villa de |heroica villa |heroica ciudad |heroica |ciudad de |villa de )")


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation, expand common abbreviations.

    >>> normalize("  Cd. Juárez ")
    'ciudad juarez'
    >>> normalize("N.L.")
    'nl'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<=\w)\.(?=\w\.)|(?<=\b\w)\.(?=\w)", "", text)  # N.L. -> NL
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    return " ".join(words)


@dataclass(frozen=True)
class Place:
    """A resolved place: a state or a municipality."""

    level: Literal["state", "municipality"]
    cve_ent: str
    cvegeo: str | None
    name: str
    state_name: str
    matched_by: str
    query: str = ""
    locality: str | None = None

    def to_dict(self) -> dict:
        """The JSON answer of ``brecha resolve --json``."""
        return asdict(self)


class Gazetteer:
    """Indexes of state, municipality and locality names for :meth:`resolve`.

    Parameters
    ----------
    municipalities
        ``cvegeo, cve_ent, name`` of the vintage.
    states
        ``cve_ent, name, short_name, abbr, abbr_code``.
    localities
        ``cvegeo, name, pop_total`` (Census 2020 localities).
    names_2023
        Optional later-frame names: ``cve_geo, nombre_municipio``.
    """

    def __init__(self, municipalities: pd.DataFrame, states: pd.DataFrame, localities: pd.DataFrame,
                 names_2023: pd.DataFrame | None = None):
        self.states = states.set_index("cve_ent").sort_index()
        self.munis = municipalities.set_index("cvegeo").sort_index()
        self._state_key: dict[str, str] = {}
        for ent, row in self.states.iterrows():
            for col in ("name", "short_name", "abbr", "abbr_code"):
                if isinstance(row.get(col), str):
                    self._state_key[normalize(row[col])] = ent
        # Alias keys go through the same normalisation as queries ("edo mex" -> "estado mex").
        self._state_key.update({normalize(k): v for k, v in STATE_ALIASES.items()})
        self._city = {normalize(k): v for k, v in CITY_ALIASES.items()}
        self._muni = self._index(self.munis["name"])
        self._muni_short: dict[str, set[str]] = {}
        for code, name in self.munis["name"].items():
            n = normalize(name)
            forms = {_HONORIFIC.sub("", n)}
            forms |= {n.split(" de ")[0], _HONORIFIC.sub("", n).split(" de ")[0]}
            for f in forms - {n}:
                self._muni_short.setdefault(f, set()).add(code)
        self._muni_2023: dict[str, set[str]] = {}
        if names_2023 is not None:
            for code, name in zip(names_2023["cve_geo"], names_2023["nombre_municipio"]):
                if code in self.munis.index:
                    self._muni_2023.setdefault(normalize(name), set()).add(code)
        loc = localities[["cvegeo", "name", "pop_total"]].copy()
        loc["key"] = [normalize(n) for n in loc["name"]]
        self._loc = loc.set_index("key").sort_index()

    @staticmethod
    def _index(names: pd.Series) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for code, name in names.items():
            out.setdefault(normalize(name), set()).add(code)
        return out

    @classmethod
    @lru_cache(maxsize=2)
    def default(cls, data_dir: Path | None = None) -> "Gazetteer":
        """The gazetteer of the embedded 2020 frame and Census 2020 localities."""
        from . import geography

        d = Path(data_dir or DATA_DIR)
        names = pd.read_csv(d / "municipal_names_mg2023.csv", dtype=str)
        return cls(geography.municipalities(data_dir=d), geography.states(data_dir=d),
                   pd.read_parquet(d / "localities.parquet", columns=["cvegeo", "name", "pop_total"]), names)

    # -- answers -------------------------------------------------------------
    def _state(self, ent: str, query: str, how: str) -> Place:
        return Place("state", ent, None, self.states.at[ent, "name"], self.states.at[ent, "name"], how, query)

    def _muni_place(self, code: str, query: str, how: str, locality: str | None = None) -> Place:
        ent = code[:2]
        return Place("municipality", ent, code, self.munis.at[code, "name"], self.states.at[ent, "name"],
                     how, query, locality)

    def describe(self, cvegeo: str) -> str:
        """A municipality as messages name it: ``'Benito Juárez, Quintana Roo (23005)'``."""
        p = self._muni_place(cvegeo, "", "code")
        return f"{p.name}, {p.state_name} ({cvegeo})"

    def _candidates(self, codes) -> list[dict]:
        return [self._muni_place(c, "", "candidate").to_dict() for c in sorted(codes)]

    def resolve_state(self, text: str) -> Place | None:
        """The state named by ``text`` (name, short form, abbreviation, code), or ``None``."""
        key = normalize(text)
        if re.fullmatch(r"\d{1,2}", key) and key.zfill(2) in self.states.index:
            return self._state(key.zfill(2), text, "code")
        if key in self._state_key:
            return self._state(self._state_key[key], text, "state_name")
        starts = {e for k, e in self._state_key.items() if k.startswith(key + " ")}
        if len(starts) == 1:
            return self._state(starts.pop(), text, "state_short_name")
        return None

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
            ``"municipality"`` refuses state answers; ``"state"`` accepts only states.

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
                return self._within(left.strip(), st, query)
        st_filter = None
        if state is not None:
            st_filter = self.resolve_state(state)
            if st_filter is None:
                raise UnknownPlaceError(state, f"unknown state {state!r}", self._state_suggestions(state))
        key = normalize(raw)
        if re.fullmatch(r"\d{5}", key):
            if level == "state":
                raise UnknownPlaceError(query, f"{key} is a municipal code; a state code has 2 digits ({key[:2]})")
            if key in self.munis.index:
                return self._muni_place(key, query, "code")
            raise UnknownPlaceError(query, f"no municipality with code {key} in the 2020 frame")
        if level != "municipality" and st_filter is None:
            st = self.resolve_state(raw)
            if st is not None:
                return st
        if level == "state":
            raise UnknownPlaceError(query, f"unknown state {raw!r}", self._state_suggestions(raw))
        if st_filter is not None:
            return self._within(raw, st_filter, query)
        return self._municipality(key, query, None)

    def _within(self, name: str, st: Place, query: str) -> Place:
        key = normalize(name)
        try:
            return self._municipality(key, query, st.cve_ent)
        except UnknownPlaceError as err:
            try:
                elsewhere = self._municipality(key, name, None)
            except (UnknownPlaceError, AmbiguousPlaceError):
                raise err from None
            raise UnknownPlaceError(
                query, f"{name!r} is not a municipality of {st.name}; it is {elsewhere.name}, "
                       f"{elsewhere.state_name} ({elsewhere.cvegeo})", [elsewhere.to_dict()]) from None

    def _municipality(self, key: str, query: str, ent: str | None) -> Place:
        def pick(codes: set[str], how: str) -> Place | None:
            if ent is not None:
                codes = {c for c in codes if c.startswith(ent)}
            if len(codes) == 1:
                return self._muni_place(next(iter(codes)), query, how)
            if len(codes) > 1:
                example = self._muni_place(sorted(codes)[0], "", "")
                raise AmbiguousPlaceError(
                    query, f"{query!r} names {len(codes)} municipalities; add the state, "
                           f"e.g. '{example.name}, {example.state_name}':", self._candidates(codes))
            return None

        bare = _HONORIFIC.sub("", key)
        for table, how in ((self._muni, "municipality_name"), (self._muni_short, "municipality_short_name"),
                           (self._muni_2023, "municipality_name_2023")):
            for k in dict.fromkeys((key, bare)):
                hit = pick(table.get(k, set()), how)
                if hit:
                    return hit
        alias = self._city.get(key)
        if alias and (ent is None or alias.startswith(ent)):
            return self._muni_place(alias, query, "city_alias")
        hit = self._locality(key, query, ent)
        if hit:
            return hit
        where = f" in {self.states.at[ent, 'name']}" if ent else ""
        close = self._suggest(key, ent)
        # The colon introduces the list PlaceError prints below; with no list there is nothing to introduce.
        tail = "; close names:" if close else "; no close names"
        raise UnknownPlaceError(query, f"unknown place {query!r}{where}{tail}", close)

    def _locality(self, key: str, query: str, ent: str | None) -> Place | None:
        if key not in self._loc.index:
            return None
        loc = self._loc.loc[[key]]
        if ent is not None:
            loc = loc[loc["cvegeo"].str.startswith(ent)]
        if loc.empty:
            return None
        if ent is not None and key in self._muni and (loc["pop_total"] < URBAN_LOCALITY_POP).all():
            # "Tijuana, Jalisco": a hamlet sharing a city's name is not what the report means.
            return None
        munis = set(loc["cvegeo"])
        how = "locality"
        if len(munis) > 1:
            # Only a town (INEGI: 2,500+ people) is what a report means by a city name.
            urban = loc[loc["pop_total"] >= URBAN_LOCALITY_POP]
            munis = set(urban["cvegeo"])
            how = "urban_locality"
            if len(munis) != 1:
                raise AmbiguousPlaceError(
                    query, f"{query!r} is a locality in {loc['cvegeo'].nunique()} municipalities; add the state:",
                    self._candidates(set(loc.sort_values("pop_total", ascending=False)["cvegeo"][:20])))
            loc = urban
        top = loc.sort_values("pop_total", ascending=False).iloc[0]
        return self._muni_place(top["cvegeo"], query, how, locality=str(top["name"]))

    def _suggest(self, key: str, ent: str | None) -> list[dict]:
        names = {k: v for k, v in self._muni.items()}
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
