"""People reached, read from the free text of ``beneficiaries_or_figure``.

Reports write figures in mixed units ("250,000 children and pregnant women
reached", "800+ health workers trained", "105 schools", "USD 13.6 million").
The parser keeps only counts of people, keeps their unit, and never adds
figures up (the parts of one cell often overlap: "379 women direct; >390,000
indirect"). Rules, in order:

1. The cell is split into parts at ``;``.
2. A part that speaks of potential, indirect, affected, capacity, legal or
   background figures ("could benefit", "potential", "indirect", "affected",
   "up to", "capacity", "in Mexico", "in poverty", "per day", "laws",
   "reform") gives no count: those people were not reached by the initiative.
3. In each remaining part, a number (digits, "2.4 million", "thirteen", with
   "~", ">", "+", "almost" kept only in ``figure_text``) followed within four
   words by a word for people ("children", "women", "refugees", "teachers",
   "people", "participants"...) is a count of people; "1,500 trained" and
   "600 naturalized" count as people too. A count of workers (teachers,
   officials, producers) needs a verb of reach in the part ("trained",
   "enrolled", "assisted"...): without one it is the size of a sector. Percentages, money, and audiences
   that are not distinct people (viewers, passengers, social-media users,
   "via social media/TV") are not.
4. ``people_reached`` is the largest such count in the cell, with its unit.
   A cell with a figure but no count of people has ``figure_unit``
   ``"not_people"`` and ``people_reached`` NaN; an empty cell has unit ``""``.
"""

from __future__ import annotations

import math
import re

import pandas as pd

#: Word for people -> unit reported in ``figure_unit``.
PEOPLE_UNITS = {
    "people": "people", "persons": "people", "individuals": "people", "caregivers": "people",
    "survivors": "people", "victims": "people", "beneficiaries": "people", "members": "people",
    "trained": "people", "naturalized": "people", "graduates": "people", "entrepreneurs": "people",
    "owners": "people", "men": "people", "youth": "people",
    "children": "children", "preschoolers": "children", "adolescents": "children", "girls": "children",
    "boys": "children", "students": "students",
    "women": "women",
    "refugees": "refugees", "migrants": "refugees", "asylum": "refugees",
    "workers": "workers", "employees": "workers", "teachers": "workers", "officers": "workers",
    "officials": "workers", "servants": "workers", "responders": "workers", "producers": "workers",
    "participants": "participants", "attendees": "participants", "representatives": "participants",
}
#: Words after a number that make it something other than people reached (service providers,
#: audiences, organisations).
NOT_PEOPLE = {"viewers", "passengers", "users", "lawyers", "paralegals", "staff", "speakers", "monitors",
              "stakeholders", "signatories", "cso", "csos", "companies", "organizations", "institutions"}
_CONTEXT = re.compile(r"could benefit|potential|indirect|affected|up to|capacity|in mexico\b|in poverty|per day|/day"
                      r"|via social media|\blaws?\b|\breforms?\b", re.I)
#: A count of workers is often the size of a sector ("2.4 million domestic workers"): it counts
#: as people reached only with a verb saying the initiative reached them.
_REACH = re.compile(r"trained|enrolled|assisted|reached|supported|benefit|certified|registered|attended|served"
                    r"|received", re.I)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20,
          "thirty": 30}
_NUM = re.compile(r"(?<![\w.,/%$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(_WORDS) + r")"
                  r"(?:\s*(million|thousand))?\+?(?![\d%])(?!,\d)", re.I)
_MONEY = re.compile(r"(us\$|usd|\$|pesos|mxn)\s*$", re.I)


def _count(number: str, scale: str | None) -> float:
    n = float(_WORDS[number.lower()]) if number.lower() in _WORDS else float(number.replace(",", ""))
    return n * {"million": 1e6, "thousand": 1e3}.get((scale or "").lower(), 1.0)


def parse_part(part: str) -> tuple[float, str] | None:
    """The first count of people in one ``;``-part, as ``(count, unit)``, or None."""
    if _CONTEXT.search(part):
        return None
    for m in _NUM.finditer(part):
        if _MONEY.search(part[:m.start()]):
            continue
        # The words after the number, up to the next number: "32 screenings seen by 2,120 people".
        after = re.split(r"\d", part[m.end():m.end() + 80], maxsplit=1)[0]
        tail = re.findall(r"[a-z]+", after.lower())[:5]
        for word in tail:
            if word in NOT_PEOPLE:
                break
            if word in PEOPLE_UNITS:
                unit = PEOPLE_UNITS[word]
                if unit == "workers" and not _REACH.search(part):
                    break
                return _count(m.group(1), m.group(2)), unit
            if word in ("in", "of", "from", "at", "for", "with", "per", "a"):
                break
    return None


def parse_figure(text: str) -> tuple[float, str]:
    """``(people_reached, figure_unit)`` for one ``beneficiaries_or_figure`` cell.

    >>> parse_figure("800+ health workers trained; 250,000 children and pregnant women reached")
    (250000.0, 'children')
    >>> parse_figure("105 schools in 10 (unnamed) states")
    (nan, 'not_people')
    >>> parse_figure("")
    (nan, '')
    """
    text = str(text or "").strip()
    if not text:
        return math.nan, ""
    found = [c for c in (parse_part(p) for p in text.split(";")) if c is not None]
    if not found:
        return math.nan, "not_people"
    return max(found, key=lambda c: c[0])


def people_columns(figures: pd.Series) -> pd.DataFrame:
    """``people_reached`` (float), ``figure_unit`` and ``figure_text`` for a column of figures."""
    text = figures.fillna("").astype(str).str.strip()
    parsed = [parse_figure(t) for t in text]
    return pd.DataFrame({"people_reached": [p[0] for p in parsed], "figure_unit": [p[1] for p in parsed],
                         "figure_text": text.to_numpy()}, index=figures.index)
