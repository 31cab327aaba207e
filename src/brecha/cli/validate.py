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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import pandas as pd

from ..errors import InputError, InputWarning, Problem
from ..sources import SOURCES, check_coverage
from ..sources._load import reader
from ..sources.boundaries import MISSING_MUNICIPALITY

__all__ = ["KINDS", "Kind", "check", "command"]


@dataclass(frozen=True)
class Kind:
    """A kind of file ``brecha validate`` reads: its reader, what a row is, and a description."""

    reader: Callable[..., pd.DataFrame]
    rows: str
    help: str


#: ``brecha validate KIND`` -> how it reads; from the source table (``validate_kind``, ``reader``, ``rows_word``).
KINDS: dict[str, Kind] = {s.validate_kind: Kind(reader(s), s.rows_word, s.title)
                          for s in SOURCES if s.validate_kind is not None}


def check(kind: str, path: str | Path, *, strict: bool = False, complete: bool = False,
          sheet: str | None = None) -> tuple[pd.DataFrame, list[str]]:
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
    takes = inspect.signature(spec.reader).parameters
    kwargs: dict[str, object] = {"strict": True} if strict and "strict" in takes else {}
    if sheet is not None:  # a workbook's sheet by name, for the readers that take one
        if "sheet" not in inspect.signature(spec.reader).parameters:
            raise InputError([Problem(str(path), None, None, sheet, f"no --sheet: the {kind} reader takes no sheet")])
        kwargs["sheet"] = sheet
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
        shown = ", ".join(codes[:_CODES_SHOWN])
        lines.append(f"      {ent} {names.get(ent, '?')}: {len(codes):,} missing ({shown}{more})")
    lines.append(f"    (brecha validate {kind} {file} --complete --all lists every one)")
    return lines


@click.command("validate", epilog="KIND is one of: " + ", ".join(
    f"{k} ({v.help})" for k, v in KINDS.items()) + ".\n\nExit codes: 0 the file is good; 2 it is not "
    "(every problem is listed).")
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Refuse unknown columns and repaired geometries instead of warning.")
@click.option("--sheet", metavar="NAME", help="The workbook sheet to read (default: the visible/active one).")
@click.option("--complete", is_flag=True, help="boundaries: require all 2,469 municipalities of the 2020 frame.")
@click.option("--all", "every", is_flag=True,
              help=f"List every missing municipality (more than {_SUMMARISE_OVER} are summarised per state).")
def command(kind: str, file: Path, strict: bool, complete: bool, every: bool, sheet: str | None = None) -> None:
    """Check FILE as KIND data, with the reader `brecha build` uses, and list every problem."""
    if complete and kind != "boundaries":
        raise click.UsageError("--complete applies to boundaries only")
    try:
        frame, said = check(kind, file, strict=strict, complete=complete, sheet=sheet)
    except InputError as exc:
        click.echo(f"error: {len(exc.problems):,} problem(s) in {file} (read as {kind}):", err=True)
        for line in _report(exc.problems, file, kind, every=every):
            click.echo(line, err=True)
        sys.exit(exc.exit_code)
    for s in said:
        click.echo(f"warning: {s}", err=True)
    note = f", {len(said)} warning(s)" if said else ""
    click.echo(f"ok: {file}: {len(frame):,} {KINDS[kind].rows} read as {kind}{note}")
