"""Draw time of an HTML map in headless Chromium (Debian's, never a downloaded one).

Draw time runs from navigation start (``performance.now()``'s time origin)
until the map's polygons are drawn: with Leaflet's SVG renderer, until their
``<path>`` elements are in the DOM; with the canvas renderer (brecha's maps
use ``preferCanvas``), until they are projected and no redraw is pending.
The page is polled on every animation frame and the first frame where at
least the expected number of polygons is drawn is recorded.
Each run uses a fresh browser context (empty cache). Requests that leave the
machine (folium links Leaflet, Bootstrap and fonts from CDNs; both maps ask
for basemap tiles) are answered locally: Leaflet from brecha's vendored
copy, anything else with an empty 200 response, so no page waits on the
network.
"""

from __future__ import annotations

import mimetypes
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}

# Runs before any page script: registers every Leaflet map the page creates.
_HOOK = """(() => {
    let leaflet;
    window.__brechaMaps = [];
    Object.defineProperty(window, "L", {
        configurable: true,
        get() { return leaflet; },
        set(v) {
            leaflet = v;
            if (v && v.Map && v.Map.addInitHook) v.Map.addInitHook(function () { window.__brechaMaps.push(this); });
        },
    });
})();"""

# A vector layer is drawn when its SVG element is in the document, or, with the
# canvas renderer, when it is projected and its renderer has no redraw pending.
_DRAWN = """(n) => {
    const L = window.L;
    if (!L) return false;
    let drawn = 0, pending = false;
    for (const map of window.__brechaMaps) {
        for (const layer of Object.values(map._layers)) {
            if (!(layer instanceof L.Path)) continue;
            if (layer._path) { if (layer._path.isConnected) drawn++; }
            else if (layer._renderer && layer._parts) { drawn++; pending = pending || !!layer._renderer._redrawRequest; }
        }
    }
    if (drawn >= n && !pending) {
        window.__brechaDrawnAt = window.__brechaDrawnAt || performance.now();
        window.__brechaDrawn = drawn;
        return true;
    }
    return false;
}"""


@dataclass
class Draw:
    """Draw times of one page and what the page asked of the network."""

    times_s: list[float] = field(default_factory=list)
    paths: int = 0  #: vector layers drawn when the clock stopped
    renderer: str = ""  #: Leaflet's renderer: "svg" or "canvas"
    offline_requests: set[str] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)


def chromium_path() -> str:
    """Debian's chromium; a clear error (not a download) when it is missing."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        raise RuntimeError("chromium is missing: run scripts/ensure-chromium (apt-get install chromium); "
                           "the benchmarks never download a browser")
    return path


def _local_asset(url: str, leaflet_dir: Path) -> Path | None:
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if "leaflet" in url and name in ("leaflet.js", "leaflet.css"):
        return leaflet_dir / name
    return None


class Browser:
    """One headless Chromium for several pages: ``with Browser(leaflet_dir) as b: b.draw_times(...)``."""

    def __init__(self, leaflet_dir: Path):
        self.leaflet_dir = leaflet_dir

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=chromium_path(), args=ARGS, headless=True)
        except BaseException:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    def draw_times(self, html: Path, *, expected: int, runs: int, timeout_s: float = 600.0) -> Draw:
        """Load ``html`` ``runs`` times; time until ``expected`` vector layers (polygons) are drawn."""
        out = Draw()

        def route(r) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
                return
            out.offline_requests.add(url)
            local = _local_asset(url, self.leaflet_dir)
            if local is not None and local.exists():
                r.fulfill(status=200, body=local.read_bytes(),
                          content_type=mimetypes.guess_type(local.name)[0] or "application/octet-stream")
            else:
                r.fulfill(status=200, body=b"",
                          content_type=mimetypes.guess_type(url.split("?")[0])[0] or "text/plain")

        for _ in range(runs):
            context = self._browser.new_context(viewport=VIEWPORT)
            try:
                context.route("**/*", route)
                context.add_init_script(_HOOK)
                page = context.new_page()
                page.on("console", lambda m: out.console_errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: out.console_errors.append(str(e)))
                page.goto(html.resolve().as_uri(), wait_until="commit", timeout=timeout_s * 1000)
                page.wait_for_function(_DRAWN, arg=expected, polling="raf", timeout=timeout_s * 1000)
                out.times_s.append(page.evaluate("window.__brechaDrawnAt") / 1000.0)
                out.paths = page.evaluate("window.__brechaDrawn")
                out.renderer = page.evaluate(
                    "document.querySelector('.leaflet-overlay-pane canvas') ? 'canvas' : 'svg'")
            finally:
                context.close()
        return out
