"""The map search table and the name collisions, from the resolver's gazetteer (:mod:`brecha.places`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._gazetteer import normalize

if TYPE_CHECKING:
    import pandas as pd

#: The gazetteer of :mod:`brecha.places` (not imported here: places imports this module's functions lazily).
Gazetteer = Any


def build_search_index(gz: Gazetteer, *, min_locality_pop: int = 15_000) -> pd.DataFrame:
    """Rows ``key, label, code, kind, pop`` for every name a search box should find.

    Parameters
    ----------
    gz
        The gazetteer :func:`brecha.places.resolve` uses.
    min_locality_pop
        Smallest locality (people) listed under its own name.
    """
    import pandas as pd

    from ._gazetteer import CITY_ALIASES, STATE_ALIASES
    from ._gazetteer import short_forms as _short_forms

    muni_pop: dict[str, int] = {}
    big: list[tuple[str, str, int, str]] = []
    for key, code, pop, name in gz.localities.rows():
        muni_pop[code] = muni_pop.get(code, 0) + pop
        if pop >= min_locality_pop:
            big.append((key, code, pop, name))
    state_pop: dict[str, int] = {}
    for code, pop in muni_pop.items():
        state_pop[code[:2]] = state_pop.get(code[:2], 0) + pop

    rows: list[tuple[str, str, str, str, int]] = []
    for ent, (name, short, abbr, abbr_code) in gz._states.items():
        pop = state_pop.get(ent, 0)
        for text, kind in ((name, "state"), (short, "state"), (abbr, "abbreviation"), (abbr_code, "abbreviation")):
            if text:
                rows.append((normalize(text), name, ent, kind, pop))
    for alias, ent in STATE_ALIASES.items():
        rows.append((normalize(alias), gz.state_name(ent), ent, "abbreviation", state_pop.get(ent, 0)))
    muni_label = {c: f"{n}, {gz.state_name(c[:2])}" for c, n in gz._names.items()}
    for code, name in gz._names.items():
        key = normalize(name)
        for k in {key} | _short_forms(key):
            rows.append((k, muni_label[code], code, "municipality", muni_pop.get(code, 0)))
    for k, codes in gz._muni_2023.items():
        for code in codes:
            rows.append((k, muni_label[code], code, "municipality", muni_pop.get(code, 0)))
    for alias, code in CITY_ALIASES.items():
        rows.append((normalize(alias), muni_label[code], code, "locality", muni_pop.get(code, 0)))
    for key, code, pop, name in big:
        if key != normalize(gz.municipality_name(code)):  # the municipality's own row already finds it
            rows.append((key, f"{name} ({muni_label[code]})", code, "locality", pop))
    df = pd.DataFrame(rows, columns=["key", "label", "code", "kind", "pop"]).drop_duplicates(["key", "code", "kind"])
    df = df.sort_values(["key", "pop", "code", "kind"], ascending=[True, False, True, True], ignore_index=True)
    return df.astype({"pop": "int64"})


def short_form_collisions(gz: Gazetteer) -> dict[str, list[str]]:
    """Short forms that are also another municipality's exact (2020 or 2023) name: key -> sorted codes."""
    out = {}
    for k, codes in gz._muni_short.items():
        exact = gz._muni.get(k, set()) | gz._muni_2023.get(k, set())
        if exact and codes - exact:
            out[k] = sorted(codes | exact)
    return dict(sorted(out.items()))


def city_collisions(gz: Gazetteer) -> dict[str, list[str]]:
    """Municipality names that are also a larger city's name elsewhere: key -> sorted codes."""
    out = {}
    for k, codes in gz._muni.items():
        other = gz._cities_elsewhere(k, codes, None)
        if other:
            out[k] = sorted(codes | other)
    return dict(sorted(out.items()))
