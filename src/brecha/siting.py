"""Where the next offices or care centres should go: the maximal covering location problem.

Given demand points with weights (by default poor people not yet within
``radius_km`` of an office) and candidate sites (municipal seats or
population-weighted centres), choose ``k`` sites that together cover the
most demand within ``radius_km`` (Church & ReVelle 1974)::

    maximise   sum_i w_i y_i
    subject to y_i <= sum_{j covers i} x_j,   sum_j x_j = k,   x_j in {0, 1},   0 <= y_i <= 1

Two solvers:

- ``"greedy"`` adds, one at a time, the site covering the most demand not
  yet covered. Covered demand is a monotone submodular function of the set
  of sites, so greedy covers at least ``1 - (1 - 1/k)^k > 1 - 1/e ≈ 63.2%``
  of the optimum (Nemhauser, Wolsey & Fisher 1978). Its sites are nested:
  the best 3 contain the best 2, which suits a budget that grows.
- ``"exact"`` solves the integer programme with CBC through PuLP; fine for
  a state or for small ``k`` nationally.

Demand points with the same set of covering sites are merged before solving
(their weights add up), which shrinks the problem without changing it.

References
----------
Church, R. & ReVelle, C. (1974). The maximal covering location problem.
*Papers of the Regional Science Association* 32, 101-118.
Nemhauser, G. L., Wolsey, L. A. & Fisher, M. L. (1978). An analysis of
approximations for maximizing submodular set functions - I. *Mathematical
Programming* 14, 265-294.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from . import geography
from .costs import Cost, StraightLineKm
from .errors import InputError, Problem

__all__ = ["unmet_demand", "candidate_sites", "maximal_covering", "coverage_curve", "greedy_bound"]

log = logging.getLogger(__name__)

Method = Literal["greedy", "exact"]


def greedy_bound(k: int) -> float:
    """Share of the optimum greedy is guaranteed to cover with ``k`` sites: ``1 - (1 - 1/k)^k``.

    >>> round(greedy_bound(1), 3), round(greedy_bound(3), 3), round(1 - 1 / math.e, 3)
    (1.0, 0.704, 0.632)
    """
    return 1.0 - (1.0 - 1.0 / k) ** k


def unmet_demand(localities: gpd.GeoDataFrame, census: pd.DataFrame, poverty: pd.DataFrame,
                 offices: gpd.GeoDataFrame, *, radius_km: float = 100.0, radius_minutes: float | None = None,
                 cost: Cost | None = None, level: Literal["locality", "municipality"] = "locality",
                 status: str | Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Poor people beyond reach of every office, as demand points.

    Reach is :func:`brecha.reach.within_reach`'s, the same the layers use:
    municipal poor people (CONEVAL) are apportioned to localities by
    population share, and a locality is reached when an office (statuses as
    in :func:`brecha.reach.office_points`) costs at most the threshold in the
    cost's unit. Municipalities without a poverty estimate add no demand (logged).

    Parameters
    ----------
    radius_km, radius_minutes
        The reach threshold in km (straight-line cost) and in minutes (a
        travel-time cost: then required); see :func:`brecha.reach.cost_threshold`.
        A km figure is never compared with minutes.
    cost
        A :class:`brecha.costs.Cost`; straight-line km by default.
    level
        ``"locality"``: one point per locality with unmet demand;
        ``"municipality"``: one point per municipality, at the centre of its
        unmet localities weighted by their demand.

    Returns
    -------
    GeoDataFrame
        ``cvegeo_loc`` (locality level), ``cvegeo``, ``cve_ent``, ``demand``
        (poor people beyond reach, > 0), points in EPSG:4326.
        ``attrs`` has ``poor_total`` and ``poor_reached`` (people), ``threshold`` and ``cost_unit``.
    """
    from .reach import cost_threshold, within_reach

    cost = StraightLineKm() if cost is None else cost
    if level not in ("locality", "municipality"):
        raise InputError([Problem("level", None, None, level, "'locality' or 'municipality'")])
    threshold = cost_threshold(cost, km=radius_km, minutes=radius_minutes, name="radius")
    reach = within_reach(localities, census, poverty, offices, radius_km=radius_km, max_cost=threshold, cost=cost,
                         status=status)
    table = reach.localities
    poor = table["poor"].to_numpy(dtype=float)
    unknown = np.isnan(poor)
    if unknown.any():
        log.info("%d localities in municipalities without a poverty estimate add no demand", int(unknown.sum()))
    poor = np.nan_to_num(poor)
    reached = table["inside"].to_numpy(dtype=bool)
    demand = np.where(reached, 0.0, poor)
    keep = demand > 0
    out = gpd.GeoDataFrame({"cvegeo_loc": table["cvegeo_loc"].to_numpy()[keep],
                            "cvegeo": table["cvegeo"].to_numpy()[keep],
                            "cve_ent": table["cve_ent"].to_numpy()[keep], "demand": demand[keep]},
                           geometry=localities.geometry.to_numpy()[keep], crs=localities.crs)
    if level == "municipality":
        centres = geography.weighted_centres(out, by="cvegeo", weight="demand")
        out = gpd.GeoDataFrame({"cvegeo": centres.index.to_numpy(), "cve_ent": centres.index.str[:2],
                                "demand": centres["demand"].to_numpy()},
                               geometry=centres.geometry.to_numpy(), crs=centres.crs)
    out = out.to_crs(geography.STORAGE_CRS).reset_index(drop=True)
    out.attrs.update(poor_total=float(poor.sum()), poor_reached=float(poor[reached].sum()),
                     threshold=threshold, cost_unit=cost.cost_unit, level=level)
    return out


def candidate_sites(localities: gpd.GeoDataFrame, *, kind: Literal["seats", "centres"] = "seats",
                    cve_ent: str | Sequence[str] | None = None,
                    municipalities: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """One candidate site per municipality.

    Parameters
    ----------
    localities
        Census 2020 localities (``cvegeo_loc, cvegeo, name, pop_total``).
    kind
        ``"seats"``: the municipal seat, locality ``0001`` in INEGI's
        numbering (the most populous locality where there is no 0001), where
        roads and services already converge; ``"centres"``: the
        population-weighted centre of the municipality's localities.
    cve_ent
        Keep the municipalities of these states only.
    municipalities
        ``cvegeo`` and ``name`` of the boundaries in use, naming the centres
        (the embedded 2020 frame when None).

    Returns
    -------
    GeoDataFrame
        ``site_id`` (the locality code, or ``cvegeo`` for centres),
        ``cvegeo``, ``cve_ent``, ``name``, ``pop_total`` (the seat's or the
        municipality's people), points in EPSG:4326, sorted by ``cvegeo``.
    """
    loc = localities
    if cve_ent is not None:
        wanted = [cve_ent] if isinstance(cve_ent, str) else list(cve_ent)
        loc = loc[loc["cvegeo"].str[:2].isin(wanted)]
    if kind == "seats":
        ranked = loc.assign(_seat=loc["cvegeo_loc"].str.endswith("0001"))
        ranked = ranked.sort_values(["cvegeo", "_seat", "pop_total"], ascending=[True, False, False])
        seats = ranked.drop_duplicates("cvegeo")
        out = gpd.GeoDataFrame({"site_id": seats["cvegeo_loc"].to_numpy(), "cvegeo": seats["cvegeo"].to_numpy(),
                                "cve_ent": seats["cvegeo"].str[:2].to_numpy(), "name": seats["name"].to_numpy(),
                                "pop_total": seats["pop_total"].to_numpy(dtype=float)},
                               geometry=seats.geometry.to_numpy(), crs=loc.crs)
    elif kind == "centres":
        centres = geography.weighted_centres(loc, by="cvegeo", weight="pop_total")
        frame = geography.municipalities() if municipalities is None else municipalities
        names = frame.set_index("cvegeo")["name"]
        codes = centres.index.to_numpy()
        out = gpd.GeoDataFrame({"site_id": codes, "cvegeo": codes, "cve_ent": centres.index.str[:2],
                                "name": names.reindex(codes).to_numpy(),
                                "pop_total": centres["pop_total"].to_numpy()},
                               geometry=centres.geometry.to_numpy(), crs=centres.crs)
    else:
        raise InputError([Problem("kind", None, None, kind, "'seats' or 'centres'")])
    return out.to_crs(geography.STORAGE_CRS).sort_values("cvegeo").reset_index(drop=True)


def _check(demand, candidates, weight, k, radius_km) -> None:
    problems = []
    for name, frame in (("demand", demand), ("candidates", candidates)):
        if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
            problems.append(Problem(name, None, "geometry", None, "a GeoDataFrame of points with a CRS"))
    if isinstance(demand, pd.DataFrame):
        if weight not in demand.columns:
            problems.append(Problem("demand", None, weight, None, "a column of demand weights"))
        else:
            w = pd.to_numeric(demand[weight], errors="coerce")
            if not (w >= 0).all():
                problems.append(Problem("demand", None, weight, int((~(w >= 0)).sum()), "weights >= 0 (rows failing)"))
    n = len(candidates) if isinstance(candidates, pd.DataFrame) else 0
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= max(n, 1)):
        problems.append(Problem("k", None, None, k, f"a whole number of sites from 1 to {n} (the candidates)"))
    if not (isinstance(radius_km, (int, float)) and math.isfinite(radius_km) and radius_km > 0):
        problems.append(Problem("radius_km", None, None, radius_km, "a positive distance"))
    if problems:
        raise InputError(problems)


def _coverage(demand, candidates, weight, radius_km, cost) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Candidate x demand-group coverage (0/1, CSR) and group weights.

    Demand points covered by exactly the same candidates form one group.
    """
    w = demand[weight].to_numpy(dtype=float)
    pairs = cost.pairs_within(geography.xy_km(demand), geography.xy_km(candidates), radius_km)
    cover = sparse.csr_matrix((np.ones(len(pairs.row)), (pairs.row, pairs.col)),
                              shape=(len(demand), len(candidates)))
    cover.sum_duplicates()
    cover.sort_indices()
    useful = (w > 0) & (np.diff(cover.indptr) > 0)
    cover, w = cover[useful], w[useful]
    keys = [cover.indices[a:b].tobytes() for a, b in zip(cover.indptr[:-1], cover.indptr[1:])]
    group = pd.factorize(pd.Series(keys, dtype=object))[0]
    weights = np.bincount(group, weights=w) if len(w) else np.zeros(0)
    _, rep = np.unique(group, return_index=True)
    A = cover[rep].T.tocsr()
    A.data[:] = 1.0
    return A, weights


def _greedy(A: sparse.csr_matrix, w: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    open_ = w.copy()
    chosen: list[int] = []
    gains: list[float] = []
    for _ in range(k):
        gain = A @ open_
        if chosen:
            gain[chosen] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            log.info("every coverable demand point is covered after %d site(s)", len(chosen))
            break
        chosen.append(j)
        gains.append(float(gain[j]))
        open_[A[j].indices] = 0.0
    return chosen, gains


def _exact(A: sparse.csr_matrix, w: np.ndarray, k: int, time_limit_s: float) -> tuple[list[int], bool]:
    import warnings

    import pulp

    n_sites, n_groups = A.shape
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    # PuLP 3.3 deprecates free-standing LpVariable; older PuLP (>= 2.9) has no add_variable.
    new_var = getattr(prob, "add_variable", None) or (lambda name, lo, hi, cat: pulp.LpVariable(name, lo, hi, cat))
    x = [new_var(f"x{j}", 0, 1, "Binary") for j in range(n_sites)]
    y = [new_var(f"y{i}", 0, 1, "Continuous") for i in range(n_groups)]
    prob += pulp.lpDot(w.tolist(), y)
    AT = A.T.tocsr()
    for i in range(n_groups):
        prob += y[i] <= pulp.lpSum(x[j] for j in AT.indices[AT.indptr[i]:AT.indptr[i + 1]])
    prob += pulp.lpSum(x) == min(k, n_sites)
    with warnings.catch_warnings():
        # PULP_CBC_CMD is the CBC bundled with PuLP; its replacement needs a separate CBC install.
        warnings.simplefilter("ignore", DeprecationWarning)
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, threads=1))
    # After a time limit CBC can report status "Optimal" for a merely feasible point; sol_status tells them apart.
    optimal = pulp.LpStatus[status] == "Optimal" and getattr(prob, "sol_status", 1) == pulp.LpSolutionOptimal
    chosen = [j for j in range(n_sites) if (x[j].value() or 0) > 0.5]
    return chosen, optimal


def _order(A: sparse.csr_matrix, w: np.ndarray, chosen: list[int]) -> tuple[list[int], list[float]]:
    """The chosen sites in greedy order among themselves, with their marginal gains."""
    sub = A[chosen]
    order, gains = _greedy(sub, w, len(chosen))
    rest = [i for i in range(len(chosen)) if i not in order]  # sites adding nothing come last
    return [chosen[i] for i in order + rest], gains + [0.0] * len(rest)


def maximal_covering(demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, *, k: int,
                     radius_km: float = 100.0, weight: str = "demand", method: Method = "greedy",
                     cost: Cost | None = None, time_limit_s: float = 120.0) -> gpd.GeoDataFrame:
    """Choose ``k`` candidate sites covering the most demand within ``radius_km``.

    Parameters
    ----------
    demand
        Points with a ``weight`` column (people), e.g. :func:`unmet_demand`.
    candidates
        Points to choose from, e.g. :func:`candidate_sites`.
    k
        Number of sites to open (1 .. number of candidates).
    radius_km
        A site covers demand within this distance (km; in ``cost.cost_unit``
        for another :class:`brecha.costs.Cost`).
    method
        ``"greedy"`` (fast, within ``1 - 1/e`` of the optimum) or ``"exact"`` (CBC).
    time_limit_s
        CBC time limit; if hit, the best solution found is returned and
        ``attrs["optimal"]`` is False.

    Returns
    -------
    GeoDataFrame
        The chosen rows of ``candidates`` in the order they were added (for
        ``"exact"``, greedy order among the chosen) with ``order`` (1..k),
        ``gain`` (demand newly covered by this site), ``covered`` (cumulative)
        and ``covered_share`` (cumulative share of all demand, 0..1). Fewer
        than ``k`` rows when greedy covers every coverable point sooner.
        ``attrs``: ``total_demand``, ``covered``, ``coverable`` (demand
        within reach of any candidate), ``method``, ``optimal``, ``bound``.

    References
    ----------
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101-118 (the model);
    Nemhauser, Wolsey & Fisher (1978), *Mathematical Programming* 14,
    265-294 (the greedy ``1 - 1/e`` bound).
    """
    cost = StraightLineKm() if cost is None else cost
    _check(demand, candidates, weight, k, radius_km)
    if method not in ("greedy", "exact"):
        raise InputError([Problem("method", None, None, method, "'greedy' or 'exact'")])
    A, w = _coverage(demand, candidates, weight, radius_km, cost)
    total = float(pd.to_numeric(demand[weight]).sum())
    optimal = True
    if method == "greedy":
        chosen, gains = _greedy(A, w, k)
        optimal = k == 1 or len(chosen) < k
    else:
        picked, optimal = _exact(A, w, k, time_limit_s)
        if not optimal:
            log.warning("CBC stopped at the %g s limit before proving optimality", time_limit_s)
        chosen, gains = _order(A, w, picked)
    out = candidates.iloc[chosen].copy()
    out.insert(0, "order", np.arange(1, len(chosen) + 1))
    out["gain"] = gains
    out["covered"] = np.cumsum(gains)
    out["covered_share"] = out["covered"] / total if total > 0 else 0.0
    out.attrs.update(total_demand=total, covered=float(sum(gains)), coverable=float(w.sum()), method=method,
                     optimal=bool(optimal), bound=greedy_bound(k) if method == "greedy" else 1.0,
                     radius_km=float(radius_km), k=k)
    return out.reset_index(drop=True)


def coverage_curve(demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, *, k_max: int = 5,
                   radius_km: float = 100.0, weight: str = "demand", exact: bool = False,
                   cost: Cost | None = None, time_limit_s: float = 120.0) -> pd.DataFrame:
    """Demand covered by the best 1, 2, ..., ``k_max`` sites.

    Parameters
    ----------
    demand, candidates, weight, cost, time_limit_s
        As for :func:`maximal_covering`.
    k_max
        Largest number of new sites.
    radius_km
        A site covers demand within this distance (km; in ``cost.cost_unit``
        for another :class:`brecha.costs.Cost`).
    exact
        Also solve each ``k`` exactly (CBC) to measure greedy's ratio.

    Returns
    -------
    DataFrame
        One row per ``k``: ``k``, ``site_added`` and ``site_name`` (greedy's
        k-th site), ``greedy_gain``, ``greedy_covered`` (people) and
        ``greedy_share`` (0..1); with ``exact``, also ``exact_covered``,
        ``exact_share`` and ``greedy_ratio`` (greedy / exact, at least
        ``greedy_bound(k)``).

    References
    ----------
    Church & ReVelle (1974); Nemhauser, Wolsey & Fisher (1978): the greedy
    curve of a submodular coverage function, each ``k`` within ``1 - (1 -
    1/k)**k`` of the optimum.
    """
    cost = StraightLineKm() if cost is None else cost
    _check(demand, candidates, weight, k_max, radius_km)
    greedy = maximal_covering(demand, candidates, k=k_max, radius_km=radius_km, weight=weight, cost=cost)
    total = greedy.attrs["total_demand"]
    rows = []
    for k in range(1, k_max + 1):
        done = k <= len(greedy)
        if not len(greedy):
            rows.append({"k": k, "site_added": None, "site_name": None, "greedy_gain": 0.0, "greedy_covered": 0.0,
                         "greedy_share": 0.0})
            continue
        last = greedy.iloc[min(k, len(greedy)) - 1]
        covered = float(last["covered"])
        rows.append({"k": k, "site_added": last["site_id"] if done and "site_id" in greedy else None,
                     "site_name": last["name"] if done and "name" in greedy else None,
                     "greedy_gain": float(last["gain"]) if done else 0.0, "greedy_covered": covered,
                     "greedy_share": covered / total if total > 0 else 0.0})
    out = pd.DataFrame(rows)
    if exact:
        A, w = _coverage(demand, candidates, weight, radius_km, cost)
        ex = []
        for k in out["k"]:
            picked, optimal = _exact(A, w, int(k), time_limit_s)
            ex.append(float(w[np.asarray(A[picked].sum(axis=0)).ravel() > 0].sum()) if picked else 0.0)
        out["exact_covered"] = ex
        out["exact_share"] = out["exact_covered"] / total if total > 0 else 0.0
        out["greedy_ratio"] = np.where(out["exact_covered"] > 0, out["greedy_covered"] / out["exact_covered"], 1.0)
    out.attrs.update(total_demand=total, radius_km=float(radius_km))
    return out
