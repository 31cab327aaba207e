"""The presence columns the layers carry, as the shared contract names them.

The counting rules belong to :mod:`brecha.presence`
(:func:`brecha.presence.presence_by_area`); this module only asks it for the
contract columns per municipality or state, over the boundaries the layer
was given, in the layer's row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from . import presence

__all__ = ["PRESENCE_COLUMNS", "presence_columns"]

#: Contract presence columns, in layer order.
PRESENCE_COLUMNS: tuple[str, ...] = ("initiatives", "initiatives_state_scope", "agencies", "offices",
                                     "offices_planned", "people_reached", "presence_evidence", "office_evidence")
_KEYS = {"municipality": "cvegeo", "state": "cve_ent"}


def presence_columns(places: pd.DataFrame, offices: pd.DataFrame, boundaries: pd.DataFrame, *,
                     level: Literal["municipality", "state"],
                     office_status: str | Sequence[str] | None = None,
                     initiatives: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key and :data:`PRESENCE_COLUMNS` for every row of ``boundaries``, in its order.

    Parameters
    ----------
    places, offices, initiatives
        As for :func:`brecha.presence.presence_by_area`.
    boundaries
        The layer's areas: ``cvegeo`` and ``cve_ent`` (municipalities) or ``cve_ent`` (states).
    level
        ``"municipality"`` or ``"state"``.
    office_status
        Office statuses that count (:data:`brecha.presence.DEFAULT_OFFICE_STATUS` when None).
    """
    key = _KEYS[level]
    out = presence.presence_by_area(places, offices, level=level, boundaries=boundaries, status=office_status,
                                    initiatives=initiatives)
    out = pd.DataFrame(boundaries[[key]]).merge(pd.DataFrame(out)[[key, *PRESENCE_COLUMNS]], on=key, how="left")
    return out
