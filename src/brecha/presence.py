"""Who does what where: initiatives and offices counted per state and municipality.

Counting rules, chosen so that a reader can check any number by hand:

* A **municipal** initiative counts once for each municipality it names and
  once for the state of each of those municipalities.
* A **state** initiative (a state named without any of its municipalities)
  counts for the state only; it is not spread over the state's municipalities.
* A **national** initiative (no place named) is not spread over the 32 states:
  doing so would make every state look equally served and hide the places
  where agencies actually work. It is reported as a separate count
  (:func:`national_initiatives`, and ``attrs["national_initiatives"]``).
* Counts are of distinct ``initiative_id``, so an initiative with several
  agencies, themes or municipalities in one state counts once for that state.

Offices count where they are placed: an office placed at a locality counts
for its municipality and state; one placed only in a state counts for the
state; one with no place counts nowhere (``attrs["unplaced_offices"]``).

The idea of mapping "who does what where" (3W) is OCHA's; see OCHA (2021),
*3W/4W Operational Presence*, https://www.humanitarianresponse.info/.

>>> import pandas as pd
>>> places = pd.DataFrame({
...     "initiative_id": ["i1", "i1", "i2", "i3"], "initiative": ["a", "a", "b", "c"],
...     "agency": ["UNICEF"] * 4, "theme": ["care"] * 4, "year": [2023] * 4,
...     "level": ["municipality", "municipality", "state", "national"],
...     "cve_ent": ["01", "01", "01", None], "cvegeo": ["01001", "01002", None, None]})
>>> st = initiative_counts(places, level="state")
>>> int(st.loc[st.cve_ent == "01", "initiatives"].item()), int(st["initiatives"].sum())
(2, 2)
>>> st.attrs["national_initiatives"]
1
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, Literal, Sequence

import pandas as pd

from . import geography
from ._duckdb import connect, query
from .errors import InputError, Problem

__all__ = [
    "initiative_counts",
    "national_initiatives",
    "office_counts",
    "select_offices",
    "presence_table",
    "without_presence",
    "agency_slug",
    "DEFAULT_OFFICE_STATUS",
]

log = logging.getLogger(__name__)

#: Office statuses that count as presence unless told otherwise (planned and closed do not).
DEFAULT_OFFICE_STATUS: tuple[str, ...] = ("existing", "expanding", "renovated")

Level = Literal["municipality", "state"]
_KEYS = {"municipality": "cvegeo", "state": "cve_ent"}


def agency_slug(agency: str) -> str:
    """A column-safe form of an agency name.

    >>> agency_slug("UN Women"), agency_slug("PAHO/WHO"), agency_slug("UN-HABITAT")
    ('un_women', 'paho_who', 'un_habitat')
    """
    return re.sub(r"[^0-9a-z]+", "_", str(agency).lower()).strip("_") or "unknown"


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, int)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _check_columns(df: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError([Problem(what, None, c, None, "a column of that name") for c in missing])


def _check_level(level: str) -> str:
    if level not in _KEYS:
        raise ValueError(f"level must be 'municipality' or 'state', got {level!r}")
    return _KEYS[level]


def _match(series: pd.Series, values: list | None, *, text: bool = True) -> pd.Series:
    """Rows whose value is one of ``values`` (case-insensitive for text); all rows when None."""
    if values is None:
        return pd.Series(True, index=series.index)
    if text:
        return series.astype(str).str.strip().str.lower().isin({str(v).strip().lower() for v in values})
    return series.isin(values)


def _filter_places(places: pd.DataFrame, agency, theme, year) -> pd.DataFrame:
    _check_columns(places, ("initiative_id", "agency", "theme", "year", "level", "cve_ent", "cvegeo"),
                   "initiative places")
    keep = (_match(places["agency"], _as_list(agency)) & _match(places["theme"], _as_list(theme))
            & _match(places["year"], _as_list(year), text=False))
    return places.loc[keep, ["initiative_id", "level", "cve_ent", "cvegeo"]]


def _key_frame(level: Level) -> pd.DataFrame:
    if level == "municipality":
        return pd.DataFrame({"cvegeo": geography.municipal_codes()})
    return pd.DataFrame({"cve_ent": sorted(geography.states()["cve_ent"])})


def national_initiatives(places: pd.DataFrame, *, agency: str | Sequence[str] | None = None,
                         theme: str | Sequence[str] | None = None,
                         year: int | Sequence[int] | None = None) -> int:
    """Number of distinct national-scope initiatives (no place named) after the filters.

    See the module docstring for why these are not spread over the states.
    """
    sel = _filter_places(places, agency, theme, year)
    return int(sel.loc[sel["level"] == "national", "initiative_id"].nunique())


def initiative_counts(places: pd.DataFrame, *, level: Level = "municipality",
                      agency: str | Sequence[str] | None = None,
                      theme: str | Sequence[str] | None = None,
                      year: int | Sequence[int] | None = None) -> pd.DataFrame:
    """Distinct initiatives per municipality or per state.

    Parameters
    ----------
    places
        The long table of :func:`brecha.sources.initiative_places`.
    level
        ``"municipality"`` (all 2,469 ``cvegeo``) or ``"state"`` (all 32 ``cve_ent``).
    agency, theme, year
        Keep only these (a value or a list; agency and theme case-insensitive).

    Returns
    -------
    DataFrame
        ``cvegeo`` and ``initiatives`` (count, 0 where none), or ``cve_ent``,
        ``initiatives``, ``initiatives_state_scope`` and
        ``initiatives_municipal_scope``. ``attrs["national_initiatives"]`` is
        the national-scope count, reported separately (module docstring).

    References
    ----------
    OCHA (2021), 3W/4W operational presence.
    """
    key = _check_level(level)
    sel = _filter_places(places, agency, theme, year)
    keys = _key_frame(level)
    if level == "municipality":
        sql = """
            SELECT k.cvegeo, coalesce(c.n, 0)::BIGINT AS initiatives
            FROM keys k LEFT JOIN (
                SELECT cvegeo, count(DISTINCT initiative_id) AS n FROM sel
                WHERE level = 'municipality' AND cvegeo IS NOT NULL GROUP BY cvegeo) c USING (cvegeo)
            ORDER BY k.cvegeo"""
    else:
        sql = """
            SELECT k.cve_ent,
                   coalesce(c.n, 0)::BIGINT AS initiatives,
                   coalesce(c.n_state, 0)::BIGINT AS initiatives_state_scope,
                   coalesce(c.n_muni, 0)::BIGINT AS initiatives_municipal_scope
            FROM keys k LEFT JOIN (
                SELECT cve_ent,
                       count(DISTINCT initiative_id) AS n,
                       count(DISTINCT initiative_id) FILTER (WHERE level = 'state') AS n_state,
                       count(DISTINCT initiative_id) FILTER (WHERE level = 'municipality') AS n_muni
                FROM sel WHERE level IN ('state', 'municipality') AND cve_ent IS NOT NULL
                GROUP BY cve_ent) c USING (cve_ent)
            ORDER BY k.cve_ent"""
    out = query(sql, sel=sel, keys=keys)
    unknown = set(sel.loc[sel["level"] != "national", key].dropna()) - set(keys[key])
    if unknown:
        log.warning("%d %s code(s) in the initiatives are not in the 2020 frame: %s",
                    len(unknown), key, sorted(unknown)[:10])
    out.attrs["national_initiatives"] = int(sel.loc[sel["level"] == "national", "initiative_id"].nunique())
    out.attrs["level"] = level
    return out


def select_offices(offices: pd.DataFrame, *, status: str | Sequence[str] | None = None,
                   agency: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Offices with the given statuses and agencies.

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`.
    status
        Statuses kept; ``None`` means :data:`DEFAULT_OFFICE_STATUS` (planned
        and closed offices are not presence), ``"all"`` keeps every row.
    agency
        Agencies kept (a name or a list, case-insensitive); ``None`` keeps all.

    Returns
    -------
    DataFrame
        The kept rows, same type and columns as ``offices``.
    """
    _check_columns(offices, ("office_id", "agency", "status", "cve_ent", "cvegeo"), "offices")
    if status is None:
        status = DEFAULT_OFFICE_STATUS
    keep = _match(offices["agency"], _as_list(agency))
    if status != "all":
        keep &= _match(offices["status"], _as_list(status))
    return offices.loc[keep]


def office_counts(offices: pd.DataFrame, *, level: Level = "municipality", by_agency: bool = False,
                  wide: bool = True, status: str | Sequence[str] | None = None,
                  agency: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Offices per municipality or per state.

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`.
    level
        ``"municipality"`` (2,469 rows) or ``"state"`` (32 rows).
    by_agency
        Count per agency too: wide adds ``offices_<agency slug>`` columns
        (see :func:`agency_slug`); long (``wide=False``) returns one row per
        place and agency with at least one office.
    status, agency
        Which offices count; see :func:`select_offices` (planned and closed
        offices do not count by default).

    Returns
    -------
    DataFrame
        Key column and ``offices`` (count, 0 where none), plus per-agency
        columns when asked. ``attrs["unplaced_offices"]`` counts offices
        that name no place (and, at municipal level, ``attrs["state_only_offices"]``
        those placed in a state only).

    References
    ----------
    OCHA (2021), 3W/4W operational presence.
    """
    key = _check_level(level)
    sel = pd.DataFrame(select_offices(offices, status=status, agency=agency)[
        ["office_id", "agency", "status", "cve_ent", "cvegeo"]])
    keys = _key_frame(level)
    con = connect(spatial=False)
    total = query(f"""
        SELECT k.{key}, coalesce(c.n, 0)::BIGINT AS offices
        FROM keys k LEFT JOIN (SELECT {key}, count(*) AS n FROM sel WHERE {key} IS NOT NULL GROUP BY {key}) c
        USING ({key}) ORDER BY k.{key}""", con=con, sel=sel, keys=keys)
    if by_agency:
        long = query(f"""
            SELECT {key}, agency, count(*)::BIGINT AS offices FROM sel
            WHERE {key} IS NOT NULL GROUP BY {key}, agency ORDER BY {key}, agency""", con=con, sel=sel)
        if not wide:
            out = long
        else:
            long["column"] = ["offices_" + agency_slug(a) for a in long["agency"]]
            per = long.pivot_table(index=key, columns="column", values="offices", aggfunc="sum", fill_value=0)
            out = total.merge(per.reset_index(), on=key, how="left")
            cols = list(per.columns)
            out[cols] = out[cols].fillna(0).astype("int64")
    else:
        out = total
    con.close()
    out.attrs["unplaced_offices"] = int(sel["cve_ent"].isna().sum())
    if level == "municipality":
        out.attrs["state_only_offices"] = int((sel["cve_ent"].notna() & sel["cvegeo"].isna()).sum())
    out.attrs["level"] = level
    return out


def presence_table(places: pd.DataFrame, offices: pd.DataFrame, *, level: Level = "municipality",
                   agency: str | Sequence[str] | None = None, theme: str | Sequence[str] | None = None,
                   year: int | Sequence[int] | None = None,
                   status: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Initiatives and offices side by side, with place names.

    The theme and year filters apply to initiatives only (offices have no
    theme); the agency filter applies to both.

    Returns
    -------
    DataFrame
        Key, ``name`` (and ``state_name`` for municipalities), ``initiatives``,
        ``offices`` and ``present`` (at least one of either).
    """
    key = _check_level(level)
    ini = initiative_counts(places, level=level, agency=agency, theme=theme, year=year)
    off = office_counts(offices, level=level, status=status, agency=agency)
    if level == "municipality":
        names = pd.DataFrame(geography.municipalities()[["cvegeo", "name", "state_name"]])
    else:
        names = pd.DataFrame(geography.states()[["cve_ent", "name"]])
    out = query(f"""
        SELECT n.*, i.initiatives, o.offices, (i.initiatives + o.offices) > 0 AS present
        FROM names n JOIN ini i USING ({key}) JOIN off o USING ({key}) ORDER BY {key}""",
                names=names, ini=pd.DataFrame(ini), off=pd.DataFrame(off))
    out.attrs.update(national_initiatives=ini.attrs["national_initiatives"],
                     unplaced_offices=off.attrs["unplaced_offices"], level=level)
    return out


def without_presence(places: pd.DataFrame, offices: pd.DataFrame, *, level: Level = "municipality",
                     agency: str | Sequence[str] | None = None, theme: str | Sequence[str] | None = None,
                     year: int | Sequence[int] | None = None,
                     status: str | Sequence[str] | None = None) -> pd.DataFrame:
    """States or municipalities with no initiative and no office.

    National-scope initiatives do not count as presence anywhere (module
    docstring). At municipal level a state-scope initiative or a state-only
    office does not count either: it names no municipality.

    Returns
    -------
    DataFrame
        The rows of :func:`presence_table` where ``present`` is false.

    References
    ----------
    OCHA (2021), *3W/4W Operational Presence*: gaps in "who does what where"
    are the places no partner reports working in.
    """
    table = presence_table(places, offices, level=level, agency=agency, theme=theme, year=year, status=status)
    out = table.loc[~table["present"]].drop(columns="present").reset_index(drop=True)
    out.attrs.update(table.attrs)
    return out
