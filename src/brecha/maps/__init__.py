"""Interactive coverage and gap maps that work offline.

Each function takes the analysis frames and returns a :class:`folium.Map`
(:func:`choropleth_map` colours any one column of a state or municipal layer);
:func:`save_map` writes it as one standalone HTML file with Leaflet and every
plugin inlined (no CDN, no network), and :func:`write_index` links the maps
of a folder on one page. Labels are Spanish by default (``lang="en"`` for
English); ``state=`` (any spelling) renders one state at municipal detail.

>>> sorted(MAPS)
['care', 'choropleth', 'gap', 'presence', 'reach', 'years']
"""

from ._offline import MapInfo, render_html, save_map
from .care import care_map
from .choropleth import choropleth_map
from .gap import gap_map
from .index import IndexEntry, read_entry, write_index
from .presence import presence_map
from .reach import reach_map
from .years import years_map

__all__ = ["presence_map", "reach_map", "care_map", "gap_map", "choropleth_map", "years_map", "save_map", "render_html",
           "write_index", "read_entry", "IndexEntry", "MapInfo", "map_info", "MAPS"]

#: Map function name -> function: the registry's ``maps.<name>`` entries (brecha.pipeline._maps), one each.
MAPS = {"presence": presence_map, "reach": reach_map, "care": care_map, "gap": gap_map, "choropleth": choropleth_map,
        "years": years_map}


def map_info(m) -> MapInfo | None:
    """Title, summary and preview a brecha map carries for the index page (None for other maps)."""
    return getattr(m, "_brecha_info", None)
