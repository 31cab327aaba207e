"""``brecha build``: build the layers and maps whose specs, inputs or code changed."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import BrechaError
from ..pipeline import build
from ..pipeline._progress import RichReporter, reporter
from ..settings import from_env

EXIT_CODES = ("Exit codes: 0 ok (or nothing to do); 1 a layer failed, or another build holds the lock; 2 bad input "
              "(a spec, a --layer name, an --offices/--initiatives/--coneval-state file, an --out folder that cannot "
              "be written to). A write that fails on a full disk stops the build with 1 and keeps the previous "
              "outputs.")


def source_options(fn):
    """``--initiatives``, ``--offices`` and ``--coneval-state``: a user's files for a build's sources."""
    fn = click.option("--coneval-state", "coneval_state", type=click.Path(dir_okay=False, path_type=Path),
                      metavar="XLSX", help="CONEVAL's official state poverty workbook (anexo estadístico, or its "
                      "tidy CSV): the states layer shows the official figures next to the municipal aggregates.")(fn)
    fn = click.option("--offices", type=click.Path(dir_okay=False, path_type=Path),
                      help="Field offices CSV/XLSX replacing the embedded one.")(fn)
    fn = click.option("--initiatives", type=click.Path(dir_okay=False, path_type=Path),
                      help="Initiatives CSV/XLSX replacing the embedded one.")(fn)
    return fn


def addition_options(fn):
    """``--add-offices``/``--add-initiatives``: a user's rows added to the embedded ones."""
    # Adding (not replacing): ids of added rows carry the file's position, so they never collide.
    fn = click.option("--add-offices", "add_offices", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
                      metavar="FILE", help="Offices CSV/XLSX added to the embedded ones (repeatable; "
                      "`brecha template offices` writes one to fill in).")(fn)
    fn = click.option("--add-initiatives", "add_initiatives", multiple=True,
                      type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                      help="Initiatives CSV/XLSX added to the embedded ones (repeatable).")(fn)
    return fn


def where_options(fn):
    """``--out`` and ``--layers-dir``, defaulting to BRECHA_OUT / BRECHA_LAYERS."""
    s = from_env()
    fn = click.option("--layers-dir", type=click.Path(file_okay=False, path_type=Path), default=s.layers_dir,
                      show_default=True, help="Folder of layer specs (*.toml); env BRECHA_LAYERS.")(fn)
    fn = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=s.out_dir,
                      show_default=True, help="Output folder; env BRECHA_OUT.")(fn)
    return fn


def fail(exc: BrechaError) -> None:
    """Print a brecha error and exit with its code (2 bad input, 1 otherwise)."""
    click.echo(f"error: {exc}", err=True)
    sys.exit(getattr(exc, "exit_code", 1))


def _terminate(signum, frame):
    # A SystemExit unwinds the with-blocks, so temporary files are removed now
    # rather than by the next build.
    raise SystemExit(128 + signum)


@click.command("build", epilog=EXIT_CODES)
@where_options
@click.option("--layer", "layers", multiple=True, metavar="NAME",
              help="Build only this layer and what it depends on (repeatable).")
@source_options
@addition_options
@click.option("--force", is_flag=True, help="Rebuild even what is up to date.")
@click.option("--dry-run", is_flag=True, help="Say what would be built and why; write nothing.")
@click.option("--no-store", is_flag=True, help="Skip loading the sources into DIR/brecha.duckdb.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a progress bar on a terminal, plain lines otherwise; json: one object per event on stdout.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=from_env().lock_timeout_s, show_default=True,
              metavar="SECONDS", help="Wait this long for another build of the same folder; env BRECHA_LOCK_TIMEOUT.")
def command(out_dir: Path, layers_dir: Path, layers: tuple[str, ...], initiatives: Path | None,
            offices: Path | None, coneval_state: Path | None, add_offices: tuple[Path, ...],
            add_initiatives: tuple[Path, ...], force: bool, dry_run: bool, no_store: bool,
            log_format: str,
            lock_timeout: float) -> None:
    """Build layers, rasters, maps, the DuckDB store and manifest.json into --out.

    Only what changed is rebuilt: a layer's spec, the sha256 of an input, or
    the code version. Every file is written beside its target and renamed
    into place, so a failed or killed build leaves the previous outputs and a
    consistent manifest.
    """
    from . import _logging

    stream = sys.stdout if log_format == "json" else sys.stderr
    report = reporter(log_format, stream)
    # Log records take the events' form: JSON lines, lines above the bar, or plain lines; each shown once.
    if isinstance(report, RichReporter):
        _logging.use("rich", console=report.console)
    else:
        _logging.use(log_format)
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # "Created N records" per file is noise here
    previous = signal.signal(signal.SIGTERM, _terminate)
    given: dict[str, Any] = {"initiatives": initiatives, "offices": offices, "coneval_state": coneval_state,
                             "add_offices": list(add_offices), "add_initiatives": list(add_initiatives)}
    try:
        res = build(out_dir, layers_dir=layers_dir, layers=layers,
                    sources={k: v for k, v in given.items() if v},
                    force=force, dry_run=dry_run,
                    lock_timeout_s=lock_timeout, store=not no_store, on_event=report)
    except (BrechaError, OSError) as exc:
        if log_format != "json":
            if isinstance(exc, BrechaError):
                fail(exc)
            raise  # main() says what to check
        # Schedulers read one JSON object per line on both streams: the error is one too.
        code = getattr(exc, "exit_code", 1) if isinstance(exc, BrechaError) else 1
        report({"event": "error", "error": type(exc).__name__, "message": str(exc), "exit_code": code})
        logging.getLogger(__name__).debug("build failed", exc_info=True)
        sys.exit(code)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if isinstance(report, RichReporter):
            report.progress.stop()  # an error mid-build must not leave the bar (and a hidden cursor) behind
        _logging.use("text", once=False)
    sys.exit(res.exit_code)


if __name__ == "__main__":
    command()
