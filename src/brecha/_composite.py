"""Composite-indicator helpers for the gap index: rate smoothing and normalisation."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Normalisation = Literal["rank", "minmax"]


def empirical_bayes(events, base, *, variance: Literal["binomial", "poisson"] = "binomial"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Global empirical Bayes smoothing of rates (Marshall 1991).

    Each raw rate ``r_i = events_i / base_i`` is pulled toward the overall
    rate ``m = sum(events) / sum(base)`` with weight
    ``w_i = s² / (s² + v / base_i)``, where ``s²`` is the between-place
    variance (method of moments, floored at 0) and ``v`` is ``m(1 - m)`` for
    proportions (``"binomial"``) or ``m`` for rare events (``"poisson"``,
    Marshall's original, identical to ``esda.smoothing.Empirical_Bayes``).
    A place with few people gets a small ``w_i`` and moves most.

    Parameters
    ----------
    events, base
        Counts per place (base > 0). Places with NaN are returned as NaN and
        left out of ``m`` and ``s²``.

    Returns
    -------
    (rate, weight)
        Smoothed rates (fractions, not percent) and the weight ``w_i`` each
        place's own rate keeps.

    >>> rate, w = empirical_bayes([500, 9, 300, 2], [1000, 10, 1000, 10])
    >>> rate.round(2).tolist()  # raw: 0.5, 0.9, 0.3, 0.2
    [0.5, 0.56, 0.3, 0.34]
    >>> w.round(2).tolist()
    [0.98, 0.31, 0.98, 0.31]
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(base, dtype=float)
    ok = np.isfinite(e) & np.isfinite(b) & (b > 0)
    rate = np.full(e.shape, np.nan)
    weight = np.full(e.shape, np.nan)
    if not ok.any():
        return rate, weight
    eo, bo = e[ok], b[ok]
    m = eo.sum() / bo.sum()
    raw = eo / bo
    if variance not in ("binomial", "poisson"):
        raise ValueError(f"variance must be 'binomial' or 'poisson', got {variance!r}")
    v = m * (1.0 - m) if variance == "binomial" else m
    s2 = max(float((bo * (raw - m) ** 2).sum() / bo.sum() - v / bo.mean()), 0.0)
    w = s2 / (s2 + v / bo) if s2 > 0 else np.zeros_like(bo)
    rate[ok] = w * raw + (1.0 - w) * m
    weight[ok] = w
    return rate, weight


def normalise(values, method: Normalisation = "rank", *, log_count: bool = False) -> np.ndarray:
    """Scale values to 0..1 (OECD/JRC 2008, section 5).

    ``"rank"``: the share of the other places with a strictly smaller value,
    ``(rank_min - 1) / (n - 1)``; robust to outliers and skew, and ties at
    zero (no office) stay at exactly 0. ``"minmax"``: ``(x - min) / (max -
    min)``, after ``log1p`` when ``log_count`` (counts that span orders of
    magnitude). NaN stays NaN; a constant column scales to 0.

    >>> normalise([0, 0, 5, 10]).tolist()
    [0.0, 0.0, 0.6666666666666666, 1.0]
    >>> normalise([0, 0, 5, 10], "minmax").tolist()
    [0.0, 0.0, 0.5, 1.0]
    """
    x = np.asarray(values, dtype=float)
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    if method == "rank":
        n = int(ok.sum())
        r = pd.Series(x[ok]).rank(method="min").to_numpy()
        out[ok] = (r - 1.0) / (n - 1) if n > 1 else 0.0
    elif method == "minmax":
        v = np.log1p(np.clip(x[ok], 0, None)) if log_count else x[ok]
        span = v.max() - v.min()
        out[ok] = (v - v.min()) / span if span > 0 else 0.0
    else:
        raise ValueError(f"normalise must be 'rank' or 'minmax', got {method!r}")
    return out
