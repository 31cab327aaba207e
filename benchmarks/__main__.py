"""``python -m benchmarks [--smoke] [--case NAME] [--runs N] [--out PATH] [--strict]``.

Exit status 1 when a case errors or an equality check fails (and, with
``--strict``, when a case could not run because its module is missing).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shlex
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

from brecha._io import atomic_write

from . import CASES
from ._context import Context
from ._harness import BenchmarkFailure, close_sampler
from ._report import Section, machine, render

log = logging.getLogger("benchmarks")

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def missing_requirements(requires: tuple[str, ...]) -> list[str]:
    """The ``module:attr`` requirements that are not importable yet.

    A module that exists but fails to import for another reason is not
    "missing": the error propagates and the case is reported as an error.
    """
    missing = []
    for req in requires:
        mod_name, _, attr = req.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name and (mod_name == exc.name or mod_name.startswith(exc.name + ".")):
                missing.append(req)
                continue
            raise
        if attr and not hasattr(mod, attr):
            missing.append(req)
    return missing


def run_case(mod: ModuleType, ctx: Context) -> Section:
    section = Section(mod.NAME, mod.TITLE)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    try:
        missing = missing_requirements(tuple(mod.REQUIRES))
        if missing:
            section.status = f"not run: module missing ({', '.join(missing)})"
        else:
            mod.run(ctx, section)
    except BenchmarkFailure as exc:
        section.status = "error: check failed"
        section.error = str(exc)
    except Exception:  # a broken case must not hide the others; it fails the run below
        section.status = "error"
        section.error = traceback.format_exc()
    section.elapsed_s = time.perf_counter() - t0
    section.load = (load0, os.getloadavg()[0])
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="every case at tiny sizes, one run each (CI)")
    parser.add_argument("--case", action="append", choices=CASES, metavar="NAME",
                        help=f"run only this case (repeatable): {', '.join(CASES)}")
    parser.add_argument("--runs", type=int, default=None, help="timed calls per measurement (default 5; smoke 1)")
    parser.add_argument("--out", type=Path, default=None,
                        help="report path (default: benchmarks/RESULTS.md for a full run of every case, "
                             "else a file in the temp folder)")
    parser.add_argument("--strict", action="store_true", help="fail when a case's module is missing")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")

    names = args.case or CASES
    runs = args.runs or (1 if args.smoke else 5)
    if args.out is not None:
        out = args.out
    elif not args.smoke and not args.case:
        out = RESULTS
    else:
        out = Path(tempfile.gettempdir()) / ("brecha-bench-smoke.md" if args.smoke else "brecha-bench.md")
    command = "python -m benchmarks" + ("".join(f" {shlex.quote(a)}" for a in (argv if argv is not None else sys.argv[1:])))

    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    info = machine()
    sections = []
    with tempfile.TemporaryDirectory(prefix="brecha-bench-") as tmp:
        ctx = Context(smoke=args.smoke, runs=runs, workdir=Path(tmp))
        try:
            for name in names:
                log.info("case %s ...", name)
                section = run_case(importlib.import_module(f"{__package__}.case_{name}"), ctx)
                log.info("case %s: %s (%.1f s)", name, section.status, section.elapsed_s)
                if section.error:
                    log.error("case %s failed:\n%s", name, section.error)
                sections.append(section)
        finally:
            close_sampler()
    text = render(sections, info, command=command, runs=runs, started=started, elapsed_s=time.perf_counter() - t0)
    atomic_write(out, text)
    log.info("wrote %s", out)

    failed = [s.name for s in sections if s.status.startswith("error")]
    missing = [s.name for s in sections if s.status.startswith("not run")]
    if missing:
        log.warning("not run (module missing): %s", ", ".join(missing))
    if failed:
        log.error("failed: %s", ", ".join(failed))
    return 1 if failed or (args.strict and missing) else 0


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("brecha").setLevel(logging.WARNING)  # the cases' progress is enough


if __name__ == "__main__":
    _configure_logging()
    sys.exit(main())
