"""Readers for every source brecha uses, and the catalogue of embedded data.

Each reader takes the official file a user would download (or brecha's
embedded copy) and returns a (Geo)DataFrame keyed by ``cvegeo`` or
``cve_ent``, after checking every row and reporting all problems at once.
"""

from ._load import load
from ._registry import SOURCES, Source, source
from .agencies import initiative_places, read_initiatives, read_offices
from .boundaries import check_coverage, read_boundaries, read_marco_geoestadistico
from .catalog import catalog
from .census import read_census_localities, read_census_municipal
from .coneval_state import read_coneval_state
from .denue import read_denue
from .poverty import read_coneval_municipal

__all__ = [
    "read_boundaries",
    "read_marco_geoestadistico",
    "check_coverage",
    "read_census_municipal",
    "read_census_localities",
    "read_coneval_municipal",
    "read_coneval_state",
    "read_denue",
    "read_offices",
    "read_initiatives",
    "initiative_places",
    "load",
    "catalog",
    "SOURCES",
    "Source",
    "source",
]
