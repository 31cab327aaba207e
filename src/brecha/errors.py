"""Exceptions and warnings raised by brecha.

One root, :class:`BrechaError`; each subclass also inherits the built-in
exception that fits, so ``except ValueError`` keeps working for callers that
do not know brecha.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BrechaError",
    "InputError",
    "Problem",
    "PlaceError",
    "AmbiguousPlaceError",
    "UnknownPlaceError",
    "BuildError",
    "LockError",
    "OutputError",
    "OutputFolderError",
    "BrechaWarning",
    "InputWarning",
    "require_columns",
]


class BrechaError(Exception):
    """Root of every error brecha raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based line number in the file (the header is line 1,
    where a missing or unexpected column is reported), or the feature number
    in a vector file, or ``None`` when the problem concerns the whole file.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = self.value
        if isinstance(value, str) and len(value) > 80:
            value = value[:77] + "..."
        shown = "" if value is None else f": got {value!r}"
        return f"{', '.join(where)}{shown}; expected {self.expected}"


class InputError(BrechaError, ValueError):
    """Bad input data; carries every :class:`Problem` found, not just the first."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem] | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(file or "<input>", None, None, None, problems)]
        self.problems = list(problems)
        shown = self.problems[:50]
        lines = [f"{len(self.problems)} problem(s) in input:"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        super().__init__("\n".join(lines))


def require_columns(frame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`InputError` naming every one of ``columns`` missing from ``frame`` (called ``what``).

    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "toy")
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError([Problem(what, None, c, None, "a column of that name") for c in missing])


class PlaceError(BrechaError, LookupError):
    """A place name could not be turned into exactly one INEGI code."""

    exit_code = 2

    def __init__(self, query: str, message: str, candidates: Sequence[dict] = ()):
        self.query = query
        self.candidates = list(candidates)
        lines = [message]
        for c in self.candidates[:20]:
            code = c.get("cvegeo") or c.get("cve_ent")
            lines.append(f"  {code}  {c.get('name')}, {c.get('state_name')}  ({c.get('level')})")
        super().__init__("\n".join(lines))


class AmbiguousPlaceError(PlaceError):
    """The name matches several places; the caller must say which."""


class UnknownPlaceError(PlaceError):
    """The name matches no state, municipality or locality."""


class BuildError(BrechaError, RuntimeError):
    """A layer failed to build."""

    exit_code = 1


class LockError(BrechaError, RuntimeError):
    """Another build holds the lock on the output folder."""

    exit_code = 1


class OutputError(BrechaError, OSError):
    """An output could not be written: the disk is full, a quota is reached, an I/O error.

    The file being replaced is left as it was. Exit code 1: the inputs were
    fine; run the build again once the cause is fixed.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | os.PathLike | None = None, errno: int | None = None):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.errno = errno  # without strerror, str() stays the message


class OutputFolderError(OutputError):
    """The output folder cannot be created or written to at all: bad input (exit code 2)."""

    exit_code = 2


class BrechaWarning(UserWarning):
    """Root of brecha's warnings."""


class InputWarning(BrechaWarning):
    """Input that brecha could read but that deserves a look (extra columns, repairs).

    ``problems`` holds the :class:`Problem` s the warning stands for (an
    unknown column names its file, header line and column), so that
    ``brecha validate --strict`` can refuse them with the same detail as an
    error; it is empty for a warning about the file as a whole.
    """

    def __init__(self, message: str = "", problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.problems = tuple(problems)
