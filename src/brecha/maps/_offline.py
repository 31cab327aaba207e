"""Standalone HTML: every script and stylesheet inlined, nothing fetched.

folium's own pages load Leaflet, jQuery, Bootstrap and Font-Awesome from
CDNs and show a blank page without internet. brecha's map class and plugins
name only the pinned copies in ``assets/`` (``brecha-asset:`` URLs); this
module swaps each reference for the file's text and refuses to write a page
that would still load a script or stylesheet from anywhere.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen as _FoliumFullscreen
from folium.template import Template

from .._atomic import atomic_write
from ..errors import BrechaError
from ._assets import FULLSCREEN, LEAFLET, MARKERCLUSTER, RUNTIME, SCHEME, read_asset
from ._escape import esc, script_json

__all__ = ["OfflineMap", "Fullscreen", "ClusterAssets", "inline_assets", "render_html", "save_map", "MapInfo"]

log = logging.getLogger(__name__)

_SCRIPT = re.compile(r'<script\s+src="([^"]*)"\s*>\s*</script>', re.I)
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]*)"\s*/?>', re.I)
# Inline code (no src attribute) is skipped when looking for external references.
_CODE = re.compile(r"<(script|style)\b(?![^>]*\bsrc\s*=)[^>]*>.*?</\1>", re.S | re.I)
_EXTERNAL = re.compile(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\bhref\s*=\s*[\"']?(?!data:)"
                       r"|<(?:img|iframe)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.I)


class OfflineMap(folium.Map):
    """A folium Map whose page loads only Leaflet and brecha's runtime, both inlined.

    jQuery, Bootstrap, Font-Awesome and awesome-markers (folium's defaults)
    are dropped: brecha's maps draw their own icons and popups.
    """

    default_js = LEAFLET[0] + RUNTIME[0]
    default_css = LEAFLET[1] + RUNTIME[1]
    # Set by brecha.maps._base.new_map / finish: the basemap switch, the states of a one-state view,
    # the simplification tolerance (degrees) and the index card.
    _brecha_tiles: bool = False
    _brecha_states: list[str] | None = None
    _brecha_tolerance: float = 0.011
    _brecha_info: MapInfo | None = None

    def _repr_html_(self, **kwargs) -> str:
        # folium's own notebook display skips the inlining and would draw nothing offline.
        return inline_html(self)


def inline_html(m: folium.Map, *, height_px: int = 560) -> str:
    """The standalone page of ``m`` in a sandboxed ``<iframe srcdoc>``, for notebooks.

    The map's scripts run inside the frame but cannot reach the notebook page.
    """
    import html

    page = html.escape(render_html(m), quote=True)
    return (f'<iframe srcdoc="{page}" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
            f'allow="fullscreen" style="width:100%;height:{int(height_px)}px;border:none"></iframe>')


class Fullscreen(_FoliumFullscreen):
    """folium's fullscreen button with the pinned leaflet.fullscreen 3.0.2."""

    default_js, default_css = FULLSCREEN


class ClusterAssets(JSCSSMixin, MacroElement):
    """Adds Leaflet.markercluster 1.5.3 to the page (the runtime creates the groups)."""

    _template = Template("")
    default_js, default_css = MARKERCLUSTER

    def __init__(self):
        super().__init__()
        self._name = "ClusterAssets"


@dataclass(frozen=True)
class MapInfo:
    """What the index page shows for a map: title, one-line summary, preview (inline SVG)."""

    name: str
    title: str
    summary: str
    lang: str
    preview_svg: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def inline_assets(html: str) -> str:
    """Replace every ``brecha-asset:`` script and stylesheet link by its text.

    Raises
    ------
    BrechaError
        The page still references a script, stylesheet, image or frame on
        another host (it would not work offline).
    """
    def script(m: re.Match) -> str:
        src = m.group(1)
        if not src.startswith(SCHEME):
            return m.group(0)
        return f"<script>/* {esc(src[len(SCHEME):])} */\n{read_asset(src[len(SCHEME):])}\n</script>"

    def link(m: re.Match) -> str:
        href = m.group(1)
        if not href.startswith(SCHEME):
            return m.group(0)
        return f"<style>/* {esc(href[len(SCHEME):])} */\n{read_asset(href[len(SCHEME):])}\n</style>"

    html = _LINK.sub(link, _SCRIPT.sub(script, html))
    # Look only at markup: inlined code may mention URLs in strings (tile templates).
    markup = _CODE.sub("", html)
    bad = _EXTERNAL.search(markup)
    if bad:
        raise BrechaError(f"the map would still load a resource from the network: {bad.group(0)}")
    return html


def render_html(m: folium.Map) -> str:
    """The map as one standalone HTML page (assets inlined, ``lang`` and ``<title>`` set)."""
    html = inline_assets(m.get_root().render())
    info: MapInfo | None = getattr(m, "_brecha_info", None)
    if info is not None:
        head = (f"<title>{esc(info.title)}</title>\n"
                f'<script type="application/json" id="brecha-meta">{script_json(info.to_dict())}</script>\n')
        html = html.replace("<head>", "<head>\n" + head, 1)
        html = html.replace("<html>", f'<html lang="{esc(info.lang)}">', 1)
    return html


def save_map(m: folium.Map, path: str | os.PathLike) -> Path:
    """Write ``m`` as a standalone HTML file that works offline, atomically.

    Returns
    -------
    Path
        ``path``; its size is logged in MB.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from brecha import geography
    >>> from brecha.maps import choropleth_map
    >>> m = choropleth_map(geography.states().assign(share=range(32)), column="share")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = save_map(m, Path(tmp) / "states.html").read_text(encoding="utf-8")
    >>> "<script src=" in page, "L.map" in page  # every script inlined: it opens offline
    (False, True)
    """
    html = render_html(m)
    out = atomic_write(path, html)
    log.info("wrote %s (%.2f MB)", out, len(html.encode("utf-8")) / 1e6)
    return out
