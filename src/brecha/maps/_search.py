"""What a map's search box finds: the resolver's gazetteer (:func:`brecha.places.search_index`).

Besides the official names of the municipalities in the map's own data,
the page gets the gazetteer's other names as ``[key, label, code, kind]``
rows: states with their short forms, abbreviations and aliases ("CDMX",
"Edomex") pointing at a state code, municipal short forms and later-frame
names, city aliases and towns ("Cancún", "Villahermosa") pointing at a
municipal code. ``key`` is normalised as :func:`brecha.places.normalize`
does (no accents, no case), so the page matches typed text the same way.

>>> rows = search_rows(level="municipality")
>>> [r[2] for r in rows if r[0] == "cancun"], [r[2] for r in rows if r[0] == "cdmx"]
(['23005'], ['09'])
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from .. import places

__all__ = ["search_rows", "KINDS"]

#: Gazetteer kinds as the page sorts them: states first, then municipalities, then towns.
KINDS = {"state": 0, "abbreviation": 0, "municipality": 1, "locality": 2}


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str | None, str, int], ...]:
    index = places.search_index()
    official = {c: places.normalize(n) for c, n in zip(index["code"], index["label"].str.split(",").str[0])
                if len(c) == 5}
    out = []
    # Most people first, so a town's homonyms list the city before the hamlet.
    for r in index.sort_values(["pop", "key"], ascending=[False, True]).itertuples():
        kind = KINDS.get(r.kind, 2)
        if kind == 1 and official.get(r.code) == r.key:
            continue  # the map's own feature already finds its official name
        # Municipal labels are built in the page from the map's data (smaller page).
        out.append((r.key, None if kind == 1 else r.label, r.code, kind))
    return tuple(out)


def search_rows(*, level: Literal["municipality", "state"],
                states: Iterable[str] | None = None) -> list[list]:
    """``[key, label, code, kind]`` rows for a map whose features are ``level``.

    On a state map every municipal code becomes its state's ("Cancún" frames
    Quintana Roo); ``states`` (codes) keeps only places inside them.
    """
    keep = None if states is None else set(states)
    out = []
    for key, label, code, kind in _rows():
        if keep is not None and code[:2] not in keep:
            continue
        if level == "state" and len(code) == 5:
            if kind == 1:
                continue  # municipality short forms mean nothing on a map of states
            code = code[:2]  # the town's label names its state
        out.append([key, label, code, kind])
    return out
