"""The registry's tables and rasters: analysis functions by name, and adapters where products compose.

A function entry's inputs are named after the function's parameters
(``layer``, ``municipal``, ``official_poverty``) or after the sources it
reads in its first parameter (``census_municipal``, ``denue_care``...: the
names of :data:`brecha.sources.SOURCES`), so a spec binds
``census_municipal = "source:census_municipal"`` and nothing renames them.
Adapters declare their parameters without defaults: the specs give them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..sources._registry import LAYER_SOURCES
from ._entry import Entry

__all__ = ["ENTRIES"]

#: A distance or cell size in km: positive and finite.
Km = Annotated[float, Field(gt=0)]


def _siting(inputs, *, k_max: Annotated[int, Field(ge=1)], radius_km: Km, candidates: Literal["seats", "centres"]):
    """Greedy maximal-covering sites for k = 1..k_max new offices, with the coverage each adds."""
    from ..siting import candidate_sites, coverage_curve, unmet_demand

    demand = unmet_demand(inputs["localities"], inputs["census_municipal"], inputs["coneval_municipal"],
                          inputs["offices"], radius_km=radius_km)
    sites = candidate_sites(inputs["localities"], kind=candidates)
    return coverage_curve(demand, sites, k_max=k_max, radius_km=radius_km)


def _population(inputs, *, cell_km: Km):
    """People per cell from the Census 2020 localities."""
    from ..rasters import population_surface
    from .writers import RasterResult

    return RasterResult.from_raster(population_surface(inputs["localities"], cell_km=cell_km))


def _office_distance(inputs, *, cell_km: Km):
    """Straight-line km from each cell centre to the nearest active office."""
    from ..presence import select_offices
    from ..rasters import distance_surface
    from .writers import RasterResult

    return RasterResult.from_raster(distance_surface(select_offices(inputs["offices"]), cell_km=cell_km))


def _care_access(inputs, *, group: str, catchment_km: Km, cell_km: Km):
    """E2SFCA care places per 1,000 people of ``group``, weighted per cell by the group's demand."""
    from ..care import CARE_GROUPS, care_by_locality
    from ..errors import InputError, Problem
    from ..rasters import care_surface
    from .writers import RasterResult

    groups = {g.name: g for g in CARE_GROUPS}
    if group not in groups:
        raise InputError([Problem("group", None, None, group, f"a care group, one of {sorted(groups)}")])
    g = groups[group]
    loc = care_by_locality(inputs["census_municipal"], inputs["localities"], inputs["denue_care"],
                           catchment_km=catchment_km)
    col = f"care_access_{group}"
    # Weighted by the group's own demand, as the municipal care_access_<g> figures are.
    return RasterResult.from_raster(care_surface(
        loc, loc.set_index("cvegeo_loc")[col], cell_km=cell_km, weight=g.demand_col, name=col,
        units=f"places per 1,000 people ({g.demand_col})",
        source=f"E2SFCA ({catchment_km:g} km, Gaussian) of DENUE {g.care_type} places "
               f"for Census 2020 {g.demand_col}, {g.demand_col}-weighted per cell"))


def _zonal(inputs):
    """The built surfaces back to municipalities: people (sum), km to an office and care access (means).

    The inputs are the raster layers' COGs (``layer:raster_population``...),
    read back as :class:`brecha.rasters.Raster`: nothing is recomputed, and
    the grid, catchment and group are those the raster specs set.
    """
    from ..rasters import zonal_table

    return zonal_table([(inputs["population"], "sum"), (inputs["office_distance"], "mean"),
                        (inputs["care_access"], "mean")])


ENTRIES: tuple[Entry, ...] = (
    Entry("gap.settings", "brecha.gap:settings_table", adapter=False),
    Entry("coverage.municipal_layer", "brecha.coverage:municipal_layer",
          inputs=("municipalities", *LAYER_SOURCES, "gap"), adapter=False),
    Entry("coverage.state_layer", "brecha.coverage:state_layer",
          inputs=("states", "municipalities", *LAYER_SOURCES, "municipal", "official_poverty", "gap"),
          optional=("official_poverty",), adapter=False),
    Entry("coverage.top_gaps", "brecha.coverage:top_gaps", inputs=("layer",), adapter=False),
    Entry("gap.weight_sensitivity", "brecha.gap:weight_sensitivity", inputs=("frame", "settings"), adapter=False),
    Entry("siting.coverage_curve", _siting,
          inputs=("localities", "census_municipal", "coneval_municipal", "offices")),
    Entry("rasters.population", _population, "raster", ("localities",)),
    Entry("rasters.office_distance", _office_distance, "raster", ("offices",)),
    Entry("rasters.care_access", _care_access, "raster", ("census_municipal", "localities", "denue_care")),
    Entry("rasters.zonal_stats", _zonal, inputs=("population", "office_distance", "care_access")),
    Entry("fairshare.table", "brecha.fairshare:fair_share_table", inputs=("layer",), adapter=False),
    Entry("change.since_previous", "brecha.pipeline.compare:change_since", inputs=("layer",), adapter=False),
    Entry("scenario.by_year", "brecha.scenario:by_year_layer",
          inputs=("municipalities", *LAYER_SOURCES, "gap"), adapter=False),
    Entry("scenario.layer", "brecha.scenario:scenario_layer",
          inputs=("municipalities", *LAYER_SOURCES, "gap", "before"), adapter=False),
)
