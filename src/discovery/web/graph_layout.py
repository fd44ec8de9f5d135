"""A deterministic picture of the dependency graph: where each box, line and caption goes.

Each connected component is laid out in layers: assets that nothing depends on at the
top, what they depend on below them (a cycle is broken at its first member by name).
A layer wider than :data:`PER_ROW` boxes wraps onto further rows, so no component is
wider than the page allows. Components are then packed on shelves, largest first.

Every box sits on its own cell of a grid (:data:`COLUMN` by :data:`ROW`), so boxes never
overlap whatever the size of the graph; labels are cut to fit their box and the full
name is the box's tooltip.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from discovery.assets.components import Component

BOX_WIDTH = 150
BOX_HEIGHT = 28
COLUMN = 170  # box plus gap
ROW = 60
CAPTION = 24  # height of a component's caption line
PER_ROW = 7  # 7 columns fit the page's 80rem content width
GAP = 28  # between components
MARGIN = 12
LABEL_CHARS = 20


@dataclass(frozen=True)
class Box:
    id: uuid.UUID
    x: int
    y: int
    label: str
    title: str
    component: int


@dataclass(frozen=True)
class Line:
    """An arrow from a source box to a target box, as a polyline of points."""

    points: tuple[tuple[int, int], ...]

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class Caption:
    x: int
    y: int
    text: str
    component: int


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    boxes: list[Box]
    lines: list[Line]
    captions: list[Caption]


def short_label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def layers(
    members: Sequence[uuid.UUID], edges: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[list[uuid.UUID]]:
    """Members by layer: an asset above everything it depends on (``members`` in order of
    preference; the first waiting member breaks a cycle)."""
    below: dict[uuid.UUID, list[uuid.UUID]] = {m: [] for m in members}
    waiting = {m: 0 for m in members}
    for source, target in edges:
        below[source].append(target)
        waiting[target] += 1
    level = {m: 0 for m in members}
    placed: set[uuid.UUID] = set()
    ready = [m for m in members if waiting[m] == 0]
    rank = {m: i for i, m in enumerate(members)}
    while len(placed) < len(members):
        if not ready:  # a cycle: take its first member by preference
            ready = [min((m for m in members if m not in placed), key=rank.__getitem__)]
        ready.sort(key=rank.__getitem__)
        node = ready.pop(0)
        if node in placed:
            continue
        placed.add(node)
        for target in below[node]:
            if target in placed:
                continue
            level[target] = max(level[target], level[node] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    out: list[list[uuid.UUID]] = [[] for _ in range(max(level.values()) + 1)]
    for member in members:
        out[level[member]].append(member)
    return [layer for layer in out if layer]


def _ordered(
    by_layer: list[list[uuid.UUID]], edges: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[list[uuid.UUID]]:
    """Each layer ordered by the mean position of the assets above that depend on it."""
    above: dict[uuid.UUID, list[uuid.UUID]] = {}
    for source, target in edges:
        above.setdefault(target, []).append(source)
    position: dict[uuid.UUID, float] = {}
    result = []
    for layer in by_layer:
        keyed = []
        for i, node in enumerate(layer):
            parents = [position[p] for p in above.get(node, []) if p in position]
            keyed.append((sum(parents) / len(parents) if parents else float(i), i, node))
        keyed.sort()
        ordered = [node for _, _, node in keyed]
        position.update({node: float(i) for i, node in enumerate(ordered)})
        result.append(ordered)
    return result


def _place_component(
    component: Component[uuid.UUID], ox: int, oy: int, labels: Mapping[uuid.UUID, str]
) -> tuple[list[Box], dict[uuid.UUID, tuple[int, int]]]:
    boxes = []
    at: dict[uuid.UUID, tuple[int, int]] = {}
    row = 0
    for layer in _ordered(layers(component.members, component.edges), component.edges):
        for start in range(0, len(layer), PER_ROW):
            for column, node in enumerate(layer[start : start + PER_ROW]):
                x, y = ox + column * COLUMN, oy + CAPTION + row * ROW
                at[node] = (x, y)
                name = labels[node]
                boxes.append(Box(node, x, y, short_label(name), name, component.number))
            row += 1
    return boxes, at


def route(source: tuple[int, int], target: tuple[int, int]) -> Line:
    """The arrow from the bottom of the source box to the top of the target box.

    Between adjacent rows it is a straight line, which stays in the band between the
    rows. Otherwise it runs in the gaps, never over a box (a line through a box would
    read as a link to it): down into the band below the source, along it to the gutter
    left of the source's column, down the gutter, along the band above the target."""
    (sx, sy), (tx, ty) = source, target
    start = (sx + BOX_WIDTH // 2, sy + BOX_HEIGHT)
    end = (tx + BOX_WIDTH // 2, ty)
    if ty - sy == ROW:
        return Line((start, end))
    below = sy + BOX_HEIGHT + (ROW - BOX_HEIGHT) // 2
    above = ty - (ROW - BOX_HEIGHT) // 2
    gutter = sx - (COLUMN - BOX_WIDTH) // 2
    return Line((start, (start[0], below), (gutter, below), (gutter, above), (end[0], above), end))


def component_size(component: Component[uuid.UUID]) -> tuple[int, int]:
    """Width and height of a component's block."""
    by_layer = layers(component.members, component.edges)
    widest = max(min(len(layer), PER_ROW) for layer in by_layer)
    rows = sum(-(-len(layer) // PER_ROW) for layer in by_layer)
    return (widest - 1) * COLUMN + BOX_WIDTH, CAPTION + (rows - 1) * ROW + BOX_HEIGHT


def layout(components: Sequence[Component[uuid.UUID]], labels: Mapping[uuid.UUID, str]) -> Layout:
    """Components packed on shelves, in the order given (largest first)."""
    limit = (PER_ROW - 1) * COLUMN + BOX_WIDTH
    boxes: list[Box] = []
    lines: list[Line] = []
    captions: list[Caption] = []
    x = y = MARGIN
    shelf = 0
    width = 0
    for component in components:
        w, h = component_size(component)
        if x > MARGIN and x + w > MARGIN + limit:
            x, y = MARGIN, y + shelf + GAP
            shelf = 0
        placed, at = _place_component(component, x, y, labels)
        boxes.extend(placed)
        text = f"Group {component.number}: {component.size} assets"
        if w > BOX_WIDTH:
            text += f", {len(component.edges)} links"
        captions.append(Caption(x, y + 14, text, component.number))
        lines.extend(route(at[source], at[target]) for source, target in component.edges)
        width = max(width, x + w)
        shelf = max(shelf, h)
        x += w + GAP
    return Layout(width + MARGIN, y + shelf + MARGIN, boxes, lines, captions)
