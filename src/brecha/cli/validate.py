"""``brecha validate KIND FILE``: check a data file with the reader a build uses, before the build.

Planners run it on the offices or initiatives they are about to pass to
``brecha build``, or on a new INEGI, CONEVAL or DENUE release. It prints
every problem (file, line, column, value and what was expected), not only
the first fifty, and exits 2; a good file gets a one-line summary and exit 0.
Many missing municipalities (``--complete`` on a one-state file) are counted
per state with their first codes; ``--all`` lists each one.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click
import pandas as pd

from ..errors import InputError, InputWarning, Problem
from ..sources import (check_coverage, read_boundaries, read_census_localities, read_census_municipal,
                       read_coneval_municipal, read_coneval_state, read_denue, read_initiatives, read_offices)
from ..sources.boundaries import MISSING_MUNICIPALITY

__all__ = ["KINDS", "Kind", "check", "command"]


@dataclass(frozen=True)
class Kind:
    """A kind of file ``brecha validate`` reads: its reader, what a row is, and a description."""

    reader: Callable[..., pd.DataFrame]
    rows: str
    help: str


KINDS: dict[str, Kind] = {
    "offices": Kind(read_offices, "offices", "agency field offices (agency, city, state; lat, lon optional)"),
    "initiatives": Kind(read_initiatives, "initiatives", "agency initiatives (initiative, agencies, year, ...)"),
    "coneval": Kind(read_coneval_municipal, "municipalities", "CONEVAL municipal poverty"),
    "census": Kind(read_census_municipal, "municipalities", "Census 2020 municipal totals (ITER or one row each)"),
    "localities": Kind(read_census_localities, "localities", "Census 2020 ITER localities"),
    "denue": Kind(read_denue, "care establishments", "DENUE establishments (care classes are kept)"),
    "boundaries": Kind(read_boundaries, "municipalities", "municipal boundaries (any vector format GDAL reads)"),
    "coneval-state": Kind(read_coneval_state, "figures", "CONEVAL official state poverty (workbook or tidy CSV)"),
}


def check(kind: str, path: str | Path, *, strict: bool = False, complete: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Read ``path`` as ``kind`` the way a build would.

    Parameters
    ----------
    strict
        Refuse what the reader would only warn about (unknown columns,
        repaired geometries).
    complete
        Boundaries only: require every municipality of the 2020 frame.

    Returns
    -------
    (frame, warnings)
        What the reader returns, and the text of each warning it gave.

    Raises
    ------
    InputError
        Every problem in the file (with ``strict``, the warnings too).
    """
    spec = KINDS[kind]
    kwargs = {"strict": True} if strict and "strict" in inspect.signature(spec.reader).parameters else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        frame = spec.reader(path, **kwargs)
        if complete:
            from ..geography import municipal_codes

            check_coverage(frame, municipal_codes(), str(path))
    given = [w.message for w in caught if issubclass(w.category, InputWarning)]
    if strict and given:
        # A warning about named columns or features carries them, so the refusal keeps line and column.
        raise InputError([p for w in given for p in getattr(w, "problems", ())
                          or [Problem(str(path), None, None, None, f"no warnings in strict mode ({w})")]])
    return frame, [str(w) for w in given]


#: Missing municipalities beyond this many are summarised per state (``--all`` lists each one).
_SUMMARISE_OVER = 20
#: Codes shown per state in the summary.
_CODES_SHOWN = 5


def _report(problems: list[Problem], file: Path, kind: str, *, every: bool) -> list[str]:
    """The lines ``brecha validate`` prints for ``problems``: each one, but many missing municipalities per state.

    A one-state file checked with ``--complete`` misses some 2,400
    municipalities; a count per state with its first codes says the same
    in 33 lines.
    """
    missing = [p for p in problems if p.expected == MISSING_MUNICIPALITY]
    if every or len(missing) <= _SUMMARISE_OVER:
        return [f"  - {p}" for p in problems]
    from ..geography import states

    st = states()
    names = dict(zip(st["cve_ent"], st["name"]))
    by_state: dict[str, list[str]] = {}
    for p in missing:
        by_state.setdefault(str(p.value)[:2], []).append(str(p.value))
    lines = [f"  - {p}" for p in problems if p.expected != MISSING_MUNICIPALITY]
    lines.append(f"  - {file}, column 'cvegeo': {len(missing):,} municipalities of the 2020 frame are missing, "
                 f"in {len(by_state)} state(s):")
    for ent, codes in sorted(by_state.items()):
        more = f", ... {len(codes) - _CODES_SHOWN:,} more" if len(codes) > _CODES_SHOWN else ""
        lines.append(f"      {ent} {names.get(ent, '?')}: {len(codes):,} missing ({', '.join(codes[:_CODES_SHOWN])}{more})")
    lines.append(f"    (brecha validate {kind} {file} --complete --all lists every one)")
    return lines


@click.command("validate", epilog="Exit codes: 0 the file is good; 2 it is not (every problem is listed).")
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Refuse unknown columns and repaired geometries instead of warning.")
@click.option("--complete", is_flag=True, help="boundaries: require all 2,469 municipalities of the 2020 frame.")
@click.option("--all", "every", is_flag=True,
              help=f"List every missing municipality (more than {_SUMMARISE_OVER} are summarised per state).")
def command(kind: str, file: Path, strict: bool, complete: bool, every: bool) -> None:
    """Check FILE as KIND data, with the reader `brecha build` uses, and list every problem.

    KIND is one of: offices, initiatives, coneval, census, localities,
    denue, boundaries, coneval-state.
    """
    if complete and kind != "boundaries":
        raise click.UsageError("--complete applies to boundaries only")
    try:
        frame, said = check(kind, file, strict=strict, complete=complete)
    except InputError as exc:
        click.echo(f"error: {len(exc.problems):,} problem(s) in {file} (read as {kind}):", err=True)
        for line in _report(exc.problems, file, kind, every=every):
            click.echo(line, err=True)
        sys.exit(exc.exit_code)
    for s in said:
        click.echo(f"warning: {s}", err=True)
    note = f", {len(said)} warning(s)" if said else ""
    click.echo(f"ok: {file}: {len(frame):,} {KINDS[kind].rows} read as {kind}{note}")
