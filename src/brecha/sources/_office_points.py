"""Office points against the places their rows name, all rows at once.

One point-in-polygon join places every point; only points outside the place
their row names are measured (planar km in EPSG:6372, against polygons
projected once), so a large file of agreeing points costs one join.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..places import Gazetteer

#: How far (km, planar in EPSG:6372) an office's point may lie outside the
#: municipality or state its row names, or off the coast: offices sit on
#: municipal borders, geocoders round, and the embedded boundaries are simplified.
POINT_TOLERANCE_KM = 5.0


def _polygons(gz: Gazetteer) -> gpd.GeoDataFrame:
    """Municipal polygons indexed by ``cvegeo``: the gazetteer's own when it has them."""
    if isinstance(gz.munis, gpd.GeoDataFrame) and gz.munis.geometry.notna().all():
        return gz.munis
    from .. import geography

    return geography.municipalities().set_index("cvegeo")


def _projected(polys: gpd.GeoDataFrame) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """Municipalities and their dissolved states in the analysis CRS (cached per polygon set)."""
    from .. import geography
    from ..settings import ANALYSIS_CRS

    munis = polys.geometry.to_crs(ANALYSIS_CRS)
    # The embedded states are dissolved from these municipalities (dissolving again costs 0.5 s).
    states = geography.states().set_index("cve_ent").geometry.to_crs(ANALYSIS_CRS)
    return munis, states


class _Hashable:
    """Wrap a frame so :func:`functools.lru_cache` keys it by identity."""

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _Hashable) and other.obj is self.obj


@functools.lru_cache(maxsize=2)
def _proj_cached(wrapped: _Hashable):
    # The wrapper holds the frame, so its id cannot be reused while it is cached.
    return _projected(wrapped.obj)


def _nearest(pts: np.ndarray, polys: gpd.GeoSeries, tol_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Index label of the nearest polygon to each point (None beyond ``tol_m``) and its distance (m)."""
    tree = shapely.STRtree(polys.values)
    (pi, gi), dist = tree.query_nearest(pts, max_distance=tol_m, return_distance=True, all_matches=False)
    lab = np.full(len(pts), None, dtype=object)
    d = np.full(len(pts), np.inf)
    lab[pi] = polys.index.to_numpy()[gi]
    d[pi] = dist
    return lab, d


def place_points(chk, lat: pd.Series, lon: pd.Series, named: pd.DataFrame, gz: Gazetteer) -> pd.Series:
    """The municipality each office point counts for, checked against its row's names.

    ``named`` holds, per row, ``ent`` (state named or None), ``named_geo``
    (municipality named or None) and ``named_col`` (the column to quote).
    A point in the named place counts there. A point outside it but within
    :data:`POINT_TOLERANCE_KM` counts for the named municipality (or the
    named state's municipality nearest to it): names are what the report
    says, a point on a shared border is not allowed to move an office to
    another state; those rows are listed in one warning. A point farther
    away is a problem. With no name, the point decides, and a point just off
    the coast goes to the nearest municipality within the tolerance.

    Returns
    -------
    Series
        ``cvegeo`` per accepted row (index of ``lat``).
    """
    from .. import geography
    from ..settings import ANALYSIS_CRS

    if lat.empty:
        return pd.Series(dtype=object)
    polys = _polygons(gz)
    pts = gpd.GeoSeries.from_xy(lon, lat, index=lat.index, crs="EPSG:4326")
    at = geography.assign_municipality(pts, polys.reset_index()[["cvegeo", "geometry"]])
    ngeo, nent = named["named_geo"], named["ent"]
    agree = at.notna() & ((ngeo.notna() & (at == ngeo)) | (ngeo.isna() & nent.notna() & (at.str[:2] == nent))
                          | (ngeo.isna() & nent.isna()))
    out = at.where(agree).dropna()
    off = lat.index[~agree]
    if off.empty:
        return out
    tol, tol_m = POINT_TOLERANCE_KM, POINT_TOLERANCE_KM * 1000.0
    munis, states = _proj_cached(_Hashable(polys))
    p = pts.loc[off].to_crs(ANALYSIS_CRS)
    moved: list[int] = []
    accepted: dict = {}
    # Named municipality: distance to it.
    g = off[ngeo.loc[off].notna().to_numpy()]
    if len(g):
        d_m = shapely.distance(munis.loc[ngeo.loc[g].to_numpy()].values, p.loc[g].values)
        for idx, d in zip(g, d_m):
            if d <= tol_m:
                accepted[idx] = ngeo[idx]
                if isinstance(at[idx], str):  # off the simplified coast is not "another place"
                    moved.append(idx)
            else:
                where = f"in {gz.describe(at[idx])}" if isinstance(at[idx], str) else "in no municipality"
                chk.add(idx, "lat/lon", _value(chk, idx),
                        f"a point in or within {tol:g} km of {gz.describe(ngeo[idx])}, the municipality named in "
                        f"column {named.at[idx, 'named_col']!r} (the point is {where}, {d / 1000:,.0f} km from it)")
    # Named state only: distance to the state, then its nearest municipality.
    s = off[(ngeo.loc[off].isna() & nent.loc[off].notna()).to_numpy()]
    if len(s):
        d_m = shapely.distance(states.loc[nent.loc[s].to_numpy()].values, p.loc[s].values)
        near = s[d_m <= tol_m]
        for ent, grp in pd.Series(nent.loc[near].to_numpy(), index=near).groupby(lambda i: nent[i]):
            lab, _ = _nearest(p.loc[grp.index].values, munis[munis.index.str[:2] == ent], tol_m)
            for idx, code in zip(grp.index, lab):
                accepted[idx] = code
                if isinstance(at[idx], str):
                    moved.append(idx)
        for idx in s[d_m > tol_m]:
            ent = nent[idx]
            where = f"in {gz.describe(at[idx])}" if isinstance(at[idx], str) else "in no municipality"
            chk.add(idx, "lat/lon", _value(chk, idx),
                    f"a point in or within {tol:g} km of {gz.states.at[ent, 'name']} ({ent}), the state named in "
                    f"column {named.at[idx, 'named_col']!r} (the point is {where})")
    # No name, in no municipality: the nearest one within the tolerance (the simplified coast).
    n = off[(ngeo.loc[off].isna() & nent.loc[off].isna()).to_numpy()]
    if len(n):
        lab, _ = _nearest(p.loc[n].values, munis, tol_m)
        for idx, code in zip(n, lab):
            if code is None:
                chk.add(idx, "lat/lon", _value(chk, idx),
                        f"a point on land in a Mexican municipality (or within {tol:g} km of one)")
            else:
                accepted[idx] = code
    if moved:
        lines = sorted(int(chk.lines.loc[i]) for i in moved)
        chk.warn(f"{len(moved)} office point(s) lie outside the place their row names but within {tol:g} km of it "
                 f"(a shared border or a rounded geocode), line(s) {lines[:20]}{' ...' if len(lines) > 20 else ''}: "
                 "counted in the named municipality or state, drawn at the point given")
    return pd.concat([out, pd.Series(accepted, dtype=object)]).sort_index()


def _value(chk, idx) -> str:
    return f"{str(chk.df.at[idx, 'lat']).strip()}, {str(chk.df.at[idx, 'lon']).strip()}"


@functools.lru_cache(maxsize=1)
def _locality_table() -> pd.DataFrame:
    """The Census localities as plain columns, largest first (read once per process: 189,432 points)."""
    from .. import geography

    loc = geography.localities()
    return pd.DataFrame({"cvegeo": loc["cvegeo"].to_numpy(dtype=object), "name": loc["name"].to_numpy(dtype=object),
                         "seat": loc["cvegeo_loc"].str.endswith("0001").to_numpy(dtype=bool),
                         "pop": loc["pop_total"].to_numpy(), "x": loc.geometry.x.to_numpy(),
                         "y": loc.geometry.y.to_numpy()}).sort_values("pop", ascending=False, kind="stable")


def locality_points(cvegeo: pd.Series, locality: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of each office's locality (the municipal seat, 0001, when none is named).

    A named locality missing from the municipality, or a municipality with
    no seat in the table, falls back to its most populous locality.
    """
    n = len(cvegeo)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    want = cvegeo.notna().to_numpy()
    if not want.any():
        return x, y
    loc = _locality_table()
    loc = loc[loc["cvegeo"].isin(set(cvegeo.dropna()))]
    by_name = loc.drop_duplicates(["cvegeo", "name"]).set_index(["cvegeo", "name"])[["x", "y"]]
    seat = loc[loc["seat"]].drop_duplicates("cvegeo").set_index("cvegeo")[["x", "y"]]
    top = loc.drop_duplicates("cvegeo").set_index("cvegeo")[["x", "y"]]
    geo = cvegeo.to_numpy(dtype=object)
    name = locality.to_numpy(dtype=object)
    named = pd.MultiIndex.from_arrays([geo, name])
    hit = by_name.reindex(named)
    seat_hit = seat.reindex(geo)
    has_name = pd.notna(name)
    xs = np.where(has_name, hit["x"].to_numpy(), seat_hit["x"].to_numpy())
    ys = np.where(has_name, hit["y"].to_numpy(), seat_hit["y"].to_numpy())
    fallback = top.reindex(geo)
    xs = np.where(np.isnan(xs), fallback["x"].to_numpy(), xs)
    ys = np.where(np.isnan(ys), fallback["y"].to_numpy(), ys)
    x[want], y[want] = xs[want], ys[want]
    return x, y
