"""Map building without a browser: payloads, classes, simplification, offline HTML, escaping, CLI."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box

from brecha import geography, maps
from brecha.errors import BrechaError, InputError, PlaceError
from brecha.maps._assets import VENDORED, read_asset
from brecha.maps._classify import NODATA_COLOR, ZERO_COLOR, classify
from brecha.maps._legend import BIVARIATE_COLORS, NO_REPORT_COLOR, STATE_ONLY_COLOR
from brecha.maps._offline import inline_assets
from brecha.maps._payload import decode_geometry, encode_geometry
from brecha.maps._simplify import simplify_coverage, tolerance_for
from brecha.maps.index import IndexEntry, read_entry, write_index
from brecha.maps.reach import reach_rings
from maps_support import HOSTILE, HOSTILE_TEMPLATE, denue, hostile_inputs, initiatives, municipal_layer, offices

AGS = ("01",)


def data_block(html: str, block_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert m, f"no data block {block_id}"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def ags():
    return municipal_layer(AGS)


# -- payload ---------------------------------------------------------------------------------

def test_geometry_roundtrip_keeps_5_decimals_holes_and_parts():
    shell = [(-99.123456, 19.1), (-98.9, 19.1), (-98.9, 19.4), (-99.123456, 19.4)]
    hole = [(-99.0, 19.2), (-98.95, 19.2), (-98.95, 19.25)]
    poly = Polygon(shell, [hole])
    multi = MultiPolygon([poly, box(-97, 18, -96.5, 18.5)])
    for geom in (poly, multi):
        back = decode_geometry(encode_geometry(geom))
        assert back.geom_type == geom.geom_type
        assert back.symmetric_difference(geom).area < 1e-5 * geom.length  # rounding shifts edges < 1e-5 degrees
        assert np.abs(shapely.get_coordinates(back) - np.round(shapely.get_coordinates(geom), 5)).max() < 1e-9
    assert decode_geometry(encode_geometry(poly)).interiors[0].coords[0] == (-99.0, 19.2)


def test_degenerate_rings_are_dropped():
    sliver = Polygon([(0, 0), (0.000001, 0), (0.000001, 0.000001)])  # collapses at 1e-5
    assert encode_geometry(sliver) is None
    assert encode_geometry(Polygon()) is None


# -- classes -----------------------------------------------------------------------------------

def test_classify_zero_class_nodata_and_colors():
    c = classify([0, 0, 5, 6, 7, 100, np.nan], scheme="quantiles", k=3, palette="Blues", decimals=0, zero_class=True)
    assert c.labels[0] == "0" and c.colors[0] == ZERO_COLOR
    assert c.nodata == 1
    assert sum(c.counts) == 6
    colors = c.colors_of([0, 5, 100, None])
    assert colors[0] == ZERO_COLOR and colors[-1] == NODATA_COLOR
    assert colors[2] == c.colors[-1]


def test_classify_ties_give_fewer_classes_not_duplicates():
    c = classify([1, 1, 1, 1, 2], scheme="quantiles", k=5, decimals=0)
    assert len(set(c.bins)) == len(c.bins) <= 2
    assert c.k == len(c.bins)


def test_classify_reports_scheme_and_k_together():
    with pytest.raises(InputError) as err:
        classify([1, 2, 3], scheme="nonsense", k=12)
    cols = {p.column for p in err.value.problems}
    assert cols == {"scheme", "k"}


# -- simplification ----------------------------------------------------------------------------

def test_coverage_simplify_keeps_the_coverage(ags):
    simple = simplify_coverage(ags, 0.01)
    before = shapely.get_num_coordinates(ags.geometry.values).sum()
    assert shapely.get_num_coordinates(simple.geometry.values).sum() < before
    # no gaps or overlaps were created between neighbours
    assert bool(shapely.coverage_is_valid(simple.geometry.values))
    assert abs(simple.union_all().area - ags.union_all().area) / ags.union_all().area < 0.01


def test_tolerance_follows_zoom():
    national = tolerance_for((-117.1, 14.5, -86.7, 32.7))
    state = tolerance_for((-102.9, 21.6, -101.8, 22.5))
    assert national > 4 * state > 0


# -- offline HTML ------------------------------------------------------------------------------

def test_saved_map_is_standalone(tmp_path, ags):
    m = maps.gap_map(ags, state="Aguascalientes", top_n=5)
    path = maps.save_map(m, tmp_path / "gap.html")
    html = path.read_text(encoding="utf-8")
    assert re.search(r"<script\b[^>]*\bsrc=", html) is None
    assert re.search(r"<link\b[^>]*\bhref=", html) is None
    for cdn in ("cdn.jsdelivr", "code.jquery", "cdnjs", "bootstrapcdn", "unpkg"):
        assert cdn not in html
    assert "Leaflet 1.9.4" in html or '"1.9.4"' in html
    assert "sourceMappingURL" not in html
    assert '<html lang="es">' in html and "<title>" in html
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temporary file


def test_inline_assets_refuses_network_resources():
    page = '<html><head><script src="https://cdn.example.org/leaflet.js"></script></head></html>'
    with pytest.raises(BrechaError, match="network"):
        inline_assets(page)
    with pytest.raises(FileNotFoundError):
        inline_assets('<html><script src="brecha-asset:../../../etc/passwd"></script></html>')


def test_vendored_assets_are_pinned():
    assert VENDORED == {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "leaflet.fullscreen": "3.0.2"}
    assert '"1.9.4"' in read_asset("leaflet/leaflet.js")
    css = read_asset("leaflet/leaflet.css")
    assert "url(images/" not in css and "data:image/png;base64," in css
    readme = (maps._assets.ASSET_DIR / "README.md").read_text()
    for pkg, version in VENDORED.items():
        assert f"{pkg}@{version}" in readme


def test_national_choropleth_is_under_3_mb(tmp_path):
    """Real data end to end: the national municipal choropleth with every control."""
    path = maps.save_map(maps.gap_map(municipal_layer()), tmp_path / "gap.html")
    size = path.stat().st_size
    assert size < 3_000_000, f"{size / 1e6:.2f} MB"
    block = data_block(path.read_text(encoding="utf-8"), "brecha-muni")
    assert len(block["rows"]) == 2469 and all(g is not None for g in block["geoms"])


# -- safety ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["presence", "reach", "care", "gap"])
def test_hostile_text_never_reaches_markup(tmp_path, name):
    munis, off, ini, den = hostile_inputs()
    m = {"presence": lambda: maps.presence_map(munis, off, ini),
         "reach": lambda: maps.reach_map(munis, off),
         "care": lambda: maps.care_map(munis, den),
         "gap": lambda: maps.gap_map(munis, top_n=3)}[name]()
    html = maps.render_html(m)
    assert HOSTILE not in html and "<img src=x" not in html
    assert "<script>window.__xss" not in html
    if name != "care":  # the care map shows no agency text
        assert "{\\u007b 7*7 }}\\u003cscript\\u003ewindow.__xss=2" in html  # kept, not evaluated
    assert "49\\u003cscript" not in html
    block = data_block(html, "brecha-muni")
    names = [r[block["fields"].index("name")] for r in block["rows"]]
    assert HOSTILE in names  # kept as data, shown as text by the runtime


def test_template_syntax_in_input_stays_literal(ags):
    munis = ags.copy()
    munis.loc[0, "gap_drivers"] = HOSTILE_TEMPLATE
    html = maps.render_html(maps.gap_map(munis, top_n=2))
    block = data_block(html, "brecha-muni")
    drivers = [r[block["fields"].index("gap_drivers")] for r in block["rows"]]
    assert HOSTILE_TEMPLATE in drivers


# -- inputs, languages and the state view ------------------------------------------------------

def test_every_input_problem_is_reported_at_once(ags):
    bad = ags.drop(columns=["nearest_office_km", "poverty_pct"])
    off = offices().drop(columns=["source_quote"])
    with pytest.raises(InputError) as err:
        maps.reach_map(bad, off, radius_km=-5, scheme="nope", lang="fr")
    cols = {str(p.column) for p in err.value.problems}
    assert cols == {"nearest_office_km", "poverty_pct", "source_quote", "radius_km", "scheme", "lang"}


def test_unknown_state_is_a_place_error(ags):
    with pytest.raises(PlaceError):
        maps.gap_map(ags, state="Atlantis")


def test_state_view_any_spelling_keeps_only_that_state():
    munis = municipal_layer(("07", "30"))
    html = maps.render_html(maps.gap_map(munis, state="chis", top_n=5))
    block = data_block(html, "brecha-muni")
    codes = [r[0] for r in block["rows"]]
    assert len(codes) == 124 and all(c.startswith("07") for c in codes)
    meta = data_block(html, "brecha-meta")
    assert meta["title"].endswith("Chiapas")


def test_english_labels(ags):
    en = maps.render_html(maps.presence_map(ags, offices(), initiatives(), lang="en", tiles=False))
    es = maps.render_html(maps.presence_map(ags, offices(), initiatives(), tiles=False))
    assert "Initiatives per municipality" in en and "Iniciativas por municipio" not in en
    assert "Iniciativas por municipio" in es
    assert '<html lang="en">' in en and "Source: INEGI" in en
    assert "Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020" in es


def test_tiles_are_optional(ags):
    assert "basemaps.cartocdn.com" in maps.render_html(maps.gap_map(ags, top_n=1))
    assert "basemaps.cartocdn.com" not in maps.render_html(maps.gap_map(ags, top_n=1, tiles=False))


def test_presence_map_shows_the_layers_counts_and_never_recounts(ags):
    """Counts come from the layers (brecha.presence), even when they disagree with the long table."""
    munis = ags.assign(initiatives=np.arange(len(ags)) + 100, offices=7, agencies=3)
    states = geography.states().query("cve_ent == '01'").assign(initiatives=41, offices=5)
    html = maps.render_html(maps.presence_map(munis, offices(), initiatives(), states=states, tiles=False))
    state = data_block(html, "brecha-state")
    assert dict(zip(state["fields"], state["rows"][0]))["initiatives"] == 41
    muni = data_block(html, "brecha-muni")
    got = {r[0]: dict(zip(muni["fields"], r)) for r in muni["rows"]}
    assert [got[c]["initiatives"] for c in munis["cvegeo"]] == list(munis["initiatives"])
    assert {got[c]["offices"] for c in got} == {7} and {got[c]["agencies"] for c in got} == {3}
    assert "brecha-state" not in maps.render_html(maps.presence_map(munis, offices(), initiatives(), tiles=False))


# -- reach -------------------------------------------------------------------------------------

def test_reach_rings_are_true_distance_circles():
    off = gpd.GeoDataFrame({"city": ["Tijuana", "Mérida"], "agency": ["A", "B"]},
                           geometry=[Point(-117.0189, 32.5325), Point(-89.6237, 20.9674)], crs=4326)
    rings = reach_rings(off, 50.0)
    geod = Geod(ellps="WGS84")
    for (_, ring), centre in zip(rings.iterrows(), off.geometry):
        xy = shapely.get_coordinates(ring.geometry.exterior)
        _, _, d = geod.inv(np.full(len(xy), centre.x), np.full(len(xy), centre.y), xy[:, 0], xy[:, 1])
        assert np.allclose(d / 1000.0, 50.0, rtol=0.01), (d.min(), d.max())


def test_reach_note_reads_the_layers_people_out_of_reach(ags):
    """The map adds up the layer's people_out_of_reach (the analysis counted them); it never recounts."""
    import brecha.maps.reach as reach_module

    assert not hasattr(reach_module, "cKDTree")
    munis = ags.assign(people_out_of_reach=0.0, pop_total=1000.0)
    munis.loc[munis.index[:3], "people_out_of_reach"] = [10.0, 20.0, 30.5]
    html = maps.render_html(maps.reach_map(munis, offices(), state="Aguascalientes", tiles=False))
    total = 1000 * len(munis)
    assert f"60 personas, {100 * 60.5 / total:.1f} %" in html.replace("\u00a0", " ")
    assert "Fuera de alcance" not in maps.render_html(maps.reach_map(ags.drop(columns="people_out_of_reach"),
                                                                      offices(), tiles=False))


# -- index and CLI -----------------------------------------------------------------------------

def test_index_links_maps_with_previews(tmp_path, ags):
    maps.save_map(maps.gap_map(ags, top_n=3), tmp_path / "gap.html")
    maps.save_map(maps.care_map(ags, denue()), tmp_path / "care.html")
    (tmp_path / "notes.html").write_text("<html>not a map</html>")
    path = write_index(tmp_path)
    html = path.read_text(encoding="utf-8")
    assert 'href="care.html"' in html and 'href="gap.html"' in html and "notes.html" not in html
    assert html.count("<svg") == 2
    assert read_entry(tmp_path / "gap.html").title.startswith("Brecha")


def test_index_escapes_and_drops_unsafe_previews(tmp_path):
    entries = [IndexEntry("a.html", HOSTILE, "x", '<svg onload="alert(1)"></svg>'),
               IndexEntry("b.html", "ok", "y", '<svg><script>alert(1)</script></svg>')]
    html = write_index(tmp_path, entries).read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;img src=x" in html
    assert "onload" not in html and "<script" not in html


def _ags_registry(layer):
    """The real map functions plus one layer entry that returns ``layer`` (no municipal build)."""
    from brecha.pipeline import Registry
    from brecha.pipeline._entry import Entry
    from brecha.pipeline._maps import ENTRIES

    def ags_layer(inputs):
        """The Aguascalientes municipal layer of the map tests."""
        return layer

    return Registry(ENTRIES + (Entry("t.ags", ags_layer, "table", ("municipalities",)),))


MAP_GAP_AGS = """
title = { es = "Brecha en Aguascalientes", en = "Gap in Aguascalientes" }
function = "maps.gap"
[inputs]
municipalities = "layer:municipalities"
[params]
lang = "en"
state = "ags"
top_n = 3
tiles = false
[style]
column = "gap_score"
scheme = "quantiles"
k = 4
colors = ["#feebe2", "#f768a1", "#c51b8a", "#7a0177"]
legend = { es = "Puntaje de brecha", en = "Gap score (spec)" }
[outputs]
formats = ["html"]
"""

AGS_LAYER = """
title = { es = "Municipios", en = "Municipalities" }
function = "t.ags"
key = ["cvegeo"]
[inputs]
municipalities = "source:municipalities"
[outputs]
formats = ["parquet"]
"""


@pytest.fixture
def map_cli(tmp_path, monkeypatch, ags):
    """``brecha map`` on a layers folder whose municipal layer is the Aguascalientes test layer."""
    from brecha.cli import map as map_cli
    from brecha.pipeline import run as run_module
    from brecha.pipeline import spec as spec_module

    reg = _ags_registry(ags)
    monkeypatch.setattr(run_module, "REGISTRY", reg)
    monkeypatch.setattr(spec_module, "REGISTRY", reg)
    layers = tmp_path / "layers"
    layers.mkdir()
    (layers / "municipalities.toml").write_text(AGS_LAYER, encoding="utf-8")
    (layers / "map_gap_ags.toml").write_text(MAP_GAP_AGS, encoding="utf-8")
    out = tmp_path / "out"

    def invoke(*args):
        return CliRunner().invoke(map_cli.command, [*args, "--out", str(out), "--layers-dir", str(layers)])

    invoke.out = out
    return invoke


def test_cli_renders_a_state_map_from_its_spec(map_cli):
    """`brecha map KIND` renders the spec's view (state, language, top_n, style) where `brecha build` would."""
    res = map_cli("gap_ags")
    assert res.exit_code == 0, res.output + repr(res.exception)
    page = map_cli.out / "maps" / "map_gap_ags.html"
    assert str(page) in res.output
    html = page.read_text(encoding="utf-8")
    assert "Top 3 municipalities in Aguascalientes by gap score" in html and "Gap score (spec)" in html
    assert {r[0][:2] for r in data_block(html, "brecha-muni")["rows"]} == {"01"}
    assert "brecha.basemap(" not in html  # tiles = false in the spec
    assert sorted(p.name for p in (map_cli.out / "maps").iterdir()) == ["index.html", "map_gap_ags.html"]


def test_cli_refuses_an_unknown_kind_naming_the_real_ones(tmp_path):
    """The default layers folder's map kinds are offered; nothing is written (exit 2)."""
    from brecha.cli.map import command

    res = CliRunner().invoke(command, ["nope", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    for kind in ("gap", "presence", "reach", "care", "poverty_states", "all"):
        assert f"'{kind}'" in res.output
    assert not (tmp_path / "out").exists()


def test_cli_english_map_keeps_a_spanish_index(map_cli):
    """An English map spec does not turn the folder's index English; the index lists it once, by its Spanish title."""
    assert map_cli("gap_ags").exit_code == 0
    assert map_cli("gap_ags", "--force").exit_code == 0
    index = (map_cli.out / "maps" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in index and "Mapas de cobertura y brecha" in index
    assert index.count('href="map_gap_ags.html"') == 1 and "Brecha en Aguascalientes" in index


# -- generic choropleth ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def state_layer():
    from brecha.maps._simplify import dissolve_coverage

    munis = municipal_layer()
    states = dissolve_coverage(munis, "cve_ent")
    names = munis.drop_duplicates("cve_ent").set_index("cve_ent")["state_name"]
    sums = munis.groupby("cve_ent")[["poverty_people", "pop_total"]].sum()
    states["name"] = states["cve_ent"].map(names)
    states = states.join(sums, on="cve_ent")
    states["poverty_pct"] = 100 * states["poverty_people"] / states["pop_total"]
    return states


def test_choropleth_map_of_states_is_a_full_brecha_map(state_layer):
    states = state_layer.copy()
    states.loc[0, "name"] = HOSTILE
    m = maps.choropleth_map(states, column="poverty_pct", colors=["#fef0d9", "#b30000"],
                            legend={"es": "Pobreza (%)", "en": "Poverty (%)"}, tiles=False)
    html = maps.render_html(m)
    assert HOSTILE not in html and "<img src=x" not in html
    block = data_block(html, "brecha-cve_ent")
    assert block["key"] == "cve_ent" and len(block["rows"]) == 32
    row = dict(zip(block["fields"], block["rows"][1]))
    assert row["poverty_pct"] == round(row["poverty_pct"], 1)  # rounded for display, not raw floats
    for call in ("brecha.search(", "brecha.legend(", "brecha.scale(", "brecha.attribution(", "L.control.layers("):
        assert call in html
    assert "Colores: 5 grupos con el mismo" in html and "Pobreza (%)" in html
    assert "Buscar estado" in html
    meta = data_block(html, "brecha-meta")
    assert meta["title"] == "Población en pobreza (%) por estado — México" and meta["preview_svg"].startswith("<svg")
    assert "GeoJsonTooltip" not in html and "#b30000" in html


def test_choropleth_map_of_municipalities_state_view(ags):
    html = maps.render_html(maps.choropleth_map(ags, column="nearest_office_km", state="ags", lang="en"))
    block = data_block(html, "brecha-cvegeo")
    assert len(block["rows"]) == 11 and "state_name" in block["fields"]
    assert "Distance to nearest office by municipality" in data_block(html, "brecha-meta")["title"]


def test_choropleth_map_reports_bad_column_and_colours(ags):
    with pytest.raises(InputError) as err:
        maps.choropleth_map(ags, column="nope", colors=["red", "#12345g"])
    assert {str(p.column) for p in err.value.problems} == {"nope", "colors"}


# -- style, language, attribution ----------------------------------------------------------------

def test_palette_lists_are_resampled_and_names_expanded():
    from brecha.maps._classify import palette_colors

    assert palette_colors(["#000000", "#ffffff"], 3) == ["#000000", "#808080", "#ffffff"]
    assert palette_colors(["#111111", "#222222", "#333333"], 3) == ["#111111", "#222222", "#333333"]
    assert len(palette_colors("YlGnBu", 7)) == 7


@pytest.mark.parametrize("name", ["presence", "reach", "care", "gap"])
def test_colors_and_legend_reach_the_main_choropleth(ags, name):
    style = {"colors": ["#010101", "#020202", "#030303", "#040404", "#050505"], "legend": {"es": "Mi leyenda"}}
    m = {"presence": lambda: maps.presence_map(ags, offices(), initiatives(), tiles=False, **style),
         "reach": lambda: maps.reach_map(ags, offices(), tiles=False, column="poverty_pct", **style),
         "care": lambda: maps.care_map(ags, denue(), tiles=False, **style),
         "gap": lambda: maps.gap_map(ags, top_n=3, tiles=False, **style)}[name]()
    html = maps.render_html(m)
    assert "#050505" in html and "\\u003ch4\\u003eMi leyenda\\u003c/h4\\u003e" in html


def test_gap_drivers_follow_the_map_language(ags):
    munis = ags.copy()
    # The layer stores codes and values (brecha.gap); the map says them in its language.
    munis["gap_drivers"] = '[["care_unmet", 4817.0], ["poverty_people", 82318.0]]'
    munis["gap_class"] = "no_report"
    es = data_block(maps.render_html(maps.gap_map(munis, top_n=1, tiles=False)), "brecha-muni")
    en = data_block(maps.render_html(maps.gap_map(munis, top_n=1, tiles=False, lang="en")), "brecha-muni")
    i = es["fields"].index("gap_drivers")
    assert es["rows"][0][i] == ("faltan lugares de cuidado para ~4,817 niñas, niños y personas mayores; "
                                "muchas personas en pobreza (82,318)")
    assert en["rows"][0][i].startswith("care places short for ~4,817")
    # gap_class in words: "sin reporte" is never a confirmed gap, and the legend counts those places.
    c = es["fields"].index("gap_class")
    assert es["rows"][0][c].startswith("sin reporte")
    html = maps.render_html(maps.gap_map(munis, top_n=1, tiles=False))
    assert f"Sin reporte: {len(munis)} municipios" in html and "no una brecha confirmada" in html
    # and it has its own fill and legend swatch: in the gap cell's colour it would read as a confirmed gap
    layer = re.search(r'"bivar":(\{.*?\}\]\})', html).group(1)
    assert '"special":[{"field":"gap_class","value":"sin reporte: necesidad alta, nada reportado"' in layer
    assert NO_REPORT_COLOR in layer and NO_REPORT_COLOR not in str(BIVARIATE_COLORS)
    assert f"sin reporte: necesidad alta, nada reportado ({len(munis)})" in html
    plain = maps.render_html(maps.gap_map(ags.assign(gap_drivers="[]", gap_class="gap"), top_n=1, tiles=False))
    assert NO_REPORT_COLOR not in plain and STATE_ONLY_COLOR not in plain
    # The tooltip's presence says what is missing, never "baja" (class 1 there is not measured low presence).
    p = es["fields"].index("presence_text")
    assert {r[p] for r in es["rows"]} == {"sin reporte"} and {r[p] for r in en["rows"]} == {"no report"}
    assert '"k":"presence_text"' in html and '"k":"presence_class","l"' not in html


def test_state_only_has_its_own_fill_count_and_words(ags):
    # Half the places: only their state is named; the rest: the place is named, presence low (a confirmed gap).
    half = np.arange(len(ags)) % 2 == 0
    munis = ags.assign(gap_drivers="[]", presence_class=1, need_class=3,
                       gap_class=np.where(half, "state_only", "gap"),
                       presence_evidence=np.where(half, "state_only", "reported"))
    html = maps.render_html(maps.gap_map(munis, top_n=1, tiles=False))
    layer = re.search(r'"bivar":(\{.*?\}\]\})', html).group(1)
    words = "solo el estado: necesidad alta; los reportes nombran solo el estado"
    assert f'"value":"{words}","color":"{STATE_ONLY_COLOR}"' in layer
    assert STATE_ONLY_COLOR not in str(BIVARIATE_COLORS) and STATE_ONLY_COLOR != NO_REPORT_COLOR
    assert NO_REPORT_COLOR not in layer  # no "sin reporte" place: no swatch for it
    assert f"{words} ({int(half.sum())})" in html and f"Solo el estado: {int(half.sum())} municipios" in html
    rows = data_block(html, "brecha-muni")
    p, c = rows["fields"].index("presence_text"), rows["fields"].index("gap_class")
    said = {(r[c].split(":")[0], r[p]) for r in rows["rows"]}
    assert said == {("solo el estado", "solo el estado"), ("brecha", "baja")}
    en = maps.render_html(maps.gap_map(munis, top_n=1, tiles=False, lang="en"))
    assert "state only: high need; reports name only the state" in en


def test_spanish_office_types_themes_and_report_attribution(ags):
    html = maps.render_html(maps.presence_map(ags, offices(), initiatives(), tiles=False))
    assert "oficina de campo / personal (tabla de despliegue)" in html
    assert "field office / personnel (deployment table)" not in html
    init = data_block(html, "brecha-initiatives")
    themes = set(init["dicts"]["theme"])
    assert "migración" in themes and "migration" not in themes
    assert "UNICEF 2023, ONU México 2020 y 2022, ONU Mujeres 2023, ACNUR 2023" in html
    assert "grupos con el mismo" in html and "quantiles" not in html
    gap = maps.render_html(maps.gap_map(ags, top_n=1, tiles=False))
    assert "informes anuales de las agencias (UNICEF 2023" in gap


def test_agency_symbols_do_not_change_with_the_view(ags):
    def styles(html: str) -> dict:
        call = re.search(r'brecha\.points\([^,]+, (\{.*?"cluster":true\})\)', html).group(1)
        return json.loads(call)["styles"]

    national = styles(maps.render_html(maps.presence_map(municipal_layer(), offices(), tiles=False)))
    chiapas = styles(maps.render_html(maps.presence_map(municipal_layer(("07",)), offices(), state="Chiapas",
                                                         tiles=False)))
    assert chiapas and all(national[a] == svg for a, svg in chiapas.items())


@pytest.mark.parametrize("zero_class", [False, True])
def test_skewed_series_gives_legend_rows_that_all_differ(zero_class):
    """Most municipalities at 0 and many tiny values: no two legend rows may read "0.00"."""
    values = [0.0] * 800 + list(np.linspace(0.0001, 0.004, 150)) + list(np.linspace(0.01, 0.33, 50)) + [None] * 3
    c = classify(values, scheme="quantiles", k=5, palette="Blues", decimals=2, zero_class=zero_class)
    assert len(set(c.labels)) == len(c.labels) == len(c.colors) == len(c.counts)
    assert not any(lab.startswith("0.00") for lab in c.labels[1:])
    tiny_first = classify([0.0] * 10 + [0.001, 1.0, 2.0, 3.0], k=3, palette="Blues", decimals=2, zero_class=True)
    assert tiny_first.labels[1] != "0.00" and not tiny_first.labels[1].startswith("0.00 ")
    assert sum(c.counts) == 1000 and c.nodata == 3
    if zero_class:
        assert c.labels[:2] == ("0", "< 0.01") and c.counts[0] == 800


def test_bivariate_legend_has_no_data_swatch_and_tooltip_has_distance(ags):
    full = maps.render_html(maps.gap_map(ags, top_n=1, tiles=False))
    assert "Sin datos (" not in full.split('"bivariate"')[0].rsplit("brecha.legend(", 1)[-1]
    holes = ags.copy()
    holes.loc[holes.index[:2], "need_class"] = np.nan
    html = maps.render_html(maps.gap_map(holes, top_n=1, tiles=False))
    bivar = html.split('"bivariate"')[0].rsplit("brecha.legend(", 1)[-1]
    assert "Sin datos (2)" in bivar and "a una oficina" in bivar
    assert "nearest_office_km" in ags
    assert "nearest_office_km" in data_block(html, "brecha-muni")["fields"]
    assert "Distancia a la oficina más cercana" in html


def test_office_counts_follow_the_analysis_and_planned_offices_are_hollow():
    """The maps count offices as brecha.presence.select_offices does (planned left out), and draw
    planned ones hollow, with their own legend entry."""
    from brecha.presence import select_offices

    chis = municipal_layer(("07",))
    off = offices()
    counted = select_offices(off)
    assert len(counted) < len(off)  # the test data has planned offices (one in Tapachula)
    html = maps.render_html(maps.presence_map(chis, off, initiatives(), state="Chiapas", tiles=False))
    muni = data_block(html, "brecha-muni")
    row = muni["rows"][[r[0] for r in muni["rows"]].index("07089")]
    # The layer's count (maps_support counts as brecha.presence does), shown as it is.
    assert row[muni["fields"].index("offices")] == int(chis.set_index("cvegeo").at["07089", "offices"])
    pts = data_block(html, "brecha-offices")
    symbols = [pts["dicts"]["symbol"][r[pts["fields"].index("symbol")]] for r in pts["rows"]]
    n_planned = int(((off["status"] == "planned") & off.geometry.notna() & off["cvegeo"].str.startswith("07")).sum())
    assert sum(s.startswith("planned:") for s in symbols) == n_planned > 0
    assert "Oficina planeada" in html
    national = maps.render_html(maps.presence_map(municipal_layer(), off, tiles=False))
    unplaced = int(counted.loc[counted.geometry.isna(), "site_id"].nunique())  # sites, not report lines
    assert unplaced < int(off.geometry.isna().sum())
    assert f"no mostradas: {unplaced}\\u003c" in national
    rings = reach_rings(off, 50)
    assert rings["n_offices"].sum() == int(counted.geometry.notna().sum())


def test_basemap_waits_for_a_probe_tile(ags):
    html = maps.render_html(maps.gap_map(ags, top_n=1))
    assert "brecha.basemap(" in html and "tile_layer_" not in html  # no folium TileLayer fetching on its own


# -- care groups: one table ------------------------------------------------------------------------

def test_care_map_layers_and_words_come_from_the_care_groups_table():
    """brecha.care.CARE_GROUPS drives the care map, the map and profile labels and the change columns."""
    from brecha._profile_words import figure_label
    from brecha.care import CARE_GROUPS, CARE_TYPES, HEADLINE_GROUPS, SUPPLY_GROUPS
    from brecha.change import HEADLINE
    from brecha.maps import care as care_maps
    from brecha.maps._i18n import field

    assert list(care_maps.GROUPS) == [g.name for g in HEADLINE_GROUPS]
    assert list(care_maps.CARE_TYPES) == [ct.name for ct in CARE_TYPES]
    assert len(set(care_maps.CARE_TYPES.values())) == len(CARE_TYPES)  # one marker colour per type
    for g in CARE_GROUPS:
        cols = [g.demand_col, f"care_access_{g.name}"] + ([f"care_supply_{g.name}"] if g in SUPPLY_GROUPS else [])
        for col in cols:
            for lang in ("es", "en"):
                assert field(lang, col).label != col and figure_label(lang, col)[0] != col, (col, lang)
        assert field("en", f"care_access_{g.name}").unit.endswith(g.per[1])
        assert (f"care_access_{g.name}" in HEADLINE) == g.headline


def test_care_map_names_each_group_and_type_in_words(ags):
    from brecha.care import CARE_TYPES, HEADLINE_GROUPS

    html = maps.render_html(maps.care_map(ags, denue(), lang="en", tiles=False))
    for g in HEADLINE_GROUPS:
        assert f"Access to care places within 20 km: {g.people[1]}" in html
    for ct in CARE_TYPES:
        assert f"DENUE: {ct.label[1]}" in html
