"""What changed: two municipal layers side by side, one row per municipality.

A planner's question after "where is the gap?" is "what moved since last
time, and why?". :func:`compare_layers` answers the first from two layers
(two builds, two report years, or a scenario's before and after);
:func:`input_changes` answers the second from the two builds' manifests
(which input file, setting or code version differs).

Rules, chosen so a reader can check any row by hand:

* Only :data:`HEADLINE` columns present in **both** layers are compared, so a
  column a newer brecha added does not mark every municipality changed.
* Numbers are equal when both are missing or they agree to 1e-9 relative
  (builds are deterministic; the tolerance only absorbs float noise of a
  reordered sum). Text and classes must be identical.
* ``changed`` is true when any compared column other than ``gap_rank``
  differs, or when the municipality is in one layer only (``status``
  "added" / "removed"). A rank is relative: when one place leaves the top,
  every place below moves up one with no figure of its own moving; that
  move is in ``rank_move``, not a change.
* ``rank_move = gap_rank_before - gap_rank_after``: positive means the
  municipality moved **up** the gap ranking (towards rank 1, more urgent).

>>> import pandas as pd
>>> before = pd.DataFrame({"cvegeo": ["01001", "01002"], "gap_rank": [2, 1], "initiatives": [0, 3]})
>>> after = pd.DataFrame({"cvegeo": ["01001", "01002"], "gap_rank": [1, 2], "initiatives": [1, 3]})
>>> ch = compare_layers(before, after)
>>> ch[["cvegeo", "changed", "rank_move", "changed_columns"]].to_dict("records")
[{'cvegeo': '01001', 'changed': True, 'rank_move': 1, 'changed_columns': 'initiatives;gap_rank'}, \
{'cvegeo': '01002', 'changed': False, 'rank_move': -1, 'changed_columns': ''}]
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ._care_groups import HEADLINE_GROUPS
from .errors import InputError, Problem

__all__ = ["HEADLINE", "compare_layers", "compare_states", "input_changes", "scenario_summary"]

#: The columns a change table compares, in the order it lists them: need,
#: presence, evidence, reach, care access, then the gap.
HEADLINE: tuple[str, ...] = (
    "pop_total", "need_score", "need_class", "poverty_pct", "poverty_people",
    "initiatives", "initiatives_state_scope", "agencies", "offices", "offices_planned", "people_reached",
    "presence_score", "presence_class", "presence_evidence", "office_evidence",
    "nearest_office_km", "pop_within_reach_pct", "poor_within_reach_pct", "people_out_of_reach",
    *(f"care_access_{g.name}" for g in HEADLINE_GROUPS), "care_unmet",  # care groups: brecha.care
    "gap_score", "gap_rank", "gap_class", "bivariate_class",
)
#: Columns carried through from the newer layer (or the older one for removed rows) to name each row.
_CONTEXT = ("cve_ent", "name", "state_name")
_RTOL = 1e-9


def _check(frame: pd.DataFrame, what: str, key: str) -> list[Problem]:
    if not isinstance(frame, pd.DataFrame):
        return [Problem(what, None, None, type(frame).__name__, "a pandas or geopandas DataFrame")]
    out = []
    if key not in frame.columns:
        out.append(Problem(what, None, key, None, f"a key column {key!r}"))
    elif frame[key].duplicated().any():
        dup = frame.loc[frame[key].duplicated(), key].iloc[0]
        out.append(Problem(what, None, key, dup, "one row per key (this key repeats)"))
    return out


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise "not the same value": NaN equals NaN, floats to 1e-9 relative."""
    missing_a, missing_b = a.isna().to_numpy(), b.isna().to_numpy()
    both_missing = missing_a & missing_b
    one_missing = missing_a ^ missing_b
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) \
            and not pd.api.types.is_bool_dtype(a) and not pd.api.types.is_bool_dtype(b):
        x = a.to_numpy(dtype=float, na_value=np.nan)
        y = b.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            same = np.isclose(x, y, rtol=_RTOL, atol=0.0)
    else:
        same = (a.astype(object).to_numpy() == b.astype(object).to_numpy())
    return ~(same | both_missing) | one_missing


def compare_layers(before: pd.DataFrame, after: pd.DataFrame, *, key: str = "cvegeo",
                   columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per key of either layer: each compared column before and after, and what changed.

    Parameters
    ----------
    before, after
        Two municipal (``key="cvegeo"``) or state (``key="cve_ent"``) layers.
    columns
        Columns to compare (default :data:`HEADLINE`); only those present in
        both layers are used.

    Returns
    -------
    DataFrame (GeoDataFrame when ``after`` or ``before`` has geometry)
        ``key``, ``cve_ent``, ``name``, ``state_name`` when present, ``status``
        ("both", "added", "removed"), ``changed`` (bool: a compared figure of
        the place's own moved, or it is in one layer only; a gap rank moved
        only by other places is not a change), ``changed_columns``
        (``;``-separated column names, in :data:`HEADLINE` order; empty when not changed),
        ``<column>_before`` / ``<column>_after`` for each compared column, and
        ``rank_move`` (places moved up the gap ranking; positive is more
        urgent) when ``gap_rank`` is compared. Rows are in key order.
    """
    problems = _check(before, "before", key) + _check(after, "after", key)
    if problems:
        raise InputError(problems)
    wanted = HEADLINE if columns is None else tuple(columns)
    compared = [c for c in wanted if c in before.columns and c in after.columns and c != key]
    b = pd.DataFrame(before).set_index(key)
    a = pd.DataFrame(after).set_index(key)
    keys = a.index.union(b.index).sort_values()
    out = pd.DataFrame(index=keys)
    out.index.name = key
    in_b, in_a = keys.isin(b.index), keys.isin(a.index)
    out["status"] = np.where(in_b & in_a, "both", np.where(in_a, "added", "removed"))
    for c in _CONTEXT:
        if c != key and (c in a.columns or c in b.columns):
            newer = a[c].reindex(keys) if c in a.columns else pd.Series(np.nan, index=keys)
            older = b[c].reindex(keys) if c in b.columns else pd.Series(np.nan, index=keys)
            out[c] = newer.where(newer.notna(), older)
    flags = []
    for c in compared:
        old, new = b[c].reindex(keys), a[c].reindex(keys)
        out[f"{c}_before"], out[f"{c}_after"] = old.to_numpy(), new.to_numpy()
        flags.append(_differs(old, new))
    diff = np.column_stack(flags) if flags else np.zeros((len(keys), 0), dtype=bool)
    # A rank moved only by other places is no change of this place (module rules); rank_move keeps it.
    own: np.ndarray = np.asarray(diff[:, [c != "gap_rank" for c in compared]].any(axis=1), dtype=bool)
    out["changed"] = own | (out["status"] != "both").to_numpy()
    names = np.array(compared, dtype=object)
    out["changed_columns"] = [";".join(names[row]) if mine else "" for row, mine in zip(diff, own.tolist())]
    if "gap_rank" in compared:
        move = out["gap_rank_before"].astype("Float64") - out["gap_rank_after"].astype("Float64")
        out["rank_move"] = move.round().astype("Int64")
    front = [c for c in (*_CONTEXT, "status", "changed", "changed_columns", "rank_move") if c in out.columns]
    out = out[front + [c for c in out.columns if c not in front]].reset_index()
    geo = after if isinstance(after, gpd.GeoDataFrame) else before
    if isinstance(geo, gpd.GeoDataFrame):
        shapes = pd.concat([after.set_index(key).geometry, before.set_index(key).geometry]) \
            if isinstance(before, gpd.GeoDataFrame) and isinstance(after, gpd.GeoDataFrame) \
            else geo.set_index(key).geometry
        shapes = shapes[~shapes.index.duplicated()]
        out = gpd.GeoDataFrame(out, geometry=shapes.reindex(out[key]).to_numpy(), crs=geo.crs)
    return out


def compare_states(change: pd.DataFrame) -> pd.DataFrame:
    """The municipal change table summed by state.

    Returns one row per ``cve_ent`` with ``municipalities``, ``changed``
    (municipalities that changed), ``moved_up`` / ``moved_down`` (counts of
    municipalities whose gap rank moved), ``largest_move`` (the largest
    absolute rank move, places) and, where compared, the state's summed
    ``initiatives`` and ``offices`` before and after.
    """
    problems = _check(change, "change", "cvegeo")
    problems += [Problem("change", None, c, None, f"a column {c!r} (from compare_layers)")
                 for c in ("cve_ent", "changed") if c not in change.columns]
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(change)
    g = frame.groupby("cve_ent", sort=True)
    out = pd.DataFrame({"municipalities": g.size(), "changed": g["changed"].sum().astype("int64")})
    if "state_name" in frame.columns:
        out.insert(0, "state_name", g["state_name"].first())
    if "rank_move" in frame.columns:
        move = frame["rank_move"].astype("Float64")
        out["moved_up"] = (move > 0).groupby(frame["cve_ent"]).sum().astype("int64")
        out["moved_down"] = (move < 0).groupby(frame["cve_ent"]).sum().astype("int64")
        out["largest_move"] = move.abs().groupby(frame["cve_ent"]).max().astype("Int64")
    for c in ("initiatives", "offices", "people_out_of_reach"):
        for side in ("before", "after"):
            col = f"{c}_{side}"
            if col in frame.columns:
                out[col] = pd.to_numeric(frame[col], errors="coerce").groupby(frame["cve_ent"]).sum()
    return out.reset_index()


def _records(entry: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict((entry or {}).get("inputs") or {})


def input_changes(before: Mapping[str, Any], after: Mapping[str, Any], *,
                  layer: str = "municipalities") -> pd.DataFrame:
    """Why ``layer`` may differ between two builds: the inputs, settings and code that changed.

    Parameters
    ----------
    before, after
        The two builds' manifests (``manifest.json`` as a dict).

    Returns
    -------
    DataFrame
        One row per difference: ``what`` ("input", "setting", "code"),
        ``name``, ``before``, ``after`` (a sha256 prefix and vintage for
        inputs, the value for settings). Empty when nothing differs.
    """
    eb = (before.get("layers") or {}).get(layer) or {}
    ea = (after.get("layers") or {}).get(layer) or {}
    rows = []
    ib, ia = _records(eb), _records(ea)
    for name in sorted(set(ib) | set(ia)):
        rb, ra = ib.get(name) or {}, ia.get(name) or {}
        if rb.get("sha256") != ra.get("sha256") or _added(rb) != _added(ra):  # --add-initiatives/--add-offices
            rows.append({"what": "input", "name": name, "before": _describe_input(rb), "after": _describe_input(ra)})
    pb, pa = dict(eb.get("params") or {}), dict(ea.get("params") or {})
    for name in sorted(set(pb) | set(pa)):
        if pb.get(name) != pa.get(name):
            rows.append({"what": "setting", "name": name, "before": _text(pb.get(name)), "after": _text(pa.get(name))})
    if eb.get("code_version") != ea.get("code_version"):
        rows.append({"what": "code", "name": "code_version", "before": _text(eb.get("code_version")),
                     "after": _text(ea.get("code_version"))})
    return pd.DataFrame(rows, columns=["what", "name", "before", "after"])


def _added(rec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(file, sha256) of the files a build added to an input (``brecha build --add-initiatives``)."""
    return [(str(a.get("file", "")), str(a.get("sha256", ""))) for a in rec.get("added") or [] if isinstance(a, dict)]


def _describe_input(rec: Mapping[str, Any]) -> str:
    if not rec:
        return ""
    sha = str(rec.get("sha256") or "")[:12]
    label = rec.get("file") or rec.get("source") or rec.get("ref") or ""
    vintage = f" ({rec['vintage']})" if rec.get("vintage") else ""
    extra = "".join(f" + {Path(f).name} sha256:{h[:12]}" for f, h in _added(rec))
    return f"{label}{vintage} sha256:{sha}{extra}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def scenario_summary(change: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of a before/after change table (people, places, ranks).

    Returns ``people_within_reach_gained`` and ``poor_within_reach_gained``
    (people; from ``pop_within_reach_pct`` x ``pop_total`` and
    ``poor_within_reach_pct`` x ``poverty_people`` of the layers, when the
    change table carries them with ``pop_total_after`` / ``poverty_people_after``),
    ``municipalities_changed``, ``ranks_moved`` (municipalities whose gap rank
    moved) and ``largest_moves`` (the ten largest rank moves as
    ``(cvegeo, name, before, after)``).
    """
    out: dict[str, Any] = {"municipalities_changed": int(pd.Series(change["changed"]).sum())}
    for pct, base, label in (("pop_within_reach_pct", "pop_total", "people_within_reach_gained"),
                             ("poor_within_reach_pct", "poverty_people", "poor_within_reach_gained")):
        b, a = f"{pct}_before", f"{pct}_after"
        weight = f"{base}_after" if f"{base}_after" in change.columns else None
        if b in change.columns and a in change.columns and weight is not None:
            delta = (pd.to_numeric(change[a], errors="coerce") - pd.to_numeric(change[b], errors="coerce")) / 100.0
            out[label] = float((delta * pd.to_numeric(change[weight], errors="coerce")).sum(min_count=1) or 0.0)
    if "rank_move" in change.columns:
        move = change["rank_move"].astype("Float64")
        out["ranks_moved"] = int((move.fillna(0) != 0).sum())
        top = change.assign(_abs=move.abs()).dropna(subset=["_abs"])
        top = top[top["_abs"] > 0].sort_values(["_abs", "cvegeo"], ascending=[False, True]).head(10)
        out["largest_moves"] = [(r.cvegeo, getattr(r, "name", ""), _int(r.gap_rank_before), _int(r.gap_rank_after))
                                for r in top.itertuples()]
    return out


def _int(v: Any) -> int | None:
    return None if pd.isna(v) else int(v)
