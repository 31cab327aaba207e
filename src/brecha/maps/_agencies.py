"""The canonical agency list of the maps: names, kind, and one fixed symbol per acronym.

The list is ``data/agencies_catalog.csv`` (:func:`brecha.sources.agencies.agency_catalog`).
An agency's colour and shape follow its row in that file, never the input
being mapped, so two maps made from different office or initiative files
draw UNHCR with the same symbol. An agency missing from the catalogue
(a user's own) is drawn with the grey "other agencies" circle.

>>> sym = agency_symbol("UNHCR"); sym == agency_symbol("ACNUR"), sym[0] in SHAPES
(True, True)
>>> agency_key("ACNUR"), agency_key("ONU Mujeres"), agency_key("Mi ONG")
('UNHCR', 'UN Women', 'Mi ONG')
>>> agency_label("es", "UNHCR"), agency_label("en", "UNHCR"), agency_label("es", "Mi ONG")
('ACNUR', 'UNHCR', 'Mi ONG')
"""

from __future__ import annotations

from functools import lru_cache

from ..sources.agencies import agency_catalog, canonical_agency
from ._legend import SHAPES, shape_svg
from ._terms import agency_name

__all__ = ["AGENCY_COLORS", "OTHER_COLOR", "KINDS", "GROUPS", "agency_key", "agency_symbol", "agency_label",
           "agency_entry",
           "catalog_entries"]

#: Tableau 10, colour-blind aware; with the 4 shapes it gives 40 distinct agency symbols.
AGENCY_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#7f7f7f")
OTHER_COLOR = "#bab0ac"
#: Agency kinds of the catalogue -> (Spanish, English) words.
KINDS = {"un_agency": ("agencia de la ONU", "UN agency"), "government": ("gobierno", "government"),
         "other": ("otra", "other")}
#: The same kinds as groups of a list (the filter's agency menu).
GROUPS = {"un_agency": ("Agencias de la ONU", "UN agencies"), "government": ("Gobierno", "Government"),
          "other": ("Otras", "Other")}


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict]:
    cat = agency_catalog()
    return {r.acronym: {"order": i, "name_es": r.name_es, "name_en": r.name_en, "kind": r.kind}
            for i, r in enumerate(cat.itertuples(index=False))}


def agency_key(name) -> str:
    """The catalogue acronym of an agency as any input writes it (``ACNUR`` -> ``UNHCR``); unknown names as written."""
    if not isinstance(name, str) or not name.strip():
        return ""
    return canonical_agency(name)[0]


def agency_symbol(name) -> tuple[str, str]:
    """(shape, colour) of an agency: fixed by its row in the catalogue; the grey circle for any other."""
    info = _catalog().get(agency_key(name))
    if info is None:
        return "circle", OTHER_COLOR
    i = info["order"]
    return SHAPES[(i // len(AGENCY_COLORS)) % len(SHAPES)], AGENCY_COLORS[i % len(AGENCY_COLORS)]


def agency_label(lang: str, name) -> str:
    """The short name readers know in ``lang`` (ACNUR, PNUD in Spanish; the acronym in English)."""
    key = agency_key(name)
    return str(agency_name(lang, key) if key in _catalog() else name)


def agency_entry(lang: str, name) -> dict:
    """What the page needs about one agency: key, short label, full name, kind words, filled and hollow symbol."""
    key = agency_key(name)
    info = _catalog().get(key)
    shape, color = agency_symbol(key)
    i = 0 if lang == "es" else 1
    return {"key": key, "label": agency_label(lang, key),
            "name": (info[f"name_{lang}"] if info else str(name)), "kind": KINDS[info["kind"] if info else "other"][i],
            "group": GROUPS[info["kind"] if info else "other"][i],
            "known": info is not None, "svg": shape_svg(shape, color), "hollow": shape_svg(shape, color, hollow=True)}


def catalog_entries(lang: str, names) -> list[dict]:
    """:func:`agency_entry` of each distinct agency in ``names``: catalogue order (UN agencies first), then others."""
    keys = {agency_key(n) for n in names if isinstance(n, str) and n.strip()}
    order = _catalog()
    return [agency_entry(lang, k) for k in sorted(keys, key=lambda k: (order[k]["order"] if k in order else 999, k))]
