"""Rebuild brecha's embedded default data from the full-size source files.

Run by maintainers when a source is updated::

    python -m brecha.sources._embed PATH/TO/data
    python -m brecha.sources._embed --gazetteer     # only data/gazetteer.tsv.gz, from the embedded files

``PATH/TO/data`` holds the files as redistributed (see ``DATA.md`` for the
layout). Each source goes through its public reader, so the embedded copy is
exactly what a user's own file would give; the result is written as
zstd-compressed (Geo)Parquet with a stable row order. Last, the place
resolver's gazetteer (:mod:`brecha._gazetteer`: state, municipality and
locality names normalised once) is regenerated from the embedded files;
``tests/test_places.py`` checks that doing so gives the shipped bytes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

from .._io import atomic_path
from ..settings import DATA_DIR
from .boundaries import read_boundaries
from .census import read_census_localities, read_census_municipal
from .denue import read_denue
from .poverty import read_coneval_municipal


def _write(df, name: str) -> None:
    target = DATA_DIR / f"{name}.parquet"
    with atomic_path(target) as tmp:
        if hasattr(df, "geometry"):
            df.to_parquet(tmp, compression="zstd", index=False, write_covering_bbox=False, schema_version="1.1.0")
        else:
            df.to_parquet(tmp, compression="zstd", index=False)
    print(f"wrote {target} ({len(df):,} rows, {target.stat().st_size / 1e6:.2f} MB)")


def main(src: Path) -> None:
    muni = read_boundaries(src / "boundaries/municipios_mg2020.geojson")
    cab = pd.read_csv(src / "census/municipios_cabeceras_2020.csv", dtype=str, keep_default_na=False)
    names = cab.assign(cvegeo=cab["region"]).set_index("cvegeo")
    muni["state_name"] = muni["cvegeo"].map(names["state_name_official"])
    muni["geometry"] = muni.geometry.set_precision(1e-6)  # ~0.1 m; keeps shared edges exact
    _write(muni[["cvegeo", "cve_ent", "cve_mun", "name", "state_name", "geometry"]], "municipalities")

    st = names.drop_duplicates("state_code").set_index("state_code").sort_index()
    states = muni.dissolve("cve_ent", as_index=False)[["cve_ent", "geometry"]]
    states["name"] = states["cve_ent"].map(st["state_name_official"])
    states["short_name"] = states["cve_ent"].map(st["state_name"])
    states["abbr"] = states["cve_ent"].map(st["state_abbr_official"])
    states["abbr_code"] = states["cve_ent"].map(st["state_abbr"])
    state_cols = ["cve_ent", "name", "short_name", "abbr", "abbr_code", "geometry"]
    _write(states[state_cols].sort_values("cve_ent", ignore_index=True), "states")

    census = read_census_municipal(src / "census/census2020_municipal.csv")
    full = read_census_municipal(src / "census/census2020_municipal_13estados_full.csv")
    census = census.merge(full[["cvegeo", "pop_65_plus"]], on="cvegeo", how="left")
    _write(census.drop(columns=["name"], errors="ignore"), "census_municipal")

    loc = read_census_localities(src / "census/iter2020_localidades.csv.gz")
    loc["geometry"] = loc.geometry.set_precision(1e-6)
    _write(loc, "localities")

    _write(read_coneval_municipal(src / "poverty/coneval_pobreza_municipal_2020.csv"), "coneval_municipal")
    _write(read_denue(src / "care/denue_cuidados.csv"), "denue_care")
    for f in ("offices.csv", "initiatives.csv"):
        shutil.copyfile(src / "agencies" / f, DATA_DIR / f)
        print(f"copied {f}")
    write_gazetteer()


def write_gazetteer() -> None:
    """Regenerate ``data/gazetteer.tsv.gz`` from the embedded municipalities, states, localities and names."""
    from .. import _gazetteer

    target = _gazetteer.write(DATA_DIR)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--gazetteer"]:
        write_gazetteer()
    else:
        main(Path(sys.argv[1]))
