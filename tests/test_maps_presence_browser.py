"""The 3W presence map in real headless Chromium (Debian's), every network request blocked.

The page recounts under the agency / theme / year filter; these tests hold its
recount to :func:`brecha.presence.presence_by_area` on the embedded data for
every municipality and state, check that tooltips, notes and the table follow
the filter (Tapachula under UNICEF), and open the CSV and XLSX it exports.
Screenshots at 1366 and 390 px go to ``$BRECHA_SHOTS`` (default /tmp/I_shots).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from brecha import geography, maps
from brecha.presence import national_initiatives, presence_by_area, unnamed_initiatives
from brecha.sources import initiative_places, load

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("BRECHA_SHOTS", "/tmp/I_shots"))
COLS = ["initiatives", "initiatives_state_scope", "agencies", "offices", "offices_planned", "presence_evidence",
        "office_evidence"]
TAPACHULA = "07089"


@pytest.fixture(scope="module")
def data():
    ini = load("initiatives")
    return initiative_places(ini), load("offices"), ini


def _layers(places, offices, ini):
    pm = presence_by_area(places, offices, level="municipality", initiatives=ini)
    munis = geography.municipalities().merge(pm[["cvegeo", *COLS]], on="cvegeo")
    ps = presence_by_area(places, offices, level="state", initiatives=ini)
    states = geography.states().merge(ps[["cve_ent", *COLS]], on="cve_ent")
    return munis, states


@pytest.fixture(scope="module")
def pages(tmp_path_factory, data) -> dict[str, Path]:
    places, offices, ini = data
    munis, states = _layers(places, offices, ini)
    d = tmp_path_factory.mktemp("presence3w")
    out = {}
    for name, lang in (("es", "es"), ("en", "en")):
        m = maps.presence_map(munis, offices, places, states=states, lang=lang, tiles=False)
        out[name] = maps.save_map(m, d / f"presence_{name}.html")
    assert all(p.stat().st_size <= 2_000_000 for p in out.values())
    return out


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    made = []

    def _open(path: Path, width: int = 1366, height: int = 768):
        ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        blocked, errors = [], []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("window.__brechaReady !== undefined", timeout=30_000)
        made.append(ctx)
        page.blocked, page.errors = blocked, errors
        return page

    yield _open
    for c in made:
        c.close()


def _expected(places, offices, ini, level, **sel):
    if sel.get("year"):
        offices = offices[offices["year_reported"] == sel["year"]]
    t = presence_by_area(places, offices, level=level, initiatives=ini, **sel)
    key = "cvegeo" if level == "municipality" else "cve_ent"
    return {r[key]: {c: (int(r[c]) if isinstance(r[c], (int,)) or hasattr(r[c], "item") else r[c]) for c in COLS}
            for r in t.to_dict("records")}


@pytest.mark.parametrize("sel", [{}, {"agency": "UNICEF"}, {"agency": "UNHCR"}, {"theme": "migration"},
                                 {"year": 2022}, {"agency": "UN Women", "year": 2023}])
def test_the_pages_recount_is_presence_by_area(open_page, pages, data, sel):
    places, offices, ini = data
    page = open_page(pages["en"])
    js_sel = {k: str(v) for k, v in sel.items()}
    got = page.evaluate("(s) => brecha.threeW.count(s)", js_sel)
    for level, name in (("municipality", "municipalities"), ("state", "states")):
        want = _expected(places, offices, ini, level, **sel)
        diff = {k: (got[name][k], w) for k, w in want.items() if got[name][k] != w}
        assert not diff, (sel, level, list(diff.items())[:3])
    if not sel.get("year"):  # the notes count what no area gets, as brecha.presence does
        kw = {k: v for k, v in sel.items() if k in ("agency", "theme")}
        assert got["notes"]["national"] == national_initiatives(places, **kw)
        assert got["notes"]["unnamed"] == unnamed_initiatives(places, **kw)
    assert page.errors == [] and page.blocked == []


def _hover_tooltip(page, cvegeo: str) -> str:
    page.evaluate("""(k) => { const f = brecha.load('brecha-muni').index[k];
        brecha.map.fitBounds(L.geoJSON(f).getBounds(), {animate: false, maxZoom: 10}); }""", cvegeo)
    page.wait_for_timeout(300)
    xy = page.evaluate("""(k) => { const f = brecha.load('brecha-muni').index[k];
        const c = L.geoJSON(f).getBounds().getCenter(); const p = brecha.map.latLngToContainerPoint(c);
        const r = brecha.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }""", cvegeo)
    page.mouse.move(xy[0] - 4, xy[1] - 4)
    page.mouse.move(xy[0], xy[1])
    tip = page.locator(".leaflet-tooltip").first
    tip.wait_for(state="visible", timeout=5_000)
    return tip.inner_text()


def _row(text: str, label: str) -> str:
    for line in text.splitlines():
        if line.startswith(label + "\t") or line.startswith(label + " "):
            return line[len(label):].strip()
    raise AssertionError(f"{label!r} not in tooltip {text!r}")


def test_tapachula_tooltip_and_notes_follow_the_unicef_filter(open_page, pages, data):
    places, offices, ini = data
    page = open_page(pages["es"])
    before = _hover_tooltip(page, TAPACHULA)
    assert _row(before, "Oficinas") == "6"  # the layer's count: six distinct existing sites
    page.select_option('select[data-filter="agency"]', "UNICEF")
    unicef = presence_by_area(places, offices, level="municipality", initiatives=ini, agency="UNICEF")
    want = unicef.set_index("cvegeo").loc[TAPACHULA]
    page.mouse.move(5, 400)
    after = _hover_tooltip(page, TAPACHULA)
    assert _row(after, "Oficinas") == str(int(want["offices"])) == "1"
    assert _row(after, "Iniciativas") == str(int(want["initiatives"]))
    assert _row(after, "Agencias") == str(int(want["agencies"])) == "1"
    notes = page.locator('[data-legend="brecha-muni:initiatives"] .brecha-3w-live').inner_text()
    assert f"Nacionales, sin lugar (no cartografiadas): {national_initiatives(places, agency='UNICEF')} " in notes
    assert f"lugar no nombrado (no cartografiadas): {unnamed_initiatives(places, agency='UNICEF')} " in notes
    page.select_option('select[data-filter="agency"]', "")
    page.mouse.move(5, 400)  # off the municipality: its tooltip is made afresh on the next hover
    assert _row(_hover_tooltip(page, TAPACHULA), "Oficinas") == "6"
    assert page.errors == []


def test_the_table_follows_the_filter_and_exports_csv_and_xlsx(open_page, pages, data, tmp_path):
    from openpyxl import load_workbook

    page = open_page(pages["es"])
    page.select_option('select[data-filter="agency"]', "UNICEF")
    body = page.locator(".brecha-3w tbody tr.main")
    n = body.count()
    assert n == page.evaluate("() => brecha.threeW.matrix().length - 1") > 0
    assert "Tapachula" in page.locator(".brecha-3w tbody").inner_text()
    with page.expect_download() as dl:
        page.locator('.brecha-3w [data-3w="csv"]').click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name == "brecha_3w_municipios_UNICEF.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == n + 1 and rows[0][:3] == ["clave", "Estado", "Municipio"]
    tap = next(r for r in rows if r[0] == TAPACHULA)
    assert tap[2] == "Tapachula" and tap[rows[0].index("Oficinas")] == "1"
    with page.expect_download() as dl:
        page.locator('.brecha-3w [data-3w="xlsx"]').click()
    xpath = tmp_path / dl.value.suggested_filename
    dl.value.save_as(xpath)
    sheet = load_workbook(xpath).active
    cells = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert cells == rows  # the same table, numbers as numbers
    assert isinstance(sheet.cell(row=2, column=rows[0].index("Oficinas") + 1).value, int)
    page.select_option('[data-3w="level"]', "s")
    assert "Chiapas" in page.locator(".brecha-3w tbody").inner_text()
    assert page.errors == []


def test_click_lists_what_is_reported_and_says_how_to_get_the_profile(open_page, pages):
    page = open_page(pages["es"])
    page.select_option('select[data-filter="agency"]', "UNICEF")
    _hover_tooltip(page, TAPACHULA)
    page.mouse.down()
    page.mouse.up()
    pop = page.locator(".leaflet-popup-content .brecha-3w-pop")
    pop.wait_for(state="visible", timeout=5_000)
    text = pop.inner_text()
    assert 'brecha profile "Tapachula, Chiapas" --out perfil.html' in text
    assert "UNICEF: 1" in text and "ACNUR" not in text  # the filter holds in the list too
    assert "municipio" in text  # each initiative's location precision


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_screenshots_offline(open_page, pages, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(pages["es"], width, height)
    docked = page.evaluate("() => document.documentElement.classList.contains('brecha-3w-docked')")
    assert docked == (width > 900)
    page.screenshot(path=str(SHOTS / f"test_presence_{width}.png"))
    if width <= 900:
        page.locator(".brecha-toggle button").click()
        page.locator(".brecha-3w-open").click()
        assert page.locator(".brecha-3w").is_visible()
        page.select_option('select[data-filter="agency"]', "UNICEF")
        page.screenshot(path=str(SHOTS / f"test_presence_{width}_table_unicef.png"))
    assert page.errors == [] and page.blocked == []


def test_gap_map_click_says_how_to_get_the_profile(open_page, tmp_path):
    from maps_support import municipal_layer

    ags = municipal_layer(("01",))
    page = open_page(maps.save_map(maps.gap_map(ags, top_n=0, tiles=False), tmp_path / "gap.html"))
    page.evaluate("""() => { const f = brecha.load('brecha-muni').index['01005'];
        brecha.map.fitBounds(L.geoJSON(f).getBounds(), {animate: false}); }""")
    page.wait_for_timeout(300)
    size = page.evaluate("() => { const s = brecha.map.getSize(); const r = brecha.map.getContainer()"
                         ".getBoundingClientRect(); return [r.left + s.x / 2, r.top + s.y / 2]; }")
    page.mouse.click(size[0], size[1])
    pop = page.locator(".leaflet-popup-content .brecha-profile-pop")
    pop.wait_for(state="visible", timeout=5_000)
    assert 'brecha profile "Jesús María, Aguascalientes" --out perfil.html' in pop.inner_text()
    assert page.errors == []


def test_a_state_view_counts_what_is_placed_in_the_state(open_page, data, tmp_path):
    places, offices, ini = data
    munis, _ = _layers(places, offices, ini)
    path = maps.save_map(maps.presence_map(munis, offices, places, state="Chiapas", tiles=False), tmp_path / "c.html")
    page = open_page(path)
    page.select_option('select[data-filter="agency"]', "UNICEF")
    n_ini = places[(places["agency"] == "UNICEF") & (places["cve_ent"] == "07")]["initiative_id"].nunique()
    sites = offices[(offices["agency"] == "UNICEF") & offices["status"].isin(["existing", "renovated"])
                    & (offices["cve_ent"] == "07")]["site_id"].nunique()
    assert page.locator(".brecha-filter-status").inner_text() == f"{n_ini} iniciativas · {sites} oficinas"
    assert page.errors == []
