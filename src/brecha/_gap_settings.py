"""Gap index settings: the components, their default weights and :class:`GapSettings`.

Re-exported by :mod:`brecha.gap`; kept apart so the index module stays short.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from .errors import InputError, Problem, require_columns

__all__ = ["GapSettings", "settings_table", "NEED", "PRESENCE", "REACH", "DEFAULT_WEIGHTS"]

#: Need components: high values mean more gap.
NEED: tuple[str, ...] = ("poverty_pct", "poverty_people", "care_unmet")
#: Reported-presence components: high values mean less gap (entered as lack of presence).
PRESENCE: tuple[str, ...] = ("initiatives", "agencies", "offices")
#: Reach component: its own axis, weight 0 unless asked for; never in ``presence_score``.
REACH: tuple[str, ...] = ("reach",)
#: Need and reported presence weigh half each; reach is left out (module docstring).
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {**{c: 1.0 for c in NEED + PRESENCE}, **{c: 0.0 for c in REACH}})
Normalisation = Literal["rank", "minmax"]
PresenceNormalisation = Literal["log_max", "rank", "minmax"]
Aggregation = Literal["geometric", "arithmetic"]


@dataclass(frozen=True)
class GapSettings:
    """Every setting of the gap index, with its default, in one place.

    Parameters
    ----------
    weights
        Component -> weight (>= 0) over :data:`NEED`, :data:`PRESENCE` and
        :data:`REACH`; components left out weigh 0. Default :data:`DEFAULT_WEIGHTS`.
    normalisation
        Need components: ``"rank"`` or ``"minmax"`` (counts log1p first), see :func:`brecha.gap.normalise`.
    presence_normalisation
        Presence components (``initiatives``, ``agencies``, ``offices``):
        ``"log_max"`` (default), ``log(1 + x) / log(1 + max x)``, the scale of
        :func:`brecha.presence.presence_score`, so one report stays modest; or
        ``"rank"`` / ``"minmax"`` as for need (see the :mod:`brecha.gap` docstring).
    aggregate
        ``"geometric"`` (INFORM) or ``"arithmetic"``; see the module docstring.
    presence_floor
        Lowest value of a lack-of-presence factor in the geometric mean (0..1).
    reach_scale_km
        Distance at which the reach component halves (km); used only when
        ``weights["reach"] > 0``.
    eb
        Smooth the poverty rate with :func:`brecha.gap.empirical_bayes` (municipalities;
        the state gap turns it off, every state being large).

    Raises
    ------
    InputError
        Every bad setting at once.

    >>> GapSettings(weights={"reach": 1.0}).weights["poverty_pct"]
    0.0
    >>> GapSettings.from_frame(GapSettings().to_frame()) == GapSettings()
    True
    """

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    normalisation: Normalisation = "rank"
    presence_normalisation: PresenceNormalisation = "log_max"
    aggregate: Aggregation = "geometric"
    presence_floor: float = 0.1
    reach_scale_km: float = 100.0
    eb: bool = True

    def __post_init__(self) -> None:
        w = dict(self.weights)
        problems = []
        for k, v in w.items():
            if k not in DEFAULT_WEIGHTS:
                problems.append(Problem("gap settings", None, f"weights.{k}", v,
                                        f"a component name, one of {list(DEFAULT_WEIGHTS)}"))
            elif not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0):
                problems.append(Problem("gap settings", None, f"weights.{k}", v, "a finite weight >= 0"))
        if not problems and sum(w.values()) <= 0:
            problems.append(Problem("gap settings", None, "weights", w, "at least one positive weight"))
        if self.normalisation not in ("rank", "minmax"):
            problems.append(Problem("gap settings", None, "normalisation", self.normalisation, "'rank' or 'minmax'"))
        if self.presence_normalisation not in ("log_max", "rank", "minmax"):
            problems.append(Problem("gap settings", None, "presence_normalisation", self.presence_normalisation,
                                    "'log_max', 'rank' or 'minmax'"))
        if self.aggregate not in ("geometric", "arithmetic"):
            problems.append(Problem("gap settings", None, "aggregate", self.aggregate,
                                    "'geometric' or 'arithmetic'"))
        if not (isinstance(self.presence_floor, (int, float)) and 0.0 <= self.presence_floor < 1.0):
            problems.append(Problem("gap settings", None, "presence_floor", self.presence_floor, "a number in [0, 1)"))
        if not (isinstance(self.reach_scale_km, (int, float)) and self.reach_scale_km > 0):
            problems.append(Problem("gap settings", None, "reach_scale_km", self.reach_scale_km,
                                    "a positive distance in km"))
        if not isinstance(self.eb, bool):
            problems.append(Problem("gap settings", None, "eb", self.eb, "true or false"))
        if problems:
            raise InputError(problems)
        # Complete with zeros and freeze, so that two equal settings compare equal.
        object.__setattr__(self, "weights", MappingProxyType({k: float(w.get(k, 0.0)) for k in DEFAULT_WEIGHTS}))
        object.__setattr__(self, "presence_floor", float(self.presence_floor))
        object.__setattr__(self, "reach_scale_km", float(self.reach_scale_km))

    @classmethod
    def of(cls, value: GapSettings | pd.DataFrame | Mapping[str, Any] | None) -> GapSettings:
        """Settings from what a caller or the pipeline hands over.

        None gives the defaults; a :class:`GapSettings` is kept; a frame is
        the ``gap_settings`` table (:meth:`to_frame`, what the pipeline
        passes from ``layer:gap_settings``); a mapping is keyword arguments.
        """
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, pd.DataFrame):
            return cls.from_frame(value)
        if isinstance(value, Mapping):
            return cls(**value)
        raise InputError([Problem("gap settings", None, None, type(value).__name__,
                                  "a GapSettings, its settings table or a mapping of settings")])

    def replace(self, **changes: Any) -> GapSettings:
        """A copy with ``changes`` (checked again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain types, for JSON, a manifest or a table."""
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["weights"] = dict(self.weights)
        return d

    def to_frame(self) -> pd.DataFrame:
        """One row per setting: ``setting`` and ``value`` (JSON text); the ``gap_settings`` table."""
        return pd.DataFrame({"setting": list(self.__dataclass_fields__),
                             "value": [json.dumps(v, sort_keys=True) for v in self.to_dict().values()]})

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> GapSettings:
        """Settings back from :meth:`to_frame` (the table the pipeline passes between layers)."""
        require_columns(frame, ("setting", "value"), "gap settings table")
        unknown = sorted(set(frame["setting"]) - set(cls.__dataclass_fields__))
        if unknown:
            raise InputError([Problem("gap settings table", None, "setting", u,
                                      f"one of {list(cls.__dataclass_fields__)}") for u in unknown])
        return cls(**{s: json.loads(v) for s, v in zip(frame["setting"], frame["value"])})


def settings_table(*, weights: Mapping[str, float] | None = None, normalisation: Normalisation | None = None,
                   presence_normalisation: PresenceNormalisation | None = None,
                   aggregate: Aggregation | None = None, presence_floor: float | None = None,
                   reach_scale_km: float | None = None, eb: bool | None = None) -> pd.DataFrame:
    """The ``gap_settings`` table: one row per setting (``setting``, ``value`` as JSON text).

    A setting left as None keeps its default, defined once in :class:`GapSettings`;
    the pipeline hands this table to the municipal and state gaps and the weight sensitivity.

    >>> settings_table(aggregate="arithmetic").set_index("setting").loc["aggregate", "value"]
    '"arithmetic"'
    """
    given: dict[str, Any] = {"weights": weights, "normalisation": normalisation,
                             "presence_normalisation": presence_normalisation, "aggregate": aggregate,
                             "presence_floor": presence_floor, "reach_scale_km": reach_scale_km, "eb": eb}
    return GapSettings(**{k: v for k, v in given.items() if v is not None}).to_frame()
