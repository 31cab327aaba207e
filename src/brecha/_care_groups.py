"""The care vocabulary: care types and care groups, one table each (re-exported by :mod:`brecha.care`).

Everything that names a care group derives from :data:`CARE_GROUPS`: the
municipal layer's care columns (:mod:`brecha.coverage`), the care map's
layers and labels (:mod:`brecha.maps.care`, :mod:`brecha.maps._i18n`), the
profile's care card and the change table's compared columns
(:data:`brecha.change.HEADLINE`). Adding a group is one entry here; a new
care type also needs its SCIAN classes in :mod:`brecha.sources.denue`.
This module imports nothing of brecha, so labels can be read cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CareType", "CareGroup", "CARE_TYPES", "CARE_GROUPS", "SUPPLY_GROUPS", "UNMET_GROUPS", "HEADLINE_GROUPS",
           "DEMAND_COLUMNS", "PLACES_PER_STAFF", "care_fields"]


@dataclass(frozen=True)
class CareType:
    """A DENUE care type (typed from SCIAN by :func:`brecha.sources.denue.care_type_of`) and its words."""

    name: str  #: day_care, elderly, disability, mental_health
    label: tuple[str, str]  #: (Spanish, English) name of the establishments, for map legends and popups
    places_per_staff: float | None = None  #: estimated places per staff member (None: serves no care group)


#: The care types DENUE typing knows, in the order a legend lists them. Adding a type also takes its SCIAN
#: classes in :mod:`brecha.sources.denue` (the reader types establishments; it imports no analysis).
CARE_TYPES: tuple[CareType, ...] = (
    # 6 children per staff member: see PLACES_PER_STAFF below.
    CareType("day_care", ("Guarderías y estancias infantiles", "Day care centres"), 6.0),
    CareType("elderly", ("Residencias para personas mayores", "Elder care homes"), 2.0),
    CareType("disability", ("Centros para personas con discapacidad", "Disability care centres"), 2.0),
    # Typed apart so they stay out of disability supply (see the module docstring); shown on the care map only.
    CareType("mental_health", ("Residencias de salud mental y adicciones", "Mental health and addiction residences")),
)


@dataclass(frozen=True)
class CareGroup:
    """A population that needs care, the DENUE care type that serves it, and the words for it.

    The one table of care groups: the municipal layer's care columns
    (``care_supply_<g>``, ``care_access_<g>``...), the care map's layers,
    the map and profile labels and the change table's compared columns are
    all derived from :data:`CARE_GROUPS`. Words are ``(Spanish, English)``.
    """

    name: str  #: column suffix: children, children_0_11, elderly, disability
    care_type: str  #: DENUE care type (a :data:`CARE_TYPES` name)
    demand_col: str  #: Census 2020 column with the people in demand
    supply: str = ""  #: group whose ``care_supply_<g>`` columns this one shares (itself when empty)
    unmet: bool = False  #: counted in ``care_unmet`` (:func:`care_unmet`), the gap's care need
    #: The people, as a care map's layer names them: ("niñas y niños (0–5)", "children (0–5)").
    people: tuple[str, str] = ("", "")
    #: The demand column's label: ("Niñas y niños de 0 a 5 años", "Children aged 0–5").
    demand_label: tuple[str, str] = ("", "")
    #: Access label: ("Acceso a lugares de cuidado infantil", "Access to child care places").
    access_label: tuple[str, str] = ("", "")
    #: Who access is counted per 1,000 of: ("niñas y niños de 0 a 5", "children aged 0–5").
    per: tuple[str, str] = ("", "")
    #: Supply label, for groups with supply columns of their own:
    #: ("Oferta de cuidado infantil (DENUE)", "Child care supply (DENUE)").
    supply_label: tuple[str, str] = ("", "")
    #: Shown on the care map, in profiles and compared by change tables (False: a variant kept in the layer only).
    headline: bool = True

    @property
    def supply_name(self) -> str:
        """Suffix of the supply columns (``care_units_<s>``, ``care_supply_<s>``) serving the group."""
        return self.supply or self.name


CARE_GROUPS: tuple[CareGroup, ...] = (
    CareGroup("children", "day_care", "pop_0_5", unmet=True,
              people=("niñas y niños (0–5)", "children (0–5)"),
              demand_label=("Niñas y niños de 0 a 5 años", "Children aged 0–5"),
              access_label=("Acceso a lugares de cuidado infantil", "Access to child care places"),
              per=("niñas y niños de 0 a 5", "children aged 0–5"),
              supply_label=("Oferta de cuidado infantil (DENUE)", "Child care supply (DENUE)")),
    # Same day-care places, set against all children 0-11 (school-age children use them too).
    CareGroup("children_0_11", "day_care", "pop_0_11", supply="children",
              people=("niñas y niños (0–11)", "children (0–11)"),
              demand_label=("Niñas y niños de 0 a 11 años", "Children aged 0–11"),
              access_label=("Acceso a lugares de cuidado infantil (0–11)", "Access to child care places (0–11)"),
              per=("niñas y niños de 0 a 11", "children aged 0–11"), headline=False),
    CareGroup("elderly", "elderly", "pop_60_plus", unmet=True,
              people=("personas de 60+", "people aged 60+"),
              demand_label=("Personas de 60 años y más", "People aged 60+"),
              access_label=("Acceso a lugares de cuidado de personas mayores", "Access to elder care places"),
              per=("personas de 60+", "people aged 60+"),
              supply_label=("Oferta de cuidado de personas mayores (DENUE)", "Elder care supply (DENUE)")),
    CareGroup("disability", "disability", "pop_disability",
              people=("personas con discapacidad", "people with disability"),
              demand_label=("Personas con discapacidad", "People with disability"),
              access_label=("Acceso a lugares de cuidado de discapacidad", "Access to disability care places"),
              per=("personas con discapacidad", "people with disability"),
              supply_label=("Oferta de cuidado de discapacidad (DENUE)", "Disability care supply (DENUE)")),
)
#: Groups with their own supply columns (one per care type).
SUPPLY_GROUPS: tuple[CareGroup, ...] = tuple(g for g in CARE_GROUPS if g.supply_name == g.name)
#: Groups whose unmet demand makes up ``care_unmet`` (:func:`care_unmet`).
UNMET_GROUPS: tuple[CareGroup, ...] = tuple(g for g in CARE_GROUPS if g.unmet)
#: Groups shown on maps and profiles and compared by change tables.
HEADLINE_GROUPS: tuple[CareGroup, ...] = tuple(g for g in CARE_GROUPS if g.headline)

#: Census columns apportioned to localities (people): the groups' demand columns.
DEMAND_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(g.demand_col for g in CARE_GROUPS))

#: Estimated places per staff member, by care type (assumptions, see below).
#:
#: - day_care 6: the Estancias Infantiles rules (SEDESOL, Reglas de Operación
#:   2018, DOF 30/12/2017) ask for one assistant per 8 children; assuming about
#:   one worker who does not look after children (director, cook) per three
#:   carers, 8 x 3/4 = 6 children per staff member.
#: - elderly 2 and disability 2: a round assumption of one worker per two
#:   residents in residential care; we cite no Mexican staffing norm for it.
#:
#: Pass your own mapping to change them; capacity is only ever an estimate.
PLACES_PER_STAFF: Mapping[str, float] = {t.name: t.places_per_staff for t in CARE_TYPES
                                         if t.places_per_staff is not None}


def care_fields() -> dict[str, tuple[str, str, str, str, int]]:
    """Map and profile labels of the care columns: column -> (label es, label en, unit es, unit en, decimals).

    ``care_access_<g>`` (places per 1,000 people of the group, 2 decimals),
    ``care_supply_<g>`` (estimated places) and each demand column (people).
    """
    out: dict[str, tuple[str, str, str, str, int]] = {}
    for g in CARE_GROUPS:
        out[g.demand_col] = (*g.demand_label, " personas", " people", 0)
        out[f"care_access_{g.name}"] = (*g.access_label, f" lugares por 1,000 {g.per[0]}",
                                        f" places per 1,000 {g.per[1]}", 2)
        if g in SUPPLY_GROUPS:
            out[f"care_supply_{g.name}"] = (*g.supply_label, " lugares estimados", " estimated places", 0)
    return out
