"""Connected components of the dependency graph: the first cut of migration waves.

Assets that depend on each other, directly or through others, move together; each
component is such a group. Pure and deterministic: the same graph gives the same
components, numbered the same way (largest first, then by the first member's name).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True)
class Component(Generic[N]):
    number: int
    members: tuple[N, ...]
    edges: tuple[tuple[N, N], ...]

    @property
    def size(self) -> int:
        return len(self.members)


def _root(parent: list[int], node: int) -> int:
    while parent[node] != node:
        parent[node] = parent[parent[node]]  # path halving
        node = parent[node]
    return node


def connected_components(
    nodes: Iterable[N],
    edges: Sequence[tuple[N, N]],
    sort_key: Callable[[N], tuple[str, str]],
) -> list[Component[N]]:
    """The components of the undirected graph under ``edges``, every node in one.

    ``sort_key`` orders members within a component and breaks ties between components
    of one size (by their first member). Nodes are numbered in ``sort_key`` order first,
    so the union-find works on plain integers (a UUID's hash is computed in Python) and
    the smaller number is always the root: the result does not depend on input order."""
    distinct = {node: None for node in nodes}
    for source, target in edges:
        distinct.setdefault(source)
        distinct.setdefault(target)
    ordered = sorted(distinct, key=sort_key)
    number = {node: i for i, node in enumerate(ordered)}
    pairs = [(number[s], number[t]) for s, t in edges]
    parent = list(range(len(ordered)))
    for one, other in pairs:
        a, b = _root(parent, one), _root(parent, other)
        if a != b:
            parent[max(a, b)] = min(a, b)
    root = [_root(parent, node) for node in range(len(ordered))]
    members: dict[int, list[int]] = {}
    for node in range(len(ordered)):  # ascending, so each list is in sort_key order
        members.setdefault(root[node], []).append(node)
    inside: dict[int, list[tuple[int, int]]] = {}
    for pair in sorted(pairs):
        inside.setdefault(root[pair[0]], []).append(pair)
    groups = sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        Component(
            i,
            tuple(ordered[m] for m in group),
            tuple((ordered[s], ordered[t]) for s, t in inside.get(top, [])),
        )
        for i, (top, group) in enumerate(groups, start=1)
    ]
