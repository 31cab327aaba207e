"""The maps `brecha build` writes, opened in a real headless Chromium with the network blocked.

The other browser tests build maps from synthetic analysis columns; these
open the files of a real build of the repository's own layer specs
(``outputs/maps/*.html`` and ``index.html``), once per module, and save a
screenshot of each under ``outputs/screenshots/real_*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brecha.pipeline import build
from test_maps_browser import SCREENSHOTS, OfflinePage, browser
from test_pipeline_support import CODE, REPO

#: Fixtures used by name in this module's tests (a use here keeps linters from calling the import unused).
_FIXTURES = (browser,)

pytestmark = pytest.mark.browser

#: map file -> (search text, the hit's label, texts its tooltip must show, features drawn at least)
MAPS = {
    "map_presence": ("tapachula", "Tapachula, Chiapas", ("Iniciativas", "Oficinas"), 2469),
    "map_reach": ("tapachula", "Tapachula, Chiapas", ("Distancia a la oficina más cercana", " km", " %"), 2469),
    "map_care": ("tapachula", "Tapachula, Chiapas",
                 ("Acceso a lugares de cuidado infantil", "lugares por 1,000 niñas y niños"), 2469),
    "map_gap": ("tapachula", "Tapachula, Chiapas", ("Lugar en la brecha", "Qué impulsa el lugar"), 2469),
    "map_poverty_states": ("chiapas", "Chiapas", ("Población en pobreza", " %", "personas"), 32),
}
#: Words of the English driver phrases that a Spanish map must not show.
ENGLISH = ("many people", "poverty rate", "care places short", "no office", "few ")

DRAWN = """() => {
  let features = 0;
  brecha.map.eachLayer(l => { if (l.feature && l.feature.geometry && l.feature.geometry.type.endsWith('Polygon')) features++; });
  return {features, controls: document.querySelectorAll('.leaflet-control-layers-selector').length,
          paths: document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length};
}"""
VISIBLE_LEGENDS = """() => Array.from(document.querySelectorAll('[data-legend]'))
  .filter(e => e.style.display !== 'none').map(e => e.getAttribute('data-legend'))"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The maps folder of one real build of every map spec (and the layers they read)."""
    out = tmp_path_factory.mktemp("real") / "outputs"
    specs = sorted(p.stem for p in (REPO / "layers").glob("map_*.toml"))
    res = build(out, layers_dir=REPO / "layers", layers=specs, code=CODE, store=False)
    assert not res.failed, res.failed
    return out / "maps"


def test_every_spec_wrote_its_map(built):
    specs = sorted(p.stem for p in (REPO / "layers").glob("map_*.toml"))
    assert sorted(p.stem for p in built.glob("map_*.html")) == specs and set(MAPS) <= set(specs)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_real_map_in_the_browser(browser, built, name):
    query, label, texts, min_features = MAPS[name]
    path = built / f"{name}.html"
    assert path.stat().st_size < 3_000_000
    pg = OfflinePage(browser, path, viewport=(1400, 900))
    try:
        pg.page.wait_for_timeout(300)  # the basemap probe fails offline: one request, nothing more
        assert pg.errors == [] and len(pg.console_errors) <= 1, (pg.errors, pg.console_errors)
        assert len(pg.blocked) <= 1
        drawn = pg.js(DRAWN)
        assert drawn["features"] >= min_features and drawn["paths"] >= 1
        assert pg.page.locator(".leaflet-control-layers").is_visible() and drawn["controls"] >= 1
        assert pg.page.locator(".leaflet-control-scale").is_visible()
        assert pg.page.locator(".leaflet-control-fullscreen, .fullscreen-icon").first.is_visible()
        assert "INEGI, Marco Geoestadístico" in pg.page.locator(".leaflet-control-attribution").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(SCREENSHOTS / f"real_{name}.png"))
        _legends_follow_layers(pg)
        _search_opens_the_tooltip(pg, query, label, texts)
        assert pg.errors == []
    finally:
        pg.close()


def _legends_follow_layers(pg: OfflinePage) -> None:
    """Switching the second base layer (or an overlay, or the only layer) swaps the legends shown."""
    before = pg.js(VISIBLE_LEGENDS)
    assert before, "no legend shown"
    radios = pg.page.locator(".leaflet-control-layers-base input")
    # The place names overlay has no legend: leave it out.
    boxes = pg.page.locator(".leaflet-control-layers-overlays label").filter(
        has_not_text="Estados y ciudades").locator("input:checked")
    if radios.count() >= 2:
        radios.nth(1).click()
        after = pg.js(VISIBLE_LEGENDS)
        assert before[0] not in after and after
        radios.nth(0).click()
    elif boxes.count():
        boxes.first.click()
        assert len(pg.js(VISIBLE_LEGENDS)) < len(before)
        pg.page.locator(".leaflet-control-layers-overlays label").filter(
            has_not_text="Estados y ciudades").locator("input").first.click()
    else:  # one layer and no overlay: remove it as the control would
        pg.js("() => { brecha.map.eachLayer(l => { if (l.options && l.options.brecha) brecha.map.removeLayer(l); }); }")
        assert pg.js(VISIBLE_LEGENDS) == []
        pg.page.reload()
        pg.page.wait_for_function("window.__brechaReady !== undefined")
    assert pg.js(VISIBLE_LEGENDS) == before


def _search_opens_the_tooltip(pg: OfflinePage, query: str, label: str, texts) -> None:
    pg.page.locator(".brecha-search input").fill(query)
    hit = pg.page.locator(".brecha-search li button").first
    assert hit.inner_text() == label
    hit.click()
    tip = pg.page.locator(".leaflet-tooltip").first
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert label.split(",")[0] in text
    for want in texts:
        assert want in text, (want, text)
    assert not any(w in text for w in ENGLISH), text


def test_real_index_lists_every_map_in_spanish(browser, built):
    pg = OfflinePage(browser, built / "index.html", wait_ready=False)
    try:
        assert pg.errors == [] and pg.blocked == []
        assert pg.page.locator("html").get_attribute("lang") == "es"
        links = pg.page.locator("li a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert set(links) >= {f"{n}.html" for n in MAPS} and len(links) == len(set(links))
        assert all((built / h).is_file() for h in links)
        assert pg.page.locator("li figure svg path").count() >= len(MAPS)  # every card has its preview
        titles = pg.page.locator("li .t").all_inner_texts()
        assert "Población en pobreza por estado" in titles and not any(" / " in t for t in titles)
        assert "ONU Mujeres 2023" in pg.page.locator("footer").inner_text()
        pg.page.screenshot(path=str(SCREENSHOTS / "real_index.png"), full_page=True)
    finally:
        pg.close()
