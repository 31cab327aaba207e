"""Readers for agency presence data: field offices and initiatives.

Both come from the agencies' own reports, so every place is written the way
a report writes it. Places are resolved with :mod:`brecha.places`; every
name that cannot be resolved to exactly one code is a problem reported with
its line, column and the candidates. An office's coordinates, when given,
decide its municipality; the names must agree with them (see
:func:`read_offices`).
"""

from __future__ import annotations

import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import PlaceError
from ..places import Gazetteer
from ._common import open_table

__all__ = ["read_offices", "read_initiatives", "initiative_places", "OFFICE_STATUS", "normalize_agency"]

OFFICE_STATUS = ("existing", "planned", "expanding", "renovated", "closed")
_OFFICE_OPTIONAL = ("lat", "lon", "office_type", "status", "year_reported", "source_file", "source_quote")
_INIT_OPTIONAL = ("scope_level", "beneficiaries_or_figure", "source_file", "source_quote")
_YEARS = (1990, 2035)
_LAT = (14.4, 32.8)
_LON = (-118.5, -86.5)
#: How far (km, planar in EPSG:6372) an office's point may lie outside the
#: municipality or state its row names, or off the coast: offices sit on
#: municipal borders, geocoders round, and the embedded boundaries are simplified.
POINT_TOLERANCE_KM = 5.0
# Search window around a point, in degrees: wider than POINT_TOLERANCE_KM everywhere
# in Mexico (0.1 degree of longitude is 9.3 km at 32.8 N).
_WINDOW_DEG = 0.1


#: One name for an agency that reports write two ways (keys lower case).
AGENCY_ALIASES = {"un global compact mexico": "UN Global Compact"}


def normalize_agency(name: str) -> str:
    """Agency name without the partners reports add in brackets or after "via".

    >>> normalize_agency("UN Women (with INMUJERES, SESNSP)")
    'UN Women'
    >>> normalize_agency("UN System (FAO")
    'UN System'
    >>> normalize_agency("UN Women via Cerrando Brechas)"), normalize_agency("UN Global Compact Mexico")
    ('UN Women', 'UN Global Compact')
    """
    base = re.split(r"\s*[()]|\s+via\s+", str(name).strip(), maxsplit=1)[0].strip()
    return AGENCY_ALIASES.get(base.lower(), base)


def _split(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).split(";") if p.strip()]


def _place_problem(chk, idx, column, value, err: PlaceError) -> None:
    cands = "; ".join(f"{c.get('cvegeo') or c.get('cve_ent')} {c.get('name')}, {c.get('state_name')}"
                      for c in err.candidates[:6])
    first, label = str(err).splitlines()[0].rstrip(":"), "candidates"
    # The resolver ends with "; close names" (a list follows) or "; no close names": either way the
    # message here lists the candidates itself, inline.
    first, sep, tail = first.rpartition("; ")
    if tail in ("close names", "no close names"):
        label = "close names"
    else:
        first = first + sep + tail
    chk.add(idx, column, value, f"one known place ({first}{f'; {label}: {cands}' if cands else ''})")


def _coords(df, chk) -> tuple[pd.Series, pd.Series]:
    """Valid lat/lon per row (NaN where absent or reported as a problem)."""
    empty = pd.Series("", index=df.index)
    lat_raw = df["lat"].astype(str).str.strip() if "lat" in df else empty
    lon_raw = df["lon"].astype(str).str.strip() if "lon" in df else empty
    none = pd.Series(np.nan, index=df.index)
    lat = chk.numeric("lat") if "lat" in df else none
    lon = chk.numeric("lon") if "lon" in df else none
    bad = pd.Series(False, index=df.index)
    for idx in df.index:
        la, lo, rla, rlo = lat[idx], lon[idx], lat_raw[idx], lon_raw[idx]
        bad[idx] = True
        if (rla == "") != (rlo == ""):
            chk.add(idx, "lat" if rla == "" else "lon", rla or rlo, "both lat and lon, or neither")
            continue
        for col, raw, val in (("lat", rla, la), ("lon", rlo, lo)):
            if raw and np.isnan(val):
                hint = " with a point as decimal separator" if re.fullmatch(r"[-+]?\d+,\d+", raw) else ""
                chk.add(idx, col, raw, f"a number in decimal degrees{hint}")
        if np.isnan(la) or np.isnan(lo):
            continue
        in_lat, in_lon = _LAT[0] <= la <= _LAT[1], _LON[0] <= lo <= _LON[1]
        if not (in_lat and in_lon):
            if _LAT[0] <= lo <= _LAT[1] and _LON[0] <= la <= _LON[1]:
                chk.add(idx, "lat", f"{rla}, {rlo}", "lat and lon in their own columns (they look swapped)")
            else:
                chk.add(idx, "lat" if not in_lat else "lon", f"{rla}, {rlo}",
                        f"a point inside Mexico (lat {_LAT[0]} to {_LAT[1]}, lon {_LON[0]} to {_LON[1]})")
            continue
        bad[idx] = False
    return lat.where(~bad), lon.where(~bad)


def _polygons(gz: Gazetteer) -> gpd.GeoDataFrame:
    """Municipal polygons indexed by ``cvegeo``: the gazetteer's own when it has them."""
    if isinstance(gz.munis, gpd.GeoDataFrame) and gz.munis.geometry.notna().all():
        return gz.munis
    from .. import geography

    return geography.municipalities().set_index("cvegeo")


def _km_to(lon: float, lat: float, polys: gpd.GeoDataFrame, *, window: bool = True) -> pd.Series:
    """Planar distance (km, EPSG:6372) from a point to each polygon (0 inside).

    With ``window`` only polygons whose bounding box comes within
    :data:`_WINDOW_DEG` of the point are measured: the others are beyond
    the tolerance anyway, and projecting a whole state is slow.
    """
    from ..settings import ANALYSIS_CRS

    if window:
        d = _WINDOW_DEG
        polys = polys.cx[lon - d: lon + d, lat - d: lat + d]
    if polys.empty:
        return pd.Series(dtype=float)
    pt = gpd.GeoSeries.from_xy([lon], [lat], crs="EPSG:4326").to_crs(ANALYSIS_CRS).iloc[0]
    return polys.geometry.to_crs(ANALYSIS_CRS).distance(pt) / 1000.0


def _place_points(chk, lat: pd.Series, lon: pd.Series, named: dict, gz: Gazetteer) -> dict:
    """The municipality of each office point, checked against the place its row names.

    ``named`` maps a row to ``(cve_ent, cvegeo, column)`` as resolved from its
    names (``cvegeo`` None when only a state is named; ``column`` the one to
    quote, ``city`` or ``state``). Returns row -> ``cvegeo`` for the rows
    whose point is accepted; every other point is a problem.
    """
    from .. import geography

    polys = _polygons(gz)
    rows = lat.index[lat.notna() & lon.notna()]
    if rows.empty:
        return {}
    pts = gpd.GeoSeries.from_xy(lon[rows], lat[rows], index=rows, crs="EPSG:4326")
    inside = geography.assign_municipality(pts, polys.reset_index()[["cvegeo", "geometry"]])
    tol = POINT_TOLERANCE_KM
    out = {}
    for idx in rows:
        la, lo = float(lat[idx]), float(lon[idx])
        value = f"{chk.df.at[idx, 'lat'].strip()}, {chk.df.at[idx, 'lon'].strip()}"
        at = inside[idx]
        ent, geo, column = named.get(idx, (None, None, None))
        if geo:
            want = polys.loc[[geo]]
        elif ent:
            want = polys[polys.index.str[:2] == ent]
        else:
            want = None
        if at is not None and (want is None or at in want.index):
            out[idx] = at
            continue
        near = _km_to(lo, la, want if want is not None else polys)
        near = near[near <= tol]
        if not near.empty:
            # Just across the border of the named place: counted where it is. Just off the
            # (simplified) coast: counted in the nearest municipality it may belong to.
            out[idx] = at if at is not None else near.idxmin()
            continue
        if want is None:
            chk.add(idx, "lat/lon", value, f"a point on land in a Mexican municipality (or within {tol:g} km of one)")
            continue
        where = "in no municipality" if at is None else f"in {gz.describe(at)}"
        if geo:
            km = _km_to(lo, la, want, window=False).iloc[0]
            target = f"{gz.describe(geo)}, the municipality named in column {column!r}"
            where += f", {km:,.0f} km from it"
        else:
            target = f"{gz.states.at[ent, 'name']} ({ent}), the state named in column {column!r}"
        chk.add(idx, "lat/lon", value, f"a point in or within {tol:g} km of {target} (the point is {where})")
    return out


def read_offices(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None,
                 strict: bool = False) -> gpd.GeoDataFrame:
    """Read agency offices and place each one.

    Required columns: ``agency, city, state``; optional ``lat, lon,
    office_type, status, year_reported, source_file, source_quote``.
    An office with coordinates (``lat, lon``, decimal degrees) is placed
    there, and its ``cvegeo`` and ``cve_ent`` are those of the municipality
    containing the point (point-in-polygon on the 2020 frame), so presence
    counts it where reach draws it. The point must agree with the names:
    it has to lie in the municipality the city names (or in the state, when
    only a state is named) or within :data:`POINT_TOLERANCE_KM` (5 km) of it
    (an office just across a border, a rounded geocode); it then counts for
    the municipality it is in. A point farther away is a problem naming the
    line, the coordinates and the municipality expected. A point with no
    city or state takes both from the point; one just off the simplified
    coast (within 5 km) goes to the nearest municipality.
    An office without coordinates is placed at the Census 2020 locality its
    city names (the municipal seat when the city is a municipality's name).
    An office that names only a state counts for the state and has no point;
    one that names no place is kept, unplaced.

    Returns
    -------
    GeoDataFrame
        ``office_id`` (``o`` + the file line), ``agency, office_type, city,
        state, cve_ent, cvegeo, locality, status, year_reported, source_file,
        source_quote, placed`` (``coordinates``, ``locality``, ``state`` or
        ``none``) and point geometry (EPSG:4326; empty where unplaced).
    """
    df, chk = open_table(path, ("agency", "city", "state"), strict=strict)
    chk.extra_columns(("agency", "city", "state") + _OFFICE_OPTIONAL)
    gz = gazetteer or Gazetteer.default()
    agency = chk.text("agency", max_len=200)
    if "year_reported" in df:
        year = chk.integer("year_reported", lo=_YEARS[0], hi=_YEARS[1], required=False)
    else:
        year = pd.Series(pd.NA, index=df.index, dtype="Int64")
    status = chk.choice("status", OFFICE_STATUS, required=False) if "status" in df else pd.Series("existing", index=df.index)
    for col in ("city", "state", "office_type", "source_quote"):
        if col in df:
            chk.text(col, required=False, max_len=2_000 if col != "source_quote" else 5_000)
    lat, lon = _coords(df, chk)
    ent, geo, loc, placed, state_name = {}, {}, {}, {}, {}
    named, unnamed = {}, []  # row -> the place its names give; rows whose names are themselves a problem
    for idx, city, state in zip(df.index, df["city"], df["state"]):
        city, state = city.strip(), state.strip()
        ent[idx] = geo[idx] = loc[idx] = None
        placed[idx], state_name[idx] = "none", state
        if not state and not city:
            continue
        if state:
            st = gz.resolve_state(state)
            if st is None:
                chk.add(idx, "state", state, "a Mexican state (name, short form or abbreviation)")
                unnamed.append(idx)
                continue
            ent[idx], placed[idx], state_name[idx] = st.cve_ent, "state", st.name
            named[idx] = (st.cve_ent, None, "state")
        if city:
            try:
                p = gz.resolve(city, state=state or None, level="municipality")
            except PlaceError as err:
                _place_problem(chk, idx, "city", city, err)
                unnamed.append(idx)
                continue
            ent[idx], geo[idx], loc[idx], placed[idx], state_name[idx] = (
                p.cve_ent, p.cvegeo, p.locality, "locality", p.state_name)
            # "Ciudad de México" is placed at the seat of the federal powers (a city alias) but
            # names the whole entity: a point anywhere in it agrees with the name.
            entity = p.matched_by == "city_alias" and getattr(gz.resolve_state(city), "cve_ent", None) == p.cve_ent
            named[idx] = (p.cve_ent, None if entity else p.cvegeo, "city")
    # A point is not checked against a name that is itself wrong: one problem per mistake.
    at_point = _place_points(chk, lat.drop(unnamed), lon.drop(unnamed), named, gz)
    blank = pd.Series("", index=df.index)
    # Two offices of one agency in one city are told apart by their points (to ~10 m), when given.
    xy = [f"{la:.4f} {lo:.4f}" if pd.notna(la) and pd.notna(lo) else "" for la, lo in zip(lat, lon)]
    years = ["" if pd.isna(y) else str(y) for y in year]
    key = pd.Series([f"{a}|{t}|{c}|{s}|{y}|{p}" for a, t, c, s, y, p in zip(
        agency.str.lower(), df.get("office_type", blank).str.lower(),
        df["city"].str.lower(), df["state"].str.lower(), years, xy)], index=df.index)
    chk.unique(key, "agency+office_type+city+state+year_reported+lat/lon")
    chk.raise_if_any()
    for idx, code in at_point.items():
        if code != geo[idx]:
            loc[idx] = None  # the named locality is in another municipality
        ent[idx], geo[idx], placed[idx] = code[:2], code, "coordinates"
        state_name[idx] = gz.states.at[code[:2], "name"]
    x, y = _locality_points(pd.Series(geo, dtype=object), pd.Series(loc, dtype=object))
    has_xy = lat.notna() & lon.notna()
    x = np.where(has_xy, lon, x)
    y = np.where(has_xy, lat, y)
    placed_s = pd.Series(placed)
    geometry = gpd.points_from_xy(x, y)
    geometry[np.isnan(x)] = None
    out = gpd.GeoDataFrame({
        "office_id": ["o%04d" % ln for ln in df["_line"]],
        "agency": [normalize_agency(a) for a in agency],
        "agency_as_written": agency.values,
        "office_type": df.get("office_type", pd.Series("", index=df.index)).values,
        "city": df["city"].values,
        "state": pd.Series(state_name).values,
        "cve_ent": pd.Series(ent).values,
        "cvegeo": pd.Series(geo).values,
        "locality": pd.Series(loc).values,
        "status": status.values,
        "year_reported": year.values,
        "source_file": df.get("source_file", pd.Series("", index=df.index)).values,
        "source_quote": df.get("source_quote", pd.Series("", index=df.index)).values,
        "placed": placed_s.values,
    }, geometry=geometry, crs="EPSG:4326")
    out.attrs["file"] = str(path)
    return out


def _locality_points(cvegeo: pd.Series, locality: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of each office's locality (the municipal seat, 0001, when none is named)."""
    from .. import geography

    loc = geography.localities()
    loc = loc[loc["cvegeo"].isin(set(cvegeo.dropna()))]
    x = np.full(len(cvegeo), np.nan)
    y = np.full(len(cvegeo), np.nan)
    for i, (code, name) in enumerate(zip(cvegeo, locality)):
        if not isinstance(code, str):
            continue
        cand = loc[loc["cvegeo"] == code]
        hit = cand[cand["name"] == name] if isinstance(name, str) else cand[cand["cvegeo_loc"].str.endswith("0001")]
        if hit.empty:
            hit = cand.nlargest(1, "pop_total")
        pt = hit.sort_values("pop_total", ascending=False).geometry.iloc[0]
        x[i], y[i] = pt.x, pt.y
    return x, y


def read_initiatives(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None,
                     strict: bool = False) -> pd.DataFrame:
    """Read initiatives: who does what where.

    Required columns: ``initiative, agencies, year, theme, states,
    municipalities``. Lists inside a cell are ``;``-separated and
    ``municipalities`` entries are ``Municipality, State``.

    Returns
    -------
    DataFrame
        One row per initiative: ``initiative_id`` (``i`` + the file line),
        ``initiative, agencies`` (list), ``year, themes`` (list), ``cve_ents``
        and ``cvegeos`` (lists of resolved codes), ``scope_level,
        source_file, source_quote``. :func:`initiative_places` gives the
        long table used for counting.
    """
    req = ("initiative", "agencies", "year", "theme", "states", "municipalities")
    df, chk = open_table(path, req, strict=strict)
    chk.extra_columns(req + _INIT_OPTIONAL)
    gz = gazetteer or Gazetteer.default()
    name = chk.text("initiative", max_len=2_000)
    agencies = chk.text("agencies", max_len=2_000)
    year = chk.integer("year", lo=_YEARS[0], hi=_YEARS[1])
    theme = chk.text("theme", required=False, max_len=500)
    ents_col, geos_col = [], []
    for idx, states, munis in zip(df.index, df["states"], df["municipalities"]):
        ents, geos = [], []
        for s in _split(states):
            st = gz.resolve_state(s)
            if st is None:
                chk.add(idx, "states", s, "a Mexican state (name, short form or abbreviation)")
            else:
                ents.append(st.cve_ent)
        for m in _split(munis):
            try:
                p = gz.resolve(m, level="municipality")
            except PlaceError as err:
                _place_problem(chk, idx, "municipalities", m, err)
                continue
            geos.append(p.cvegeo)
            ents.append(p.cve_ent)
        ents_col.append(sorted(set(ents)))
        geos_col.append(sorted(set(geos)))
    chk.raise_if_any()
    out = pd.DataFrame({
        "initiative_id": ["i%04d" % ln for ln in df["_line"]],
        "initiative": name.values,
        "agencies": [sorted({normalize_agency(a) for a in _split(c)}) for c in agencies],
        "year": year.values,
        "themes": [sorted({t.strip().lower() for t in _split(c)}) for c in theme],
        "cve_ents": ents_col,
        "cvegeos": geos_col,
        "scope_level": df.get("scope_level", pd.Series("", index=df.index)).values,
        "source_file": df.get("source_file", pd.Series("", index=df.index)).values,
        "source_quote": df.get("source_quote", pd.Series("", index=df.index)).values,
    })
    out.attrs["file"] = str(path)
    return out


def initiative_places(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Long table of where each initiative works, one row per agency, theme and place.

    A municipal entry yields a ``municipality`` row (with its ``cve_ent``);
    a state named without any of its municipalities yields a ``state`` row.
    Initiatives naming no place (national scope) yield a ``national`` row.

    Returns
    -------
    DataFrame
        ``initiative_id, initiative, agency, theme, year, level, cve_ent, cvegeo``.
    """
    rows = []
    for r in initiatives.itertuples(index=False):
        muni_ents = {g[:2] for g in r.cvegeos}
        places = [("municipality", g[:2], g) for g in r.cvegeos]
        places += [("state", e, None) for e in r.cve_ents if e not in muni_ents]
        if not places:
            places = [("national", None, None)]
        for agency in r.agencies or [""]:
            for theme in r.themes or [""]:
                for level, ent, geo in places:
                    rows.append((r.initiative_id, r.initiative, agency, theme, r.year, level, ent, geo))
    cols = ["initiative_id", "initiative", "agency", "theme", "year", "level", "cve_ent", "cvegeo"]
    return pd.DataFrame(rows, columns=cols)
