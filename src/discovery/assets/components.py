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


def _root(parent: dict[N, N], node: N) -> N:
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
    of one size (by their first member)."""
    parent: dict[N, N] = {node: node for node in nodes}
    for source, target in edges:
        parent.setdefault(source, source)
        parent.setdefault(target, target)
        a, b = _root(parent, source), _root(parent, target)
        if a != b:
            # The smaller key becomes the root, so the result does not depend on order.
            if sort_key(b) < sort_key(a):
                a, b = b, a
            parent[b] = a
    members: dict[N, list[N]] = {}
    for node in parent:
        members.setdefault(_root(parent, node), []).append(node)
    inside: dict[N, list[tuple[N, N]]] = {}
    for source, target in edges:
        inside.setdefault(_root(parent, source), []).append((source, target))
    groups = []
    for root, group in members.items():
        ordered = tuple(sorted(group, key=sort_key))
        links = tuple(sorted(inside.get(root, []), key=lambda e: (sort_key(e[0]), sort_key(e[1]))))
        groups.append((ordered, links))
    groups.sort(key=lambda g: (-len(g[0]), sort_key(g[0][0])))
    return [Component(i, m, e) for i, (m, e) in enumerate(groups, start=1)]
