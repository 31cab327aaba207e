"""Output writers: GeoParquet 1.1, GeoPackage 1.2, FlatGeobuf, CSV (+HXL) and XLSX, COG GeoTIFF, HTML.

Each writer takes a prepared result and a path (the build passes a temporary
path that it renames into place) and returns what the manifest records about
the file. Parquet output is deterministic: rows sorted by the spec's key, no
index, no timestamps (pyarrow's ``created_by`` is ``parquet-cpp-arrow version
X``), so the same inputs give the same bytes.

GeoParquet layers carry the GeoParquet 1.1 bounding-box ``covering``: a
``bbox`` struct column (xmin, ymin, xmax, ymax) named in the ``geo``
metadata, with row groups of :data:`ROW_GROUP_ROWS` rows whose min/max
statistics let a reader filtering by bbox (GDAL, DuckDB, geopandas
``bbox=``) skip the row groups lying wholly outside it. Rows are sorted by
key, and INEGI numbers the states alphabetically, not by place: the
municipal layer's first row group (states 01-13, Aguascalientes to
Hidalgo) spans lon -117 to -89, nearly the whole country: a small box in
Oaxaca skips one of the five groups, one in Baja California four. The
statistics pay off more for layers whose row order follows geography.

Every CSV table gets an ``.xlsx`` twin (:func:`written_formats`): the same
columns with codes stored as text (a spreadsheet opening the CSV turns
``01001`` into 1001: LibreOffice did so for 289 of 2,469 ``cvegeo``) and a
frozen header. GeoPackages are written as version 1.2 (``VERSION=1.2``):
GDAL before 3.7 (Debian 12's 3.6) warns on GeoPackage 1.4, GDAL's default.

Rasters are written by the COG writer of :func:`brecha.rasters.write_cog`,
straight to the build's temporary file (the build does the atomic rename).
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._validate import formula_safe
from ..errors import BuildError
from ..settings import STORAGE_CRS

__all__ = ["RasterResult", "prepare_table", "write_parquet", "write_gpkg", "write_fgb", "write_csv", "write_xlsx",
           "write_cog", "write_html", "hxl_tags", "written_formats", "WRITERS", "SUFFIX", "FOLDER",
           "ROW_GROUP_ROWS", "GPKG_VERSION"]

#: File suffix per format.
SUFFIX = {"parquet": ".parquet", "gpkg": ".gpkg", "fgb": ".fgb", "csv": ".csv", "xlsx": ".xlsx", "tif": ".tif",
          "html": ".html"}
#: GeoPackage version written: 1.2 is read without warnings by GDAL >= 2.2 (1.4, GDAL's default, needs 3.7).
GPKG_VERSION = "1.2"
#: Output sub-folder per kind of layer.
FOLDER = {"table": "layers", "raster": "rasters", "map": "maps"}
#: Rows per Parquet row group: 2,469 municipalities make 5 groups, each with bbox statistics a reader
#: can test; sorted by state code, most groups still span much of Mexico (see the module docstring).
ROW_GROUP_ROWS = 512


@dataclass(frozen=True)
class RasterResult:
    """A raster an adapter returns: ``array`` is ``(rows, cols)`` or ``(bands, rows, cols)``.

    ``transform`` is an affine (``rasterio.transform.from_origin``) in the
    units of ``crs``; ``nodata`` marks empty cells. ``name``, ``units`` and
    ``source`` become the COG's tags and band description; ``resampling``
    is the GDAL resampling of its overviews (see
    :func:`brecha.rasters.write_cog`).
    """

    array: np.ndarray
    transform: Any
    crs: str
    nodata: float | None = None
    band_names: tuple[str, ...] = ()
    name: str = ""
    units: str = ""
    source: str = ""
    resampling: str = "average"

    @classmethod
    def from_raster(cls, raster: Any) -> RasterResult:
        """The result for a :class:`brecha.rasters.Raster`, keeping its name, units, source and resampling."""
        return cls(raster.array, raster.transform, raster.crs, raster.nodata, (raster.name,), raster.name,
                   raster.units, raster.source, raster.resampling)


def prepare_table(frame: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """Sort by ``key`` (stable), drop the index, move geometry to EPSG:4326.

    Raises
    ------
    BuildError
        A key column is missing, empty or repeats a value.
    """
    if not isinstance(frame, pd.DataFrame):
        raise BuildError(f"expected a DataFrame or GeoDataFrame, got {type(frame).__name__}")
    missing = [k for k in key if k not in frame.columns]
    if missing:
        raise BuildError(f"key column(s) {missing} are not in the result (it has {list(frame.columns)})")
    keys = frame[list(key)]
    if keys.isna().any().any():
        raise BuildError(f"key {list(key)} has empty values")
    dup = keys.duplicated(keep=False)
    if dup.any():
        raise BuildError(f"key {list(key)} repeats: {keys[dup].head(5).to_dict('records')}")
    out = frame.sort_values(list(key), kind="mergesort").reset_index(drop=True)
    if isinstance(out, gpd.GeoDataFrame) and out.crs is not None and not out.crs.equals(STORAGE_CRS):
        out = out.to_crs(STORAGE_CRS)
    return out


def _is_geo(frame: pd.DataFrame) -> bool:
    return isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns


def write_parquet(frame: pd.DataFrame, path: Path) -> dict:
    """GeoParquet 1.1 (zstd, bbox covering) for geo frames, plain Parquet otherwise; returns ``{"rows": n}``."""
    if _is_geo(frame):
        frame.to_parquet(path, schema_version="1.1.0", compression="zstd", index=False, write_covering_bbox=True,
                         row_group_size=ROW_GROUP_ROWS)
    else:
        pd.DataFrame(frame).to_parquet(path, compression="zstd", index=False, row_group_size=ROW_GROUP_ROWS)
    return {"rows": len(frame)}


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells as ``a; b`` text, for formats without list columns."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            out[c] = out[c].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


def _ogr(frame: pd.DataFrame, path: Path, driver: str, layer: str, **options: str) -> dict:
    if not _is_geo(frame):
        raise BuildError(f"{driver} needs a geometry column; ask only for parquet/csv for this layer")
    with warnings.catch_warnings():
        # The temporary file's ".tmp" suffix makes GDAL warn about the extension.
        warnings.simplefilter("ignore", RuntimeWarning)
        _flat(frame).to_file(path, driver=driver, layer=layer, **options)
    return {"rows": len(frame)}


def write_gpkg(frame: pd.DataFrame, path: Path, *, layer: str = "layer") -> dict:
    """GeoPackage :data:`GPKG_VERSION` with one layer named ``layer``."""
    return _ogr(frame, path, "GPKG", layer, VERSION=GPKG_VERSION)


def write_fgb(frame: pd.DataFrame, path: Path, *, layer: str = "layer") -> dict:
    """FlatGeobuf (with its spatial index)."""
    # GDAL writes a folder, not a file, when the name does not end in .fgb.
    named = Path(f"{path}.fgb")
    rec = _ogr(frame, named, "FlatGeobuf", layer)
    os.replace(named, path)
    return rec


#: HXL 1.1 hashtag dictionary (hxlstandard.org/standard/1-1final/dictionary): ``#population`` is the
#: general population of an area, ``#affected`` people affected by an emergency (not brecha's poor),
#: ``#reached`` people reached with help, ``#indicator`` a generic value with ``+num`` or ``+pct``.
_HXL_FIXED = {"cvegeo": "#adm2+code", "cve_ent": "#adm1+code", "state_name": "#adm1+name",
              "cvegeo_loc": "#loc+code", "pop_total": "#population+total", "lon": "#geo+lon", "lat": "#geo+lat",
              "people_reached": "#reached", "people_out_of_reach": "#population+out_of_reach",
              "poverty_people": "#population+poor", "extreme_poverty_people": "#population+poor+extreme"}


#: Suffixes saying where a figure comes from (the state layer's poverty), kept as an HXL attribute.
_HXL_SOURCE = re.compile(r"_(official|agg_from_municipal)$")


def hxl_tags(columns: Sequence[str], key: Sequence[str], overrides: dict[str, str] | None = None) -> list[str]:
    """HXL hashtags for ``columns``: the spec's overrides, else brecha's conventions, else blank.

    A percentage is an ``#indicator+pct`` even when it is about people
    (``pop_within_reach_pct``); a count of people is a ``#population``.

    >>> hxl_tags(["cvegeo", "name", "pop_0_5", "poverty_pct", "other"], ["cvegeo"])
    ['#adm2+code', '#adm2+name', '#population+pop_0_5', '#indicator+pct+poverty', '']
    >>> hxl_tags(["pop_within_reach_pct", "poverty_people", "care_unmet_people"], ["cvegeo"])
    ['#indicator+pct+pop_within_reach', '#population+poor', '#population+care_unmet']
    >>> hxl_tags(["poverty_pct_official", "poverty_people_agg_from_municipal"], ["cve_ent"])
    ['#indicator+pct+poverty+official', '#population+poor+agg_from_municipal']
    """
    overrides = overrides or {}
    level = "adm2" if "cvegeo" in key else ("adm1" if "cve_ent" in key else None)
    out = []
    tag: str | None
    for c in columns:
        base, attr = _HXL_SOURCE.sub("", c), _HXL_SOURCE.search(c)
        if attr and c not in overrides:  # poverty_pct_official -> the tag of poverty_pct, +official
            tag = hxl_tags([base], key)[0]
            out.append(f"{tag}+{attr.group(1)}" if tag else "")
            continue
        tag = overrides.get(c) or _HXL_FIXED.get(c)
        if tag is None and c == "name" and level:
            tag = f"#{level}+name"
        elif tag is None and c.endswith("_pct"):  # before pop_: pop_within_reach_pct is a percentage
            tag = f"#indicator+pct+{c[:-4]}"
        elif tag is None and c.startswith("pop_"):
            tag = f"#population+{c}"
        elif tag is None and c.endswith("_people"):
            tag = f"#population+{c[:-7]}"
        out.append(tag if tag and re.fullmatch(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*", tag) else "")
    return out


def _table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a spreadsheet gets: no geometry (points keep ``lon, lat``), list cells as text, counts as Int64."""
    df = _flat(pd.DataFrame(frame))
    if _is_geo(frame):
        geom = frame.geometry
        df = df.drop(columns=[geom.name])
        if len(geom) and (geom.geom_type == "Point").all():
            df["lon"], df["lat"] = geom.x.round(6).to_numpy(), geom.y.round(6).to_numpy()
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s) and s.notna().any() and (s.dropna() % 1 == 0).all():
            df[c] = s.astype("Int64")  # counts stored as float print as 1234, not 1234.0
    return df


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    df = _table_frame(frame)
    for c in df.columns:
        s = df[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            df[c] = s.map(formula_safe)
    return df


def write_csv(frame: pd.DataFrame, path: Path, *, key: Sequence[str] = (), hxl: bool = False,
              tags: dict[str, str] | None = None) -> dict:
    """UTF-8 CSV (with BOM, so Excel reads accents) for spreadsheets.

    Geometry is dropped (points keep ``lon, lat``); list cells become ``a; b``;
    text that a spreadsheet would run as a formula is prefixed with ``'``
    (:func:`brecha._validate.formula_safe`). With ``hxl`` the second line
    holds HXL hashtags (Humanitarian Exchange Language 1.1).
    """
    df = _csv_frame(frame)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([formula_safe(str(c)) for c in df.columns])
    if hxl:
        w.writerow(hxl_tags(list(df.columns), key, tags))
    df.to_csv(buf, header=False, index=False, lineterminator="\n")
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return {"rows": len(df)}


def written_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The files a spec's ``formats`` give: each, with an ``xlsx`` after ``csv``.

    >>> written_formats(("parquet", "csv"))
    ('parquet', 'csv', 'xlsx')
    """
    return tuple(f for fmt in formats for f in ((fmt, "xlsx") if fmt == "csv" else (fmt,)))


def _is_code(column: str, key: Sequence[str]) -> bool:
    # INEGI codes (cve_ent, cvegeo, cvegeo_loc...) and the layer's key: text with leading zeros.
    return column in key or column.startswith(("cve", "cvegeo")) or column.endswith("_id")


#: Fixed document times, so the same table gives the same bytes (openpyxl stamps "now").
_XLSX_TIME = "2020-01-01T00:00:00Z"
_XLSX_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def write_xlsx(frame: pd.DataFrame, path: Path, *, key: Sequence[str] = (), hxl: bool = False,
               tags: dict[str, str] | None = None, sheet: str = "layer") -> dict:
    """An Excel workbook of the CSV's table: codes stored as text, header frozen.

    The columns are those of :func:`write_csv` (HXL hashtags in row 2 with
    ``hxl``). Code columns (the key, ``cve*``, ``*_id``) are text cells with
    the text number format ``@``, so ``01001`` keeps its zero in Excel and
    LibreOffice, also when edited; text starting with ``=`` stays text (no
    formula runs). The bytes are the same for the same table.
    """
    import zipfile

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    df = _table_frame(frame)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]  # Excel's limit on sheet names
    ws.append([str(c) for c in df.columns])
    if hxl:
        ws.append(hxl_tags(list(df.columns), key, tags))
    head = 2 if hxl else 1
    codes = [_is_code(str(c), key) for c in df.columns]
    cols = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns]
    for values in zip(*cols):
        row = []
        for v, code in zip(values, codes):
            if isinstance(v, np.generic):
                v = v.item()
            if code and v is not None:
                v = str(v)
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
            row.append(v)
        ws.append(row)
    for j, code in enumerate(codes, start=1):
        if code:
            for (cell,) in ws.iter_rows(min_row=head + 1, min_col=j, max_col=j):
                cell.number_format = "@"
    for row in ws.iter_rows(min_row=head + 1):
        for cell in row:
            if cell.data_type == "f":  # a string beginning with "=" is data here, not a formula
                cell.data_type = "s"
    ws.freeze_panes = f"A{head + 1}"  # set last: ws.cell() would create the row that append() then skips
    for j, c in enumerate(df.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(str(c)) + 2, 8), 40)
    buf = io.BytesIO()
    wb.save(buf)
    # Deterministic bytes: fixed zip entry times and document times.
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _XLSX_TIME.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_XLSX_ZIP_TIME), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return {"rows": len(df)}


def write_cog(raster: RasterResult, path: Path) -> dict:
    """Cloud-optimised GeoTIFF as :func:`brecha.rasters.write_cog` writes it (deflate, 512-px tiles, overviews, tags).

    ``path`` is the build's temporary file, so the COG is written straight
    to it (:func:`brecha._cog._write_cog_to`), without a second
    temporary file and rename of its own.
    """
    from ..rasters import _write_cog_to

    shape = np.shape(raster.array)
    if len(shape) not in (2, 3):
        raise BuildError(f"a raster array must have 2 or 3 dimensions, got shape {shape}")
    bands, rows, cols = (1, *shape) if len(shape) == 2 else shape
    _write_cog_to(raster, path)
    return {"rows": rows, "shape": [bands, rows, cols], "units": raster.units or None,
            "resampling": raster.resampling}


def write_html(web_map: Any, path: Path) -> dict:
    """A standalone HTML page that works offline (:func:`brecha.maps.render_html`)."""
    from ..maps import render_html

    if not hasattr(web_map, "get_root"):
        raise BuildError(f"a map function must return a folium.Map, got {type(web_map).__name__}")
    path.write_text(render_html(web_map), encoding="utf-8")
    return {"rows": None}


#: format -> writer(result, path, spec) -> record.
WRITERS = {
    "parquet": lambda r, p, s: write_parquet(r, p),
    "gpkg": lambda r, p, s: write_gpkg(r, p, layer=s.name),
    "fgb": lambda r, p, s: write_fgb(r, p, layer=s.name),
    "csv": lambda r, p, s: write_csv(r, p, key=s.key, hxl=s.hxl, tags=s.hxl_tags),
    "xlsx": lambda r, p, s: write_xlsx(r, p, key=s.key, hxl=s.hxl, tags=s.hxl_tags, sheet=s.name),
    "tif": lambda r, p, s: write_cog(r, p),
    "html": lambda r, p, s: write_html(r, p),
}
