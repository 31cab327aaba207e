"""Inputs of :mod:`brecha.presence`, put in one shape before anything is counted.

The readers (:mod:`brecha.sources.agencies`) give the initiative places and the
offices; this module filters them (agency, theme, year), checks their columns
and precision, and supplies the defaults that are honest while a reader does
not yet give a column:

* no ``precision`` on the places: it is the old ``level`` (``municipality``,
  ``state``, ``national``); an initiative then cannot be told "unnamed";
* no ``site_id`` on the offices: each row is its own site (``office_id``);
* no ``complete_list``: no list declares itself complete, so no absence is
  confirmed; no ``complete_list_excludes``: a complete list excludes no state;
* no ``people_reached``: no figure is stated (NaN), never zero;
* no ``scope_level``: no initiative is known to be national in scope as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from . import geography
from .errors import InputError, Problem
from .sources.agencies import PRECISION  # the readers own the vocabulary (contract, owner C)

__all__ = ["PRECISION", "PLACED_MUNICIPAL", "KEYS", "check_level", "check_columns", "match", "area_keys",
           "initiative_rows", "office_rows"]

#: Precisions that name a municipality (a point or named locality lies in one).
PLACED_MUNICIPAL: tuple[str, ...] = ("point", "municipality")
KEYS = {"municipality": "cvegeo", "state": "cve_ent"}
_LEVEL_TO_PRECISION = {"municipality": "municipality", "state": "state", "national": "national",
                       "unnamed": "unnamed", "point": "point"}


def check_level(level: str) -> str:
    """The key column of ``level``; a ValueError naming the choices otherwise."""
    if level not in KEYS:
        raise ValueError(f"level must be 'municipality' or 'state', got {level!r}")
    return KEYS[level]


def check_columns(df: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    """Raise one :class:`InputError` listing every missing column."""
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError([Problem(what, None, c, None, "a column of that name") for c in missing])


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, int)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def match(series: pd.Series, values, *, text: bool = True) -> pd.Series:
    """Rows whose value is one of ``values`` (case-insensitive for text); all rows when None."""
    values = _as_list(values)
    if values is None:
        return pd.Series(True, index=series.index)
    if text:
        return series.astype(str).str.strip().str.lower().isin({str(v).strip().lower() for v in values})
    return series.isin(values)


def _codes(series: pd.Series) -> pd.Series:
    """Codes as text, None where missing (pandas NA and NaN alike)."""
    return series.astype(object).where(series.notna(), None)


def area_keys(level: str, boundaries: pd.DataFrame | None) -> pd.DataFrame:
    """The areas to report, one row each: key, ``cve_ent`` and names when the boundaries give them.

    Without boundaries the embedded 2020 frame is used (2,469 municipalities, 32 states).
    """
    key = check_level(level)
    if boundaries is None:
        boundaries = (geography.municipalities()[["cvegeo", "cve_ent", "name", "state_name"]]
                      if level == "municipality" else geography.states()[["cve_ent", "name"]])
    check_columns(boundaries, (key,), "boundaries")
    cols = [c for c in (key, "cve_ent", "name", "state_name") if c in boundaries.columns]
    if level == "state":
        cols = [c for c in cols if c != "state_name"]
    out = pd.DataFrame(boundaries[list(dict.fromkeys(cols))]).reset_index(drop=True)
    out[key] = out[key].astype(str)
    dup = out[key][out[key].duplicated()]
    if len(dup):
        raise InputError([Problem("boundaries", int(i) + 1, key, v, "each area once") for i, v in dup.items()])
    if level == "municipality" and "cve_ent" not in out:
        out["cve_ent"] = out["cvegeo"].str[:2]  # INEGI's cvegeo begins with its state's code
    return out.sort_values(key, kind="mergesort").reset_index(drop=True)


def initiative_rows(places: pd.DataFrame, *, agency=None, theme=None, year=None,
                    initiatives: pd.DataFrame | None = None) -> pd.DataFrame:
    """Filtered initiative places, one row per place line.

    Columns ``initiative_id, agency, precision, cve_ent, cvegeo, people_reached, national_scope``.

    ``people_reached`` (people, float) is the initiative's stated figure, from
    the places or else from ``initiatives`` (joined on ``initiative_id``);
    NaN when neither gives it. ``national_scope`` is true when the report's
    ``scope_level`` (places or ``initiatives``) includes "national"; false when
    neither gives a scope.
    """
    check_columns(places, ("initiative_id", "agency", "theme", "year", "cve_ent", "cvegeo"), "initiative places")
    if "precision" not in places and "level" not in places:
        check_columns(places, ("precision",), "initiative places")
    keep = match(places["agency"], agency) & match(places["theme"], theme) & match(places["year"], year, text=False)
    sel = places.loc[keep]
    if "precision" in sel:
        precision = sel["precision"].astype(object)
    else:
        precision = sel["level"].astype(object).map(_LEVEL_TO_PRECISION)
    problems = [Problem("initiative places", None, "precision", f"{iid}: {p!r}", f"one of {', '.join(PRECISION)}")
                for iid, p in zip(sel["initiative_id"], precision) if p not in PRECISION]
    out = pd.DataFrame({"initiative_id": sel["initiative_id"].astype(str).to_numpy(),
                        "agency": sel["agency"].fillna("").astype(str).str.strip().to_numpy(),
                        "precision": precision.to_numpy(), "cve_ent": _codes(sel["cve_ent"]).to_numpy(),
                        "cvegeo": _codes(sel["cvegeo"]).to_numpy()})
    fill = out["cve_ent"].isna() & out["cvegeo"].notna()
    out.loc[fill, "cve_ent"] = out.loc[fill, "cvegeo"].str[:2]
    for prec, col in (("municipality", "cvegeo"), ("point", "cvegeo"), ("state", "cve_ent")):
        bad = out[(out["precision"] == prec) & out[col].isna()]
        problems += [Problem("initiative places", None, col, iid, f"a code: precision is {prec!r}")
                     for iid in bad["initiative_id"].unique()]
    if problems:
        raise InputError(problems)
    out["people_reached"] = _people(sel, out["initiative_id"], initiatives)
    out["national_scope"] = _national_scope(sel, out["initiative_id"], initiatives)
    return out


def _national_scope(sel: pd.DataFrame, ids: pd.Series, initiatives: pd.DataFrame | None) -> np.ndarray:
    """Whether the report gives the initiative a national scope too ("national;city"): its figure may be national."""
    if "scope_level" in sel:
        scope = pd.Series(sel["scope_level"].to_numpy(), index=ids.to_numpy())
    elif initiatives is not None and "scope_level" in initiatives:
        scope = initiatives.set_index(initiatives["initiative_id"].astype(str))["scope_level"]
        scope = ids.map(scope[~scope.index.duplicated()])
        scope.index = ids.to_numpy()
    else:
        return np.zeros(len(ids), dtype=bool)
    return scope.fillna("").astype(str).str.lower().str.contains("national").to_numpy()


def _people(sel: pd.DataFrame, ids: pd.Series, initiatives: pd.DataFrame | None) -> np.ndarray:
    """One stated figure per initiative (people); a conflict between rows of one initiative is an error."""
    if "people_reached" in sel:
        per = pd.DataFrame({"initiative_id": ids.to_numpy(), "p": pd.to_numeric(sel["people_reached"]).to_numpy()})
    elif initiatives is not None and "people_reached" in initiatives:
        per = pd.DataFrame({"initiative_id": initiatives["initiative_id"].astype(str),
                            "p": pd.to_numeric(initiatives["people_reached"]).astype(float)})
    else:
        return np.full(len(ids), np.nan)
    spread = per.dropna().groupby("initiative_id")["p"].nunique()
    if (spread > 1).any():
        raise InputError([Problem("initiative places", None, "people_reached", iid,
                                  "one figure per initiative") for iid in spread[spread > 1].index])
    figure = per.dropna().drop_duplicates("initiative_id").set_index("initiative_id")["p"]
    return ids.map(figure).to_numpy(dtype=float)


def office_rows(offices: pd.DataFrame, *, agency=None) -> pd.DataFrame:
    """Offices of the kept agencies, one row per report line.

    Columns ``office_id, site_id, agency, status, cve_ent, cvegeo,
    year_reported, complete_list, complete_list_excludes``.
    """
    check_columns(offices, ("office_id", "agency", "status", "cve_ent", "cvegeo"), "offices")
    sel = offices.loc[match(offices["agency"], agency)]
    n = len(sel)
    out = pd.DataFrame({
        "office_id": sel["office_id"].astype(str).to_numpy(),
        # Without a site_id each row is a site: the honest default, as no two rows are known to be one office.
        "site_id": (sel["site_id"] if "site_id" in sel else sel["office_id"]).astype(str).to_numpy(),
        "agency": sel["agency"].fillna("").astype(str).to_numpy(),
        "status": sel["status"].astype(str).str.strip().str.lower().to_numpy(),
        "cve_ent": _codes(sel["cve_ent"]).to_numpy(), "cvegeo": _codes(sel["cvegeo"]).to_numpy(),
        "year_reported": (pd.array(sel["year_reported"], dtype="Int64") if "year_reported" in sel
                          else pd.array([pd.NA] * n, dtype="Int64")),
        "complete_list": (sel["complete_list"].fillna(False).astype(bool).to_numpy() if "complete_list" in sel
                          else np.zeros(n, dtype=bool)),
        # State codes a complete list says it does not cover (";"-separated), e.g. "09".
        "complete_list_excludes": (sel["complete_list_excludes"].fillna("").astype(str).to_numpy()
                                   if "complete_list_excludes" in sel else np.full(n, "", dtype=object)),
    })
    fill = out["cve_ent"].isna() & out["cvegeo"].notna()
    out.loc[fill, "cve_ent"] = out.loc[fill, "cvegeo"].str[:2]
    return out
