"""Readers for agency presence data: field offices and initiatives.

Both come from the agencies' own reports, so every place is written the way
a report writes it. Places are resolved with :mod:`brecha.places`; every
name that cannot be resolved to exactly one code is a problem reported with
its line, column and the candidates. Each office and each place of an
initiative carries a location precision (:data:`PRECISION`), agencies are
the acronyms of ``data/agencies_catalog.csv``, and people reached are read
from the initiatives' figures where they count people.

The code lives in :mod:`._offices`, :mod:`._office_points`,
:mod:`._initiatives`, :mod:`._figures` and :mod:`._agency_common`; this
module is the public face and keeps the historical names importable.
"""

from __future__ import annotations

from ._agency_common import (
                             INITIATIVE_HEADERS,
                             OFFICE_HEADERS,
                             OFFICE_STATUS,
                             PLACEHOLDERS,
                             PRECISION,
                             STATUS_ALIASES,
                             agency_catalog,
                             canonical_agency,
                             normalize_agency,
)
from ._agency_common import place_problem as _place_problem  # noqa: F401  (old private name)
from ._agency_common import split_cell as _split  # noqa: F401  (old private name)
from ._figures import parse_figure, people_columns
from ._initiatives import initiative_places, read_initiatives, unnamed_places
from ._office_points import POINT_TOLERANCE_KM
from ._offices import DEPLOYMENT_TABLE_EXCLUDES, assign_sites, read_offices

#: One name for an agency that reports write two ways (kept for older imports; the catalogue
#: ``data/agencies_catalog.csv`` is the full list).
AGENCY_ALIASES = {"un global compact mexico": "UN Global Compact"}

__all__ = ["read_offices", "read_initiatives", "initiative_places", "OFFICE_STATUS", "normalize_agency",
           "PRECISION", "POINT_TOLERANCE_KM", "STATUS_ALIASES", "OFFICE_HEADERS", "INITIATIVE_HEADERS",
           "PLACEHOLDERS", "agency_catalog", "canonical_agency", "parse_figure", "people_columns",
           "unnamed_places", "assign_sites", "DEPLOYMENT_TABLE_EXCLUDES"]
