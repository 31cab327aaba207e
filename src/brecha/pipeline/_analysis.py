"""Registry adapters for the analysis layers and rasters.

Each adapter maps a spec's input names onto the analysis function's
arguments; the analysis itself lives in the public modules
(:mod:`brecha.coverage`, :mod:`brecha.siting`, :mod:`brecha.rasters`).
The map adapters are in :mod:`brecha.pipeline._maps`.
"""

from __future__ import annotations

from .registry import REGISTRY

_SOURCES = ("municipalities", "census", "localities", "poverty", "denue", "offices", "initiatives")
#: spec input name -> brecha.coverage source name
_AS_COVERAGE = {"municipalities": "municipalities", "census": "census_municipal", "localities": "localities",
                "poverty": "coneval_municipal", "denue": "denue_care", "offices": "offices",
                "initiatives": "initiatives", "states": "states"}


def _coverage_sources(inputs) -> dict:
    return {_AS_COVERAGE[k]: v for k, v in inputs.items() if k in _AS_COVERAGE}


@REGISTRY.register("coverage.municipal_layer", inputs=_SOURCES)
def _municipal_layer(inputs, *, catchment_km: float = 20.0, radius_km: float = 100.0, decay: str = "gaussian",
                     gap_weights: dict | None = None, normalisation: str = "rank", aggregate: str = "geometric",
                     presence_floor: float = 0.1, lisa_permutations: int = 999):
    """The municipal coverage and gap layer (2,469 rows)."""
    from ..coverage import municipal_layer

    return municipal_layer(_coverage_sources(inputs), catchment_km=catchment_km, radius_km=radius_km, decay=decay,
                           gap_weights=gap_weights, normalisation=normalisation, aggregate=aggregate,
                           presence_floor=presence_floor, lisa_permutations=lisa_permutations)


@REGISTRY.register("coverage.state_layer", inputs=_SOURCES + ("states", "municipal", "official_poverty"),
                   optional=("official_poverty",))
def _state_layer(inputs, *, official_year: int = 2020):
    """The state layer (32 rows), aggregated from the municipal layer, with official poverty when given.

    The state gap uses the gap settings the municipal layer recorded, so
    the spec repeats none of them; ``official_poverty`` is the optional
    source ``coneval_state`` (``brecha build --coneval-state``), None
    without it.
    """
    from ..coverage import state_layer

    return state_layer(_coverage_sources(inputs), municipal=inputs["municipal"],
                       official_poverty=inputs.get("official_poverty"), official_year=official_year)


@REGISTRY.register("coverage.top_gaps", inputs=("layer",))
def _top_gaps(inputs, *, n: int = 20):
    """The n largest gaps (municipal or state layer) with the reason for each rank."""
    from ..coverage import top_gaps

    return top_gaps(inputs["layer"], n=n)


@REGISTRY.register("gap.weight_sensitivity", inputs=("layer",))
def _sensitivity(inputs, *, change: float = 0.2, top_n: int = 20):
    """Stability of the top ranks when each gap weight moves by +/- change, for the layer's own index.

    Weights, normalisation, aggregation, presence floor, reach scale and
    smoothing are those the layer was scored with (its ``attrs["gap"]``,
    :func:`brecha.gap.recorded_settings`), not the defaults.
    """
    from ..gap import recorded_settings, weight_sensitivity

    layer = inputs["layer"]
    key = "cvegeo" if "cvegeo" in layer.columns else "cve_ent"
    pop_col = "pop_coneval" if "pop_coneval" in layer.columns else "pop_coneval_agg_from_municipal"
    return weight_sensitivity(layer, change=change, top_n=top_n, key=key, pop_col=pop_col,
                              **recorded_settings(layer))


@REGISTRY.register("siting.coverage_curve", inputs=("localities", "census", "poverty", "offices"))
def _siting(inputs, *, k_max: int = 5, radius_km: float = 100.0, candidates: str = "seats"):
    """Greedy maximal-covering sites for k = 1..k_max new offices, with the coverage each adds."""
    from ..siting import candidate_sites, coverage_curve, unmet_demand

    demand = unmet_demand(inputs["localities"], inputs["census"], inputs["poverty"], inputs["offices"],
                          radius_km=radius_km)
    sites = candidate_sites(inputs["localities"], kind=candidates)
    return coverage_curve(demand, sites, k_max=k_max, radius_km=radius_km)


# --- Rasters: one function per surface; the zonal table reads the COGs they make ---------------

def _population_surface(inputs, cell_km: float):
    from ..rasters import population_surface

    return population_surface(inputs["localities"], cell_km=cell_km)


def _office_distance_surface(inputs, cell_km: float):
    from ..presence import select_offices
    from ..rasters import distance_surface

    return distance_surface(select_offices(inputs["offices"]), cell_km=cell_km)


def _care_access_surface(inputs, group: str, catchment_km: float, cell_km: float):
    from ..care import CARE_GROUPS, care_by_locality
    from ..errors import InputError, Problem
    from ..rasters import care_surface

    groups = {g.name: g for g in CARE_GROUPS}
    if group not in groups:
        raise InputError([Problem("group", None, None, group, f"a care group, one of {sorted(groups)}")])
    g = groups[group]
    loc = care_by_locality(inputs["census"], inputs["localities"], inputs["denue"], catchment_km=catchment_km)
    col = f"care_access_{group}"
    # Weighted by the group's own demand, as the municipal care_access_<g> figures are.
    return care_surface(loc, loc.set_index("cvegeo_loc")[col], cell_km=cell_km, weight=g.demand_col, name=col,
                        units=f"places per 1,000 people ({g.demand_col})",
                        source=f"E2SFCA ({catchment_km:g} km, Gaussian) of DENUE {g.care_type} places "
                               f"for Census 2020 {g.demand_col}, {g.demand_col}-weighted per cell")


@REGISTRY.register("rasters.population", kind="raster", inputs=("localities",))
def _population(inputs, *, cell_km: float = 1.0):
    """People per cell from the Census 2020 localities."""
    from .writers import RasterResult

    return RasterResult.from_raster(_population_surface(inputs, cell_km))


@REGISTRY.register("rasters.office_distance", kind="raster", inputs=("offices",))
def _office_distance(inputs, *, cell_km: float = 1.0):
    """Straight-line km from each cell centre to the nearest active office."""
    from .writers import RasterResult

    return RasterResult.from_raster(_office_distance_surface(inputs, cell_km))


@REGISTRY.register("rasters.care_access", kind="raster", inputs=("census", "localities", "denue"))
def _care_access(inputs, *, group: str = "children", catchment_km: float = 20.0, cell_km: float = 1.0):
    """E2SFCA care places per 1,000 people of ``group``, weighted per cell by the group's demand."""
    from .writers import RasterResult

    return RasterResult.from_raster(_care_access_surface(inputs, group, catchment_km, cell_km))


@REGISTRY.register("rasters.zonal_stats", inputs=("population", "office_distance", "care_access"))
def _zonal(inputs):
    """The built surfaces back to municipalities: people (sum), km to an office and care access (means).

    The inputs are the raster layers' COGs (``layer:raster_population``...),
    read back as :class:`brecha.rasters.Raster`: nothing is recomputed, and
    the grid, catchment and group are those the raster specs set.
    """
    from ..rasters import zonal_table

    return zonal_table([(inputs["population"], "sum"), (inputs["office_distance"], "mean"),
                        (inputs["care_access"], "mean")])
