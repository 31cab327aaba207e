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

    for name in ("gap_settings", "municipalities", "states"):
        shutil.copyfile(REPO / "layers" / f"{name}.toml", tmp_path / f"{name}.toml")
    states = tmp_path / "states.toml"
    text = states.read_text(encoding="utf-8")
    states.write_text("\n".join(line for line in text.splitlines() if not line.startswith("official_poverty")) + "\n",
                      encoding="utf-8")
    specs = load_specs(tmp_path, registry=REGISTRY)
    assert "official_poverty" not in specs["states"].inputs
    states.write_text(text.replace('census_municipal = "source:census_municipal"\n', ""), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_specs(tmp_path, registry=REGISTRY)
    assert [p.column for p in err.value.problems] == ["inputs.census_municipal"]


# --- Hostile specs (issue 17): each refused with a clear problem, never a traceback ----------------------------

def _problems(folder) -> list:
    with pytest.raises(InputError) as err:
        load_specs(folder, registry=REG)
    return err.value.problems


@pytest.mark.parametrize("ref", ["layer:base\n", "source:states\n", "source:states\r\n", " layer:base"])
def test_a_reference_is_matched_exactly(tmp_path, ref):
    spec = SPECS["derived"].replace('layer = "layer:base"', f"layer = {ref!r}".replace("'", '"'))
    [p] = _problems(write_specs(tmp_path, {"base": SPECS["base"], "derived": spec}))
    assert (p.column, p.value) == ("inputs.layer", ref) and "layer:<name>" in p.expected


def test_a_deeply_nested_or_huge_spec_is_refused_before_parsing(tmp_path):
    folder = write_specs(tmp_path, {"base": SPECS["base"]})
    (folder / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    (folder / "wide.toml").write_text("x = " + "[" * 20_000 + "]" * 20_000 + "\n")  # small enough to parse
    (folder / "nested.toml").write_text("x = " + "[" * 12 + "]" * 12 + "\n")
    got = {p.file.rsplit("/", 1)[-1]: p.expected for p in _problems(folder)}
    assert got == {"deep.toml": "a spec of at most 65,536 bytes", "wide.toml": "tables and lists nested at most 8 deep",
                   "nested.toml": "tables and lists nested at most 8 deep"}


def test_a_folder_named_like_a_spec_is_a_problem_not_a_crash(tmp_path):
    folder = write_specs(tmp_path, {"base": SPECS["base"]})
    (folder / "x.toml").mkdir()
    [p] = _problems(folder)
    assert p.file.endswith("x.toml") and "regular file" in p.expected


def test_a_spec_file_name_with_a_newline_is_refused(tmp_path):
    folder = write_specs(tmp_path, {"base": SPECS["base"], "bad\nname": SPECS["derived"]})
    [p] = _problems(folder)
    assert p.value == "bad\nname" and "\n" not in p.file and "lower-case letters" in p.expected


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_non_finite_number_is_refused_at_the_spec_check(tmp_path, value):
    [p] = _problems(write_specs(tmp_path, {"grid": SPECS["grid"].replace("cell_km = 5", f"cell_km = {value}")}))
    assert p.column == "params.cell_km" and "finite" in p.expected


def test_k_is_checked_by_one_rule_in_the_spec_and_the_maps(tmp_path):
    from brecha.maps._classify import check_scheme
    from brecha.settings import CLASS_K

    colours = ", ".join(['"#fee8c8"'] * 10)
    spec = SPECS["map"].replace("k = 3", "k = 10").replace(
        'colors = ["#fee8c8", "#fdbb84", "#e34a33"]', f"colors = [{colours}]")
    problems = _problems(write_specs(tmp_path, {"base": SPECS["base"], "map": spec}))
    assert [(p.column, p.value) for p in problems] == [("style.k", 10)]
    [maps_says] = check_scheme("quantiles", 10)
    assert maps_says.expected == problems[0].expected and CLASS_K == (2, 9)
    assert check_scheme("NaturalBreaks", 9) == []  # the spec's CamelCase names are the maps' names


def test_every_kind_of_invalid_spec_exits_2_on_the_cli(tmp_path):
    from click.testing import CliRunner

    from brecha.cli import layers as layers_cli

    folder = write_specs(tmp_path / "layers", {"base": SPECS["base"].replace('"source:states"', '"source:states\\n"')})
    (folder / "x.toml").mkdir()
    (folder / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    res = CliRunner().invoke(layers_cli.command, ["--layers-dir", str(folder), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit)
    assert "'source:states\\n'" in res.output and "x.toml; expected a regular file" in res.output
    assert "deep.toml: got '200,005 bytes'" in res.output and "Traceback" not in res.output


def test_a_value_set_once_is_shared_with_same_as_and_rehashes_its_users(tmp_path):
    derived = SPECS["base"].replace('columns = ["name"]', 'columns = { same_as = "base" }')
    folder = write_specs(tmp_path, {"base": SPECS["base"], "copy": derived})
    first = load_specs(folder, registry=REG)
    assert first["copy"].params["columns"] == ["name"]
    write_specs(folder, {"base": SPECS["base"].replace('["name"]', '["name", "cve_ent"]')})
    second = load_specs(folder, registry=REG)
    assert second["copy"].params["columns"] == ["name", "cve_ent"] and second["copy"].sha256 != first["copy"].sha256


@pytest.mark.parametrize("ref, words", [('"nowhere"', "a layer with a spec"), ('"grid"', "sets columns to a value"),
                                        ("3", "a layer with a spec")])
def test_a_bad_same_as_is_a_problem(tmp_path, ref, words):
    spec = SPECS["base"].replace('columns = ["name"]', f"columns = {{ same_as = {ref} }}")
    [p] = _problems(write_specs(tmp_path, {"grid": SPECS["grid"], "copy": spec}))
    assert p.column == "params.columns" and words in p.expected


def test_the_reach_radius_is_set_once_in_the_repo_specs():
    specs = load_specs(REPO / "layers")
    radius = {n: s.params["radius_km"] for n, s in specs.items() if "radius_km" in s.params}
    assert set(radius) >= {"municipalities", "siting", "map_reach"} and len(set(radius.values())) == 1
    text = {n: (REPO / "layers" / f"{n}.toml").read_text(encoding="utf-8") for n in radius}
    assert [n for n, t in text.items() if "radius_km = 1" in t] == ["municipalities"]
