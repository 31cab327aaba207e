"""Every analysis layer of ``layers/`` on the national default data, in one process."""

from __future__ import annotations

import statistics
import time

from ._context import ROOT, Context
from ._harness import Measurement, measure, require
from ._report import Section

NAME = "analyses"
TITLE = "Every analysis on the national default data (no maps, no writing)"
REQUIRES = ("brecha.pipeline.spec:load_specs", "brecha.pipeline.registry:REGISTRY")

GOAL_S = 30.0
#: Smoke mode: two cheap rasters at a coarse cell.
SMOKE = {"raster_population": {"cell_km": 50.0}, "raster_office_distance": {"cell_km": 50.0}}


def _plan(ctx: Context):
    from brecha.pipeline._dag import order
    from brecha.pipeline.spec import load_specs

    specs = {n: s for n, s in load_specs(ROOT / "layers").items() if s.kind != "map"}
    if ctx.smoke:
        specs = {n: s for n, s in specs.items() if n in SMOKE}
    names = order({n: s.layer_deps & set(specs) for n, s in specs.items()})
    return specs, names


def _as_upstream(result):
    """What a dependent layer is given: the build reads a raster layer back as a :class:`brecha.rasters.Raster`."""
    from brecha.pipeline.writers import RasterResult
    from brecha.rasters import Raster

    if not isinstance(result, RasterResult):
        return result
    return Raster(result.array, result.transform, result.crs, result.nodata, result.name, result.units,
                  result.source, result.resampling)


def run(ctx: Context, section: Section) -> None:
    from brecha.pipeline._fingerprint import Sources
    from brecha.pipeline.registry import REGISTRY

    specs, names = _plan(ctx)
    sources = Sources()
    needed = sorted({ref.split(":", 1)[1] for s in specs.values() for ref in s.inputs.values()
                     if ref.startswith("source:")})
    t0 = time.perf_counter()
    for name in needed:
        sources.frame(name)
    read_s = time.perf_counter() - t0
    per_layer: dict[str, list[float]] = {n: [] for n in names}

    def every_analysis() -> dict:
        results: dict = {}
        for name in names:
            spec = specs[name]
            frames = {local: sources.frame(ref.split(":", 1)[1]) if ref.startswith("source:")
                      else _as_upstream(results[ref.split(":", 1)[1]]) for local, ref in spec.inputs.items()}
            params = {**spec.params, **SMOKE.get(name, {})} if ctx.smoke else dict(spec.params)
            t = time.perf_counter()
            results[name] = REGISTRY[spec.function].fn(frames, **params)
            per_layer[name].append(time.perf_counter() - t)
        return results

    data = "national default data" + (" (smoke: two coarse rasters)" if ctx.smoke else "")
    total, results = measure("every analysis layer, in dependency order", data, every_analysis,
                             runs=ctx.runs_at_most(3),
                             note=f"{len(names)} layers: {', '.join(names)}; sources already read")
    section.add(total)
    for name in names:
        timed = per_layer[name][1:] or per_layer[name]  # the first call is the untimed warm-up
        section.add(Measurement(f"{name} ({specs[name].function})", data, timed, None, "part of the run above"))
    medians = {n: statistics.median(per_layer[n][1:] or per_layer[n]) for n in names}
    slowest = max(medians, key=medians.get)
    section.ratios.append(f"Slowest analysis / whole run: **{medians[slowest] / total.median_s:.0%}** "
                          f"({slowest}, {medians[slowest]:.2f} s / {total.median_s:.2f} s)")
    if not ctx.smoke:
        require("municipalities" in results and len(results["municipalities"]) == 2469,
                "the municipal layer does not have 2,469 rows")
        met = total.median_s < GOAL_S
        section.checks.append(f"Goal every analysis under {GOAL_S:g} s on this machine: "
                              f"{'met' if met else 'NOT met'} ({total.median_s:.1f} s).")
    section.checks.append(f"Reading the {len(needed)} embedded sources ({', '.join(needed)}) took {read_s:.1f} s "
                          "once, before the timed runs.")
    section.notes.append("The same registry functions `brecha build` calls, with each spec's parameters, on frames "
                         "in memory: municipal layer (presence, office reach, care supply and E2SFCA access, "
                         "poverty, gap index with EB smoothing and LISA with 999 permutations), state layer, "
                         "top gaps, weight sensitivity, siting, and three 1 km COG rasters (computed, not "
                         "written). Maps and file writing are timed by the build case.")
