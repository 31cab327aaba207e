"""Who does what where: what the agencies' reports place in each state and municipality.

Presence here is what a report names, nothing else: distance to an office is
*reach* (:mod:`brecha.reach`), its own axis, never part of presence.

Counting rules (per area: a municipality, key ``cvegeo``, or a state, ``cve_ent``),
each checkable by hand from the initiative places and the offices:

* ``initiatives``: distinct ``initiative_id`` placed in the area at its own
  level or finer. A municipality counts initiatives whose precision is
  ``point`` or ``municipality`` and name it; a state counts those and the
  ``state``-precision ones naming it. An initiative with several agencies,
  themes or places in one area counts once there.
* ``initiatives_state_scope``: distinct initiatives reported for the area's
  state without a place in it ("reported for the state, place not named").
  A municipality shows its state's count here; it is never added to
  ``initiatives``: nothing says the initiative works in that municipality.
* ``unnamed`` initiatives (sub-national, places not named: "10 states") and
  ``national`` ones (no place, country-wide) count in no area. They are two
  separate national-level counts, ``attrs["unnamed_initiatives"]`` and
  ``attrs["national_initiatives"]``; an unnamed one is never called national.
* ``offices``: distinct ``site_id`` among offices whose status is existing
  (:data:`DEFAULT_OFFICE_STATUS`): the same office reported in 2020 and 2022
  counts once, its report years kept in ``office_years`` (``"2020;2022"``).
  ``offices_planned``: distinct sites planned or expanding into the area
  (:data:`PLANNED_OFFICE_STATUS`) and not already existing there. An office
  placed only in a state counts for the state, not for its municipalities.
* ``agencies``: distinct agencies with an initiative counted in ``initiatives``
  or an office counted in ``offices`` there.
* ``people_reached`` (people): the sum of the stated figures of the initiatives
  whose only place is this area (at this level). A figure given for several
  places together is not divided among them (that would invent a split); it
  counts at each level where it has a single place (a figure for two
  municipalities of one state counts for that state), else nowhere. Nor does
  the figure of an initiative whose report scope is also national
  ("national;city": 16 million reached nationwide, a campaign shown in Mexico
  City) go to its named place. NaN when no figure is attributable:
  unknown, not zero.
* ``presence_evidence``: ``reported`` when an initiative (any precision but
  unnamed or national) or an office of any status names the area;
  ``state_only`` (municipalities) when something names its state, or a place in
  its state, but not the area; ``no_report`` when nothing names the area or its
  state. "No report" is not "absent".
* ``office_evidence``: ``reported`` when an office of any status names the area;
  ``confirmed_absent`` when a list that declares itself complete for its
  agency and year (``complete_list``) lists no office there (a complete list
  covers the whole country except the states in its ``complete_list_excludes``
  and, for municipalities, the states where it names an office without its
  municipality); ``no_report`` otherwise.

The idea of mapping "who does what where" (3W) is OCHA's; see OCHA (2021),
*3W/4W Operational Presence*; precision follows AidData's geocoding precision
codes (Strandow et al. 2011, *The UCDP and AidData codebook on georeferencing aid*).

>>> import pandas as pd
>>> places = pd.DataFrame({
...     "initiative_id": ["i1", "i1", "i2", "i3", "i4"], "agency": ["UNICEF"] * 5,
...     "theme": ["care"] * 5, "year": [2023] * 5,
...     "precision": ["municipality", "municipality", "state", "unnamed", "national"],
...     "cve_ent": ["01", "01", "01", None, None], "cvegeo": ["01001", "01002", None, None, None]})
>>> offices = pd.DataFrame({"office_id": ["o1", "o2"], "site_id": ["s1", "s1"], "agency": ["UNHCR"] * 2,
...     "status": ["existing"] * 2, "cve_ent": ["01", "01"], "cvegeo": ["01001", "01001"],
...     "year_reported": [2020, 2022]})
>>> munis = pd.DataFrame({"cvegeo": ["01001", "01002", "01003", "02001"]})
>>> t = presence_by_area(places, offices, level="municipality", boundaries=munis)
>>> print(t[["cvegeo", "initiatives", "initiatives_state_scope", "agencies", "offices", "office_years",
...    "presence_evidence"]].to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
cvegeo  initiatives  initiatives_state_scope  agencies  offices office_years presence_evidence
 01001            1                        1         2        1    2020;2022          reported
 01002            1                        1         1        0          NaN          reported
 01003            0                        1         0        0          NaN        state_only
 02001            0                        0         0        0          NaN         no_report
>>> t.attrs["unnamed_initiatives"], t.attrs["national_initiatives"]
(1, 1)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ._presence_inputs import (
    KEYS,
    PLACED_MUNICIPAL,
    area_keys,
    check_columns,
    check_level,
    initiative_rows,
    match,
    office_rows,
)
from ._presence_score import PRESENCE_COMPONENTS, presence_class, presence_score

__all__ = [
    "presence_by_area",
    "presence_table",
    "presence_score",
    "presence_class",
    "initiative_counts",
    "national_initiatives",
    "unnamed_initiatives",
    "office_counts",
    "select_offices",
    "without_presence",
    "agency_slug",
    "DEFAULT_OFFICE_STATUS",
    "PLANNED_OFFICE_STATUS",
    "PRESENCE_EVIDENCE",
    "OFFICE_EVIDENCE",
    "PRESENCE_COMPONENTS",
]

log = logging.getLogger(__name__)

#: Office statuses that count as an existing office (presence). "expanding" means
#: reaching into a new place (the reports: "expanding to Sonora"), so it is planned.
DEFAULT_OFFICE_STATUS: tuple[str, ...] = ("existing", "renovated")
#: Office statuses counted in ``offices_planned``.
PLANNED_OFFICE_STATUS: tuple[str, ...] = ("planned", "expanding")
#: Values of ``presence_evidence`` and of ``office_evidence`` (module docstring).
PRESENCE_EVIDENCE: tuple[str, ...] = ("reported", "state_only", "no_report")
OFFICE_EVIDENCE: tuple[str, ...] = ("reported", "confirmed_absent", "no_report")

Level = Literal["municipality", "state"]
Filter = str | int | Sequence[str] | Sequence[int] | None


def agency_slug(agency: str) -> str:
    """A column-safe form of an agency name.

    >>> agency_slug("UN Women"), agency_slug("PAHO/WHO"), agency_slug("UN-HABITAT")
    ('un_women', 'paho_who', 'un_habitat')
    """
    return re.sub(r"[^0-9a-z]+", "_", str(agency).lower()).strip("_") or "unknown"


def _statuses(status: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if status is None:
        return DEFAULT_OFFICE_STATUS
    if status == "all":
        return None
    return tuple(s.lower() for s in ([status] if isinstance(status, str) else status))


def select_offices(offices: pd.DataFrame, *, status: str | Sequence[str] | None = None,
                   agency: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Offices with the given statuses and agencies (rows, not sites).

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`.
    status
        Statuses kept; ``None`` means :data:`DEFAULT_OFFICE_STATUS` (existing
        offices: planned, expanding and closed ones are not presence),
        ``"all"`` keeps every row.
    agency
        Agencies kept (a name or a list, case-insensitive); ``None`` keeps all.

    Returns
    -------
    DataFrame
        The kept rows, same type and columns as ``offices``.
    """
    check_columns(offices, ("office_id", "agency", "status", "cve_ent", "cvegeo"), "offices")
    keep = match(offices["agency"], agency)
    wanted = _statuses(status)
    if wanted is not None:
        keep &= match(offices["status"], list(wanted))
    return offices.loc[keep]


def _warn_unknown(codes: pd.Series, keys: pd.Series, what: str) -> None:
    unknown = set(codes.dropna()) - set(keys)
    if unknown:
        log.warning("%d %s code(s) in the %s are not among the areas given: %s",
                    len(unknown), keys.name, what, sorted(unknown)[:10])


def _national_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Initiatives with no named place: unnamed (sub-national) and national, counted apart."""
    named = set(rows.loc[rows["precision"].isin((*PLACED_MUNICIPAL, "state")), "initiative_id"])
    free = rows[~rows["initiative_id"].isin(named)]
    unnamed = set(free.loc[free["precision"] == "unnamed", "initiative_id"])
    national = set(free.loc[free["precision"] == "national", "initiative_id"]) - unnamed
    return {"unnamed_initiatives": len(unnamed), "national_initiatives": len(national)}


def _sole_figures(rows: pd.DataFrame, placed: pd.DataFrame, key: str) -> pd.Series:
    """People reached per area, from initiatives whose every row names that one area."""
    ok = rows["initiative_id"].isin(placed["initiative_id"])
    per = rows[ok].groupby("initiative_id").agg(n=(key, "nunique"), missing=(key, lambda s: s.isna().any()),
                                                area=(key, "first"), p=("people_reached", "first"))
    national = set(rows.loc[rows["national_scope"], "initiative_id"])
    sole = per[(per["n"] == 1) & ~per["missing"] & per["p"].notna() & ~per.index.isin(national)]
    return sole.groupby("area")["p"].sum()


def _initiative_part(rows: pd.DataFrame, keys: pd.DataFrame, level: str) -> pd.DataFrame:
    key = KEYS[level]
    inside = (*PLACED_MUNICIPAL,) if level == "municipality" else (*PLACED_MUNICIPAL, "state")
    placed = rows[rows["precision"].isin(inside)]
    state_rows = rows[rows["precision"] == "state"]
    _warn_unknown(placed[key], keys[key], "initiative places")
    out = pd.DataFrame({key: keys[key]})
    out["initiatives"] = keys[key].map(placed.groupby(key)["initiative_id"].nunique()).fillna(0).astype("int64")
    by_state = state_rows.groupby("cve_ent")["initiative_id"].nunique()
    out["initiatives_state_scope"] = keys["cve_ent"].map(by_state).fillna(0).astype("int64").to_numpy()
    if level == "state":
        muni = rows[rows["precision"].isin(PLACED_MUNICIPAL)].groupby("cve_ent")["initiative_id"].nunique()
        out["initiatives_municipal_scope"] = keys[key].map(muni).fillna(0).astype("int64")
    out["people_reached"] = keys[key].map(_sole_figures(rows, placed, key)).astype(float)
    return out


def _office_part(offs: pd.DataFrame, keys: pd.DataFrame, level: str, counted: tuple[str, ...] | None):
    key = KEYS[level]
    placed = offs[offs[key].notna()]
    _warn_unknown(placed[key], keys[key], "offices")
    existing = placed[placed["status"].isin(counted)] if counted is not None else placed
    planned = placed[placed["status"].isin(PLANNED_OFFICE_STATUS) & ~placed["site_id"].isin(existing["site_id"])]
    out = pd.DataFrame({key: keys[key]})
    out["offices"] = keys[key].map(existing.groupby(key)["site_id"].nunique()).fillna(0).astype("int64")
    out["offices_planned"] = keys[key].map(planned.groupby(key)["site_id"].nunique()).fillna(0).astype("int64")
    years = existing.dropna(subset=["year_reported"]).groupby(key)["year_reported"].agg(
        lambda s: ";".join(str(y) for y in sorted(set(s))))
    out["office_years"] = keys[key].map(years).astype("str")  # missing where no existing office
    return out, existing


def _evidence(rows: pd.DataFrame, offs: pd.DataFrame, keys: pd.DataFrame, level: str) -> pd.DataFrame:
    key = KEYS[level]
    named = rows[rows["precision"].isin((*PLACED_MUNICIPAL, "state"))]
    names_area = set(named[key].dropna()) | set(offs[key].dropna())
    names_state = set(named["cve_ent"].dropna()) | set(offs["cve_ent"].dropna())
    area, ent = keys[key], keys["cve_ent"]
    presence = np.where(area.isin(names_area), "reported",
                        np.where(ent.isin(names_state) & (level == "municipality"), "state_only", "no_report"))
    has_office = area.isin(set(offs[key].dropna()))
    covered = pd.Series(False, index=keys.index)
    lists = offs[offs["complete_list"]]
    for _, one in lists.groupby(["agency", "year_reported"], dropna=False):
        if one["cve_ent"].isna().any():
            continue  # a "complete" list with an office placed nowhere cannot confirm absence anywhere
        blind = {c.strip() for cell in one["complete_list_excludes"] for c in str(cell).split(";") if c.strip()}
        if level == "municipality":  # an office named in a state but not its municipality: nothing confirmed there
            blind |= set(one.loc[one["cvegeo"].isna(), "cve_ent"])
        covered |= ~ent.isin(blind)
    office = np.where(has_office, "reported", np.where(covered, "confirmed_absent", "no_report"))
    return pd.DataFrame({key: area, "presence_evidence": presence, "office_evidence": office})


def _agencies(placed: pd.DataFrame, existing: pd.DataFrame, keys: pd.DataFrame, key: str) -> pd.Series:
    pairs = pd.concat([placed[[key, "agency"]], existing[[key, "agency"]]]).dropna()
    pairs = pairs[pairs["agency"] != ""]
    return keys[key].map(pairs.groupby(key)["agency"].nunique()).fillna(0).astype("int64")


def presence_by_area(places: pd.DataFrame, offices: pd.DataFrame, *, level: Level = "municipality",
                   boundaries: pd.DataFrame | None = None, agency: Filter = None, theme: Filter = None,
                   year: Filter = None, status: str | Sequence[str] | None = None,
                   initiatives: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reported presence per municipality or per state: the contract's presence columns.

    Parameters
    ----------
    places
        The long table of :func:`brecha.sources.initiative_places`
        (``initiative_id, agency, theme, year, precision`` (or the older
        ``level``), ``cve_ent, cvegeo``; ``people_reached`` optional).
    offices
        The frame of :func:`brecha.sources.read_offices` (``office_id, agency,
        status, cve_ent, cvegeo``; ``site_id``, ``year_reported``,
        ``complete_list`` optional, see :mod:`brecha._presence_inputs`).
    level
        ``"municipality"`` or ``"state"``.
    boundaries
        The areas to report (a frame with ``cvegeo`` and ``cve_ent``, or
        ``cve_ent``; ``name``/``state_name`` are kept); every area listed gets
        a row, zeros where nothing is reported. Default: the embedded 2020 frame.
    agency, theme, year
        Keep only these initiatives (a value or a list; agency and theme
        case-insensitive). ``agency`` filters the offices too; offices have
        no theme, and their report year is not filtered.
    status
        Office statuses counted in ``offices`` (default :data:`DEFAULT_OFFICE_STATUS`).
    initiatives
        The initiatives frame, read for ``people_reached`` when the places lack it.

    Returns
    -------
    DataFrame
        One row per area, sorted by key: key (and ``cve_ent`` for
        municipalities), the names given, ``initiatives``,
        ``initiatives_state_scope`` (and ``initiatives_municipal_scope`` for
        states), ``agencies``, ``offices``, ``offices_planned``,
        ``office_years``, ``people_reached`` (people, float), ``presence_evidence``,
        ``office_evidence``. ``attrs``: ``unnamed_initiatives``,
        ``national_initiatives``, ``unplaced_offices`` (existing sites naming
        no place), ``state_only_offices`` (municipalities), ``level``.

    References
    ----------
    OCHA (2021), *3W/4W Operational Presence*.
    """
    key = check_level(level)
    keys = area_keys(level, boundaries)
    rows = initiative_rows(places, agency=agency, theme=theme, year=year, initiatives=initiatives)
    offs = office_rows(offices, agency=agency)
    counted = _statuses(status)
    ini = _initiative_part(rows, keys, level)
    off, existing = _office_part(offs, keys, level, counted)
    inside = (*PLACED_MUNICIPAL,) if level == "municipality" else (*PLACED_MUNICIPAL, "state")
    placed = rows[rows["precision"].isin(inside)]
    out = keys.copy()
    out["initiatives"] = ini["initiatives"].to_numpy()
    out["initiatives_state_scope"] = ini["initiatives_state_scope"].to_numpy()
    if level == "state":
        out["initiatives_municipal_scope"] = ini["initiatives_municipal_scope"].to_numpy()
    out["agencies"] = _agencies(placed, existing, keys, key).to_numpy()
    for col in ("offices", "offices_planned", "office_years"):
        out[col] = off[col].to_numpy()
    out["people_reached"] = ini["people_reached"].to_numpy()
    ev = _evidence(rows, offs, keys, level)
    out["presence_evidence"] = ev["presence_evidence"].to_numpy()
    out["office_evidence"] = ev["office_evidence"].to_numpy()
    if level == "state":
        out = out.drop(columns=[c for c in ("state_name",) if c in out])
    live = offs[offs["status"].isin(counted)] if counted is not None else offs
    out.attrs.update(_national_counts(rows), level=level,
                     unplaced_offices=int(live.loc[live["cve_ent"].isna(), "site_id"].nunique()))
    if level == "municipality":
        out.attrs["state_only_offices"] = int(
            live.loc[live["cve_ent"].notna() & live["cvegeo"].isna(), "site_id"].nunique())
    return out


#: The same function under its earlier name.
presence_table = presence_by_area


def national_initiatives(places: pd.DataFrame, *, agency: Filter = None, theme: Filter = None,
                         year: Filter = None) -> int:
    """Distinct national initiatives (no place named, not sub-national) after the filters."""
    rows = initiative_rows(places, agency=agency, theme=theme, year=year)
    return _national_counts(rows)["national_initiatives"]


def unnamed_initiatives(places: pd.DataFrame, *, agency: Filter = None, theme: Filter = None,
                        year: Filter = None) -> int:
    """Distinct sub-national initiatives whose places are not named ("10 states"), after the filters."""
    rows = initiative_rows(places, agency=agency, theme=theme, year=year)
    return _national_counts(rows)["unnamed_initiatives"]


def initiative_counts(places: pd.DataFrame, *, level: Level = "municipality",
                      boundaries: pd.DataFrame | None = None, agency: Filter = None,
                      theme: Filter = None, year: Filter = None) -> pd.DataFrame:
    """Distinct initiatives per municipality or per state (module docstring rules).

    Returns
    -------
    DataFrame
        Key and ``initiatives`` (0 where none); states also get
        ``initiatives_state_scope`` and ``initiatives_municipal_scope``.
        ``attrs`` as :func:`presence_by_area` (initiative counts only).
    """
    key = check_level(level)
    keys = area_keys(level, boundaries)
    rows = initiative_rows(places, agency=agency, theme=theme, year=year)
    ini = _initiative_part(rows, keys, level)
    cols = [key, "initiatives"] + (["initiatives_state_scope", "initiatives_municipal_scope"]
                                   if level == "state" else [])
    out = ini[cols].reset_index(drop=True)
    out.attrs.update(_national_counts(rows), level=level)
    return out


def office_counts(offices: pd.DataFrame, *, level: Level = "municipality", by_agency: bool = False,
                  wide: bool = True, status: str | Sequence[str] | None = None,
                  agency: str | Sequence[str] | None = None,
                  boundaries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distinct offices (sites) per municipality or per state.

    Parameters
    ----------
    offices
        The frame of :func:`brecha.sources.read_offices`.
    level
        ``"municipality"`` or ``"state"``; areas from ``boundaries`` (embedded by default).
    by_agency
        Count per agency too: wide adds ``offices_<agency slug>`` columns
        (:func:`agency_slug`); long (``wide=False``) returns one row per
        place and agency with at least one office.
    status, agency
        Which offices count; see :func:`select_offices`.

    Returns
    -------
    DataFrame
        Key and ``offices`` (distinct ``site_id``, 0 where none), plus
        per-agency columns when asked. ``attrs["unplaced_offices"]`` counts
        sites naming no place; at municipal level ``attrs["state_only_offices"]``
        those placed in a state only.
    """
    key = check_level(level)
    keys = area_keys(level, boundaries)
    offs = office_rows(select_offices(offices, status=status, agency=agency))
    placed = offs[offs[key].notna()]
    total = pd.DataFrame({key: keys[key], "offices": keys[key].map(
        placed.groupby(key)["site_id"].nunique()).fillna(0).astype("int64")})
    out = total
    if by_agency:
        long = (placed.groupby([key, "agency"])["site_id"].nunique().astype("int64")
                .rename("offices").reset_index().sort_values([key, "agency"], kind="mergesort"))
        if not wide:
            out = long.reset_index(drop=True)
        else:
            long["column"] = ["offices_" + agency_slug(a) for a in long["agency"]]
            per = long.pivot_table(index=key, columns="column", values="offices", aggfunc="sum", fill_value=0)
            out = total.merge(per.reset_index(), on=key, how="left")
            out[list(per.columns)] = out[list(per.columns)].fillna(0).astype("int64")
    out.attrs["unplaced_offices"] = int(offs.loc[offs["cve_ent"].isna(), "site_id"].nunique())
    if level == "municipality":
        out.attrs["state_only_offices"] = int(
            offs.loc[offs["cve_ent"].notna() & offs["cvegeo"].isna(), "site_id"].nunique())
    out.attrs["level"] = level
    return out


def without_presence(places: pd.DataFrame, offices: pd.DataFrame, *, level: Level = "municipality",
                     boundaries: pd.DataFrame | None = None, agency: Filter = None, theme: Filter = None,
                     year: Filter = None, status: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Areas with no initiative and no existing office placed in them.

    This is "nothing placed here", not "absent": ``presence_evidence`` says
    whether anything names the area or its state (``no_report``: nothing does).

    Returns
    -------
    DataFrame
        The rows of :func:`presence_by_area` with ``initiatives == 0`` and ``offices == 0``.
    """
    table = presence_by_area(places, offices, level=level, boundaries=boundaries, agency=agency, theme=theme,
                           year=year, status=status)
    out = table.loc[(table["initiatives"] == 0) & (table["offices"] == 0)].reset_index(drop=True)
    out.attrs.update(table.attrs)
    return out
