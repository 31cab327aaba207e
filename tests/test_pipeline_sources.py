"""The one source table and the one registry: everything else is derived from them, and checked."""

from __future__ import annotations

import shutil
from typing import Annotated, Literal

import pandas as pd
import pytest
from pydantic import Field

from brecha.errors import InputError
from brecha.pipeline import REGISTRY, Entry, Registry, load_specs
from brecha.settings import DATA_DIR
from brecha.sources import SOURCES, catalog, load, source
from brecha.sources import _load

from test_pipeline_support import write_specs


def test_every_embedded_file_has_the_rows_and_bytes_the_table_expects():
    cat = catalog().set_index("source")
    assert set(cat.index) == {s.name for s in SOURCES if s.file}
    assert cat["rows_ok"].all(), cat.loc[~cat["rows_ok"], ["rows"]]
    assert cat["sha256_ok"].all(), cat.loc[~cat["sha256_ok"], ["file", "sha256"]]


@pytest.mark.parametrize("s", [s for s in SOURCES if s.file], ids=lambda s: s.name)
def test_each_source_is_read_keyed_by_its_key(s):
    frame = load(s.name)
    assert len(frame) == s.rows
    assert s.key in frame.columns, f"{s.name}: key {s.key} not in {list(frame.columns)[:8]}"
    assert frame[s.key].notna().all() and frame[s.key].is_unique
    assert s.geometry == ("geometry" in frame.columns and hasattr(frame, "crs"))


def test_a_swapped_embedded_file_is_refused_naming_file_expected_and_actual(tmp_path, monkeypatch):
    shutil.copyfile(DATA_DIR / "states.parquet", tmp_path / "states.parquet")
    (tmp_path / "census_municipal.parquet").write_bytes((DATA_DIR / "states.parquet").read_bytes())
    monkeypatch.setattr(_load, "DATA_DIR", tmp_path)
    monkeypatch.setattr(_load, "_CHECKED", {})
    assert len(load("states")) == 32  # the right bytes pass
    with pytest.raises(InputError) as err:
        load("census_municipal")
    [p] = err.value.problems
    expected = source("census_municipal").sha256
    assert p.file.endswith("census_municipal.parquet") and expected in p.expected
    assert p.value.startswith("sha256 ") and p.value != f"sha256 {expected}"
    assert "python -m brecha.sources._registry census_municipal" in p.expected


def test_a_users_data_folder_is_not_held_to_the_embedded_hashes(tmp_path):
    census = pd.read_parquet(DATA_DIR / "census_municipal.parquet")
    census.loc[0, "pop_total"] += 1
    census.to_parquet(tmp_path / "census_municipal.parquet", index=False)
    assert load("census_municipal", data_dir=tmp_path)["pop_total"].sum() == 126_014_025


def test_the_lists_of_sources_are_derived_from_the_table():
    from brecha import coverage
    from brecha.cli.validate import KINDS
    from brecha.pipeline._fingerprint import OPTIONAL, REPLACEABLE

    assert REPLACEABLE == ("offices", "initiatives") and OPTIONAL == ("coneval_state",)
    assert {k: v.rows for k, v in KINDS.items()} == {s.validate_kind: s.rows_word for s in SOURCES if s.validate_kind}
    assert KINDS["coneval"].reader.__name__ == "read_coneval_municipal"
    assert coverage.SOURCES == ("census_municipal", "localities", "coneval_municipal", "denue_care", "offices",
                                "initiatives")
    with pytest.raises(KeyError, match="unknown source 'census'"):
        source("census")


def test_the_store_key_of_the_name_catalogue_is_cvegeo_as_read():
    names = load("municipal_names_mg2023")
    assert source("municipal_names_mg2023").key == "cvegeo" and "cve_geo" not in names
    assert names["cvegeo"].str.fullmatch(r"\d{5}").all()


# --- The registry --------------------------------------------------------------------------------------------

def test_every_registered_function_resolves_and_its_inputs_are_parameters_or_sources():
    import inspect

    sources = {s.name for s in SOURCES}
    for name, entry in REGISTRY.items():
        fn = entry.function
        assert callable(fn), name
        if not entry.adapter:
            params = inspect.signature(fn).parameters
            assert all(i in params or i in sources for i in entry.inputs), name


def test_the_map_entries_are_the_map_functions_of_brecha_maps():
    from brecha.maps import MAPS

    assert {n.split(".", 1)[1] for n, e in REGISTRY.items() if e.kind == "map"} == set(MAPS)


def _layer(sources, *, layer=None, weight: float = 1.0, mode: Literal["a", "b"] = "a",
           radius_km: Annotated[float, Field(gt=0)] = 10.0):
    """Frames by source name in the first argument, the layer by keyword."""
    return pd.DataFrame({"k": [1], "got": [",".join(sorted(sources))], "layer": [layer is not None],
                         "weight": [weight], "mode": [mode], "radius_km": [radius_km]})


REG = Registry([Entry("t.layer", _layer, inputs=("states", "layer"), optional=("layer",), adapter=False)])
SPEC = """
title = { es = "T", en = "T" }
function = "t.layer"
key = ["k"]
[inputs]
states = "source:states"
[params]
"""


def test_a_function_entry_takes_source_frames_in_its_first_argument_and_the_rest_by_name():
    out = REG["t.layer"].fn({"states": "frame", "layer": "other"}, weight=2.0)
    assert out.loc[0, "got"] == "states" and bool(out.loc[0, "layer"]) and out.loc[0, "weight"] == 2.0
    assert sorted(REG["t.layer"].parameters()) == ["mode", "radius_km", "weight"]  # defaults from the signature


@pytest.mark.parametrize("params, column, words", [
    ('mode = "c"', "params.mode", "'a' or 'b'"),
    ("radius_km = 0.0", "params.radius_km", "greater than 0"),
    ("weight = true", "params.weight", "float"),
    ('weight = "1"', "params.weight", "float"),
    ("radius_km = nan", "params.radius_km", "finite"),
    ("speed = 1", "params.speed", "a parameter of t.layer"),
])
def test_params_are_checked_by_a_real_validator(tmp_path, params, column, words):
    with pytest.raises(InputError) as err:
        load_specs(write_specs(tmp_path, {"t": SPEC + params + "\n"}), registry=REG)
    [p] = err.value.problems
    assert p.column == column and words in p.expected, p


def test_good_params_pass_unconverted(tmp_path):
    specs = load_specs(write_specs(tmp_path, {"t": SPEC + 'mode = "b"\nradius_km = 5\n'}), registry=REG)
    assert specs["t"].params == {"mode": "b", "radius_km": 5}
