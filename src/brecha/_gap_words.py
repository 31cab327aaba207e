"""The words of the gap index: driver phrases and gap classes, in Spanish and English.

The layer stores codes only: ``gap_drivers`` is a JSON text list of
``[code, value]`` pairs (:func:`encode_drivers`) and ``gap_class`` one of
:data:`GAP_CLASSES`. Text is made here, at the edge (CSV writer, maps,
profile), in the language asked for, so no sentence is ever parsed back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

__all__ = ["GAP_CLASSES", "GAP_CLASS_TEXT", "DRIVER_TEXT", "LANGS", "encode_drivers", "decode_drivers",
           "describe_drivers", "describe_gap_class"]

#: Languages the words exist in; the index of each in the text tuples below.
LANGS: tuple[str, ...] = ("en", "es")

#: Gap classes, in the order a legend lists them (owner of the vocabulary: brecha.gap).
GAP_CLASSES: tuple[str, ...] = ("gap", "state_only", "no_report", "served", "lower_need", "no_data")

#: Gap class -> (English, Spanish). Only "gap" is a confirmed gap: "state_only" and "no_report" are not.
GAP_CLASS_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType({
    "gap": ("gap: high need, little presence reported", "brecha: necesidad alta, poca presencia reportada"),
    "state_only": ("state only: high need; reports name only the state",
                   "solo el estado: necesidad alta; los reportes nombran solo el estado"),
    "no_report": ("no report: high need, nothing reported", "sin reporte: necesidad alta, nada reportado"),
    "served": ("high need, presence reported", "necesidad alta, con presencia reportada"),
    "lower_need": ("lower need", "necesidad menor"),
    "no_data": ("no data: not ranked", "sin datos: sin lugar en el índice"),
})

#: Driver code -> (English, Spanish); ``{v}`` is the pair's value, already formatted by :data:`_FORMATS`.
DRIVER_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType({
    "poverty_pct": ("high poverty rate ({v}%)", "alta tasa de pobreza ({v} %)"),
    "poverty_people": ("many people in poverty ({v})", "muchas personas en pobreza ({v})"),
    "care_unmet": ("care places short for ~{v} young children and older people",
                   "faltan lugares de cuidado para ~{v} niñas, niños y personas mayores"),
    "no_initiative": ("no initiative reported", "ninguna iniciativa reportada"),
    "few_initiatives": ("few initiatives ({v})", "pocas iniciativas ({v})"),
    "no_agency": ("no agency reported", "ninguna agencia reportada"),
    "few_agencies": ("few agencies ({v})", "pocas agencias ({v})"),
    "no_office_in": ("no office in the {v}", "ninguna oficina en el {v}"),
    "few_offices": ("few offices ({v})", "pocas oficinas ({v})"),
    "no_office": ("no office anywhere", "ninguna oficina en todo el país"),
    "mean_distance": ("people live {v} km from an office on average",
                      "la población vive en promedio a {v} km de una oficina"),
    "nearest": ("nearest office {v} km away", "oficina más cercana a {v} km"),
    "none_within": ("no office within {v} km", "ninguna oficina a menos de {v} km"),
    "no_report": ("nothing reported for the place or its state", "sin reporte para el lugar ni su estado"),
    "state_only": ("reported for the state, place not named", "reportado para el estado, sin nombrar el lugar"),
    "not_ranked": ("not ranked: no CONEVAL poverty estimate", "sin lugar: CONEVAL no estima su pobreza"),
    "none_above": ("no component above the median", "ningún componente sobre la mediana"),
})

_LEVEL_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "municipality": ("municipality", "municipio"), "state": ("state", "estado")})
#: How a value is written: percent and km whole numbers, people with digit grouping (es-MX shares it).
_FORMATS = {"poverty_pct": "{:.0f}", "poverty_people": "{:,.0f}", "care_unmet": "{:,.0f}",
            "few_initiatives": "{:.0f}", "few_agencies": "{:.0f}", "few_offices": "{:.0f}",
            "mean_distance": "{:.0f}", "nearest": "{:.0f}", "none_within": "{:.0f}"}


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return LANGS.index(lang)


def encode_drivers(pairs: Sequence[tuple[str, Any]]) -> str:
    """``[code, value]`` pairs as the JSON text stored in ``gap_drivers`` (values float or None).

    >>> encode_drivers([("poverty_people", 218414), ("no_initiative", None)])
    '[["poverty_people", 218414.0], ["no_initiative", null]]'
    """
    out = []
    for code, value in pairs:
        if code not in DRIVER_TEXT:
            raise ValueError(f"unknown gap driver code {code!r}; expected one of {list(DRIVER_TEXT)}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value) if math.isfinite(value) else None
        out.append([code, value])
    return json.dumps(out, ensure_ascii=False)


def decode_drivers(value: Any) -> list[tuple[str, Any]] | None:
    """The ``[code, value]`` pairs of a ``gap_drivers`` cell (None for a missing cell)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    pairs = json.loads(value) if isinstance(value, str) else value
    return [(str(code), v) for code, v in pairs]


def _phrase(code: str, value: Any, i: int) -> str:
    text = DRIVER_TEXT[code][i] if code in DRIVER_TEXT else code
    if "{v}" not in text:
        return text
    if code == "no_office_in":
        value = _LEVEL_WORDS.get(value, (value, value))[i]
    elif value is not None and code in _FORMATS:
        value = _FORMATS[code].format(float(value))
    return text.format(v=value)


def describe_drivers(value: Any, lang: str = "es") -> Any:
    """A ``gap_drivers`` cell in words, in ``lang`` (``"es"`` or ``"en"``); reasons joined by ``"; "``.

    A missing cell stays missing; a cell that is not a JSON list (a user's
    own text) is returned as it is; an unknown code is shown as the code.

    >>> describe_drivers('[["poverty_people", 82318.0], ["no_office_in", "municipality"]]', "es")
    'muchas personas en pobreza (82,318); ninguna oficina en el municipio'
    >>> describe_drivers('[["poverty_pct", 91.2]]', "en")
    'high poverty rate (91%)'
    """
    i = _lang(lang)
    if isinstance(value, str):
        try:
            pairs = decode_drivers(value)
        except (ValueError, TypeError):
            return value
    else:
        pairs = decode_drivers(value)
    if pairs is None:
        return value
    return "; ".join(_phrase(code, v, i) for code, v in pairs)


def describe_gap_class(code: Any, lang: str = "es") -> Any:
    """The words for a ``gap_class`` code (``"no_report"`` -> ``"sin reporte: ..."``); missing stays missing.

    >>> describe_gap_class("no_report", "en").split(":")[0]
    'no report'
    """
    i = _lang(lang)
    if not isinstance(code, str):
        return code
    return GAP_CLASS_TEXT[code][i] if code in GAP_CLASS_TEXT else code
