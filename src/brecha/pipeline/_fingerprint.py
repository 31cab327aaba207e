"""What a layer's outputs depend on, and why an existing build is stale.

A layer is rebuilt when its spec, the content of an input or the code
changed (the rule of make and of content-addressed build tools such as
Bazel; Mokhov, Mitchell and Peyton Jones 2018, "Build systems à la carte").
Inputs are compared by sha256, not by date, so touching a file does nothing
and an upstream layer rebuilt into identical bytes does not ripple down.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .._io import sha256_file
from ..errors import InputError, Problem
from ..settings import DATA_DIR
from ..sources._registry import SOURCES
from ..sources.catalog import input_record
from . import manifest as mf
from .spec import LayerSpec

__all__ = ["code_version", "Sources", "input_records", "stale_reason", "REPLACEABLE", "OPTIONAL"]

#: Sources a user may replace with a file of their own (from the source table).
REPLACEABLE: tuple[str, ...] = tuple(s.name for s in SOURCES if s.replaceable)
#: Sources with no embedded copy, used only when the user gives a file (``brecha build --coneval-state``);
#: a spec binds them as ``source:<name>`` and its function gets None without one.
OPTIONAL: tuple[str, ...] = tuple(s.name for s in SOURCES if s.optional)
_PACKAGE = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """``<brecha version>+<12 hex of a sha256 over the package's code files>``.

    Any edit to a module (or to the map assets) changes it; the embedded data
    are inputs, hashed on their own, so they are left out.
    """
    h = hashlib.sha256()
    for p in sorted(_PACKAGE.rglob("*")):
        rel = p.relative_to(_PACKAGE)
        if not p.is_file() or rel.parts[0] == "data" or "__pycache__" in rel.parts or p.suffix == ".pyc":
            continue
        h.update(rel.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


class Sources:
    """The sources of one build: embedded files or a user's replacements, hashed and read once each.

    Parameters
    ----------
    replacements
        ``{"offices": path, "initiatives": path}``: files read with
        :func:`brecha.sources.read_offices` / ``read_initiatives`` instead
        of the embedded ones; and ``{"coneval_state": path}``, CONEVAL's
        official state workbook (or tidy CSV), read with
        :func:`brecha.sources.read_coneval_state` (an :data:`OPTIONAL` source).
    """

    def __init__(self, replacements: Mapping[str, str | os.PathLike] | None = None,
                 data_dir: Path | None = None):
        self.data_dir = Path(data_dir or DATA_DIR)
        reps = dict(replacements or {})
        # "add_offices": [paths] (``brecha build --add-offices``): rows added to a source, not replacing it.
        self.additions = {k[4:]: [Path(p) for p in ([v] if isinstance(v, (str, os.PathLike)) else v)]
                          for k, v in [(k, reps.pop(k)) for k in [k for k in reps if k.startswith("add_")]] if v}
        self.replacements = {k: Path(v) for k, v in reps.items() if v is not None}
        problems = [Problem(str(p), None, None, None, f"an existing {n} file to add")
                    for n, ps in self.additions.items() for p in ps if not p.is_file()]
        for name, path in self.replacements.items():
            if name not in REPLACEABLE + OPTIONAL:
                problems.append(Problem(str(path), None, None, name,
                                        f"a file for one of {list(REPLACEABLE + OPTIONAL)}"))
            elif not path.is_file():
                problems.append(Problem(str(path), None, None, None, f"an existing {name} file"))
        if problems:
            raise InputError(problems)
        self._records: dict[str, dict] = {}
        self._frames: dict[str, pd.DataFrame] = {}

    def record(self, name: str) -> dict[str, Any]:
        """Provenance of source ``name``: file, sha256, vintage."""
        if name not in self._records:
            if name in self.replacements:
                p = self.replacements[name]
                self._records[name] = {"source": name, "file": str(p.resolve()), "sha256": sha256_file(p),
                                       "vintage": "user file"}
            elif name in OPTIONAL:  # not given: recorded too, so giving (or dropping) one makes layers stale
                self._records[name] = {"source": name, "file": None, "sha256": None, "vintage": "not given"}
            else:
                self._records[name] = input_record(name, self.data_dir)
            if name in self.additions:  # recorded, so adding (or changing) a file makes layers stale
                self._records[name]["added"] = [{"file": str(p.resolve()), "sha256": sha256_file(p)}
                                                for p in self.additions[name]]
        return self._records[name]

    def frame(self, name: str) -> pd.DataFrame | None:
        """The source read by its brecha reader (a copy: adapters may modify what they get).

        None for an :data:`OPTIONAL` source the user did not give.
        """
        if name in OPTIONAL and name not in self.replacements:
            return None
        if name not in self._frames:
            from ..sources import load

            self._frames[name] = load(name, self.replacements.get(name), data_dir=self.data_dir)
            if name in self.additions:
                from ..sources._additions import add_rows

                self._frames[name] = add_rows(name, self._frames[name], self.additions[name])
        return self._frames[name].copy()

    def check_replacements(self, known: AbstractSet[str] = frozenset()) -> None:
        """Read the replacements now, so a bad file stops the build (exit 2) before anything is written.

        Files whose sha256 is in ``known`` (recorded by an earlier build that
        read them) are not read again, which keeps a build with nothing to
        do cheap.

        Raises
        ------
        InputError
            Every problem in the user's files.
        """
        for name in self.replacements:
            if self.record(name)["sha256"] not in known:
                self.frame(name)
        for name in self.additions:
            if any(a["sha256"] not in known for a in self.record(name)["added"]):
                self.frame(name)


def input_records(spec: LayerSpec, sources: Sources, layers: Mapping[str, dict]) -> dict[str, dict | None]:
    """Per input name, what the layer would be built from now (None: upstream layer not built)."""
    out: dict[str, dict | None] = {}
    for local, ref in sorted(spec.inputs.items()):
        kind, name = ref.split(":", 1)
        if kind == "source":
            out[local] = {"ref": ref, **sources.record(name)}
        elif name in layers:
            prim = mf.primary_output(layers[name])
            out[local] = {"ref": ref, "path": prim["path"], "sha256": prim["sha256"]}
        else:
            out[local] = None
    return out


def stale_reason(spec: LayerSpec, entry: dict | None, inputs: Mapping[str, dict | None], code: str,
                 out_dir: Path) -> str | None:
    """Why ``entry`` (the manifest's record of the last build) is not up to date, or None."""
    if entry is None:
        return "never built"
    if entry.get("spec_sha256") != spec.sha256:
        return "spec changed"
    if entry.get("code_version") != code:
        return f"code version changed ({entry.get('code_version')} -> {code})"
    old = entry.get("inputs", {})
    for local, rec in inputs.items():
        before = old.get(local) or {}
        if rec is None or before.get("sha256") != rec["sha256"] or before.get("ref") != rec["ref"]:
            ref = rec["ref"] if rec else spec.inputs[local]
            return f"input {ref} changed"
    for rec in entry.get("outputs", []):
        problem = mf.output_problem(out_dir, rec)
        if problem:
            return problem
    return None
