"""A click popup on a map that says how to get the place's printable profile (``brecha profile``).

Profiles are files written by the CLI (:mod:`brecha.cli.profile`), so a map
cannot link to one it did not write; its popup repeats the tooltip and gives
the exact command for the clicked place.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from ._assets import url
from ._escape import script_json
from ._layers import RuntimeCall

__all__ = ["profile_popup", "PROFILE_POPUP"]

#: The runtime popup builder's name (``brecha.popups.profile``).
PROFILE_POPUP = "profile"
_HINT = {"es": ("Perfil imprimible de este lugar:", "perfil.html"),
         "en": ("Printable profile of this place:", "profile.html")}


class _ProfileAssets(JSCSSMixin, MacroElement):
    _template = Template("")
    default_js = [("brecha_profile_js", url("brecha/brecha-profile.js"))]

    def __init__(self):
        super().__init__()
        self._name = "ProfileAssets"


def profile_popup(m: folium.Map, lang: str) -> str:
    """Add the profile popup to ``m``; returns the name to give a choropleth's ``popup``.

    The layer's tooltip is shown again in the popup, then the command
    ``brecha profile "Name, State" --out perfil.html``.
    """
    hint, out = _HINT["es" if lang == "es" else "en"]
    m.add_child(_ProfileAssets())
    m.add_child(RuntimeCall("profilePopup", script_json({"hint": hint, "out": out})))
    return PROFILE_POPUP
