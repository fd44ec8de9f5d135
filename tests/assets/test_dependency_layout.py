"""Connected components and the dependency picture's layout: deterministic, every asset
placed once, and no two boxes overlapping, at 500 assets."""

from __future__ import annotations

import random
import uuid

from discovery.assets.components import connected_components
from discovery.assets.references import Identity, explain, matched_by
from discovery.web.graph_layout import BOX_HEIGHT, BOX_WIDTH, LABEL_CHARS, layers, layout


def _ids(count: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i + 1) for i in range(count)]


def _graph(count: int, seed: int) -> tuple[list[uuid.UUID], list[tuple[uuid.UUID, uuid.UUID]]]:
    """Groups of 1 to 60 assets, each a tree with some extra links and the odd cycle."""
    rng = random.Random(seed)
    nodes = _ids(count)
    edges: list[tuple[uuid.UUID, uuid.UUID]] = []
    start = 0
    while start < count:
        size = min(rng.choice([2, 3, 5, 8, 20, 60]), count - start)
        group = nodes[start : start + size]
        for i in range(1, size):
            edges.append((group[i], group[rng.randrange(i)]))
        if size > 3:
            edges.append((group[0], group[-1]))  # a cycle back to the root
        start += size
    return nodes, edges


def _key(labels: dict[uuid.UUID, str]):  # type: ignore[no-untyped-def]
    return lambda n: (labels[n].lower(), str(n))


def _crosses(a: tuple[int, int], b: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    """Whether the segment a-b passes through the inside of a box (Liang-Barsky clip)."""
    x0, y0, x1, y1 = box
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


def test_components_are_the_groups_linked_either_way() -> None:
    a, b, c, d, e = _ids(5)
    labels = dict(zip((a, b, c, d, e), "edcba", strict=True))
    found = connected_components([a, b, c, d, e], [(a, b), (c, b), (d, e)], _key(labels))
    assert [(x.number, x.members) for x in found] == [(1, (c, b, a)), (2, (e, d))]
    assert found[0].edges == ((c, b), (a, b))
    assert found[1].size == 2


def test_components_do_not_depend_on_the_order_of_the_input() -> None:
    nodes, edges = _graph(500, seed=3)
    labels = {n: f"host{i:03d}" for i, n in enumerate(nodes)}
    first = connected_components(nodes, edges, _key(labels))
    shuffled = edges[:]
    random.Random(9).shuffle(shuffled)
    again = connected_components(list(reversed(nodes)), shuffled, _key(labels))
    assert first == again
    assert sum(c.size for c in first) == 500
    assert [c.size for c in first] == sorted((c.size for c in first), reverse=True)


def test_layers_put_an_asset_above_what_it_depends_on_and_break_cycles() -> None:
    web, app, db, x, y = _ids(5)
    assert layers([web, app, db], [(web, app), (app, db), (web, db)]) == [[web], [app], [db]]
    cycle = layers([x, y], [(x, y), (y, x)])
    assert sorted(n for layer in cycle for n in layer) == [x, y]


def test_no_boxes_overlap_at_500_assets_and_the_layout_is_deterministic() -> None:
    nodes, edges = _graph(500, seed=11)
    labels = {n: f"a-rather-long-server-name-{i:03d}.corp.example.com" for i, n in enumerate(nodes)}
    components = connected_components(nodes, edges, _key(labels))
    picture = layout(components, labels)
    assert picture == layout(components, labels)
    assert sorted(b.id for b in picture.boxes) == sorted(nodes)
    assert len(picture.lines) == len(edges)
    boxes = sorted(picture.boxes, key=lambda b: (b.x, b.y))
    for i, box in enumerate(boxes):
        assert box.x >= 0 and box.x + BOX_WIDTH <= picture.width
        assert box.y >= 0 and box.y + BOX_HEIGHT <= picture.height
        assert len(box.label) <= LABEL_CHARS and box.title == labels[box.id]
        for other in boxes[i + 1 :]:
            if other.x >= box.x + BOX_WIDTH:
                break
            assert other.y >= box.y + BOX_HEIGHT or box.y >= other.y + BOX_HEIGHT, (box, other)
    # No arrow runs over a box (it would read as a link to that box).
    inside = [(b.x + 1, b.y + 1, b.x + BOX_WIDTH - 1, b.y + BOX_HEIGHT - 1) for b in picture.boxes]
    for line in picture.lines:
        for a, b in zip(line.points, line.points[1:], strict=False):
            left, right = sorted((a[0], b[0]))
            top, bottom = sorted((a[1], b[1]))
            for box in inside:
                if box[0] <= right and left <= box[2] and box[1] <= bottom and top <= box[3]:
                    assert not _crosses(a, b, box), (line, box)
    # Captions sit above their boxes, never on one.
    for caption in picture.captions:
        assert not any(
            b.x <= caption.x < b.x + BOX_WIDTH and b.y <= caption.y <= b.y + BOX_HEIGHT
            for b in picture.boxes
        )
    # Readable at the page's width: the picture grows downwards, not sideways.
    assert picture.width <= 1400 < picture.height


def test_a_reference_is_explained_by_the_field_that_names_its_target() -> None:
    me, db, cache = _ids(3)
    source = Identity(me, "web01", "web01", "web01.corp", "10.0.0.1")
    targets = [
        Identity(db, "DB01", "db01", "db01.corp.example.com", "10.0.0.2"),
        Identity(cache, "cache", "cache01", None, None),
    ]
    assert matched_by("10.0.0.2", targets[0]) == "ip_address"
    outcomes = explain(
        ["db01.corp.example.com", "CACHE01", "db01", "web01", "ghost", " "], source, targets
    )
    assert [(o.reference, o.resolution, o.target_id) for o in outcomes] == [
        ("db01.corp.example.com", "fqdn", db),
        ("CACHE01", "hostname", cache),
        ("db01", "hostname", db),
        ("web01", "itself", None),
        ("ghost", "not_found", None),
    ]
