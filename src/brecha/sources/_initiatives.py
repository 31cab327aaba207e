"""Read agency initiatives and lay out where each one works, at the precision the report gives."""

from __future__ import annotations

import os
import re

import pandas as pd

from ..errors import PlaceError
from ..places import Gazetteer, Place
from ._agency_common import (
    INITIATIVE_HEADERS,
    canonical_agency,
    fold,
    is_placeholder,
    open_agency_table,
    place_problem,
    split_cell,
    warn_unknown_agencies,
)
from ._figures import people_columns

__all__ = ["read_initiatives", "initiative_places", "unnamed_places"]

_INIT_REQUIRED = ("initiative", "agencies", "year", "theme", "states", "municipalities")
_INIT_OPTIONAL = ("scope_level", "beneficiaries_or_figure", "source_file", "source_quote")
_YEARS = (1990, 2035)
#: Scope words below the country ("state", "city"...): an initiative scoped so but naming no
#: place is sub-national with its places unnamed, never national.
_SUBNATIONAL = {"state": "state", "estado": "state", "estatal": "state", "municipality": "municipality",
                "municipio": "municipality", "municipal": "municipality", "city": "municipality",
                "ciudad": "municipality", "local": "municipality", "region": None, "regional": None}
_NATIONAL = {"national", "nacional", "federal"}
_NUM_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fifteen": 15, "twenty": 20}
_PLACE_COUNT = re.compile(r"\b(\d+|" + "|".join(_NUM_WORDS) + r")\s+(?:\([^)]*\)\s+)?(?:[a-z\-]+\s+){0,2}?"
                          r"(states|state-level|municipalities|municipal governments|cities)\b", re.I)


def unnamed_places(scope_level: str, figure: str) -> tuple[bool, int | None, str | None]:
    """Whether an initiative naming no place is sub-national, and the places it counts.

    Sub-national when its ``scope_level`` names a level below the country and
    none of its scope words is national ("state", "city;state", "region";
    not "national;state", which the report calls national). The count is the
    largest number of states, municipalities or cities the figure states
    ("5 border cities (not named)": 5, municipality; "from 3 pilot states
    (2014) to 13 states": 13, state); ``None`` when it states none.

    >>> unnamed_places("city", "5 border cities (not named); 100,000 pregnant women")
    (True, 5, 'municipality')
    >>> unnamed_places("national;state", "200+ partnered institutions in 29 states (not named)")
    (False, None, None)
    """
    words = {fold(w) for w in split_cell(scope_level)}
    if not words or words & _NATIONAL or not words & set(_SUBNATIONAL):
        return False, None, None
    levels = {_SUBNATIONAL[w] for w in words if w in _SUBNATIONAL} - {None}
    best: tuple[int, str] | None = None
    for m in _PLACE_COUNT.finditer(str(figure)):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUM_WORDS[m.group(1).lower()]
        level = "state" if m.group(2).lower().startswith("state") else "municipality"
        if best is None or n > best[0]:
            best = (n, level)
    if best is not None:
        return True, best[0], best[1]
    return True, None, (levels.pop() if len(levels) == 1 else None)


def read_initiatives(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None, strict: bool = False,
                     sheet: str | None = None, id_prefix: str = "i") -> pd.DataFrame:
    """Read initiatives: who does what where.

    Required columns: ``initiative, agencies, year, theme, states,
    municipalities`` (or ``iniciativa, agencias, año, tema, estados,
    municipios``). Lists inside a cell are ``;``-separated and
    ``municipalities`` entries are ``Municipality, State``.

    Returns
    -------
    DataFrame
        One row per initiative: ``initiative_id`` (``id_prefix`` + the file
        line), ``initiative, agencies`` (list of catalogue acronyms), ``year,
        themes`` (list), ``cve_ents`` and ``cvegeos`` (lists of resolved
        codes), ``scope_level``, ``places_unnamed`` (bool), ``places_count``
        (Int64) and ``places_level`` (see :func:`unnamed_places`),
        ``people_reached`` (float, NaN unless the figure counts people),
        ``figure_unit``, ``figure_text`` (see :mod:`brecha.sources._figures`),
        ``source_file, source_quote``. :func:`initiative_places` gives the long
        table used for counting.
    """
    df, chk = open_agency_table(path, INITIATIVE_HEADERS, _INIT_REQUIRED, sheet=sheet, strict=strict)
    chk.extra_columns(_INIT_REQUIRED + _INIT_OPTIONAL)
    gz = gazetteer or Gazetteer.default()
    name = chk.text("initiative", max_len=2_000)
    agencies = chk.text("agencies", max_len=2_000)
    year = chk.integer("year", lo=_YEARS[0], hi=_YEARS[1])
    theme = chk.text("theme", required=False, max_len=500)
    states_memo: dict[str, str | None] = {}
    munis_memo: dict[str, Place | PlaceError] = {}
    ents_col, geos_col = [], []
    for idx, states, munis in zip(df.index, df["states"], df["municipalities"]):
        ents: list[str] = []
        geos: list[str] = []
        for s in split_cell(states):
            if s not in states_memo:
                st = None if is_placeholder(pd.Series([s])).iloc[0] else gz.resolve_state(s)
                states_memo[s] = st.cve_ent if st is not None else None
            ent = states_memo[s]
            if ent is None:
                chk.add(idx, "states", s, "a Mexican state (name, short form or abbreviation)")
            else:
                ents.append(ent)
        for m in split_cell(munis):
            if m not in munis_memo:
                try:
                    munis_memo[m] = gz.resolve(m, level="municipality")
                except PlaceError as err:
                    munis_memo[m] = err
            p = munis_memo[m]
            if isinstance(p, PlaceError):
                place_problem(chk, idx, "municipalities", m, p)
                continue
            if p.cvegeo is not None:  # "Ciudad de México" with no alcaldía resolves to the state only
                geos.append(p.cvegeo)
            ents.append(p.cve_ent)
        ents_col.append(sorted(set(ents)))
        geos_col.append(sorted(set(geos)))
    chk.raise_if_any()
    blank = pd.Series("", index=df.index)
    scope = df.get("scope_level", blank)
    figure = df.get("beneficiaries_or_figure", blank)
    unnamed = [unnamed_places(s, f) if not e else (False, None, None)
               for s, f, e in zip(scope, figure, ents_col)]
    warn_unknown_agencies(chk, {a for c in agencies for a in split_cell(c)})
    out = pd.DataFrame({
        "initiative_id": [f"{id_prefix}{ln:04d}" for ln in df["_line"]],
        "initiative": name.values,
        "agencies": [sorted({canonical_agency(a)[0] for a in split_cell(c)}) for c in agencies],
        "year": year.values,
        "themes": [sorted({t.strip().lower() for t in split_cell(c)}) for c in theme],
        "cve_ents": ents_col,
        "cvegeos": geos_col,
        "scope_level": scope.values,
        "places_unnamed": [u[0] for u in unnamed],
        "places_count": pd.array([u[1] for u in unnamed], dtype="Int64"),
        "places_level": [u[2] for u in unnamed],
        "source_file": df.get("source_file", blank).values,
        "source_quote": df.get("source_quote", blank).values,
    })
    people = people_columns(figure)
    for col in people.columns:
        out[col] = people[col].to_numpy()
    out.attrs["file"] = str(path)
    return out


def initiative_places(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Long table of where each initiative works, one row per agency, theme and place.

    A municipal entry yields a ``municipality`` row (with its ``cve_ent``);
    a state named without any of its municipalities yields a ``state`` row.
    An initiative naming no place is ``unnamed`` when its report scopes it
    below the country (``places_unnamed``: one row, codes null, with
    ``places_count``/``places_level``), else ``national``.

    Returns
    -------
    DataFrame
        ``initiative_id, initiative, agency, theme, year, level, precision,
        cve_ent, cvegeo, places_count, places_level``; ``level`` repeats
        ``precision`` for older callers.
    """
    rows = []
    has_unnamed = "places_unnamed" in initiatives
    for r in initiatives.itertuples(index=False):
        muni_ents = {g[:2] for g in r.cvegeos}
        places = [("municipality", g[:2], g) for g in r.cvegeos]
        places += [("state", e, None) for e in r.cve_ents if e not in muni_ents]
        count, level = None, None
        if not places:
            unnamed = has_unnamed and bool(r.places_unnamed)
            places = [("unnamed" if unnamed else "national", None, None)]
            if unnamed:
                count = None if pd.isna(r.places_count) else int(r.places_count)
                level = r.places_level
        for agency in r.agencies or [""]:
            for theme in r.themes or [""]:
                for prec, ent, geo in places:
                    rows.append((r.initiative_id, r.initiative, agency, theme, r.year, prec, prec, ent, geo,
                                 count, level))
    cols = ["initiative_id", "initiative", "agency", "theme", "year", "level", "precision", "cve_ent", "cvegeo",
            "places_count", "places_level"]
    out = pd.DataFrame(rows, columns=cols)
    out["places_count"] = out["places_count"].astype("Int64")
    return out
