"""What every case receives: the mode, the number of runs, a scratch folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: The repository root (benchmarks/ sits in it).
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Context:
    """Run settings shared by the cases.

    Attributes
    ----------
    smoke
        Tiny sizes and one run per measurement: checks that every case works.
    runs
        Timed calls per measurement (the median is reported).
    workdir
        A scratch folder removed after the run.
    """

    smoke: bool
    runs: int
    workdir: Path

    def pick(self, full: T, smoke: T) -> T:
        """``smoke`` in smoke mode, else ``full``."""
        return smoke if self.smoke else full

    def runs_at_most(self, n: int) -> int:
        """The configured number of runs, capped at ``n`` (for slow peers)."""
        return max(1, min(self.runs, n))
