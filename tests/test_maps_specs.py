"""A map spec's [style] reaches the built map: colours, legend title, column."""

from __future__ import annotations

import re
import shutil

import pytest

from brecha import maps
from brecha.pipeline import REGISTRY, build, load_specs
from brecha.sources import load
from maps_support import municipal_layer
from test_pipeline_support import CODE, REPO

MAP_SPECS = ("map_presence", "map_reach", "map_care", "map_gap", "map_poverty_states")
NEW_COLOUR = "#123456"


def _edit(spec_dir, name: str, *, colour: str, legend: str) -> None:
    """Make the last class colour ``colour`` and the Spanish legend ``legend`` in spec ``name``."""
    path = spec_dir / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(colors = \[.*)"#[0-9a-fA-F]{6}"\]', rf'\1"{colour}"]', text)
    text = re.sub(r'legend = \{ es = "[^"]*"', f'legend = {{ es = "{legend}"', text)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("layers")
    for p in (REPO / "layers").glob("*.toml"):
        shutil.copyfile(p, d / p.name)
    for name in MAP_SPECS:
        _edit(d, name, colour=NEW_COLOUR, legend=f"Leyenda de {name}")
    return d


def _frames(spec, layer) -> dict:
    out = {}
    for local, ref in spec.inputs.items():
        kind, name = ref.split(":", 1)
        out[local] = layer if kind == "layer" else load(name)
    return out


@pytest.mark.parametrize("name", [n for n in MAP_SPECS if n != "map_poverty_states"])
def test_spec_colours_and_legend_reach_the_map(spec_dir, name):
    spec = load_specs(spec_dir)[name]
    fn = REGISTRY[spec.function].fn
    m = fn(_frames(spec, municipal_layer(("07",))), **{**spec.params, "style": spec.style})
    html = maps.render_html(m)
    assert NEW_COLOUR in html
    assert f"Leyenda de {name}" in html


def test_spec_naming_another_column_is_refused(spec_dir):
    from brecha.errors import InputError

    spec = load_specs(spec_dir)["map_gap"]
    with pytest.raises(InputError, match="gap_score"):
        REGISTRY[spec.function].fn({"layer": municipal_layer(("01",))},
                                   style={**spec.style, "column": "poverty_pct"})


def test_built_poverty_map_follows_its_edited_spec(tmp_path, spec_dir):
    layers = tmp_path / "layers"
    layers.mkdir()
    # The poverty map and the layers it reads (and the gap settings they share, when a spec holds them).
    for n in ("municipalities", "states", "map_poverty_states", "gap_settings"):
        if (spec_dir / f"{n}.toml").exists():
            shutil.copyfile(spec_dir / f"{n}.toml", layers / f"{n}.toml")
    build(tmp_path / "out", layers_dir=layers, code=CODE, store=False)
    html = (tmp_path / "out" / "maps" / "map_poverty_states.html").read_text(encoding="utf-8")
    assert NEW_COLOUR in html and "Leyenda de map_poverty_states" in html
    assert 'id="brecha-meta"' in html
    index = (tmp_path / "out" / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Población en pobreza por estado" in index and " / Population" not in index
