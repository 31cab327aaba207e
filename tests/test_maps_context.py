"""Geographic context, gazetteer search and the phone and notebook layout, in a real Chromium offline.

Every page is opened with the network blocked (``OfflinePage``). The national
maps are built from the embedded boundaries, Census and CONEVAL data
(``maps_support``); screenshots go to ``outputs/screenshots/context_*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brecha import geography, maps
from maps_support import denue, initiatives, municipal_layer, offices
from test_maps_browser import SCREENSHOTS, OfflinePage, browser

#: Fixtures used by name in this module's tests (a use here keeps linters from calling the import unused).
_FIXTURES = (browser,)

pytestmark = pytest.mark.browser

#: Place-name labels drawn inside the map's visible rectangle.
LABELS_IN_VIEW = """(cls) => { const r = brecha.map.getContainer().getBoundingClientRect();
  return Array.from(document.querySelectorAll('.brecha-place-' + cls + ' span')).filter(e => {
    const b = e.getBoundingClientRect();
    return b.width > 0 && b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom;
  }).map(e => e.textContent); }"""
RECT = """(sel) => { const e = document.querySelector(sel); if (!e) return null;
  const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> dict[str, Path]:
    """The four municipal maps of all Mexico (no basemap: the background is the offline one)."""
    d = tmp_path_factory.mktemp("context")
    munis = municipal_layer()
    built = {"presence": maps.presence_map(munis, offices(), initiatives(), tiles=False),
             "reach": maps.reach_map(munis, offices(), tiles=False),
             "care": maps.care_map(munis, denue(), tiles=False),
             "gap": maps.gap_map(munis, tiles=False)}
    return {n: maps.save_map(m, d / f"{n}.html") for n, m in built.items()}


@pytest.mark.parametrize("name", ("presence", "reach", "care", "gap"))
def test_national_view_names_the_states_offline(browser, national, name):
    pg = OfflinePage(browser, national[name], viewport=(1366, 768))
    try:
        states = pg.js(LABELS_IN_VIEW, "state")
        assert len(states) >= 16, states
        assert "CHIHUAHUA" in {s.upper() for s in states}
        assert pg.blocked == [] and pg.errors == []
        # State borders over the data in their own pane (no land: the municipalities cover the country).
        assert pg.page.locator(".leaflet-brecha-borders-pane canvas").count() == 1
        assert pg.page.locator(".leaflet-brecha-land-pane canvas").count() == 0
        # No two names overlap.
        rects = pg.js("() => Array.from(document.querySelectorAll('.brecha-place span')).map(e => {"
                      " const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })")
        assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(SCREENSHOTS / f"context_{name}_1366.png"))
        # The names are one entry of the layer control; switching it off removes them.
        pg.page.locator(".leaflet-control-layers label", has_text="Estados y ciudades").click()
        assert pg.js(LABELS_IN_VIEW, "state") == []
    finally:
        pg.close()


def test_city_names_appear_with_zoom(browser, national):
    pg = OfflinePage(browser, national["gap"], viewport=(1366, 768))
    try:
        far = pg.js(LABELS_IN_VIEW, "city")
        pg.js("() => { brecha.map.setView([20.67, -103.35], 9, {animate: false}); }")  # Guadalajara
        near = pg.js(LABELS_IN_VIEW, "city")
        assert len(near) > len(far) and "Guadalajara" in near, near
    finally:
        pg.close()


@pytest.mark.parametrize("query, hit, tooltip", [
    ("Cancún", "Cancún (Benito Juárez, Quintana Roo)", "Benito Juárez"),
    ("CANCUN", "Cancún (Benito Juárez, Quintana Roo)", "Benito Juárez"),
    ("villahermosa", "Villahermosa (Centro, Tabasco)", "Centro"),
])
def test_search_finds_what_the_resolver_finds(browser, national, query, hit, tooltip):
    pg = OfflinePage(browser, national["gap"], viewport=(1366, 768))
    try:
        pg.page.locator(".brecha-search input").fill(query)
        first = pg.page.locator(".brecha-search li button").first
        assert first.inner_text() == hit
        first.click()
        tip = pg.page.locator(".leaflet-tooltip").first
        tip.wait_for(state="visible", timeout=5_000)
        assert tooltip in tip.inner_text()
    finally:
        pg.close()


def test_gap_map_fills_no_report_apart_from_the_gap(browser, national):
    """High need with nothing reported is missing information: its own fill, never the gap cell's colour."""
    from brecha.maps._legend import BIVARIATE_COLORS, NO_REPORT_COLOR, STATE_ONLY_COLOR

    pg = OfflinePage(browser, national["gap"], viewport=(1366, 768))
    try:
        fills = pg.js("""() => { const out = {}; brecha.map.eachLayer(l => { if (l.feature && l.options.fillColor) {
            const c = l.feature.properties.gap_class || '';
            (out[c] = out[c] || new Set()).add(l.options.fillColor); } });
            return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)])); }""")
        no_report = [k for k in fills if k.startswith("sin reporte")]
        assert no_report and all(fills[k] == [NO_REPORT_COLOR] for k in no_report), fills
        assert all(NO_REPORT_COLOR not in v for k, v in fills.items() if k not in no_report), fills
        assert BIVARIATE_COLORS[2][0] not in fills[no_report[0]]
        # Only the state named: its own fill too, neither the gap cell's nor "sin reporte"'s.
        state_only = [k for k in fills if k.startswith("solo el estado")]
        assert state_only and all(fills[k] == [STATE_ONLY_COLOR] for k in state_only), fills
        assert all(STATE_ONLY_COLOR not in v for k, v in fills.items() if k not in state_only), fills
    finally:
        pg.close()


def test_search_cdmx_frames_the_state(browser, national):
    pg = OfflinePage(browser, national["gap"], viewport=(1366, 768))
    try:
        pg.page.locator(".brecha-search input").fill("CDMX")
        first = pg.page.locator(".brecha-search li button").first
        assert first.inner_text() == "Ciudad de México"
        first.click()
        pg.page.wait_for_function("brecha.map.getZoom() >= 8", timeout=5_000)
        assert pg.js("() => brecha.map.getBounds().contains([19.43, -99.13])")
    finally:
        pg.close()


def test_phone_search_tooltip_is_not_cut_off(browser, national):
    pg = OfflinePage(browser, national["gap"], viewport=(390, 800))
    try:
        pg.page.locator(".brecha-search input").fill("Cancún")
        pg.page.locator(".brecha-search li button").first.click()
        pg.page.locator(".leaflet-tooltip").first.wait_for(state="visible", timeout=5_000)
        pg.page.wait_for_timeout(600)  # the tooltip is kept in view once the zoom has ended
        tip, box = pg.js(RECT, ".leaflet-tooltip"), pg.js(RECT, ".leaflet-container")
        assert tip[0] >= box[0] and tip[2] <= box[2], (tip, box)
        pg.page.screenshot(path=str(SCREENSHOTS / "context_gap_search_390.png"))
    finally:
        pg.close()


def test_phone_lists_legends_and_title(browser, national):
    """390 px, legends open: the top-20 list and the legends do not overlap; the place stays in the title."""
    pg = OfflinePage(browser, national["gap"], viewport=(390, 800))
    try:
        assert "México" in pg.page.locator(".brecha-title").inner_text()
        pg.page.locator(".brecha-toggle button").click()
        panel, legends = pg.js(RECT, ".brecha-panel"), pg.js(RECT, ".brecha-legends")
        assert panel and legends and not _overlap(panel, legends), (panel, legends)
        pg.page.screenshot(path=str(SCREENSHOTS / "context_gap_open_390.png"))
    finally:
        pg.close()


def test_rank_markers_cannot_be_taken_for_clusters(browser, national):
    pg = OfflinePage(browser, national["gap"], viewport=(1366, 768))
    try:
        pg.js("() => { brecha.map.setView([17.0, -96.5], 7, {animate: false}); }")  # Oaxaca: ranks and groups
        ranks = pg.page.locator(".brecha-rank:not(.brecha-rank-cluster) span").all_inner_texts()
        groups = pg.page.locator(".brecha-rank-cluster span").all_inner_texts()
        assert ranks and all(r.startswith("#") for r in ranks)
        assert all(not g.startswith("#") for g in groups)
        shape = pg.js("() => { const r = document.querySelector('.brecha-rank:not(.brecha-rank-cluster) span');"
                      " return getComputedStyle(r).borderRadius; }")
        assert shape == "3px"
        if groups:
            assert pg.js("() => getComputedStyle(document.querySelector('.brecha-rank-cluster span')).borderRadius")\
                == "50%"
    finally:
        pg.close()


def test_phone_popup_stays_clear_of_the_search_box(browser, tmp_path):
    ags = municipal_layer(("01",))
    path = maps.save_map(maps.presence_map(ags, offices(), initiatives(), state="Aguascalientes", tiles=False),
                         tmp_path / "presence.html")
    pg = OfflinePage(browser, path, viewport=(390, 700))
    try:
        pt = ags.loc[ags["cvegeo"] == "01001"].geometry.iloc[0].representative_point()
        pg.js("([lat, lon]) => { brecha.map.setView([lat, lon], 9, {animate: false}); }", [pt.y, pt.x])
        xy = pg.js("([lat, lon]) => { const p = brecha.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                   [pt.y, pt.x])
        pg.page.mouse.click(xy[0], xy[1])
        pg.page.locator(".leaflet-popup").wait_for(state="visible", timeout=5_000)
        pg.page.wait_for_timeout(400)  # the popup pans into view
        popup, search = pg.js(RECT, ".leaflet-popup-content-wrapper"), pg.js(RECT, ".brecha-search")
        assert not _overlap(popup, search), (popup, search)
        pg.page.screenshot(path=str(SCREENSHOTS / "context_presence_popup_390.png"))
    finally:
        pg.close()


def test_map_in_a_hidden_tab_frames_itself_when_shown(browser, national, tmp_path):
    """JupyterLab opens a map in a background tab (no size): it must not stay blank at zoom 18."""
    host = tmp_path / "host.html"
    host.write_text(f'<div id="tab" style="display:none"><iframe id="f" src="{national["gap"].as_uri()}" '
                    'style="width:900px;height:600px;border:0"></iframe></div>', encoding="utf-8")
    pg = OfflinePage(browser, host, wait_ready=False)
    try:
        frame = pg.page.frame_locator("#f")
        pg.page.wait_for_timeout(1500)
        pg.js("() => { document.getElementById('tab').style.display = 'block'; }")
        inner = pg.page.frames[1]
        inner.wait_for_function("window.__brechaReady !== undefined && brecha.map.getSize().x > 0", timeout=10_000)
        inner.wait_for_timeout(300)
        assert inner.evaluate("brecha.map.getZoom()") <= 6
        assert frame.locator(".brecha-place-state span").count() >= 10
    finally:
        pg.close()


def test_state_poverty_map_says_figures_are_aggregated_and_has_no_lone_radio(browser, tmp_path):
    states = geography.states().assign(poverty_pct=range(32), poverty_source="agg_from_municipal")
    path = maps.save_map(maps.choropleth_map(states, column="poverty_pct", tiles=False), tmp_path / "pov.html")
    pg = OfflinePage(browser, path, viewport=(1366, 768))
    try:
        assert "agregadas de municipios" in pg.page.locator(".brecha-title").inner_text()
        assert "agregadas de las estimaciones municipales" in pg.page.locator(".brecha-legends").inner_text()
        assert pg.page.locator(".leaflet-control-layers-base input").count() == 0
        assert len(pg.js(LABELS_IN_VIEW, "state")) >= 16
    finally:
        pg.close()


def test_state_view_draws_land_and_neighbouring_borders(browser, tmp_path):
    """One state's map shows the land and borders around it (from the package), not a void."""
    path = maps.save_map(maps.gap_map(municipal_layer(("07",)), state="Chiapas", top_n=5, tiles=False),
                         tmp_path / "chis.html")
    pg = OfflinePage(browser, path, viewport=(1366, 768))
    try:
        assert pg.page.locator(".leaflet-brecha-land-pane canvas").count() == 1
        assert pg.page.locator(".leaflet-brecha-borders-pane canvas").count() == 1
        names = {s.upper() for s in pg.js(LABELS_IN_VIEW, "state")}
        assert {"CHIAPAS", "TABASCO"} <= names, names
        assert "Tuxtla Gutiérrez" in pg.js(LABELS_IN_VIEW, "city")
        pg.page.screenshot(path=str(SCREENSHOTS / "context_gap_chiapas_1366.png"))
    finally:
        pg.close()
