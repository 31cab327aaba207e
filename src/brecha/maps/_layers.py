"""folium elements that hand data and settings to the page's runtime.

Data go into ``<script type="application/json">`` blocks (parsed once, shared
by every layer that draws them); layers and controls are one call each into
``brecha.*`` (assets/brecha/brecha-maps.js). Input text is never part of a
template's source, so names such as ``{{ 7*7 }}`` stay text.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from ._escape import esc, script_json

__all__ = ["add_data", "RuntimeLayer", "RuntimeCall", "js_list"]


class _DataBlock(Element):
    _template = Template('<script type="application/json" id="{{ this.block_id }}">{{ this.payload }}</script>')

    def __init__(self, block_id: str, payload: str):
        super().__init__()
        self.block_id = block_id
        self.payload = payload


def add_data(m: folium.Map, block_id: str, data: dict) -> str:
    """Embed ``data`` in the page under ``block_id``; returns the id."""
    m.get_root().html.add_child(  # type: ignore[attr-defined]  # a Figure: it has an html element
        _DataBlock(block_id, script_json(data)), name=block_id)
    return block_id


def js_list(elements: Sequence[MacroElement]) -> str:
    """A JavaScript array of the variables folium gives ``elements``."""
    return "[" + ", ".join(e.get_name() for e in elements) + "]"


class RuntimeLayer(Layer):
    """A layer made by ``brecha.<func>(map, options, *refs)``, listed in the layer control.

    Parameters
    ----------
    func
        Runtime function: ``choropleth``, ``shapes``, ``points``, ``rankMarkers``.
    options
        JSON-able settings (data block id, classes, tooltip rows...).
    name
        The label in the layer control (escaped here: Leaflet shows it as HTML).
    overlay
        Checkbox (True) or radio button shared with the other base layers (False).
    control
        False: not in the layer control (a layer other layers add and remove).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = brecha.{{ this.func }}({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(self, func: str, options: dict, *, name: str, overlay: bool, show: bool = True,
                 control: bool = True):
        super().__init__(name=esc(name), overlay=overlay, control=control, show=show)
        self._name = "BrechaLayer"
        self.func = func
        self.options_json = script_json(options)


class RuntimeCall(MacroElement):
    """One call ``brecha.<func>(map, *args)``; args are JavaScript expressions.

    Use :func:`brecha.maps._escape.script_json` for values and
    :func:`js_list` or ``element.get_name()`` for references.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        brecha.{{ this.func }}({{ this._parent.get_name() }}{% for a in this.args %}, {{ a }}{% endfor %});
        {% endmacro %}
        """
    )

    def __init__(self, func: str, *args: str):
        super().__init__()
        self._name = "BrechaCall"
        self.func = func
        self.args = list(args)
