"""Read agency field offices and place each one (vectorised: 200,000 rows in seconds).

Names are resolved once per distinct ``(city, state)`` pair, points are
placed with one spatial join, and only the points that disagree with their
names are measured, so the cost grows with the number of distinct places,
not rows.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import PlaceError
from ..places import Gazetteer, Place
from ._agency_common import (
    OFFICE_HEADERS,
    canonical_agency,
    is_placeholder,
    open_agency_table,
    place_problem,
    status_values,
    warn_unknown_agencies,
)
from ._office_points import POINT_TOLERANCE_KM, locality_points, place_points

__all__ = ["read_offices", "assign_sites", "POINT_TOLERANCE_KM"]

_OFFICE_OPTIONAL = ("lat", "lon", "office_type", "status", "year_reported", "source_file", "source_quote",
                    "complete_list")
_YEARS = (1990, 2035)
_LAT = (14.4, 32.8)
_LON = (-118.5, -86.5)
#: The 2020 UN deployment table ("Deployment of United Nations personnel and field offices",
#: report 003) lists every field office outside Mexico City: the report says the UN system has
#: "25 offices in Mexico City (CDMX) and offices in 19 states", and the table lists exactly those
#: 19 states. Rows extracted from it carry this office type; absence from it is confirmed absence
#: of that agency's field office in 2020, everywhere but Mexico City (09).
DEPLOYMENT_TABLE = re.compile(r"\(deployment table\)", re.I)
DEPLOYMENT_TABLE_EXCLUDES = "09"
_YES = {"yes", "y", "si", "sí", "true", "1", "x", "verdadero"}
_NO = {"no", "n", "false", "0", "falso", ""}


def _coords(df: pd.DataFrame, chk) -> tuple[pd.Series, pd.Series]:
    """Valid lat/lon per row (NaN where absent or reported as a problem), checked column-wise."""
    nan = pd.Series(np.nan, index=df.index)
    if "lat" not in df and "lon" not in df:
        return nan, nan
    empty = pd.Series("", index=df.index)
    rla = df["lat"].astype(str).str.strip() if "lat" in df else empty
    rlo = df["lon"].astype(str).str.strip() if "lon" in df else empty
    lat = chk.numeric("lat") if "lat" in df else nan
    lon = chk.numeric("lon") if "lon" in df else nan
    one = (rla == "") != (rlo == "")
    chk._flag(one & (rla == ""), "lat", rlo, "both lat and lon, or neither")
    chk._flag(one & (rlo == ""), "lon", rla, "both lat and lon, or neither")
    for col, raw, val in (("lat", rla, lat), ("lon", rlo, lon)):
        unread = ~one & (raw != "") & val.isna()
        comma = raw.str.fullmatch(r"[-+]?\d+,\d+")
        chk._flag(unread & comma, col, raw, "a number in decimal degrees with a point as decimal separator")
        chk._flag(unread & ~comma, col, raw, "a number in decimal degrees")
    has = ~one & lat.notna() & lon.notna()
    in_lat, in_lon = lat.between(*_LAT), lon.between(*_LON)
    out = has & ~(in_lat & in_lon)
    pair = rla + ", " + rlo
    swapped = out & lon.between(*_LAT) & lat.between(*_LON)
    chk._flag(swapped, "lat", pair, "lat and lon in their own columns (they look swapped)")
    inside = f"a point inside Mexico (lat {_LAT[0]} to {_LAT[1]}, lon {_LON[0]} to {_LON[1]})"
    chk._flag(out & ~swapped & ~in_lat, "lat", pair, inside)
    chk._flag(out & ~swapped & in_lat, "lon", pair, inside)
    ok = has & in_lat & in_lon
    return lat.where(ok), lon.where(ok)


class _StateMemo:
    """The gazetteer with ``resolve_state`` remembered per text: a large file names few states."""

    def __init__(self, gz: Gazetteer):
        self.gz, self.states = gz, gz.states
        self._seen: dict[str, Place | None] = {}

    def resolve_state(self, text: str) -> Place | None:
        if text not in self._seen:
            self._seen[text] = self.gz.resolve_state(text)
        return self._seen[text]

    def resolve(self, text: str, *, state: str | None = None,
                level: Literal["any", "state", "municipality"] = "any") -> Place:
        return self.gz.resolve(text, state=state, level=level)


def _resolve_pair(gz: Gazetteer | _StateMemo, city: str, state: str) -> dict[str, Any]:
    """Where one ``(city, state)`` pair places an office, or the problem with it."""
    r: dict[str, Any] = {"ent": None, "geo": None, "loc": None, "placed": "none", "state_name": state,
                         "precision": "national", "named_geo": None, "named_col": None, "err_col": None, "err": None}
    if not state and not city:
        return r
    st = None
    if state:
        st = gz.resolve_state(state)
        if st is None:
            r.update(err_col="state", err="a Mexican state (name, short form or abbreviation)")
            return r
        r.update(ent=st.cve_ent, placed="state", state_name=st.name, precision="state", named_col="state")
    if not city:
        return r
    as_state = gz.resolve_state(city)
    try:
        p = gz.resolve(city, state=state or None, level="municipality")
    except PlaceError as err:
        if as_state is None or (st is not None and as_state.cve_ent != st.cve_ent):
            r.update(err_col="city", err=err)
            return r
        p = as_state  # "Ciudad de México" and no alcaldía: the entity, at state precision
    # A city alias that is itself the state's name ("Ciudad de México") names the entity, not a
    # municipality in it: state precision, no point, as the reports give no alcaldía.
    if p.level == "state" or (
            p.matched_by == "city_alias" and as_state is not None and as_state.cve_ent == p.cve_ent):
        ent = p.cve_ent  # a state-level answer names the state the city's words name (as_state)
        r.update(ent=ent, geo=None, placed="state", state_name=gz.states.at[ent, "name"], precision="state",
                 named_col="city")
        return r
    precise = "point" if p.matched_by in ("locality", "urban_locality") else "municipality"
    r.update(ent=p.cve_ent, geo=p.cvegeo, loc=p.locality, placed="locality", state_name=p.state_name,
             precision=precise, named_geo=p.cvegeo, named_col="city")
    return r


def _check_unique(chk, df: pd.DataFrame, agency: pd.Series, office_type: pd.Series, year: pd.Series,
                  lat: pd.Series, lon: pd.Series) -> None:
    """Each office once: agency, type, city, state, year and point (to ~10 m) may not all repeat.

    Rows are grouped on integer codes; only repeated rows are formatted for the message.
    """
    key = np.zeros(len(df), dtype=np.int64)
    for col in (agency.str.lower(), office_type.str.lower(), df["city"].str.lower(), df["state"].str.lower(),
                year.astype("float64"), lat.round(4), lon.round(4)):
        codes, uniq = pd.factorize(col.to_numpy())
        key = pd.factorize(key * (len(uniq) + 1) + codes + 1)[0]
    dup = pd.Series(key, index=df.index).duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    xy = (lat.round(4).astype(str) + " " + lon.round(4).astype(str)).where(lat.notna() & lon.notna(), "")
    text = (agency.str.lower() + "|" + office_type.str.lower() + "|" + df["city"].str.lower() + "|"
            + df["state"].str.lower() + "|" + year.astype("string").fillna("") + "|" + xy.fillna(""))
    chk.unique(text[dup], "agency+office_type+city+state+year_reported+lat/lon")


def _flag_bool(chk, df: pd.DataFrame, office_type: pd.Series) -> pd.Series:
    """``complete_list``: the input's own column, else the deployment-table rule."""
    if "complete_list" in df:
        v = df["complete_list"].str.strip().str.lower()
        chk._flag(~v.isin(_YES | _NO), "complete_list", df["complete_list"], "yes/no (sí/no, true/false, 1/0)")
        return v.isin(_YES)
    return office_type.str.contains(DEPLOYMENT_TABLE)


def assign_sites(offices: pd.DataFrame) -> pd.Series:
    """One ``site_id`` per physical office across report years.

    Two rows are the same site when they share the agency and either the same
    point (to ~10 m, when coordinates were given) or the same municipality
    (the state when no municipality is named) and the same kind of office
    (``office_type`` before any bracket: "country office (Resident
    Coordinator's Office)" and "country office (Resident Coordination
    Office)" are one). The id is ``s_`` + the ``office_id`` of the site's
    first row, so it is stable as long as that row is.
    """
    n = len(offices)
    kind = offices["office_type"].fillna("").astype(str)
    kind = kind.str.replace(r"(?s)\(.*", "", regex=True).str.strip().str.lower()  # vectorised: 200k in 0.1 s
    where = offices["cvegeo"].fillna(offices["cve_ent"]).fillna("").astype(str)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    if "placed" in offices and n:
        pt = (offices["placed"] == "coordinates").to_numpy()
        if pt.any():
            x[pt] = offices.geometry.x.to_numpy()[pt].round(4)
            y[pt] = offices.geometry.y.to_numpy()[pt].round(4)
            where = where.where(~pt, "xy")
            kind = kind.where(~pt, "")
    # One integer per distinct (agency, place, kind, x, y), re-factorised after each column so it
    # stays below n: 200,000 rows group in milliseconds, where grouping on text took seconds.
    key = np.zeros(n, dtype=np.int64)
    for col in (offices["agency"].astype(str).to_numpy(dtype=object), where.to_numpy(dtype=object),
                kind.to_numpy(dtype=object), x, y):
        codes, uniq = pd.factorize(col)
        key = pd.factorize(key * (len(uniq) + 1) + codes + 1)[0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    ids = offices["office_id"].astype(str).to_numpy(dtype=object)
    return pd.Series("s_" + ids[first[inverse]], index=offices.index, dtype=object)


def read_offices(path: str | os.PathLike, *, gazetteer: Gazetteer | None = None, strict: bool = False,
                 sheet: str | None = None, id_prefix: str = "o") -> gpd.GeoDataFrame:
    """Read agency offices and place each one.

    Required columns: ``agency, city, state`` (or ``agencia, ciudad,
    estado``); optional ``lat, lon, office_type, status, year_reported,
    source_file, source_quote, complete_list`` (Spanish: ``latitud,
    longitud, tipo_oficina, estatus, año``...). Status values may be Spanish
    (``existente, planeada, en expansión, renovada, cerrada``).

    An office with coordinates is placed at its point; the point must lie in
    (or within :data:`POINT_TOLERANCE_KM`, 5 km, of) the municipality its
    city names, or the state when only a state is named. A point just outside
    the named place (a shared border, a rounded geocode) counts for the
    *named* place, with a warning; farther away it is a problem naming the
    line, the point and the place expected. With no city or state the point
    decides (one just off the simplified coast goes to the nearest
    municipality). An office without coordinates is placed at the Census
    2020 locality its city names (the seat for a municipality's name).
    "Ciudad de México" with no alcaldía, or a state alone, is state
    precision with no point. Placeholder words ("Estado", "N/A") are refused.

    Returns
    -------
    GeoDataFrame
        ``office_id`` (``id_prefix`` + file line), ``site_id`` (see
        :func:`assign_sites`), ``agency`` (catalogue acronym),
        ``agency_kind``, ``agency_as_written, office_type, city, state,
        cve_ent, cvegeo, locality, status, year_reported, source_file,
        source_quote, placed`` (``coordinates``/``locality``/``state``/``none``),
        ``precision`` (:data:`~brecha.sources.agencies.PRECISION`),
        ``complete_list`` (bool), ``complete_list_excludes`` (state codes a
        complete list does not cover, ``;``-separated) and point geometry
        (EPSG:4326; empty where unplaced).
    """
    df, chk = open_agency_table(path, OFFICE_HEADERS, ("agency", "city", "state"), sheet=sheet, strict=strict)
    chk.extra_columns(("agency", "city", "state") + _OFFICE_OPTIONAL)
    gz = gazetteer or Gazetteer.default()
    agency = chk.text("agency", max_len=200)
    if "year_reported" in df:
        year = chk.integer("year_reported", lo=_YEARS[0], hi=_YEARS[1], required=False)
    else:
        year = pd.Series(pd.NA, index=df.index, dtype="Int64")
    status = status_values(chk, df)
    for col in ("city", "state", "office_type", "source_quote"):
        if col in df:
            chk.text(col, required=False, max_len=2_000 if col != "source_quote" else 5_000)
    blank = pd.Series("", index=df.index)
    office_type = df.get("office_type", blank).astype(str)
    lat, lon = _coords(df, chk)
    city, state = df["city"].astype(str).str.strip(), df["state"].astype(str).str.strip()
    ph = {c: is_placeholder(s) for c, s in (("city", city), ("state", state))}
    chk._flag(ph["state"], "state", state, "a Mexican state's name, not a placeholder word")
    chk._flag(ph["city"], "city", city, "a city or municipality's name, not a placeholder word")
    ok = ~(ph["state"] | ph["city"])
    key = city + "\x1f" + state
    memo = _StateMemo(gz)
    pairs = {k: _resolve_pair(memo, *k.split("\x1f")) for k in pd.unique(key[ok])}
    cols = list(_resolve_pair(gz, "", ""))
    res = pd.DataFrame.from_dict(pairs, orient="index", columns=cols).astype(object).reindex(key.to_numpy())
    res = res.astype(object).where(res.notna(), None)
    res.index = df.index
    bad = res["err_col"].notna() | ~ok
    for idx in res.index[res["err_col"].notna()]:
        col, err = res.at[idx, "err_col"], res.at[idx, "err"]
        value = city[idx] if col == "city" else state[idx]
        if isinstance(err, PlaceError):
            place_problem(chk, idx, col, value, err)
        else:
            chk.add(idx, col, value, err)
    # A point is not checked against a name that is itself wrong: one problem per mistake.
    keep = ~bad & lat.notna() & lon.notna()
    at_point = place_points(chk, lat[keep], lon[keep], res.loc[keep], gz)
    _check_unique(chk, df, agency, office_type, year, lat, lon)
    complete = _flag_bool(chk, df, office_type)
    chk.raise_if_any()
    ent, geo, loc = res["ent"].copy(), res["geo"].copy(), res["loc"].copy()
    placed, precision, state_name = res["placed"].copy(), res["precision"].copy(), res["state_name"].copy()
    state_name = state_name.where(res["state_name"].notna(), state)
    if len(at_point):
        code = at_point
        moved = code != geo.reindex(code.index)
        loc.loc[moved[moved].index] = None  # the named locality is in another municipality
        ent.loc[code.index], geo.loc[code.index] = code.str[:2], code
        placed.loc[code.index], precision.loc[code.index] = "coordinates", "point"
        state_name.loc[code.index] = gz.states.loc[code.str[:2].to_numpy(), "name"].to_numpy()
    has_xy = lat.notna() & lon.notna()
    x, y = locality_points(geo.where(~has_xy, None), loc)  # only offices without a point of their own
    x = np.where(has_xy, lon, x)
    y = np.where(has_xy, lat, y)
    geometry = gpd.points_from_xy(x, y)
    geometry[np.isnan(x)] = None
    uniq = {a: canonical_agency(a) for a in pd.unique(agency)}
    canon = [uniq[a] for a in agency]
    warn_unknown_agencies(chk, pd.unique(agency))
    out = gpd.GeoDataFrame({
        "office_id": [f"{id_prefix}{ln:04d}" for ln in df["_line"]],
        "agency": [c[0] for c in canon],
        "agency_kind": [c[1] for c in canon],
        "agency_as_written": agency.values,
        "office_type": office_type.values,
        "city": df["city"].values,
        "state": state_name.values,
        "cve_ent": ent.values,
        "cvegeo": geo.values,
        "locality": loc.values,
        "status": status.values,
        "year_reported": year.values,
        "source_file": df.get("source_file", blank).values,
        "source_quote": df.get("source_quote", blank).values,
        "placed": placed.values,
        "precision": precision.values,
        "complete_list": complete.values.astype(bool),
        "complete_list_excludes": np.where(complete & ~("complete_list" in df), DEPLOYMENT_TABLE_EXCLUDES, ""),
    }, geometry=geometry, crs="EPSG:4326")
    for col in ("cve_ent", "cvegeo", "locality"):  # None, not NaN, where there is no code
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out.insert(1, "site_id", assign_sites(out).values)
    out.attrs["file"] = str(path)
    return out
