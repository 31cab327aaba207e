"""Scaling: E2SFCA and office reach as the number of demand points grows."""

from __future__ import annotations

import numpy as np

from ._context import Context
from ._data import SEED, synthetic_demand
from ._harness import Measurement, measure, require
from ._report import Section

NAME = "scaling"
TITLE = "Scaling: E2SFCA and office reach from 10k to 1M demand points"
REQUIRES = ("brecha.access:e2sfca", "brecha.reach:nearest_office", "brecha.reach:within_reach")

CATCHMENT_KM = 20.0
RADIUS_KM = 100.0
JITTER_KM = 3.0


def growth_exponent(ms: list[Measurement], sizes: list[int]) -> float:
    """Least-squares slope of log(median time) against log(n): 1 is linear."""
    t = np.array([m.median_s for m in ms])
    return float(np.polyfit(np.log(sizes), np.log(t), 1)[0])


def run(ctx: Context, section: Section) -> None:
    from brecha import sources
    from brecha.access import e2sfca
    from brecha.reach import nearest_office, within_reach

    sizes = ctx.pick([10_000, 50_000, 190_000, 1_000_000], [500, 1_000, 2_000])
    care = sources.load("denue_care")
    care = care[care["care_type"] == "day_care"][["staff_mid", "geometry"]]
    offices = sources.load("offices")
    census, poverty = sources.load("census_municipal"), sources.load("coneval_municipal")
    series: dict[str, list[Measurement]] = {"e2sfca": [], "nearest_office": [], "within_reach": []}
    for n in sizes:
        demand = synthetic_demand(n, jitter_km=JITTER_KM)
        data = f"{n:,} demand points"
        runs = ctx.runs_at_most(3) if n >= 1_000_000 else ctx.runs
        m, acc = measure("brecha.access.e2sfca", data,
                         lambda: e2sfca(demand, care, demand_col="pop_total", supply_col="staff_mid",
                                        catchment_km=CATCHMENT_KM), runs=runs)
        require(len(acc) == n and bool(np.isfinite(acc).all()), f"e2sfca returned {len(acc)} values for {n} points")
        series["e2sfca"].append(section.add(m))
        m, near = measure("brecha.reach.nearest_office", data, lambda: nearest_office(demand, offices), runs=runs)
        require(len(near) == n, f"nearest_office returned {len(near)} rows for {n} points")
        series["nearest_office"].append(section.add(m))
        m, reach = measure("brecha.reach.within_reach", data,
                           lambda: within_reach(demand, census, poverty, offices, radius_km=RADIUS_KM), runs=runs)
        total = float(reach.national["pop_total"].iloc[0])
        require(abs(total - demand["pop_total"].sum()) <= 1e-6 * max(total, 1.0),
                f"within_reach national population {total} != demand sum {demand['pop_total'].sum()}")
        series["within_reach"].append(section.add(m))
    for name, ms in series.items():
        k = growth_exponent(ms, sizes)
        ratio = ms[-1].median_s / ms[0].median_s
        top = growth_exponent(ms[-2:], sizes[-2:])
        section.ratios.append(f"{name}: growth exponent **{k:.2f}** (slope of log time on log n over "
                              f"{sizes[0]:,}–{sizes[-1]:,}; {top:.2f} between the two largest sizes); "
                              f"time ratio {ratio:.1f}x for a {sizes[-1] / sizes[0]:.0f}x larger input")
    section.notes.append(f"Demand points: the 189,432 Census 2020 localities resampled with replacement "
                         f"(seed {SEED}), each jittered by N(0, {JITTER_KM:g} km) per axis, keeping its codes and "
                         f"population. E2SFCA: national day cares (staff_mid), {CATCHMENT_KM:g} km Gaussian "
                         f"catchment. Reach: the embedded offices (default statuses), {RADIUS_KM:g} km radius; "
                         "`within_reach` includes apportioning municipal counts and the municipal, state and "
                         "national sums.")
    section.notes.append("Sizes of 1,000,000 points use at most 3 timed runs. Fixed costs (selecting offices, "
                         "opening DuckDB, the KD-tree of supply points) weigh most at the small sizes; the "
                         "exponent between the two largest sizes shows the marginal growth.")
