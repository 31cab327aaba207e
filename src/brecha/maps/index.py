"""``index.html``: one page linking every map in a folder, each with a preview and one line.

Each map written by :func:`brecha.maps.save_map` carries its title, summary
and an SVG preview in a ``<script id="brecha-meta">`` block, so the index
can be rebuilt from the folder alone (the CLI renders one map at a time).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._atomic import atomic_write
from ._base import attribution_html
from ._escape import esc
from ._i18n import t
from ._terms import EMBEDDED_REPORTS

__all__ = ["IndexEntry", "read_entry", "write_index", "index_lang"]

log = logging.getLogger(__name__)

_LANG = re.compile(r'<html lang="(es|en)"')
_META = re.compile(r'<script type="application/json" id="brecha-meta">(.*?)</script>', re.S)
# Previews are brecha-made; a file edited by hand gets no preview rather than a script.
_SVG_TAG = re.compile(r"<(/?)(svg|title|rect|path)\b([^<>]*)>")
_SVG_BAD = re.compile(r"\bon\w+\s*=|javascript:|href|<!|url\(", re.I)


@dataclass(frozen=True)
class IndexEntry:
    """One map on the index page.

    ``file`` is relative to the maps folder; ``preview_svg`` is inline SVG
    made by brecha, ``thumbnail`` an optional PNG path relative to the folder.
    """

    file: str
    title: str
    summary: str
    preview_svg: str = ""
    thumbnail: str | None = None


def _safe_svg(svg: str) -> str:
    if not svg or _SVG_BAD.search(svg):
        return ""
    rest = _SVG_TAG.sub("", svg)
    return svg if "<" not in rest and ">" not in rest else ""


def read_entry(path: str | os.PathLike) -> IndexEntry | None:
    """The index entry a brecha map file describes, or None for other HTML files."""
    path = Path(path)
    head = path.read_text(encoding="utf-8", errors="replace")[:400_000]
    m = _META.search(head)
    if not m:
        return None
    try:
        meta = json.loads(m.group(1))
    except json.JSONDecodeError:
        log.warning("%s: unreadable brecha-meta block; left out of the index", path)
        return None
    return IndexEntry(path.name, str(meta.get("title", path.stem)), str(meta.get("summary", "")),
                      _safe_svg(str(meta.get("preview_svg", ""))))


def index_lang(maps_dir: str | os.PathLike, default: str = "es") -> str:
    """The language of the folder's existing ``index.html``, or ``default`` when it has none.

    Rendering one English map into a Spanish folder must not turn its index English.
    """
    path = Path(maps_dir) / "index.html"
    if not path.is_file():
        return default
    m = _LANG.search(path.read_text(encoding="utf-8", errors="replace")[:2000])
    return m.group(1) if m else default


def _card(e: IndexEntry) -> str:
    href = esc(e.file)
    if e.thumbnail:
        pic = f'<img src="{esc(e.thumbnail)}" alt="" width="240" height="160">'
    else:
        pic = _safe_svg(e.preview_svg) or '<div class="blank"></div>'
    return (f'<li><a href="{href}"><figure>{pic}</figure><span class="t">{esc(e.title)}</span></a>'
            f'<p>{esc(e.summary)}</p></li>')


_CSS = """
body { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 2rem auto;
       max-width: 1080px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
ul { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 1rem; }
li { border: 1px solid #ddd; border-radius: 6px; padding: .6rem; background: #fff; }
a { color: #1f4e79; text-decoration: none; } a:hover .t { text-decoration: underline; }
figure { margin: 0 0 .4rem; } figure svg, figure img, .blank { display: block; width: 100%; height: auto;
  background: #eef1f4; border-radius: 4px; } .blank { aspect-ratio: 3 / 2; }
.t { font-weight: 600; } p { margin: .3rem 0 0; font-size: 13px; color: #444; }
footer { margin-top: 2rem; font-size: 12px; color: #555; }
"""  # noqa: E501  (one CSS rule per line, as the page ships it)


def write_index(maps_dir: str | os.PathLike, entries: Iterable[IndexEntry] | None = None, *,
                lang: str = "es") -> Path:
    """Write ``maps_dir/index.html`` linking the maps, atomically.

    Parameters
    ----------
    entries
        The maps to list; by default every brecha map found in ``maps_dir``
        (sorted by file name).
    lang
        Language of the page's own words.
    """
    maps_dir = Path(maps_dir)
    if entries is None:
        found = (read_entry(p) for p in sorted(maps_dir.glob("*.html")) if p.name != "index.html")
        entries = [e for e in found if e is not None]
    entries = list(entries)
    cards = "\n".join(_card(e) for e in entries)
    title = t(lang, "index_title")
    html = (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{esc(title)}</h1>\n<p>{esc(t(lang, 'index_note'))}</p>\n"
            f"<ul>\n{cards}\n</ul>\n<footer>{attribution_html(lang, EMBEDDED_REPORTS)}</footer>\n</body>\n</html>\n")
    out = atomic_write(maps_dir / "index.html", html)
    log.info("wrote %s (%d maps)", out, len(entries))
    return out
