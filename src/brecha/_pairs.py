"""Origin-destination pairs within a distance, in blocks, from KD-trees.

A :class:`PairBlock` holds the pairs of one slab of origins. Accessibility
sums run block by block on a thread per core, so millions of pairs are
never gathered into one array.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

from ._threads import slices, thread_map

#: Origins per block. Fixed, so the order of the pairs (and so the last bits
#: of any sum over them) does not depend on the number of cores.
BLOCK_ORIGINS = 32_768


class PairBlock(NamedTuple):
    """Pairs of one slab of origins: origin ``origins[rows[k]]`` to destination ``cols[k]`` at ``costs[k]``."""

    origins: np.ndarray  # the blocks of one search partition range(n_origins)
    rows: np.ndarray
    cols: np.ndarray
    costs: np.ndarray


def kdtree_blocks(o: np.ndarray, d: np.ndarray, max_km: float) -> list[PairBlock]:
    """Every pair of origin ``o`` and destination ``d`` (``(n, 2)`` km) within ``max_km``.

    A dual-tree search (``cKDTree.sparse_distance_matrix``) per slab of
    origins sorted by x. SciPy releases the GIL in the search, so slabs run
    in parallel; small slabs also keep each search's output in cache.
    """
    if not len(o) or not len(d):
        return []
    dest_tree = cKDTree(d)
    # Slabs of nearby origins keep each search small; one slab needs no sorting.
    order = np.argsort(o[:, 0], kind="stable") if len(o) > BLOCK_ORIGINS else np.arange(len(o))

    def search(s: slice) -> PairBlock:
        slab = order[s]
        # Sliding-midpoint trees build faster than median-split ones and search as fast here.
        tree = cKDTree(o[slab], balanced_tree=False)
        m = tree.sparse_distance_matrix(dest_tree, max_km, output_type="ndarray")
        keep = m["v"] <= max_km
        if not keep.all():
            m = m[keep]
        return PairBlock(slab, np.ascontiguousarray(m["i"]), np.ascontiguousarray(m["j"]),
                         np.ascontiguousarray(m["v"]))

    return thread_map(search, slices(len(o), BLOCK_ORIGINS))


def concat(blocks: list[PairBlock]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin index, destination index and cost of every pair, in one set of arrays."""
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    return (np.concatenate([b.origins[b.rows] for b in blocks]),
            np.concatenate([b.cols for b in blocks]),
            np.concatenate([b.costs for b in blocks]))


def single_block(n_origins: int, rows: np.ndarray, cols: np.ndarray, costs: np.ndarray) -> PairBlock:
    """All pairs as one block over ``range(n_origins)``."""
    return PairBlock(np.arange(n_origins), np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                     np.asarray(costs, dtype=float))
