"""The pinned JavaScript and CSS shipped in ``brecha/maps/assets``.

Map elements name their files with ``brecha-asset:`` URLs (see :func:`url`);
:func:`brecha.maps._offline.inline_assets` replaces each such ``<script src>``
and ``<link href>`` with the file's text, so the saved HTML needs no network.
``assets/README.md`` names the npm package and version of every file.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["ASSET_DIR", "SCHEME", "VENDORED", "url", "read_asset", "LEAFLET", "MARKERCLUSTER", "FULLSCREEN", "RUNTIME"]

ASSET_DIR = Path(__file__).resolve().parent / "assets"
SCHEME = "brecha-asset:"

#: npm package -> pinned version of each vendored library.
VENDORED = {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "leaflet.fullscreen": "3.0.2"}


def url(rel: str) -> str:
    """The placeholder URL of asset ``rel`` (a path under ``assets/``)."""
    return SCHEME + rel


# (name, url) pairs in folium's default_js / default_css form.
LEAFLET = ([("leaflet", url("leaflet/leaflet.js"))], [("leaflet_css", url("leaflet/leaflet.css"))])
RUNTIME = ([("brecha_js", url("brecha/brecha-maps.js")), ("brecha_places_js", url("brecha/brecha-places.js"))],
           [("brecha_css", url("brecha/brecha-maps.css"))])
MARKERCLUSTER = (
    [("markercluster_js", url("leaflet.markercluster/leaflet.markercluster.js"))],
    [("markercluster_css", url("leaflet.markercluster/MarkerCluster.css")),
     ("markercluster_default_css", url("leaflet.markercluster/MarkerCluster.Default.css"))],
)
FULLSCREEN = ([("fullscreen_js", url("leaflet.fullscreen/Control.FullScreen.js"))],
              [("fullscreen_css", url("leaflet.fullscreen/Control.FullScreen.css"))])

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.M)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^)'\"]+)\1\s*\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@lru_cache(maxsize=32)
def read_asset(rel: str) -> str:
    """Text of asset ``rel``, ready to inline.

    Scripts lose their ``sourceMappingURL`` comment (the map file is not
    shipped, and a browser would try to fetch it); stylesheets get every
    relative ``url(...)`` replaced by a ``data:`` URI of the shipped image.

    Raises
    ------
    FileNotFoundError
        ``rel`` is not a shipped asset, or names a path outside ``assets/``.
    ValueError
        The text contains ``</script`` or ``</style``, which would end the
        inline element early.
    """
    path = (ASSET_DIR / rel).resolve()
    if ASSET_DIR not in path.parents or not path.is_file():
        raise FileNotFoundError(f"no shipped map asset {rel!r} under {ASSET_DIR}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".js":
        text = _SOURCE_MAP.sub("", text)
    elif path.suffix == ".css":
        def inline(m: re.Match) -> str:
            target = m.group(2)
            if target.startswith(("data:", "#")):
                return m.group(0)
            return f'url("{_data_uri((path.parent / target).resolve())}")'
        text = _CSS_URL.sub(inline, text)
    if re.search(r"</(script|style)", text, re.I):
        raise ValueError(f"asset {rel} contains a closing script/style tag and cannot be inlined")
    return text
