"""Readers for INEGI's Marco Geoestadístico boundaries.

The default vintage is the 2020 frame (2,469 municipalities): the codes that
Census 2020 and CONEVAL 2020 use. :func:`read_marco_geoestadistico` reads
any newer frame and keeps only that vintage's codes, reporting the rest.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._io import check_input_file
from .._validate import unknown_columns
from ..errors import InputError, InputWarning, Problem
from ..settings import STORAGE_CRS

__all__ = ["read_boundaries", "read_marco_geoestadistico", "check_coverage", "MISSING_MUNICIPALITY"]

log = logging.getLogger(__name__)

_NAME_COLS = ("nom_mun", "nomgeo", "name", "nombre_municipio")
_CODE_COLS = ("cvegeo", "cve_geo")
#: Columns of the Marco Geoestadístico (2020 and later frames) and of brecha's own
#: municipal layer that the reader does not need: state and municipality codes and names.
_LAYOUT = ("cve_ent", "cve_mun", "nom_ent", "state_name",
           "pob2020_api", "viv2020_api", "geom_source")  # the current full-resolution frame's redistribution


def _one_layer(p: Path, file: str) -> None:
    """Refuse a file holding several layers when none is named: reading the first one may be reading the wrong one."""
    import pyogrio

    try:
        names = [str(n) for n in pyogrio.list_layers(p)[:, 0]]
    except Exception:  # unreadable: read_file says why, with the reader's own message
        return
    if len(names) > 1:
        raise InputError([Problem(file, None, None, None,
                                  f"one layer, or the layer to read named (layer=...); the file has {len(names)}: "
                                  f"{names}")])


def read_boundaries(path: str | os.PathLike, *, layer: str | None = None, strict: bool = False) -> gpd.GeoDataFrame:
    """Read municipal boundaries keyed by ``cvegeo``, in EPSG:4326.

    Accepts any vector format GDAL reads (GeoJSON, GeoPackage, Shapefile,
    FlatGeobuf, GeoParquet). A layer in another CRS is reprojected; a layer
    with no CRS is refused, since guessing it would misplace every analysis.
    Invalid polygons are repaired with ``make_valid`` and reported as a
    warning; so are columns the reader neither reads nor expects in a
    Marco Geoestadístico layer. ``strict`` refuses both instead.

    Returns
    -------
    GeoDataFrame
        ``cvegeo, cve_ent, cve_mun, name, geometry``, sorted by ``cvegeo``.
    """
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError([Problem(file, None, None, None, "an existing boundary file")])
    if not p.is_dir():  # a folder may be a File Geodatabase or a folder of shapefiles
        check_input_file(p)
    if layer is None and p.suffix != ".parquet":
        _one_layer(p, file)
    try:
        if p.suffix == ".parquet":
            gdf = gpd.read_parquet(p)
        else:
            gdf = gpd.read_file(p, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError([Problem(file, None, None, None, f"a vector file GDAL can read ({exc})")]) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.active_geometry_name is None:
        raise InputError([Problem(file, None, "geometry", None,
                                  "a vector layer with polygons (the file has no geometry column)")])
    if not isinstance(gdf.index, pd.RangeIndex):
        gdf = gdf.reset_index()  # a GeoParquet may keep the codes in its index
    gdf.columns = [c.lower() if c != gdf.geometry.name else c for c in gdf.columns]
    # A vector layer's columns have no line: row None, as for a missing column.
    extra = unknown_columns(gdf.columns, _CODE_COLS + _NAME_COLS, _LAYOUT, file, row=None, strict=strict,
                            internal=(gdf.geometry.name, "index"), stacklevel=3)
    problems: list[Problem] = []
    if gdf.empty:
        problems.append(Problem(file, None, "geometry", None,
                                "at least one municipal polygon (the layer has no features)"))
    if gdf.crs is None:
        problems.append(Problem(file, None, "geometry", None, "a coordinate reference system "
                                "(the file has none; set it, e.g. EPSG:4326 or EPSG:6372)"))
    code_col = next((c for c in _CODE_COLS if c in gdf.columns), None)
    if code_col is None:
        problems.append(Problem(file, None, "cvegeo", None, f"a 'CVEGEO' column (found {list(gdf.columns)})"))
    name_col = next((c for c in _NAME_COLS if c in gdf.columns), None)
    if problems:
        raise InputError(extra + problems)
    problems = extra  # reported with the features' problems
    codes = gdf[code_col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True).str.zfill(5)
    bad = ~codes.str.fullmatch(r"\d{5}")
    for i in gdf.index[bad]:
        problems.append(Problem(file, int(i) + 1, "cvegeo", gdf.at[i, code_col], "a 5-digit INEGI municipal code"))
    dup = codes[codes.duplicated(keep=False)]
    for value, grp in dup.groupby(dup):
        problems.append(Problem(file, int(grp.index[0]) + 1, "cvegeo", value,
                                f"one feature per municipality (features {[int(i) + 1 for i in grp.index]})"))
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    for i in gdf.index[empty]:
        problems.append(Problem(file, int(i) + 1, "geometry", None, "a polygon (the feature has no geometry)"))
    # NaN coordinates (GeoJSON allows writing them) make a polygon no repair can place.
    xy, at = shapely.get_coordinates(gdf.geometry.values, return_index=True)
    nan_at = np.unique(at[np.isnan(xy).any(axis=1)])
    for i in nan_at:
        problems.append(Problem(file, int(i) + 1, "geometry", codes.iloc[i],
                                "a polygon whose coordinates are all numbers (the feature has NaN coordinates)"))
    empty |= pd.Series(np.isin(np.arange(len(gdf)), nan_at), index=gdf.index)
    kind = gdf.geometry.geom_type
    polygon = kind.isin(["Polygon", "MultiPolygon"])
    for i in gdf.index[~empty & ~polygon]:
        problems.append(Problem(file, int(i) + 1, "geometry", kind[i], "a Polygon or MultiPolygon"))
    invalid = polygon & ~empty & ~gdf.geometry.is_valid
    repairs = [Problem(file, int(i) + 1, "geometry", codes[i],
                       "a valid polygon (strict mode refuses to repair it with make_valid)")
               for i in gdf.index[invalid]]
    if strict:
        problems += repairs
    if problems:
        raise InputError(problems)
    out = gpd.GeoDataFrame(
        {
            "cvegeo": codes.values,
            "cve_ent": codes.str[:2].values,
            "cve_mun": codes.str[2:].values,
            "name": gdf[name_col].astype(str).values if name_col else None,
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    invalid = pd.Series(invalid.to_numpy(), index=out.index)
    if invalid.any():
        warnings.warn(InputWarning(f"{file}: repaired {int(invalid.sum())} invalid geometries with make_valid "
                                   f"(cvegeo {list(out.loc[invalid, 'cvegeo'][:10])})", repairs), stacklevel=2)
        fixed = shapely.make_valid(out.geometry.values[invalid.values])
        out.loc[invalid, "geometry"] = gpd.GeoSeries(fixed, crs=out.crs).buffer(0).values
    crs_name = out.crs.to_string()
    if not out.crs.equals(STORAGE_CRS):
        log.info("reprojecting %s from %s to %s", file, crs_name, STORAGE_CRS)
        out = out.to_crs(STORAGE_CRS)
    _check_extent(out, file, crs_name)
    return out.sort_values("cvegeo", ignore_index=True)


#: Mexico's extent in EPSG:4326 with a margin (lon min, lat min, lon max, lat max).
_MEXICO_BOUNDS = (-120.0, 13.5, -85.0, 33.5)


def _check_extent(gdf: gpd.GeoDataFrame, file: str, crs_name: str) -> None:
    """Refuse features outside Mexico: the usual sign of a layer tagged with the wrong CRS."""
    b = gdf.geometry.bounds
    x0, y0, x1, y1 = _MEXICO_BOUNDS
    outside = (b.maxx < x0) | (b.minx > x1) | (b.maxy < y0) | (b.miny > y1) | b.isna().any(axis=1)
    if outside.any():
        raise InputError([Problem(file, int(i) + 1, "geometry", gdf.at[i, "cvegeo"],
                                  f"a polygon in Mexico (lon {x0:g} to {x1:g}, lat {y0:g} to {y1:g}) once read "
                                  f"as {crs_name}; is the layer's CRS right?") for i in gdf.index[outside]])


#: What :func:`check_coverage` says each missing municipality should be.
MISSING_MUNICIPALITY = "this municipality to be present"


def check_coverage(gdf: pd.DataFrame, expected: pd.Index | list[str], file: str) -> None:
    """Raise if any expected municipality is missing, naming every one (one problem each)."""
    missing = sorted(set(expected) - set(gdf["cvegeo"]))
    if missing:
        raise InputError([Problem(file, None, "cvegeo", m, MISSING_MUNICIPALITY) for m in missing])


def read_marco_geoestadistico(path: str | os.PathLike, *, vintage_codes: list[str] | None = None,
                              layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a current, full-resolution Marco Geoestadístico and select a vintage.

    Parameters
    ----------
    path
        The frame as INEGI or a redistributor ships it (2,475 municipalities
        in the 2023 frame).
    vintage_codes
        The codes to keep; by default the 2,469 of the 2020 frame that Census
        2020 and CONEVAL 2020 use.

    Returns
    -------
    GeoDataFrame
        The municipalities of the vintage. ``attrs["not_in_vintage"]`` lists
        the codes dropped (municipalities created later, with no 2020 data);
        ``attrs["missing"]`` lists vintage codes absent from the file.

    Notes
    -----
    Municipalities split after 2020 (e.g. 12082-12085 from Guerrero's
    parents) keep their current, smaller parent polygons here, so the
    2020 populations of those parents fall on a smaller area.
    """
    from ..geography import municipal_codes

    gdf = read_boundaries(path, layer=layer)
    codes = list(vintage_codes) if vintage_codes is not None else municipal_codes()
    keep = gdf["cvegeo"].isin(codes)
    dropped = sorted(gdf.loc[~keep, "cvegeo"])
    missing = sorted(set(codes) - set(gdf["cvegeo"]))
    if dropped:
        log.warning("%s: %d municipalities have no data in the selected vintage and were left out: %s",
                    path, len(dropped), ", ".join(dropped))
    out = gdf.loc[keep].reset_index(drop=True)
    out.attrs["not_in_vintage"] = dropped
    out.attrs["missing"] = missing
    return out
