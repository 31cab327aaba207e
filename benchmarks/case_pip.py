"""Point-in-polygon: brecha.geography.assign_municipality against geopandas sjoin."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ._context import Context
from ._data import SEED, random_points_in_mexico
from ._harness import measure, require
from ._report import Section

NAME = "pip"
TITLE = "Point in polygon: assign_municipality vs geopandas sjoin"
REQUIRES = ("brecha.geography:assign_municipality",)


def sjoin_codes(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame) -> pd.Series:
    """The peer: ``sjoin(predicate="intersects")``, lowest ``cvegeo`` per point (same rule as brecha)."""
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points), polygons[["cvegeo", "geometry"]],
                       how="left", predicate="intersects")
    return joined.groupby(level=0)["cvegeo"].min().reindex(points.index)


def disagreements(a: pd.Series, b: pd.Series) -> int:
    """Points assigned differently (no municipality counts as a value)."""
    return int((a.fillna("").astype(str) != b.fillna("").astype(str)).sum())


def run(ctx: Context, section: Section) -> None:
    from brecha import geography, sources

    polys = geography.municipalities()
    denue = sources.load("denue_care").geometry
    n_random = ctx.pick(1_000_000, 500)
    datasets = [
        (f"DENUE care points ({len(denue):,})" if not ctx.smoke else "DENUE care points (first 200)",
         denue if not ctx.smoke else denue.iloc[:200]),
        (f"{n_random:,} random points in Mexico (seed {SEED})", random_points_in_mexico(n_random)),
    ]
    for data, pts in datasets:
        peer, ref = measure("geopandas sjoin (intersects) + lowest cvegeo", data,
                            lambda: sjoin_codes(pts, polys), runs=ctx.runs)
        section.add(peer)
        for engine in ("strtree", "duckdb"):
            ours, got = measure(f'assign_municipality(engine="{engine}")', data,
                                lambda: geography.assign_municipality(pts, polys, engine=engine), runs=ctx.runs)
            section.add(ours)
            section.ratio(peer, ours, f'sjoin / {engine} on {data}')
            n_bad = disagreements(got, ref)
            section.checks.append(f'{data}, engine="{engine}": {n_bad} disagreements with sjoin; '
                                  f"{int(got.isna().sum()):,} points in no municipality (both agree on these)"
                                  if n_bad == 0 else f"{data}, engine={engine}: {n_bad} disagreements")
            require(n_bad == 0, f'assign_municipality(engine="{engine}") disagrees with sjoin on {n_bad} of {len(pts)} points ({data})')
    section.notes.append("Polygons: the embedded 2,469 municipalities (simplified MG 2020, EPSG:4326); points in EPSG:4326. "
                         "The random points are uniform in longitude/latitude inside the union of the 32 states.")
    section.notes.append("The peer's time includes reducing sjoin's rows to one code per point (lowest cvegeo for "
                         "border points), so both sides return the same Series.")
