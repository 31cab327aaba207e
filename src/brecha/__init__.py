"""brecha: coverage and gap analysis for Mexico.

Where development agencies are, and where they are needed: INEGI boundaries
joined with initiatives, field offices, care supply and demand, and CONEVAL
poverty, turned into layers, ranked gap tables and offline maps.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("brecha")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())
