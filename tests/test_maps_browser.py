"""The maps in a real headless Chromium (Debian's), with every network request blocked.

Playwright drives /usr/bin/chromium (never a downloaded browser). Each page
runs in a context whose router aborts anything that is not ``file:`` or
``data:``, so a map that needed a CDN would fail here.
"""

from __future__ import annotations

from pathlib import Path

import folium
import pytest

from brecha import maps
from maps_support import HOSTILE, HOSTILE_TEMPLATE, denue, hostile_inputs, initiatives, municipal_layer, offices

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "outputs" / "screenshots"
NAMES = ("presence", "reach", "care", "gap")
TILE_HOST = "basemaps.cartocdn.com"


class OfflinePage:
    """A page that may load only file: and data: URLs; records page errors, console errors and blocked requests."""

    def __init__(self, browser, path: Path, viewport=(1280, 800), wait_ready: bool = True):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.goto(path.as_uri(), wait_until="load")
        if wait_ready:
            self.page.wait_for_function("window.__brechaReady !== undefined", timeout=30_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def hover_lonlat(self, lon: float, lat: float) -> str:
        """Move the mouse over a place; returns the tooltip's text."""
        # Leaflet ignores the mouse while it animates a zoom: wait until it is still.
        self.page.wait_for_function("!brecha.map._animatingZoom && !(brecha.map._panAnim && brecha.map._panAnim._inProgress)")
        self.page.wait_for_timeout(50)
        xy = self.js("([lat, lon]) => { const p = brecha.map.latLngToContainerPoint([lat, lon]);"
                     " const r = brecha.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
                     [lat, lon])
        self.page.mouse.move(xy[0] - 3, xy[1] - 3)
        self.page.mouse.move(xy[0], xy[1])
        tip = self.page.locator(".leaflet-tooltip").first
        tip.wait_for(state="visible", timeout=5_000)
        return tip.inner_text()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def ags():
    return municipal_layer(("01",))


def _point(munis, cvegeo: str) -> tuple[float, float]:
    pt = munis.loc[munis["cvegeo"] == cvegeo].geometry.iloc[0].representative_point()
    return pt.x, pt.y


@pytest.fixture(scope="module")
def state_maps(tmp_path_factory, ags) -> dict[str, Path]:
    """The four maps of Aguascalientes (state view, basemap on)."""
    d = tmp_path_factory.mktemp("maps")
    built = {
        "presence": maps.presence_map(ags, offices(), initiatives(), state="Aguascalientes"),
        "reach": maps.reach_map(ags, offices(), state="ags"),
        "care": maps.care_map(ags, denue(), state="01"),
        "gap": maps.gap_map(ags, state="Aguascalientes", top_n=5),
    }
    return {n: maps.save_map(m, d / f"{n}.html") for n, m in built.items()}


@pytest.fixture(scope="module")
def hostile_maps(tmp_path_factory) -> tuple[dict[str, Path], object]:
    d = tmp_path_factory.mktemp("hostile")
    munis, off, ini, den = hostile_inputs()
    # No basemap: zooming to a marker would request hundreds of (blocked) tiles.
    built = {"presence": maps.presence_map(munis, off, ini, tiles=False), "reach": maps.reach_map(munis, off, tiles=False),
             "care": maps.care_map(munis, den, tiles=False), "gap": maps.gap_map(munis, top_n=3, tiles=False)}
    return {n: maps.save_map(m, d / f"{n}.html") for n, m in built.items()}, munis


@pytest.fixture
def open_page(browser):
    pages = []

    def _open(path: Path, **kw) -> OfflinePage:
        pages.append(OfflinePage(browser, path, **kw))
        return pages[-1]

    yield _open
    for p in pages:
        p.close()


DRAWN = """() => {
  let features = 0;
  brecha.map.eachLayer(l => { if (l.feature && l.feature.geometry && l.feature.geometry.type.endsWith('Polygon')) features++; });
  const c = document.querySelector('.leaflet-overlay-pane canvas');
  const ctx = c.getContext('2d');
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 97) if (data[i + 3] > 0) colours.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
  return {features, colours: colours.size, markers: document.querySelectorAll('.leaflet-marker-icon').length};
}"""


@pytest.mark.parametrize("name", NAMES)
def test_map_loads_offline_and_draws(open_page, state_maps, ags, name):
    pg = open_page(state_maps[name])
    pg.page.wait_for_timeout(300)  # let the basemap probe fail
    assert pg.errors == []
    # One probe tile was attempted, and its failure is the only console error: no tile storm offline.
    assert len(pg.blocked) == 1 and TILE_HOST in pg.blocked[0]
    assert len(pg.console_errors) <= 1, pg.console_errors
    assert pg.js("() => { let n = 0; brecha.map.eachLayer(l => { if (l instanceof L.TileLayer) n++; }); return n; }") == 0
    drawn = pg.js(DRAWN)
    assert drawn["features"] >= len(ags)  # every municipality is on the canvas
    assert drawn["colours"] >= 3
    assert drawn["markers"] > 0
    assert pg.page.locator(".leaflet-control-scale").is_visible()
    assert pg.page.locator(".leaflet-control-fullscreen, .fullscreen-icon").first.is_visible()
    assert "INEGI, Marco Geoestadístico" in pg.page.locator(".leaflet-control-attribution").inner_text()


def _legend(pg: OfflinePage, legend_id: str):
    return pg.page.locator(f'[data-legend="{legend_id}"]')


def _click_layer(pg: OfflinePage, label: str) -> None:
    pg.page.locator(".leaflet-control-layers label", has_text=label).first.click()


TOGGLES = {  # map -> (first base legend, second base layer, its legend, an overlay, its legend)
    "presence": ("brecha-muni:initiatives", None, None, "Oficinas de las agencias", "offices"),
    "reach": ("brecha-muni:nearest_office_km", "Población en pobreza", "brecha-muni:poverty_pct",
              "Radio de alcance de 100 km", "rings"),
    "care": ("brecha-muni:care_access_children", "Demanda: personas de 60+", "brecha-muni:pop_60_plus",
             "DENUE: Guarderías y estancias infantiles", "denue"),
    "gap": ("bivariate", "Puntaje de brecha", "brecha-muni:gap_score", "Los 5 municipios de Aguascalientes con mayor puntaje de brecha",
            "top"),
}


@pytest.mark.parametrize("name", NAMES)
def test_layer_control_toggles_layers_and_their_legends(open_page, state_maps, name):
    first, base2, legend2, overlay, overlay_legend = TOGGLES[name]
    pg = open_page(state_maps[name])
    assert _legend(pg, first).is_visible()
    if base2:
        assert not _legend(pg, legend2).is_visible()
        _click_layer(pg, base2)
        assert _legend(pg, legend2).is_visible() and not _legend(pg, first).is_visible()
    assert _legend(pg, overlay_legend).is_visible()
    _click_layer(pg, overlay)
    assert not _legend(pg, overlay_legend).is_visible()
    _click_layer(pg, overlay)
    assert _legend(pg, overlay_legend).is_visible()
    assert pg.errors == []


HOVER = {  # map -> texts the tooltip of Calvillo (01003) must show
    "presence": ("Iniciativas",),
    "reach": ("Distancia a la oficina más cercana", " km", "Población en pobreza (%)", " %",
              "Oficina más cercana: agencia", "Población base de CONEVAL"),
    "care": ("Acceso a lugares de cuidado infantil", "lugares por 1,000 niñas y niños", "personas"),
    "gap": ("Lugar en la brecha", "Qué impulsa el lugar", "pobreza"),
}


@pytest.mark.parametrize("name", NAMES)
def test_tooltip_names_the_municipality_with_units(open_page, state_maps, ags, name):
    pg = open_page(state_maps[name])
    pg.js("() => brecha.map.setZoom(brecha.map.getZoom())")
    text = pg.hover_lonlat(*_point(ags, "01003"))
    assert "Calvillo" in text and "Aguascalientes" in text
    for want in HOVER[name]:
        assert want in text


def test_english_tooltip_and_controls(open_page, tmp_path, ags):
    path = maps.save_map(maps.reach_map(ags, offices(), state="Aguascalientes", lang="en"), tmp_path / "reach-en.html")
    pg = open_page(path)
    text = pg.hover_lonlat(*_point(ags, "01003"))
    assert "Distance to nearest office" in text and " km" in text
    assert pg.page.locator(".brecha-search input").get_attribute("placeholder") == "Search municipality…"
    assert "Source: INEGI" in pg.page.locator(".leaflet-control-attribution").inner_text()


def test_search_finds_and_frames_a_municipality(open_page, state_maps):
    pg = open_page(state_maps["gap"])
    pg.page.locator(".brecha-search input").fill("calvillo")
    hit = pg.page.locator(".brecha-search li button").first
    assert hit.inner_text() == "Calvillo, Aguascalientes"
    hit.click()
    # Waits for the zoom animation to end (slow on a busy machine) rather than a fixed time.
    pg.page.wait_for_function("""() => { const f = brecha.load('brecha-muni').index['01003'];
        return L.geoJSON(f).getBounds().pad(0.01).contains(brecha.map.getBounds().getCenter()); }""", timeout=5_000)
    assert "Calvillo" in pg.page.locator(".leaflet-tooltip").first.inner_text()
    pg.page.locator(".brecha-search input").fill("zzzz")
    assert pg.page.locator(".brecha-search .brecha-empty").inner_text() == "Sin coincidencias"


def test_presence_filter_recounts_initiatives_and_offices(open_page, state_maps):
    pg = open_page(state_maps["presence"])
    status = pg.page.locator(".brecha-filter-status")
    everything = status.inner_text()
    total = int(everything.split()[0])
    agency = pg.page.locator('select[data-filter="agency"]')
    options = agency.locator("option").all_inner_texts()
    assert options[0] == "Todas" and len(options) > 2
    agency.select_option(options[1])
    fewer = int(status.inner_text().split()[0])
    assert 0 <= fewer < total
    agency.select_option(index=0)
    assert status.inner_text() == everything
    # The count agrees with its noun: "1 iniciativa", "2 iniciativas".
    for option in options[1:]:
        agency.select_option(option)
        n, noun = status.inner_text().split(" · ")[0].split(" ", 1)
        assert noun == ("iniciativa" if n == "1" else "iniciativas"), status.inner_text()
    assert pg.errors == []


def test_gap_side_panel_lists_and_zooms(open_page, state_maps):
    pg = open_page(state_maps["gap"])
    items = pg.page.locator(".brecha-panel li button")
    assert items.count() == 5
    assert pg.page.locator(".leaflet-marker-icon.brecha-rank").count() == 5
    before = pg.js("() => brecha.map.getZoom()")
    items.first.click()
    pg.page.wait_for_function("(z) => brecha.map.getZoom() > z", arg=before, timeout=5_000)


# Show the first marker of the first point layer (zoom in, spiderfy its cluster) and click it.
OPEN_FIRST_POPUP = """async () => {
    const wait = ms => new Promise(r => setTimeout(r, ms));
    let group = null;
    brecha.map.eachLayer(l => { if (l.allMarkers && l.allMarkers.length && !group) group = l; });
    const mk = group.allMarkers.find(m => group.hasLayer(m));  // care: only the types switched on are in
    brecha.map.setView(mk.getLatLng(), 18, {animate: false});
    await wait(300);
    const parent = group.getVisibleParent ? group.getVisibleParent(mk) : mk;
    if (parent && parent !== mk && parent.spiderfy) { parent.spiderfy(); await wait(600); }
    mk.fire('click', {latlng: mk.getLatLng()}, true);
    return document.querySelector('.leaflet-popup-content').innerText;
}"""
HIDE_POINTS = "() => brecha.map.eachLayer(l => { if (l.allMarkers) brecha.map.removeLayer(l); })"


@pytest.mark.parametrize("name", NAMES)
def test_hostile_names_show_as_text_and_run_nothing(open_page, hostile_maps, name):
    paths, munis = hostile_maps
    pg = open_page(paths[name])
    if name != "gap":
        popup = pg.js(OPEN_FIRST_POPUP)  # an office (agency, city, type, quote...) or a DENUE establishment (name)
        assert HOSTILE in popup
        if name != "care":
            assert HOSTILE_TEMPLATE in popup
            # office type, state, source file and quote; agency (title) and city
            assert popup.count(HOSTILE_TEMPLATE) == 4 and popup.count(HOSTILE) >= 2, popup
        pg.page.keyboard.press("Escape")
        pg.js(HIDE_POINTS)  # clusters would cover the municipality we hover next
        pg.js("() => brecha.map.closePopup()")
    pg.js("([b]) => brecha.map.fitBounds(b, {animate: false})", [[[21.6, -102.9], [22.5, -101.8]]])
    text = pg.hover_lonlat(*_point(munis, "01001"))
    assert HOSTILE in text and HOSTILE_TEMPLATE in text  # municipality and state names
    if name == "presence":  # a click lists the initiatives there: hostile titles, agencies and themes
        pg.page.mouse.down()
        pg.page.mouse.up()
        inits = pg.page.locator(".leaflet-popup-content .brecha-inits")
        inits.wait_for(state="visible", timeout=5_000)
        listing = inits.inner_text()
        assert listing.count(HOSTILE) >= 2 and HOSTILE_TEMPLATE in listing
        pg.js("() => brecha.map.closePopup()")
    if name == "gap":
        assert HOSTILE_TEMPLATE in text  # template syntax in gap_drivers stays literal
        assert HOSTILE in pg.page.locator(".brecha-panel").inner_text()
    if name in ("presence", "reach"):
        assert HOSTILE in pg.page.locator('[data-legend="offices"]').inner_text()
    if name == "presence":
        assert HOSTILE in pg.page.locator('select[data-filter="agency"]').inner_text()
        assert HOSTILE_TEMPLATE in pg.page.locator('select[data-filter="theme"]').inner_text()
    pg.page.locator(".brecha-search input").fill("onerror")
    assert HOSTILE in pg.page.locator(".brecha-search li button").first.inner_text()
    pg.page.wait_for_timeout(300)  # an injected <img src=x> would have failed to load by now
    assert pg.js("() => window.__xss") is None
    assert pg.page.locator("img[src='x']").count() == 0
    assert pg.errors == []


def test_naive_folium_page_is_blank_offline(open_page, tmp_path, ags):
    """Why the maps inline their assets: folium's default page needs its CDNs."""
    m = folium.Map(location=[22, -102], zoom_start=8)
    folium.GeoJson(ags[["cvegeo", "geometry"]]).add_to(m)
    m.save(str(tmp_path / "naive.html"))
    pg = open_page(tmp_path / "naive.html", wait_ready=False)
    assert any("L is not defined" in e for e in pg.errors)
    assert any("cdn.jsdelivr.net" in u for u in pg.blocked)
    assert pg.page.locator(".leaflet-interactive, .leaflet-overlay-pane canvas").count() == 0


@pytest.mark.parametrize("name", NAMES)
def test_national_maps_end_to_end(browser, tmp_path_factory, name):
    """Real data, whole country: size, no errors, a screenshot for a person to look at."""
    d = tmp_path_factory.mktemp("national")
    munis = municipal_layer()
    m = {"presence": lambda: maps.presence_map(munis, offices(), initiatives()),
         "reach": lambda: maps.reach_map(munis, offices()),
         "care": lambda: maps.care_map(munis, denue()),
         "gap": lambda: maps.gap_map(munis)}[name]()
    path = maps.save_map(m, d / f"{name}.html")
    assert path.stat().st_size < 3_000_000
    pg = OfflinePage(browser, path)
    try:
        assert pg.errors == []
        assert pg.js(DRAWN)["features"] >= 2469
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    finally:
        pg.close()


@pytest.mark.parametrize("name", ("gap", "presence"))
def test_phone_width_shows_the_whole_view(open_page, state_maps, ags, name):
    """390 px wide: the padding kept for controls shrinks, the panels fold behind one toggle."""
    pg = open_page(state_maps[name], viewport=(390, 800))
    assert pg.js("brecha.map.getZoom()") <= 9  # one state; the national test below asks for <= 6
    assert pg.js(DRAWN)["features"] >= len(ags)
    bounds = pg.js("(() => { const b = brecha.map.getBounds(); return [b.getWest(), b.getEast()]; })()")
    minx, _, maxx, _ = ags.total_bounds
    assert bounds[0] <= minx and bounds[1] >= maxx  # the whole state is in view
    assert not pg.page.locator(".brecha-legends").is_visible()
    assert pg.page.locator(".leaflet-control-layers-toggle").is_visible()
    pg.page.locator(".brecha-toggle button").click()
    assert pg.page.locator(".brecha-legends").is_visible()
    assert pg.errors == []


def test_phone_width_national_map_opens_on_mexico(browser, tmp_path):
    munis = municipal_layer()
    path = maps.save_map(maps.gap_map(munis, tiles=False), tmp_path / "gap.html")
    pg = OfflinePage(browser, path, viewport=(390, 800))
    try:
        assert pg.js("brecha.map.getZoom()") <= 6
        assert pg.js(DRAWN)["features"] >= 2469
        assert pg.js(DRAWN)["colours"] >= 3
        assert pg.errors == []
    finally:
        pg.close()


def test_gap_tooltip_long_text_spans_the_tooltip(open_page, state_maps, ags):
    """'Qué impulsa el lugar' runs across the tooltip, not one word per line."""
    pg = open_page(state_maps["gap"])
    pg.js("() => brecha.map.setZoom(brecha.map.getZoom())")
    pg.hover_lonlat(*_point(ags, "01003"))
    box = pg.page.locator(".leaflet-tooltip").first.bounding_box()
    assert pg.page.locator(".leaflet-tooltip td.brecha-wide").count() >= 1
    # Two rows more than before (gap class, presence evidence): still a compact card, not a word per line.
    assert box["width"] <= 340 and box["height"] < 360, box


def test_care_types_share_one_cluster_group(open_page, state_maps):
    """All four DENUE types on: one clustering (no overlapping discs), toggles add and remove their markers."""
    pg = open_page(state_maps["care"])
    groups = "() => { let n = 0, k = 0; brecha.map.eachLayer(l => { if (l.getAllChildMarkers === undefined && l.allMarkers)" \
             " { n++; k = l.getLayers().length; } }); return [n, k]; }"
    n, first = pg.js(groups)
    assert n == 1 and first > 0
    for label in ("DENUE: Residencias para personas", "DENUE: Centros para", "DENUE: Residencias de salud"):
        pg.page.locator(".leaflet-control-layers label", has_text=label).first.click()
    n, everything = pg.js(groups)
    assert n == 1 and everything == pg.js("brecha.load('brecha-denue').rows.length") > first
    assert pg.page.locator('[data-legend="denue"]').is_visible()
    assert pg.page.locator(".brecha-legend").filter(has_text="DENUE").count() == 1
    pg.page.locator(".leaflet-control-layers label", has_text="Guarderías").first.click()
    assert pg.js(groups)[1] == everything - first
    assert pg.errors == []


def test_popup_closes_the_tooltip_a_search_opened(open_page, state_maps):
    pg = open_page(state_maps["presence"])
    pg.page.locator(".brecha-search input").fill("calvillo")
    pg.page.locator(".brecha-search li button").first.click()
    pg.page.locator(".leaflet-tooltip").first.wait_for(state="visible", timeout=5_000)
    # The emptied hit list leaves the mouse over the map; park it on the title so no hover tooltip opens.
    pg.page.locator(".brecha-title").hover()
    pg.page.wait_for_timeout(100)
    pg.js("() => L.popup().setLatLng(brecha.map.getCenter()).setContent('x').openOn(brecha.map)")
    pg.page.wait_for_timeout(300)  # Leaflet fades a closed tooltip out for 200 ms before removing it
    left = pg.js("() => Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.innerText)")
    assert left == []
    assert pg.errors == []
