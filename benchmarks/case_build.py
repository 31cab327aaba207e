"""Full build: cold, no-op rebuild, and rebuild after one input changes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ._context import ROOT, Context
from ._harness import Measurement, require, run_process
from ._report import Section

NAME = "build"
TITLE = "Full build: cold, no-op and one-change rebuilds"
REQUIRES = ("brecha.cli.build:command", "brecha.pipeline:build")

COLD_GOAL_S = 60.0
NOOP_GOAL = 0.10
#: Statuses given in turn to the first office, so each one-change run changes the file again.
STATUS_CYCLE = ("planned", "renovated", "expanding")  # the embedded first office is "existing"
SMOKE_LAYER = "municipalities"


@dataclass
class BuildRun:
    seconds: float  #: wall clock of the subprocess
    peak_mib: float  #: peak RSS of its process tree
    own_seconds: float  #: the build's own time, from its summary event
    did: str  #: what it built and why


def build(out: Path, *extra: str) -> BuildRun:
    """Run ``python -m brecha build --log-format json`` into ``out``."""
    cmd = [sys.executable, "-m", "brecha", "build", "--out", str(out), "--layers-dir", str(ROOT / "layers"),
           "--log-format", "json", *extra]
    seconds, peak, res = run_process(cmd, cwd=str(ROOT))
    events = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    summary = next((e for e in events if e.get("event") == "summary"), None)
    require(res.returncode == 0 and summary is not None and summary.get("failed", 0) == 0,
            f"brecha build exited {res.returncode}:\n{res.stderr[-3000:]}")
    reasons = Counter(e.get("reason", "?") for e in events if e.get("event") == "layer" and e.get("status") == "built")
    why = "; ".join(f"{n} x {r}" for r, n in reasons.most_common()) or "no layer rebuilt"
    store = [e.get("reason", "?") for e in events if e.get("event") == "store" and e.get("status") == "built"]
    did = (f"{summary.get('built', 0)} layers built, {summary.get('skipped', 0)} skipped ({why})"
           + (f"; store rebuilt ({store[0]})" if store else ""))
    return BuildRun(seconds, peak, float(summary["seconds"]), did)


def changed_offices(src: Path, dst: Path, status: str) -> str:
    """Copy the offices CSV with the first row's status set to ``status``; return that office's city."""
    text = src.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("status")
    rows[1][col] = status
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    dst.write_text(buf.getvalue(), encoding="utf-8")
    return rows[1][rows[0].index("city")]


def run(ctx: Context, section: Section) -> None:
    from brecha.settings import DATA_DIR

    # Smoke: one layer without the DuckDB store, so CI exercises every step in seconds.
    extra = ("--layer", SMOKE_LAYER, "--no-store") if ctx.smoke else ()
    runs = ctx.runs_at_most(3)
    what = f"layer {SMOKE_LAYER} only, no store" if ctx.smoke else "every layer in layers/, maps, store"
    phases: dict[str, list[BuildRun]] = {"cold": [], "no-op": [], "one change": []}
    for k in range(runs):
        out = ctx.workdir / f"build-{k}"
        shutil.rmtree(out, ignore_errors=True)
        phases["cold"].append(build(out, *extra))
        phases["no-op"].append(build(out, *extra))
        offices = ctx.workdir / f"offices-{k}.csv"
        city = changed_offices(DATA_DIR / "offices.csv", offices, STATUS_CYCLE[k % len(STATUS_CYCLE)])
        phases["one change"].append(build(out, *extra, "--offices", str(offices)))
    labels = {"cold": ("cold build (empty --out)", "wall clock incl. interpreter start; peak RSS of the process tree"),
              "no-op": ("no-op rebuild (nothing changed)", ""),
              "one change": ("rebuild after one input changed", f"--offices copy, first office ({city}) status changed")}
    wall = {p: section.add(Measurement(labels[p][0], what, [r.seconds for r in rs], max(r.peak_mib for r in rs),
                                       labels[p][1])) for p, rs in phases.items()}
    for p, rs in phases.items():
        section.add(Measurement(f"{p}: the build's own time", what, [r.own_seconds for r in rs], None,
                                "`seconds` of the summary event: excludes interpreter start and imports"))
    m_cold, m_noop = wall["cold"], wall["no-op"]
    for p in ("no-op", "one change"):
        m = wall[p]
        section.ratios.append(f"{p} / cold: **{m.median_s / m_cold.median_s:.1%}** of the cold build "
                              f"({m.median_s:.2f} s / {m_cold.median_s:.2f} s)")
    if not ctx.smoke:  # the goals are about the full build
        section.checks.append(f"Goal cold build under {COLD_GOAL_S:g} s on this machine: "
                              f"{'met' if m_cold.median_s < COLD_GOAL_S else 'NOT met'} ({m_cold.median_s:.1f} s).")
        noop_share = m_noop.median_s / m_cold.median_s
        section.checks.append(f"Goal no-op rebuild under {NOOP_GOAL:.0%} of cold: "
                              f"{'met' if noop_share < NOOP_GOAL else 'NOT met'} ({noop_share:.1%}).")
    for p, rs in phases.items():
        section.checks.append(f"What the {p} builds did, per run: " + " | ".join(r.did for r in rs))
    section.notes.append(f"Each of the {runs} rounds builds into a fresh folder, rebuilds it unchanged, then "
                         "rebuilds with `--offices` pointing at a copy of the embedded offices.csv whose first "
                         f"row's status is set to the next of {', '.join(STATUS_CYCLE)} (so every round changes "
                         "the file). Times are wall-clock of `python -m brecha build --log-format json`, including "
                         "interpreter start-up and imports"
                         + ("; smoke: one layer, `--no-store`." if ctx.smoke else "; the DuckDB store is built (the default)."))
