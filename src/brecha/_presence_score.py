"""Presence score and class from reported presence only (no reach).

Method, checkable by hand:

1. Each component ``c`` of :data:`PRESENCE_COMPONENTS` (``initiatives``,
   ``agencies``, ``offices``: counts from :func:`brecha.presence.presence_by_area`)
   is scaled to 0..1 as ``log(1 + x) / log(1 + max x)`` over the areas of the
   frame (0 everywhere when the maximum is 0). The logarithm keeps one city
   with ten initiatives from flattening every place with one or two; counts
   this small are about "some" against "many", not proportional amounts.
2. ``presence_score`` is the weighted mean of the scaled components (equal
   weights by default): 0 exactly when nothing is placed in the area, 1 only
   where every component reaches the frame's maximum.
3. ``presence_class``: 1 (low) where ``initiatives == 0`` and ``offices == 0``
   (nothing placed there, whatever else is known); among the other areas,
   3 (high) where the score is above their median and 2 (medium) otherwise.
   So class 3 always has an initiative or an office, and ties at the bottom
   (many places with a single initiative) stay medium.

Distance to offices (reach) and state-scope initiatives are not inputs: the
first is another axis (:mod:`brecha.reach`), the second names no place in the area.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, step 5
(normalisation by rescaling; log transform of skewed counts).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import InputError, Problem

__all__ = ["PRESENCE_COMPONENTS", "presence_score", "presence_class"]

#: Counts the score is made of, in the order of the default equal weights.
PRESENCE_COMPONENTS: tuple[str, ...] = ("initiatives", "agencies", "offices")


def _counts(frame: pd.DataFrame, cols: tuple[str, ...]) -> dict[str, np.ndarray]:
    problems = [Problem("presence frame", None, c, None, "a column of that name") for c in cols if c not in frame]
    if problems:
        raise InputError(problems)
    out = {}
    for c in cols:
        v = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        problems += [Problem("presence frame", int(i) + 1, c, frame[c].iloc[i], "a count >= 0")
                     for i in bad[:20]]
        out[c] = v
    if problems:
        raise InputError(problems)
    return out


def presence_score(frame: pd.DataFrame, *, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Reported presence, 0 (nothing placed) to 1 (the frame's most present area).

    Parameters
    ----------
    frame
        Areas with ``initiatives``, ``agencies`` and ``offices`` counts
        (:func:`brecha.presence.presence_by_area`, or a layer carrying them).
    weights
        Weight per component (non-negative, not all 0); equal by default.

    Returns
    -------
    Series
        ``presence_score`` (float, 0..1), aligned to ``frame.index``.

    Examples
    --------
    >>> f = pd.DataFrame({"initiatives": [0, 1, 3], "agencies": [0, 1, 2], "offices": [0, 0, 1]})
    >>> presence_score(f).round(3).tolist()
    [0.0, 0.377, 1.0]
    """
    w = dict.fromkeys(PRESENCE_COMPONENTS, 1.0) if weights is None else dict(weights)
    unknown = [c for c in w if c not in PRESENCE_COMPONENTS]
    if unknown or any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"weights must map {PRESENCE_COMPONENTS} to non-negative numbers, not all 0; got {w}")
    cols = tuple(c for c in PRESENCE_COMPONENTS if w.get(c, 0) > 0)
    counts = _counts(frame, cols)
    total = sum(w[c] for c in cols)
    score = np.zeros(len(frame))
    for c in cols:
        top = counts[c].max(initial=0.0)
        if top > 0:
            score += w[c] * np.log1p(counts[c]) / np.log1p(top)
    return pd.Series(score / total, index=frame.index, name="presence_score")


def presence_class(frame: pd.DataFrame, score: pd.Series | None = None) -> pd.Series:
    """Presence class 1 (low) .. 3 (high); never 3 without an initiative or an office.

    Parameters
    ----------
    frame
        Areas with ``initiatives`` and ``offices`` (and ``agencies`` when
        ``score`` is not given).
    score
        :func:`presence_score` of ``frame``, computed when not given.

    Returns
    -------
    Series
        ``presence_class`` (Int64), aligned to ``frame.index``: 1 where nothing
        is placed; else 3 above the median score of the areas with something
        placed, 2 otherwise (module docstring).

    Examples
    --------
    >>> f = pd.DataFrame({"initiatives": [0, 1, 1, 3], "agencies": [1, 1, 1, 2], "offices": [0, 0, 0, 1]})
    >>> presence_class(f).tolist()
    [1, 2, 2, 3]
    """
    counts = _counts(frame, ("initiatives", "offices"))
    s = presence_score(frame) if score is None else pd.Series(score, index=frame.index)
    if len(s) != len(frame) or s.isna().any():
        raise ValueError("score must be the presence_score of frame: one finite value per row")
    something = (counts["initiatives"] > 0) | (counts["offices"] > 0)
    cls = np.ones(len(frame), dtype="int64")
    if something.any():
        values = s.to_numpy(dtype=float)
        median = float(np.median(values[something]))
        cls[something] = np.where(values[something] > median, 3, 2)
    return pd.Series(pd.array(cls, dtype="Int64"), index=frame.index, name="presence_class")
