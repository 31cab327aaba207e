"""Layer specs: parsing, every problem reported at once, dependency order."""

from __future__ import annotations

import pytest

from brecha.errors import InputError
from brecha.pipeline import REGISTRY, load_specs
from brecha.pipeline._dag import closure, find_cycle, order

from test_pipeline_support import REG, REPO, SPECS, write_specs


def test_synthetic_specs_load_in_dependency_order(tmp_path):
    specs = load_specs(write_specs(tmp_path, SPECS), registry=REG)
    names = list(specs)
    assert names.index("base") < names.index("derived") and names.index("base") < names.index("map")
    base = specs["base"]
    assert (base.kind, base.key, base.formats, base.hxl) == ("table", ("cve_ent",), ("parquet", "gpkg", "fgb", "csv"), True)
    assert specs["grid"].kind == "raster" and specs["grid"].formats == ("tif",)
    assert specs["map"].style["legend"] == {"es": "Largo", "en": "Length"}
    assert specs["derived"].layer_deps == {"base"} and base.source_deps == {"states"}


def test_repo_specs_are_valid_against_the_real_registry():
    specs = load_specs(REPO / "layers")
    assert {"municipalities", "states"} <= set(specs)
    assert list(specs).index("municipalities") < list(specs).index("states")
    assert all(s.function in REGISTRY for s in specs.values())


def test_spec_hash_ignores_comments_and_layout(tmp_path):
    a = load_specs(write_specs(tmp_path / "a", {"base": SPECS["base"]}), registry=REG)["base"]
    b = load_specs(write_specs(tmp_path / "b", {"base": "# a comment\n\n" + SPECS["base"]}), registry=REG)["base"]
    c = load_specs(write_specs(tmp_path / "c", {"base": SPECS["base"].replace('"a"', '"b"').replace(
        'columns = ["name"]', 'columns = ["name"]\ntag = "z"')}), registry=REG)["base"]
    assert a.sha256 == b.sha256 != c.sha256


def test_every_problem_is_reported_at_once_with_file_and_key(tmp_path):
    bad = {
        "one": """
title = { es = "Uno" }
function = "t.subsett"
key = ["cve_ent"]
colour = "red"
[inputs]
base = "source:nowhere"
""",
        "two": """
title = { es = "Dos", en = "Two" }
function = "t.subset"
key = ["cve_ent"]
[inputs]
base = "layer:missing"
[params]
columns = "name"
speed_kmh = 3
[outputs]
formats = ["parquet", "shp"]
hxl = true
""",
        "three": "title = [unclosed",
    }
    with pytest.raises(InputError) as err:
        load_specs(write_specs(tmp_path, bad), registry=REG)
    got = {(p.file.rsplit("/", 1)[-1], p.column) for p in err.value.problems}
    assert {("one.toml", "title"), ("one.toml", "function"), ("one.toml", "colour"), ("one.toml", "inputs.base"),
            ("two.toml", "params.columns"), ("two.toml", "params.speed_kmh"), ("two.toml", "outputs.formats"),
            ("two.toml", "outputs.hxl"), ("two.toml", "inputs.base"), ("three.toml", None)} <= got
    text = str(err.value)
    assert "did you mean ['t.subset']" in text and "valid TOML" in text


def test_map_style_and_function_inputs_are_checked(tmp_path):
    spec = SPECS["map"].replace("k = 3", "k = 4").replace('"Quantiles"', '"Rainbow"').replace(
        'layer = "layer:base"', 'other = "layer:base"')
    with pytest.raises(InputError) as err:
        load_specs(write_specs(tmp_path, {"base": SPECS["base"], "map": spec}), registry=REG)
    keys = {p.column for p in err.value.problems}
    assert {"style.scheme", "style.colors", "inputs.layer", "inputs.other"} <= keys


def test_style_on_a_table_and_missing_key_are_problems(tmp_path):
    spec = SPECS["base"].replace('key = ["cve_ent"]\n', "") + '\n[style]\ncolumn = "x"\n'
    with pytest.raises(InputError) as err:
        load_specs(write_specs(tmp_path, {"base": spec}), registry=REG)
    assert {p.column for p in err.value.problems} >= {"key", "style"}


def test_a_cycle_between_layers_is_reported(tmp_path):
    a = SPECS["derived"].replace('layer = "layer:base"', 'layer = "layer:b"')
    b = SPECS["derived"].replace('layer = "layer:base"', 'layer = "layer:a"')
    with pytest.raises(InputError, match=r"a -> b -> a|b -> a -> b"):
        load_specs(write_specs(tmp_path, {"a": a, "b": b}), registry=REG)


def test_an_empty_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="BRECHA_LAYERS"):
        load_specs(tmp_path, registry=REG)


def test_dag_order_closure_and_cycles():
    deps = {"c": {"a", "b"}, "b": {"a"}, "a": set(), "z": set()}
    assert order(deps) == ["a", "b", "c", "z"]
    assert closure(deps, ["b"]) == {"a", "b"}
    assert find_cycle(deps) is None
    with pytest.raises(ValueError, match="cycle"):
        order({"x": {"y"}, "y": {"x"}})


def test_an_optional_input_may_be_left_out_but_not_a_required_one(tmp_path):
    import shutil

    for name in ("municipalities", "states"):
        shutil.copyfile(REPO / "layers" / f"{name}.toml", tmp_path / f"{name}.toml")
    states = tmp_path / "states.toml"
    text = states.read_text(encoding="utf-8")
    states.write_text("\n".join(line for line in text.splitlines() if not line.startswith("official_poverty")) + "\n",
                      encoding="utf-8")
    specs = load_specs(tmp_path, registry=REGISTRY)
    assert "official_poverty" not in specs["states"].inputs
    states.write_text(text.replace('census = "source:census_municipal"\n', ""), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_specs(tmp_path, registry=REGISTRY)
    assert [p.column for p in err.value.problems] == ["inputs.census"]
