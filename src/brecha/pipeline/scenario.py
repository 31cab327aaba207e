"""The I/O edge of :mod:`brecha.scenario`: the build's sources and settings in, layers and a map out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario import ScenarioResult, open_planned, open_sites, run_scenario, siting_sites
from .compare import CompareResult, write_change

__all__ = ["municipal_params", "run_named", "write_scenario"]


def municipal_params(layers_dir: str | Path | None = None) -> dict[str, Any]:
    """The keyword arguments the build gives the municipal layer: its spec's ``[params]`` and the gap settings.

    The gap settings come from the ``gap_settings`` spec, as the build passes them.
    """
    from ..gap import GapSettings
    from ..settings import from_env
    from .spec import load_specs

    folder = Path(layers_dir) if layers_dir is not None else Path(from_env().layers_dir)
    specs = load_specs(folder)
    params = dict(specs["municipalities"].params)
    if "gap_settings" in specs:
        params["gap"] = GapSettings.of(dict(specs["gap_settings"].params))
    return params


def run_named(kind: str, *, sites_file: str | Path | None = None, k: int = 3, layers_dir: str | Path | None = None,
              offices: str | Path | None = None) -> ScenarioResult:
    """Run scenario ``kind`` ("planned", "sites", "siting") on the embedded data (or your offices)."""
    from .._io import read_table
    from ..api import load_sources
    from ..errors import InputError, Problem

    params = municipal_params(layers_dir)
    sources = load_sources(offices=offices)
    base = sources["offices"]
    if kind == "planned":
        after = open_planned(base)
    elif kind in ("sites", "siting"):
        if kind == "sites":
            if sites_file is None:
                raise InputError([Problem("--sites", None, None, None, "a CSV/XLSX of proposed sites")])
            sites = read_table(Path(sites_file), required=())
        else:
            sites = siting_sites(sources, k=k, radius_km=float(params.get("radius_km", 100.0)))
        after = open_sites(base, sites, municipalities=sources["municipalities"], localities=sources["localities"],
                           file=str(sites_file or "siting"))
    else:
        raise InputError([Problem("scenario", None, None, kind, "planned, sites or siting")])
    return run_scenario(kind, sources, after, params=params)


def write_scenario(res: ScenarioResult, out_dir: str | Path, *, lang: str = "es") -> CompareResult:
    """Write the scenario's change table, state table, opened offices, map and ``scenario.json``."""
    from ..change import compare_states

    inputs = pd.DataFrame([{"what": "setting", "name": f"scenario {res.name}", "before": "",
                            "after": f"{res.summary['opened']} offices opened"}])
    result = CompareResult(res.change, compare_states(res.change), inputs, res.summary)
    write_change(result, out_dir, lang=lang, name="scenario", provenance={"opened": res.opened.to_dict("records")})
    return result
