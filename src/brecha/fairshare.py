"""Fair share: does each state get the share of the agencies' work its share of need would call for?

Method (per state ``s``, all figures from the state layer):

* ``share_poor = poor_s / Σ poor`` (people in poverty, ``poverty_people``);
  ``share_care_unmet`` likewise from ``care_unmet`` (children and older people
  short of a care place).
* ``share_initiatives = initiatives_s / Σ initiatives``, where ``initiatives`` is
  the state's count of initiatives placed in it (state, municipality or point
  precision; :mod:`brecha.presence`). An initiative in four states counts in
  each, so the total is of initiative-state pairs; national and unnamed
  initiatives name no state and are in no share.
  ``share_agencies`` likewise from ``agencies`` (agency-state pairs).
* ``share_people_reached`` from ``people_reached``: people the reports state
  as reached by initiatives whose only place is the state. A state with no
  such figure contributes 0 stated people; the share is of what is stated
  and attributable, not of everyone reached.
* ``fair_share_gap = share_poor - share_initiatives`` (fraction points, -1..1):
  positive when the state holds more of the country's poor than of its
  initiatives (under-served relative to need), negative when it holds more of
  the initiatives. ``fair_share_rank`` 1 is the largest gap; ties go to the
  larger ``share_poor``. A share with a zero national total is NaN; a state
  without a poverty figure gets no gap and no rank.

The comparison of a share of need with a share of resources is the "fair
share" logic of humanitarian financing, where a donor's share of funding is
set against its share of the donors' combined national income (Oxfam's fair
share analyses, e.g. Oxfam (2012), *Humanitarian Funding*), and the
needs-based principle that aid be allocated "in proportion to needs" (Good
Humanitarian Donorship (2003), *Principles and Good Practice*, principle 6).
A fair share of zero gap is proportional allocation; it says nothing about
whether the total is enough.

>>> import pandas as pd
>>> st = pd.DataFrame({"cve_ent": ["01", "02", "03"], "poverty_people": [50.0, 30.0, 20.0],
...                    "care_unmet": [10.0, 10.0, 0.0], "initiatives": [1, 2, 1], "agencies": [1, 1, 2],
...                    "people_reached": [float("nan"), 300.0, 100.0]})
>>> fair_share(st)[["cve_ent", "share_poor", "share_initiatives", "fair_share_gap", "fair_share_rank"]]
  cve_ent  share_poor  share_initiatives  fair_share_gap  fair_share_rank
0      01         0.5               0.25            0.25                1
1      02         0.3               0.50           -0.20                3
2      03         0.2               0.25           -0.05                2
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, Problem

__all__ = ["fair_share", "fair_share_table", "FAIR_SHARE_COLUMNS"]

#: Columns :func:`fair_share` adds, in order.
FAIR_SHARE_COLUMNS: tuple[str, ...] = ("share_poor", "share_care_unmet", "share_initiatives", "share_agencies",
                                       "share_people_reached", "fair_share_gap", "fair_share_rank")


def _values(frame: pd.DataFrame, col: str, problems: list[Problem]) -> np.ndarray:
    v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(v < 0)[:20]:
        problems.append(Problem("state frame", int(i) + 1, col, frame[col].iloc[i], "a number >= 0"))
    return v


def _share(v: np.ndarray, *, missing_is_zero: bool = False) -> np.ndarray:
    """Each value over the total of the known values; NaN where unknown or the total is 0."""
    if missing_is_zero:
        v = np.nan_to_num(v, nan=0.0)
    total = np.nansum(v)
    if not total > 0:
        return np.full(len(v), np.nan)
    return v / total


def fair_share(states: pd.DataFrame, *, key: str = "cve_ent", poor: str = "poverty_people",
               care_unmet: str = "care_unmet") -> pd.DataFrame:
    """Each state's share of need against its share of reported presence.

    Parameters
    ----------
    states
        One row per state (the state layer): ``key``, ``poor`` (people in
        poverty), ``care_unmet`` (people short of a care place),
        ``initiatives``, ``agencies`` (counts) and ``people_reached``
        (people; NaN where none is stated).
    key
        The state key column.
    poor, care_unmet
        The need columns (people).

    Returns
    -------
    DataFrame
        ``key`` and :data:`FAIR_SHARE_COLUMNS`, aligned to ``states.index``:
        shares are fractions 0..1 of the national total, ``fair_share_gap``
        = ``share_poor - share_initiatives`` (fraction points; positive:
        under-served), ``fair_share_rank`` (Int64, 1 = largest gap).

    References
    ----------
    Good Humanitarian Donorship (2003), *Principles and Good Practice of
    Humanitarian Donorship*, principle 6; Oxfam (2012), *Humanitarian Funding*.
    """
    needed = (key, poor, care_unmet, "initiatives", "agencies", "people_reached")
    missing = [c for c in needed if c not in states.columns]
    if missing:
        raise InputError([Problem("state frame", None, c, None, "a column of that name") for c in missing])
    dup = states[key][states[key].duplicated()]
    problems = [Problem("state frame", int(i) + 1, key, v, "each state once") for i, v in dup.items()]
    values = {c: _values(states, c, problems) for c in needed[1:]}
    for c in ("initiatives", "agencies"):
        problems += [Problem("state frame", int(i) + 1, c, None, "a count (0 where none)")
                     for i in np.flatnonzero(np.isnan(values[c]))[:20]]
    if problems:
        raise InputError(problems)
    out = pd.DataFrame({key: states[key].to_numpy()}, index=states.index)
    out["share_poor"] = _share(values[poor])
    out["share_care_unmet"] = _share(values[care_unmet])
    out["share_initiatives"] = _share(values["initiatives"])
    out["share_agencies"] = _share(values["agencies"])
    out["share_people_reached"] = _share(values["people_reached"], missing_is_zero=True)
    gap = out["share_poor"] - out["share_initiatives"]
    out["fair_share_gap"] = gap
    # Positions, not labels: the caller's index need not be unique. Rounding makes equal gaps exact ties.
    order = (pd.DataFrame({"g": gap.round(12).to_numpy(), "p": out["share_poor"].to_numpy()}).dropna()
             .sort_values(["g", "p"], ascending=False, kind="mergesort").index.to_numpy())
    rank = np.full(len(states), -1)
    rank[order] = np.arange(1, len(order) + 1)
    out["fair_share_rank"] = pd.array(np.where(rank > 0, rank, 0), dtype="Int64")
    out.loc[rank < 0, "fair_share_rank"] = pd.NA
    return out


def fair_share_table(layer: pd.DataFrame) -> pd.DataFrame:
    """The states ranked by :func:`fair_share`'s gap, ready for a CSV (largest under-service first).

    Takes the state layer (which carries :data:`FAIR_SHARE_COLUMNS`; they are
    computed here when missing). Shares are rounded to 4 decimals
    (fractions of the national total); states without a rank are left out.

    Returns
    -------
    DataFrame
        ``fair_share_rank, cve_ent, name, poverty_people, initiatives,
        agencies, people_reached`` (when present) and the share columns.
    """
    frame = pd.DataFrame(layer)
    if not set(FAIR_SHARE_COLUMNS) <= set(frame.columns):
        shares = pd.DataFrame(fair_share(frame))
        frame = frame.assign(**{c: shares[c].to_numpy() for c in FAIR_SHARE_COLUMNS})
    counts = [c for c in ("poverty_people", "care_unmet", "initiatives", "agencies", "people_reached")
              if c in frame.columns]
    cols = ["fair_share_rank", "cve_ent", *[c for c in ("name",) if c in frame.columns], *counts,
            *[c for c in FAIR_SHARE_COLUMNS if c != "fair_share_rank"]]
    out = frame.loc[frame["fair_share_rank"].notna(), cols].copy()
    shares = [c for c in FAIR_SHARE_COLUMNS if c != "fair_share_rank"]
    out[shares] = out[shares].astype(float).round(4)
    for c in ("poverty_people", "care_unmet", "people_reached"):  # people: whole numbers for reading
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    out["fair_share_rank"] = out["fair_share_rank"].astype("int64")
    return out.sort_values("fair_share_rank", kind="mergesort").reset_index(drop=True)
