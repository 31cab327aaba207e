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


@REGISTRY.register("coverage.state_layer", inputs=_SOURCES + ("states", "municipal"))
def _state_layer(inputs, *, radius_km: float = 100.0, gap_weights: dict | None = None,
                 normalisation: str = "rank", aggregate: str = "geometric", presence_floor: float = 0.1):
    """The state layer (32 rows), aggregated from the municipal layer and sources."""
    from ..coverage import state_layer

    return state_layer(_coverage_sources(inputs), municipal=inputs["municipal"], radius_km=radius_km,
                       gap_weights=gap_weights, normalisation=normalisation, aggregate=aggregate,
                       presence_floor=presence_floor)


@REGISTRY.register("coverage.top_gaps", inputs=("layer",))
def _top_gaps(inputs, *, n: int = 20):
    """The n largest gaps with the reason for each rank."""
    from ..coverage import top_gaps

    return top_gaps(inputs["layer"], n=n)


@REGISTRY.register("gap.weight_sensitivity", inputs=("layer",))
def _sensitivity(inputs, *, change: float = 0.2, top_n: int = 20):
    """Stability of the top ranks when each gap weight moves by +/- change."""
    from ..gap import weight_sensitivity

    return weight_sensitivity(inputs["layer"], change=change, top_n=top_n)


@REGISTRY.register("siting.coverage_curve", inputs=("localities", "census", "poverty", "offices"))
def _siting(inputs, *, k_max: int = 5, radius_km: float = 100.0, candidates: str = "seats"):
    """Greedy maximal-covering sites for k = 1..k_max new offices, with the coverage each adds."""
    from ..siting import candidate_sites, coverage_curve, unmet_demand

    demand = unmet_demand(inputs["localities"], inputs["census"], inputs["poverty"], inputs["offices"],
                          radius_km=radius_km)
    sites = candidate_sites(inputs["localities"], kind=candidates)
    return coverage_curve(demand, sites, k_max=k_max, radius_km=radius_km)


@REGISTRY.register("rasters.population", kind="raster", inputs=("localities",))
def _population(inputs, *, cell_km: float = 1.0):
    """People per cell from the Census 2020 localities."""
    from ..rasters import population_surface

    return population_surface(inputs["localities"], cell_km=cell_km)


@REGISTRY.register("rasters.office_distance", kind="raster", inputs=("offices",))
def _office_distance(inputs, *, cell_km: float = 1.0):
    """Straight-line km from each cell centre to the nearest active office."""
    from ..presence import select_offices
    from ..rasters import distance_surface

    return distance_surface(select_offices(inputs["offices"]), cell_km=cell_km)


@REGISTRY.register("rasters.care_access", kind="raster", inputs=("census", "localities", "denue"))
def _care_access(inputs, *, group: str = "children", catchment_km: float = 20.0, cell_km: float = 1.0):
    """E2SFCA care places per 1,000 people of ``group``, population-weighted per cell."""
    from ..care import care_by_locality
    from ..rasters import care_surface

    loc = care_by_locality(inputs["census"], inputs["localities"], inputs["denue"], catchment_km=catchment_km)
    col = f"care_access_{group}"
    return care_surface(loc, loc.set_index("cvegeo_loc")[col], cell_km=cell_km)
