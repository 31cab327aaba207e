"""Dependency order of layers: :mod:`graphlib` with ties broken by name.

Kahn's algorithm (Kahn 1962, "Topological sorting of large networks",
CACM 5(11)) as :class:`graphlib.TopologicalSorter` runs it, taking the
ready layers in name order, so the order is the same on every machine and
every run.

>>> order({"states": {"municipalities"}, "municipalities": set(), "map": {"states"}})
['municipalities', 'states', 'map']
>>> sorted(closure({"states": {"municipalities"}, "municipalities": set(), "map": {"states"}}, ["states"]))
['municipalities', 'states']
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Iterable, Mapping

__all__ = ["order", "closure", "find_cycle"]


def _sorter(deps: Mapping[str, Iterable[str]]) -> graphlib.TopologicalSorter:
    # Names a layer reads that have no spec are left out: spec validation reports them.
    return graphlib.TopologicalSorter({n: {d for d in ds if d in deps} for n, ds in deps.items()})


def find_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One dependency cycle as a path ``[a, b, ..., a]`` (each depends on the next), or None.

    >>> find_cycle({"a": {"b"}, "b": {"a"}})
    ['a', 'b', 'a']
    """
    try:
        _sorter(deps).prepare()
    except graphlib.CycleError as exc:
        # graphlib lists each node before the one that depends on it; a path of "depends on" reads backwards.
        return list(reversed(exc.args[1]))
    return None


def order(deps: Mapping[str, Iterable[str]]) -> list[str]:
    """Names sorted so that each comes after everything it depends on.

    Raises
    ------
    ValueError
        The graph has a cycle; the message shows it.
    """
    cycle = find_cycle(deps)
    if cycle:
        raise ValueError("dependency cycle: " + " -> ".join(cycle))
    ts = _sorter(deps)
    ts.prepare()
    ready = list(ts.get_ready())
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        n = heapq.heappop(ready)
        out.append(n)
        ts.done(n)
        for m in ts.get_ready():
            heapq.heappush(ready, m)
    return out


def closure(deps: Mapping[str, Iterable[str]], targets: Iterable[str]) -> set[str]:
    """``targets`` and everything they depend on, transitively."""
    seen: set[str] = set()
    stack = list(targets)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(d for d in deps.get(n, ()) if d in deps)
    return seen
