"""What opening offices would change: before and after, against need.

Three scenarios, each a new offices frame handed to the same
:func:`brecha.coverage.municipal_layer` as the build uses, so reach, people
and poor within reach, presence and gap ranks are computed by the one code
path, in the cost unit the layer uses (km or minutes):

* :func:`open_planned`: offices the reports list as planned or expanding
  (:data:`brecha.presence.PLANNED_OFFICE_STATUS`) open; existing and
  renovated ones already count (:data:`brecha.presence.DEFAULT_OFFICE_STATUS`).
* :func:`open_sites`: proposed sites (points, or places the resolver names)
  open as offices of a ``proposed`` agency.
* :func:`siting_sites`: the ``k`` municipal seats the maximal covering
  location problem picks (:func:`brecha.siting.maximal_covering`).

:func:`run_scenario` builds both layers and compares them
(:func:`brecha.change.compare_layers`); its summary gives people and poor
people newly within reach and the gap ranks that moved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from .change import compare_layers, scenario_summary
from .errors import InputError, Problem

__all__ = ["ScenarioResult", "open_planned", "open_sites", "siting_sites", "run_scenario", "PROPOSED_AGENCY",
           "report_years", "by_year", "by_year_layer", "year_change", "YEAR_COLUMNS", "scenario_layer"]

log = logging.getLogger(__name__)

#: The agency name given to proposed sites, so they are told apart from reported offices everywhere.
PROPOSED_AGENCY = "proposed"


@dataclass
class ScenarioResult:
    """The layers before and after a scenario, their change table and its headline figures."""

    name: str
    before: gpd.GeoDataFrame
    after: gpd.GeoDataFrame
    change: pd.DataFrame
    summary: dict[str, Any]
    opened: pd.DataFrame


def open_planned(offices: gpd.GeoDataFrame, *, statuses: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The offices with every office of ``statuses`` opened (status set to ``existing``).

    ``statuses`` defaults to :data:`brecha.presence.PLANNED_OFFICE_STATUS`.

    The opened rows keep their agency, place and source quote; a column
    ``scenario_opened`` (bool) marks them.
    """
    if "status" not in offices.columns:
        raise InputError([Problem("offices", None, "status", None, "a status column (existing, planned, ...)")])
    if statuses is None:
        from .presence import PLANNED_OFFICE_STATUS

        statuses = PLANNED_OFFICE_STATUS
    out = offices.copy()
    opened = out["status"].isin(list(statuses)).to_numpy()
    out["scenario_opened"] = opened
    out.loc[opened, "status"] = "existing"
    return out


def _site_rows(offices: gpd.GeoDataFrame, points: gpd.GeoSeries, cvegeo: Sequence[str], labels: Sequence[str],
               agency: str) -> gpd.GeoDataFrame:
    n = len(points)
    # Object columns: a proposed site has no report year, quote or list flag; concat restores the dtypes it can.
    rows = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in offices.columns
                         if c != offices.geometry.name})
    taken = set(offices["office_id"].astype(str)) if "office_id" in offices else set()
    ids: list[str] = []
    i = 0
    while len(ids) < n:  # ids that cannot collide with reported ones
        i += 1
        cand = f"proposed-{i:04d}"
        if cand not in taken:
            ids.append(cand)
    rows["office_id"] = ids
    if "site_id" in rows:
        rows["site_id"] = ids
    rows["agency"] = agency
    rows["office_type"] = "proposed site"
    rows["status"] = "existing"
    rows["cvegeo"] = list(cvegeo)
    rows["cve_ent"] = [c[:2] if isinstance(c, str) else None for c in cvegeo]
    rows["city"] = list(labels)
    if "precision" in rows:
        rows["precision"] = "point"
    rows["scenario_opened"] = True
    where = gpd.GeoSeries(points.to_numpy(), crs=points.crs).to_crs(offices.crs).to_numpy()
    geo = gpd.GeoDataFrame(rows, geometry=where, crs=offices.crs)
    base = offices.assign(scenario_opened=False)
    return gpd.GeoDataFrame(pd.concat([base, geo], ignore_index=True), geometry=offices.geometry.name, crs=offices.crs)


def open_sites(offices: gpd.GeoDataFrame, sites: pd.DataFrame, *, municipalities: gpd.GeoDataFrame,
               localities: gpd.GeoDataFrame, agency: str = PROPOSED_AGENCY, file: str = "sites") -> gpd.GeoDataFrame:
    """The offices plus proposed ``sites`` opened as offices of ``agency``.

    Parameters
    ----------
    sites
        One row per site: ``lat, lon`` (WGS84 degrees), or ``place`` (any
        spelling the resolver takes, with an optional ``state``). A place is
        put at its municipality's population-weighted centre.
    municipalities, localities
        Boundaries to place points and the Census localities for the centres.
    file
        Named in error messages.

    Raises
    ------
    InputError
        Every row that is not a point in Mexico or a place the resolver
        answers without guessing, with its line (header is line 1).
    """
    from . import geography, places
    from .errors import BrechaError
    from .reach import municipal_centres

    has_xy = {"lat", "lon"} <= set(sites.columns)
    if not has_xy and "place" not in sites.columns:
        raise InputError([Problem(file, 1, None, list(sites.columns), "columns lat, lon or a column place")])
    problems, points, codes, labels = [], [], [], []
    centres = None
    for i, row in enumerate(sites.itertuples(index=False), start=2):
        rec = row._asdict()
        if has_xy and pd.notna(rec.get("lat")) and pd.notna(rec.get("lon")):
            lat, lon = pd.to_numeric(rec["lat"], errors="coerce"), pd.to_numeric(rec["lon"], errors="coerce")
            if not (np.isfinite(lat) and np.isfinite(lon) and 14 <= lat <= 33 and -119 <= lon <= -86):
                problems.append(Problem(file, i, "lat/lon", f"{rec['lat']}, {rec['lon']}",
                                        "a point in Mexico (degrees)"))
                continue
            pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
            code = geography.assign_municipality(pt, municipalities).iloc[0]
            if pd.isna(code):
                problems.append(Problem(file, i, "lat/lon", f"{lat}, {lon}", "a point inside a municipality"))
                continue
            points.append(pt.iloc[0])
            codes.append(str(code))
            labels.append(str(rec.get("place") or f"{lat:.4f}, {lon:.4f}"))
            continue
        text = rec.get("place")
        state = rec.get("state")
        state = str(state).strip() if state is not None and pd.notna(state) and str(state).strip() else None
        if text is None or pd.isna(text) or not str(text).strip():
            problems.append(Problem(file, i, "place", text, "a place name, or lat and lon"))
            continue
        try:
            place = places.resolve(str(text), state=state, level="municipality")
        except BrechaError as exc:
            problems.append(Problem(file, i, "place", text, f"a municipality named without ambiguity ({exc})"))
            continue
        if centres is None:
            centres = municipal_centres(localities).to_crs("EPSG:4326")
        if place.cvegeo not in centres.index:
            problems.append(Problem(file, i, "place", text, "a municipality with Census localities"))
            continue
        points.append(centres.geometry.loc[place.cvegeo])
        codes.append(str(place.cvegeo))
        labels.append(str(text))
    if problems:
        raise InputError(problems)
    return _site_rows(offices, gpd.GeoSeries(points, crs="EPSG:4326"), codes, labels, agency)


def siting_sites(layer_sources: Mapping[str, pd.DataFrame], *, k: int, radius_km: float = 100.0,
                 candidates: Literal["seats", "centres"] = "seats") -> gpd.GeoDataFrame:
    """The ``k`` sites the maximal covering location problem picks (greedy), as ``lat, lon, place`` rows."""
    from .siting import candidate_sites, maximal_covering, unmet_demand

    loc = layer_sources["localities"]
    demand = unmet_demand(loc, layer_sources["census_municipal"], layer_sources["coneval_municipal"],
                          layer_sources["offices"], radius_km=radius_km)
    chosen = maximal_covering(demand, candidate_sites(loc, kind=candidates), k=k, radius_km=radius_km)
    pts = chosen.to_crs("EPSG:4326")
    name = chosen["name"] if "name" in chosen.columns else chosen.get("cvegeo")
    return pd.DataFrame({"lat": pts.geometry.y.to_numpy(), "lon": pts.geometry.x.to_numpy(),
                         "place": list(name), "order": chosen["order"].to_numpy(), "gain": chosen["gain"].to_numpy()})


def run_scenario(name: str, sources: Mapping[str, pd.DataFrame], offices_after: gpd.GeoDataFrame, *,
                 params: Mapping[str, Any] | None = None, before: gpd.GeoDataFrame | None = None) -> ScenarioResult:
    """The municipal layer before and after replacing the offices with ``offices_after``.

    Parameters
    ----------
    sources
        The frames :func:`brecha.coverage.municipal_layer` takes.
    params
        Its keyword arguments (the build's are in ``layers/municipalities.toml``):
        the same radius, cost unit and gap settings before and after.
    before
        The layer before, when already built with the same sources and params.
    """
    from .coverage import municipal_layer

    kw = dict(params or {})
    base = municipal_layer(sources, **kw) if before is None else before
    after = municipal_layer({**sources, "offices": offices_after}, **kw)
    change = compare_layers(base, after)
    opened = offices_after.loc[offices_after.get("scenario_opened", pd.Series(False, index=offices_after.index))
                               .fillna(False).astype(bool)]
    summary = scenario_summary(change)
    summary["scenario"] = name
    summary["opened"] = int(len(opened))
    # Offices placed only in a state or nowhere have no point: they add presence, never reach.
    geom = opened.geometry if isinstance(opened, gpd.GeoDataFrame) else None
    summary["opened_with_point"] = int((geom.notna() & ~geom.is_empty).sum()) if geom is not None else 0
    log.info("scenario %s: %d offices opened, %d municipalities changed", name, len(opened),
             summary["municipalities_changed"])
    return ScenarioResult(name, base, after, change, summary, pd.DataFrame(opened.drop(columns="geometry",
                                                                                      errors="ignore")))


#: Columns of the by-year table: presence, evidence and the gap of each report year.
YEAR_COLUMNS = ("initiatives", "initiatives_state_scope", "agencies", "offices", "presence_score", "presence_class",
                "presence_evidence", "gap_score", "gap_rank", "gap_class")


def report_years(sources: Mapping[str, pd.DataFrame]) -> list[int]:
    """The report years of the initiatives and offices (``year`` / ``year_reported``), ascending."""
    years: set[int] = set()
    for name, col in (("initiatives", "year"), ("offices", "year_reported")):
        frame = sources.get(name)
        if frame is not None and col in frame.columns:
            years |= {int(y) for y in pd.to_numeric(frame[col], errors="coerce").dropna().unique()}
    return sorted(years)


def by_year(sources: Mapping[str, pd.DataFrame], *, years: Sequence[int] | None = None,
            params: Mapping[str, Any] | None = None) -> gpd.GeoDataFrame:
    """Presence and gap as each report year alone tells them: one row per municipality and year.

    Each year's layer is :func:`brecha.coverage.municipal_layer` with only
    that year's initiatives (``year``) and offices (``year_reported``); need
    does not change between them (Census 2020, CONEVAL 2020), so what moves is
    what the reports of that year say. A year is one report's view, not a
    census of presence: an initiative missing from a year's report may still
    run.

    Returns
    -------
    GeoDataFrame
        ``cvegeo, year, cve_ent, name, state_name`` and :data:`YEAR_COLUMNS`
        present in the layer, keyed by ``(cvegeo, year)``.
    """
    from .coverage import municipal_layer

    kw = dict(params or {})
    wanted = report_years(sources) if years is None else sorted(int(y) for y in years)
    if not wanted:
        raise InputError([Problem("initiatives/offices", None, "year", None, "at least one report year")])
    frames = []
    for year in wanted:
        inits = sources["initiatives"]
        offices = sources["offices"]
        one = {**sources,
               "initiatives": inits.loc[pd.to_numeric(inits["year"], errors="coerce") == year].reset_index(drop=True),
               "offices": offices.loc[pd.to_numeric(offices["year_reported"], errors="coerce") == year]
               .reset_index(drop=True)}
        one.pop("initiative_places", None)
        layer = municipal_layer(one, **kw)
        keep = ["cvegeo", "cve_ent", "name", "state_name", *[c for c in YEAR_COLUMNS if c in layer.columns],
                "geometry"]
        frames.append(layer[keep].assign(year=year))
    out = pd.concat(frames, ignore_index=True)
    out = out[["cvegeo", "year", *[c for c in out.columns if c not in ("cvegeo", "year")]]]
    return gpd.GeoDataFrame(out.sort_values(["cvegeo", "year"], kind="mergesort").reset_index(drop=True),
                            geometry="geometry", crs=frames[0].crs)


def year_change(table: pd.DataFrame, before: int, after: int) -> pd.DataFrame:
    """:func:`brecha.change.compare_layers` between two years of :func:`by_year`'s table."""
    problems = [Problem("years", None, "year", y, f"a year of the table ({sorted(table['year'].unique())})")
                for y in (before, after) if y not in set(table["year"])]
    if problems:
        raise InputError(problems)
    a = table.loc[table["year"] == before].drop(columns="year")
    b = table.loc[table["year"] == after].drop(columns="year")
    return compare_layers(a, b)


def scenario_layer(sources: Mapping[str, pd.DataFrame], *, scenario: str, before: gpd.GeoDataFrame,
                   gap: Any = None, catchment_km: float, radius_km: float, decay: str,
                   lisa_permutations: int, k: int = 3) -> pd.DataFrame:
    """A scenario as a layer: the change table of opening ``scenario``'s offices.

    For a layer spec (``function = "scenario.layer"``), whose reach and care
    parameters name the municipal spec's (``radius_km = { same_as =
    "municipalities" }``) so the scenario runs with the build's settings;
    ``before`` is the built municipal layer (``layer:municipalities``).

    Parameters
    ----------
    scenario
        ``"planned"`` (planned and expanding offices open) or ``"siting"``
        (the ``k`` seats the maximal covering problem picks open).
    """
    if scenario not in ("planned", "siting"):
        raise InputError([Problem("scenario", None, "scenario", scenario, "'planned' or 'siting'")])
    params = {"gap": gap, "catchment_km": catchment_km, "radius_km": radius_km, "decay": decay,
              "lisa_permutations": lisa_permutations}
    offices = sources["offices"]
    if scenario == "planned":
        after = open_planned(offices)
    else:
        sites = siting_sites(sources, k=k, radius_km=radius_km)
        after = open_sites(offices, sites, municipalities=sources["municipalities"], localities=sources["localities"],
                           file="siting")
    return run_scenario(scenario, sources, after, params=params, before=before).change


def by_year_layer(sources: Mapping[str, pd.DataFrame], *, gap: Any = None, catchment_km: float, radius_km: float,
                  decay: str, lisa_permutations: int) -> gpd.GeoDataFrame:
    """:func:`by_year` as a layer (``function = "scenario.by_year"``), with the municipal spec's settings.

    Its reach and care parameters name the municipal spec's (``radius_km = {
    same_as = "municipalities" }``), so each year is scored as the build scores
    the municipal layer; key ``["cvegeo", "year"]``. Read by the years map.
    """
    return by_year(sources, params={"gap": gap, "catchment_km": catchment_km, "radius_km": radius_km,
                                    "decay": decay, "lisa_permutations": lisa_permutations})
