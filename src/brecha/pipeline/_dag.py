"""Dependency order of layers: topological sort with cycle reporting.

Kahn's algorithm (Kahn 1962, "Topological sorting of large networks",
CACM 5(11)) with ties broken by name, so the order is the same on every
machine and every run.

>>> order({"states": {"municipalities"}, "municipalities": set(), "map": {"states"}})
['municipalities', 'states', 'map']
>>> sorted(closure({"states": {"municipalities"}, "municipalities": set(), "map": {"states"}}, ["states"]))
['municipalities', 'states']
"""

from __future__ import annotations

import heapq
from typing import Iterable, Mapping

__all__ = ["order", "closure", "find_cycle"]


def find_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One dependency cycle as a path ``[a, b, ..., a]``, or None.

    >>> find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
    """
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(deps.get(node, ())):
            if nxt not in deps:
                continue  # unknown names are reported by spec validation
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(deps):
        if node not in state:
            found = visit(node)
            if found:
                return found
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
    need = {n: {d for d in ds if d in deps} for n, ds in deps.items()}
    users: dict[str, list[str]] = {n: [] for n in deps}
    for n, ds in need.items():
        for d in ds:
            users[d].append(n)
    ready = [n for n, ds in need.items() if not ds]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        n = heapq.heappop(ready)
        out.append(n)
        for u in users[n]:
            need[u].discard(n)
            if not need[u]:
                heapq.heappush(ready, u)
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
