"""Boundary layers built from the embedded data alone: municipal and state profiles.

Counts are people (Census 2020); shares are percent of people (CONEVAL 2020,
CONEVAL 2021, "Metodología para la medición multidimensional de la pobreza
en México", 3rd ed.).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .._duckdb import connect, query
from ..errors import BuildError

__all__ = ["municipal_profile", "state_profile"]


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BuildError(f"{what} has no column(s) {missing}; it has {list(frame.columns)}")


def _ident(name: str) -> str:
    # Names are checked against the frame's columns first; quoting keeps odd ones valid SQL.
    return '"' + name.replace('"', '""') + '"'


def municipal_profile(boundaries: gpd.GeoDataFrame, census: pd.DataFrame, poverty: pd.DataFrame, *,
                      census_columns: list[str], poverty_columns: list[str]) -> gpd.GeoDataFrame:
    """Municipal boundaries joined with chosen Census and CONEVAL columns by ``cvegeo``.

    A municipality missing from a table keeps NaN, never zero (CONEVAL does
    not estimate three municipalities).

    Returns
    -------
    GeoDataFrame
        ``cvegeo, cve_ent, name, state_name``, the chosen columns and the
        geometry, sorted by ``cvegeo``, in the boundaries' CRS.
    """
    _require(census, ["cvegeo", *census_columns], "census")
    _require(poverty, ["cvegeo", *poverty_columns], "poverty")
    clash = set(census_columns) & set(poverty_columns)
    if clash:
        raise BuildError(f"columns {sorted(clash)} are asked from both census and poverty")
    base = [c for c in ("cvegeo", "cve_ent", "name", "state_name") if c in boundaries.columns]
    cols = ", ".join([f"b.{_ident(c)}" for c in base] + [f"c.{_ident(c)}" for c in census_columns]
                     + [f"p.{_ident(c)}" for c in poverty_columns])
    attrs = query(f"SELECT {cols} FROM b LEFT JOIN c USING (cvegeo) LEFT JOIN p USING (cvegeo) ORDER BY b.cvegeo",
                  b=pd.DataFrame(boundaries[base]), c=census[["cvegeo", *census_columns]],
                  p=poverty[["cvegeo", *poverty_columns]], con=connect(spatial=False))
    geom = boundaries.set_index("cvegeo").geometry
    return gpd.GeoDataFrame(attrs, geometry=geom.loc[attrs["cvegeo"]].to_numpy(), crs=boundaries.crs)


def state_profile(boundaries: gpd.GeoDataFrame, municipalities: pd.DataFrame, *,
                  sum_columns: list[str], pct_columns: dict[str, list[str]]) -> gpd.GeoDataFrame:
    """State boundaries with municipal counts summed and shares recomputed from them.

    A summed count is NaN when any municipality of the state lacks it (a
    partial sum would look like a total). A share ``pct = 100 * sum(people)
    / sum(population)`` uses the municipalities that have both; it is the
    municipal aggregate, not CONEVAL's official state estimate, which comes
    from a separate state-level model.

    Parameters
    ----------
    pct_columns
        ``{output: [numerator, denominator]}``, e.g.
        ``{"poverty_pct": ["poverty_people", "pop_coneval"]}``.
    """
    _require(municipalities, ["cvegeo", *sum_columns, *(c for pair in pct_columns.values() for c in pair)],
             "the municipal layer")
    bad = {k: v for k, v in pct_columns.items() if not (isinstance(v, list) and len(v) == 2)}
    if bad:
        raise BuildError(f"pct_columns entries must be [numerator, denominator]; got {bad}")
    parts = [f"CASE WHEN count({_ident(c)}) = count(*) THEN sum({_ident(c)}) END AS {_ident(c)}"
             for c in sum_columns]
    for out, (num, den) in pct_columns.items():
        parts.append(f"100.0 * sum({_ident(num)}) / nullif(sum(CASE WHEN {_ident(num)} IS NOT NULL "
                     f"THEN {_ident(den)} END), 0) AS {_ident(out)}")
    frame = pd.DataFrame(municipalities.drop(columns="geometry", errors="ignore"))
    frame["cve_ent"] = frame["cvegeo"].str[:2]
    sums = query(f"SELECT cve_ent, count(*) AS municipalities, {', '.join(parts)} FROM m GROUP BY cve_ent",
                 m=frame, con=connect(spatial=False))
    base = [c for c in ("cve_ent", "name", "abbr") if c in boundaries.columns]
    out = pd.DataFrame(boundaries[base]).merge(sums, on="cve_ent", how="left", validate="1:1")
    geom = boundaries.set_index("cve_ent").geometry
    return gpd.GeoDataFrame(out, geometry=geom.loc[out["cve_ent"]].to_numpy(), crs=boundaries.crs)
