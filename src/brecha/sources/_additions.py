"""A user's offices or initiatives added to the embedded ones (``brecha build --add-offices FILE``).

Each added file is read with the same reader as the embedded data. Its ids
carry the file's position (``a1_o0002``: line 2 of the first added file), so
they cannot collide with the embedded ids (``o0002``) or with another added
file's. A row that repeats an embedded row (same agency, office type, place
and year; for initiatives same name, year and agencies) is a problem naming
both lines: adding must not count an office twice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError, Problem

__all__ = ["add_rows", "ADDABLE"]

#: Sources a user may add rows to, and the prefix letter of their ids.
ADDABLE = {"offices": "o", "initiatives": "i"}


def _office_key(df: pd.DataFrame) -> pd.Series:
    year = df["year_reported"].astype("string").fillna("")
    place = df["cvegeo"].fillna(df["cve_ent"]).fillna("").astype(str)
    return (df["agency"].astype(str) + "|" + df["office_type"].astype(str).str.strip().str.lower() + "|" + place
            + "|" + year)


def _initiative_key(df: pd.DataFrame) -> pd.Series:
    return (df["initiative"].astype(str).str.strip().str.lower() + "|" + df["year"].astype("string").fillna("")
            + "|" + df["agencies"].map(lambda a: ";".join(a)))


def add_rows(name: str, base: pd.DataFrame, paths: Sequence[str | os.PathLike], **read_kw) -> pd.DataFrame:
    """``base`` (a source's frame) with the rows of each file in ``paths`` appended.

    Parameters
    ----------
    name
        ``"offices"`` or ``"initiatives"``.
    read_kw
        Passed to the reader (``sheet=``, ``strict=``).

    Raises
    ------
    InputError
        Every problem in the added files, and every added row that repeats a
        row already present (naming the file and line of both).
    """
    from .agencies import assign_sites, read_initiatives, read_offices

    if name not in ADDABLE:
        raise InputError([Problem(str(p), None, None, name, f"a file for one of {list(ADDABLE)}") for p in paths])
    reader = read_offices if name == "offices" else read_initiatives
    key_of = _office_key if name == "offices" else _initiative_key
    id_col = "office_id" if name == "offices" else "initiative_id"
    frames, problems = [base], []
    where = {k: (base.attrs.get("file", "embedded data"), i) for k, i in zip(key_of(base), base[id_col])}
    for k, path in enumerate(paths, start=1):
        try:
            add = reader(path, id_prefix=f"a{k}_{ADDABLE[name]}", **read_kw)
        except InputError as exc:
            problems += exc.problems
            continue
        for key, rid in zip(key_of(add), add[id_col]):
            if key in where:
                file, other = where[key]
                line = int(rid.rsplit(ADDABLE[name], 1)[1])
                problems.append(Problem(str(Path(path)), line, None, key.replace("|", ", "),
                                        f"a row not already in the data (it repeats {other} of {file})"))
            else:
                where[key] = (str(path), rid)
        frames.append(add)
    if problems:
        raise InputError(problems)
    if name == "offices":
        out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=base.crs)
        out["site_id"] = assign_sites(out).to_numpy()  # the same office added in a later year is one site
    else:
        out = pd.concat(frames, ignore_index=True)
    out.attrs["file"] = "; ".join([str(base.attrs.get("file", "embedded data"))] + [str(p) for p in paths])
    return out
