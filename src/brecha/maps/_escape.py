"""Text that came from an input file, made safe for HTML and for inline scripts.

Two rules, applied everywhere a map is written:

* text placed in HTML markup built in Python (legends, layer names, the
  index page) goes through :func:`esc`;
* data handed to the page's scripts goes through :func:`script_json`, which
  also escapes ``<``, ``>`` and ``&`` so no value can close a ``<script>``
  element. The page's runtime then inserts strings with ``textContent`` or
  its own ``brecha.esc``.

Both also neutralise Jinja delimiters (``{{``, ``{%``, ``{#``): folium
(through branca) renders each element's script and then parses the result
again as a template, so a name such as ``{{ 7*7 }}`` would otherwise be
evaluated on the machine that builds the map.

>>> esc('<img src=x onerror=alert(1)>')
'&lt;img src=x onerror=alert(1)&gt;'
>>> esc("{{ 7*7 }}")
'&#123;&#123; 7*7 &#125;&#125;'
>>> script_json(["{{ 7*7 }}"])
'["{\\\\u007b 7*7 }}"]'
>>> script_json({"name": "</script><b>"})
'{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

__all__ = ["esc", "script_json", "clean_json"]

_JS_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
              # Jinja openers can only occur inside JSON strings, where \uXXXX keeps their meaning.
              "{{": "{\\u007b", "{%": "{\\u0025", "{#": "{\\u0023"}


def esc(text: Any) -> str:
    """HTML-escape ``text`` (quotes included); ``None`` and NaN become ``""``."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def clean_json(obj: Any) -> Any:
    """Replace NaN and infinities by ``None`` and numpy scalars by Python ones, recursively."""
    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def script_json(obj: Any) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(clean_json(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, rep in _JS_UNSAFE.items():
        text = text.replace(ch, rep)
    return text
