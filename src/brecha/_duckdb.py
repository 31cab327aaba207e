"""The embedded DuckDB store and its spatial extension.

DuckDB's extension server may be unreachable (field offices, CI sandboxes):
:func:`connect` first tries ``LOAD spatial``, then ``INSTALL spatial``, then
the extension file shipped in the PyPI wheel ``duckdb-extension-spatial``
(pinned to the same DuckDB version). Outside brecha, the same file loads
offline with the statement :func:`spatial_load_sql` returns::

    python -c "from brecha._duckdb import spatial_load_sql; print(spatial_load_sql())"
    LOAD '/.../site-packages/duckdb_extension_spatial/extensions/v1.5.5/spatial.duckdb_extension';

Geometry is stored as ``GEOMETRY('EPSG:n')`` from the frame's CRS: DuckDB
1.5 keeps it in the column type of an in-memory table (``ST_CRS`` returns
it) but a database file reopened has plain ``GEOMETRY``, so the store also
records each column's CRS in a table and a comment
(:mod:`brecha.pipeline._store`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import pandas as pd

__all__ = ["connect", "load_spatial", "query", "store_table", "spatial_load_sql", "sql_text"]

log = logging.getLogger(__name__)


def _wheel_extension() -> Path | None:
    try:
        import duckdb_extension_spatial
    except ImportError:
        return None
    root = Path(duckdb_extension_spatial.__path__[0])
    want = f"v{duckdb.__version__}"
    files = sorted(root.rglob("spatial.duckdb_extension"))
    exact = [f for f in files if want in f.parts]
    found = exact or files
    return found[0] if found else None


def spatial_load_sql() -> str:
    """The ``LOAD`` statement for the spatial extension of the ``duckdb-extension-spatial`` wheel (offline).

    Raises
    ------
    RuntimeError
        The wheel is not installed.
    """
    path = _wheel_extension()
    if path is None:
        raise RuntimeError("duckdb-extension-spatial is not installed (pip install duckdb-extension-spatial=="
                           f"{duckdb.__version__})")
    return f"LOAD {sql_text(path.as_posix())};"


def sql_text(value: str) -> str:
    """A SQL string literal, for the statements that take no ``?`` parameter (``LOAD``, ``COMMENT ON``).

    >>> sql_text("it's")
    "'it''s'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def load_spatial(con: duckdb.DuckDBPyConnection) -> str:
    """Load the spatial extension; return how it was loaded.

    Raises
    ------
    RuntimeError
        No way of loading it worked; the message lists each attempt.
    """
    errors = []
    try:
        con.execute("LOAD spatial")
        return "LOAD spatial"
    except duckdb.Error as exc:
        errors.append(f"LOAD spatial: {exc}")
    if os.environ.get("BRECHA_OFFLINE", "1") != "1":
        try:
            con.execute("INSTALL spatial")
            con.execute("LOAD spatial")
            return "INSTALL spatial"
        except duckdb.Error as exc:
            errors.append(f"INSTALL spatial: {exc}")
    path = _wheel_extension()
    if path is not None:
        try:
            con.execute(f"LOAD {sql_text(path.as_posix())}")  # LOAD takes no ? parameters
            return f"wheel {path}"
        except duckdb.Error as exc:
            errors.append(f"LOAD {path}: {exc}")
    else:
        errors.append("duckdb-extension-spatial is not installed (pip install duckdb-extension-spatial=="
                      f"{duckdb.__version__})")
    raise RuntimeError("could not load DuckDB's spatial extension:\n  " + "\n  ".join(errors))


def connect(path: str | os.PathLike | None = None, *, spatial: bool = True,
            read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database (in memory when ``path`` is None), spatial loaded.

    Set ``BRECHA_OFFLINE=0`` to let DuckDB try ``INSTALL spatial`` from its
    extension server before falling back to the bundled wheel.
    """
    con = duckdb.connect(":memory:" if path is None else str(path), read_only=read_only)
    con.execute("SET threads TO 2")
    if spatial:
        how = load_spatial(con)
        log.debug("spatial extension: %s", how)
    return con


def query(sql: str, params: list | None = None, *, con: duckdb.DuckDBPyConnection | None = None,
          **frames: pd.DataFrame) -> pd.DataFrame:
    """Run SQL over pandas frames registered under the given names.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"cvegeo": ["01001", "01002", "02001"], "n": [1, 2, 3]})
    >>> query("SELECT left(cvegeo, 2) AS cve_ent, sum(n) AS n FROM t GROUP BY 1 ORDER BY 1",
    ...       t=df, con=connect(spatial=False)).to_dict("list")
    {'cve_ent': ['01', '02'], 'n': [3.0, 3.0]}
    """
    own = con is None
    con = con or connect(spatial=False)
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        out = con.execute(sql, params or []).df()
        for name in frames:
            con.unregister(name)
        return out
    finally:
        if own:
            con.close()


def _crs_of(series: pd.Series) -> str | None:
    crs = getattr(series, "crs", None)
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else None


def store_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, *,
                key: str | tuple[str, ...] | list[str] | None = None, comment: str | None = None,
                column_comments: dict[str, str] | None = None) -> None:
    """Replace table ``name`` with ``frame`` (geometry stored as ``GEOMETRY('EPSG:n')`` via WKB).

    ``key`` becomes the table's PRIMARY KEY (rows are inserted in its order),
    and a text key must hold more than whitespace, so a duplicated, missing
    or blank (``''``, ``' '``) code cannot enter the store, now or from a
    later ``INSERT``. A geometry column keeps its CRS in its type (when the
    frame's CRS has an EPSG code). ``comment`` and ``column_comments`` become
    ``COMMENT ON TABLE`` / ``COLUMN`` (``duckdb_tables()``, ``duckdb_columns()``).

    Raises
    ------
    ValueError
        ``frame`` repeats a key or has an empty (NULL, ``''`` or blank) one;
        the table is left unchanged.
    """
    df = pd.DataFrame(frame).copy()
    geom_cols = [c for c in df.columns if getattr(df[c], "dtype", None) is not None and str(df[c].dtype) == "geometry"]
    crs = {c: _crs_of(frame[c]) for c in geom_cols}
    for c in geom_cols:
        df[c] = frame[c].to_wkb()
    keys = (key,) if isinstance(key, str) else tuple(key or ())

    def _geom(c: str) -> str:
        code = crs[c]
        typed = f"::GEOMETRY({sql_text(code)})" if code else ""
        return f'ST_GeomFromWKB("{c}"){typed} AS "{c}"'

    con.register("_incoming", df)
    try:
        select = ", ".join(_geom(c) if c in geom_cols else f'"{c}"' for c in df.columns)
        # CREATE TABLE AS cannot declare constraints: take the column types from the query, then insert.
        cols = con.execute(f"DESCRIBE SELECT {select} FROM _incoming").fetchall()
        defs = [f'"{c}" {t}' for c, t, *_ in cols]
        if keys:
            defs.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in keys) + ")")
            # A primary key refuses NULL but not '' or '  ': a code lost to a blank cell is as empty.
            types = {c: t for c, t, *_ in cols}
            defs += [f"CHECK (trim(\"{k}\") <> '')" for k in keys if types.get(k) == "VARCHAR"]
        order = " ORDER BY " + ", ".join(f'"{k}"' for k in keys) if keys else ""
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f'CREATE OR REPLACE TABLE "{name}" ({", ".join(defs)})')
            con.execute(f'INSERT INTO "{name}" SELECT {select} FROM _incoming{order}')
            if comment:
                con.execute(f'COMMENT ON TABLE "{name}" IS {sql_text(comment)}')
            for c, text in (column_comments or {}).items():
                if c in df.columns and text:
                    con.execute(f'COMMENT ON COLUMN "{name}"."{c}" IS {sql_text(text)}')
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.ConstraintException):
                raise ValueError(f"table {name!r}: key {', '.join(keys)} must be unique and not empty "
                                 f"({exc})") from None
            raise
    finally:
        con.unregister("_incoming")
