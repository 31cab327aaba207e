"""The canonical geography of Mexico: 32 states and 2,469 municipalities.

The default vintage is INEGI's Marco Geoestadístico 2020, whose codes are the
ones Census 2020 and CONEVAL 2020 use. Keys are strings: ``cve_ent`` (2
characters) and ``cvegeo`` (5). Boundaries are stored in EPSG:4326 and
analysed in EPSG:6372 (Mexico ITRF2008 / LCC, metres), with distances in km.

>>> muni = municipalities()
>>> len(muni), muni.crs.to_epsg()
(2469, 4326)
>>> states().loc[lambda d: d.cve_ent == "07", "name"].item()
'Chiapas'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .settings import ANALYSIS_CRS, DATA_DIR, STORAGE_CRS

__all__ = [
    "municipalities",
    "states",
    "localities",
    "municipal_codes",
    "to_analysis_crs",
    "to_storage_crs",
    "xy_km",
    "weighted_centres",
    "assign_municipality",
    "ANALYSIS_CRS",
    "STORAGE_CRS",
]


@lru_cache(maxsize=8)
def _read(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path)


def _embedded(name: str, data_dir: Path | None) -> gpd.GeoDataFrame:
    return _read(Path(data_dir or DATA_DIR) / f"{name}.parquet").copy()


def municipalities(*, data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """The 2,469 municipalities of the 2020 frame, EPSG:4326.

    Returns
    -------
    GeoDataFrame
        ``cvegeo, cve_ent, cve_mun, name, state_name, geometry``, sorted by
        ``cvegeo``. Boundaries are simplified (topology kept): good for maps
        and joins, not for precise areas.
    """
    return _embedded("municipalities", data_dir)


def states(*, data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """The 32 states, EPSG:4326: ``cve_ent, name, short_name, abbr, abbr_code, geometry``."""
    return _embedded("states", data_dir)


def localities(*, data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """The 189,432 inhabited localities of Census 2020 as points (EPSG:4326).

    Columns: ``cvegeo_loc`` (9 characters), ``cvegeo, cve_ent, name,
    pop_total, geometry``. They are the demand points and the gazetteer.
    """
    return _embedded("localities", data_dir)


def municipal_codes(*, data_dir: Path | None = None) -> list[str]:
    """The sorted ``cvegeo`` codes of the default vintage."""
    return list(_read(Path(data_dir or DATA_DIR) / "municipalities.parquet")["cvegeo"])


def to_analysis_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:6372 (metres) for distances and areas."""
    return gdf.to_crs(ANALYSIS_CRS)


def to_storage_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 for storage and web maps."""
    return gdf.to_crs(STORAGE_CRS)


@lru_cache(maxsize=4)
def _transformer(src: str) -> Transformer:
    return Transformer.from_crs(src, ANALYSIS_CRS, always_xy=True)


def xy_km(points: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """Planar coordinates of points in EPSG:6372, in km, as an ``(n, 2)`` array.

    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy([-99.1332], [19.4326], crs=4326)
    >>> xy_km(pts).round(1).tolist()
    [[2800.2, 829.1]]
    """
    geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geom.crs is None:
        raise ValueError("points have no CRS; set one (e.g. EPSG:4326) before measuring distances")
    xy = shapely.get_coordinates(geom.array)
    # Only all-Point input maps row to row; else .x gives NaN (missing, empty) or raises (not points).
    if len(xy) != len(geom) or (shapely.get_type_id(geom.array) != 0).any():
        xy = np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])
    if not geom.crs.equals(ANALYSIS_CRS):
        xy[:, 0], xy[:, 1] = _transformer(geom.crs.to_string()).transform(xy[:, 0], xy[:, 1])
    return xy / 1000.0


def weighted_centres(points: gpd.GeoDataFrame, *, by: str = "cvegeo", weight: str = "pop_total") -> gpd.GeoDataFrame:
    """Weighted mean centre of points per group, computed in EPSG:6372.

    Used for municipal population-weighted centres from Census 2020
    localities. A group whose weights sum to zero gets the unweighted mean.

    Returns
    -------
    GeoDataFrame
        One row per group (index ``by``), ``weight`` summed, geometry in EPSG:6372.
    """
    xy = xy_km(points) * 1000.0
    w = points[weight].to_numpy(dtype=float)
    df = pd.DataFrame({by: points[by].to_numpy(), "x": xy[:, 0], "y": xy[:, 1], "w": w})
    df["wx"], df["wy"] = df.x * df.w, df.y * df.w
    g = df.groupby(by, sort=True).agg(w=("w", "sum"), wx=("wx", "sum"), wy=("wy", "sum"),
                                      x=("x", "mean"), y=("y", "mean"))
    has_w = g.w > 0
    cx = np.where(has_w, g.wx / g.w.where(has_w, 1), g.x)
    cy = np.where(has_w, g.wy / g.w.where(has_w, 1), g.y)
    return gpd.GeoDataFrame({weight: g.w.to_numpy()}, index=g.index, geometry=gpd.points_from_xy(cx, cy),
                            crs=ANALYSIS_CRS)


def assign_municipality(points: gpd.GeoSeries | gpd.GeoDataFrame, polygons: gpd.GeoDataFrame | None = None,
                        *, engine: str = "strtree") -> pd.Series:
    """The ``cvegeo`` of the municipality containing each point (point-in-polygon).

    Parameters
    ----------
    points
        Points in any CRS (reprojected to the polygons' CRS).
    polygons
        Municipal polygons with ``cvegeo``; the embedded 2020 frame by default.
    engine
        ``"strtree"`` (shapely's STRtree, vectorised) or ``"duckdb"`` (DuckDB
        spatial join). Both give the same answer; ``benchmarks/`` compares
        them with geopandas ``sjoin``.

    Returns
    -------
    Series
        Aligned with ``points``; ``None`` for points in no polygon. A point
        on a shared border goes to the lowest ``cvegeo``.

    >>> pts = gpd.GeoSeries.from_xy([-99.1332, -86.85], [19.4326, 21.16], crs=4326)
    >>> assign_municipality(pts).tolist()
    ['09015', '23005']
    """
    import shapely

    polys = municipalities() if polygons is None else polygons
    geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geom.crs is not None and polys.crs is not None and not geom.crs.equals(polys.crs):
        geom = geom.to_crs(polys.crs)
    codes = polys["cvegeo"].to_numpy()
    out = np.full(len(geom), None, dtype=object)
    if engine == "strtree":
        tree = shapely.STRtree(polys.geometry.values)
        pi, gi = tree.query(geom.values, predicate="intersects")
        pairs = pd.DataFrame({"p": pi, "code": codes[gi]}).sort_values(["p", "code"]).drop_duplicates("p")
        out[pairs["p"].to_numpy()] = pairs["code"].to_numpy()
    elif engine == "duckdb":
        from ._duckdb import connect

        con = connect()
        try:
            con.register("pts", pd.DataFrame({"i": np.arange(len(geom)), "wkb": shapely.to_wkb(geom.values)}))
            con.register("polys", pd.DataFrame({"code": codes, "wkb": shapely.to_wkb(polys.geometry.values)}))
            res = con.execute(
                "WITH p AS (SELECT i, ST_GeomFromWKB(wkb) AS g FROM pts), "
                "m AS (SELECT code, ST_GeomFromWKB(wkb) AS g FROM polys) "
                "SELECT p.i, min(m.code) AS code FROM p JOIN m ON ST_Intersects(m.g, p.g) GROUP BY p.i").df()
        finally:
            con.close()
        out[res["i"].to_numpy()] = res["code"].to_numpy()
    else:
        raise ValueError(f"engine must be 'strtree' or 'duckdb', got {engine!r}")
    return pd.Series(out, index=points.index, name="cvegeo")
