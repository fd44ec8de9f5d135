"""The dependency edges of an engagement as CSV, one row per edge and one per reference
that resolved to nothing (so nothing a consultant must chase is missing from the file).

Every text cell is neutralised (:mod:`discovery.core.export_format`): an asset named
``=HYPERLINK(…)`` opens as text, not as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from discovery.assets.graph import DependencyGraph
from discovery.assets.references import NOT_FOUND
from discovery.core.export_format import neutralise

COLUMNS = (
    "source_id", "source_name", "target_id", "target_name", "dependency_type",
    "reference", "resolved_by",
)  # fmt: skip
ROWS_PER_CHUNK = 1000


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()


def edge_rows(graph: DependencyGraph) -> Iterator[list[str]]:
    nodes = graph.nodes
    for edge in sorted(
        graph.edges, key=lambda e: (graph.sort_key(e.source), graph.sort_key(e.target))
    ):
        yield [
            str(edge.source),
            nodes[edge.source].label,
            str(edge.target),
            nodes[edge.target].label,
            edge.dependency_type,
            edge.reference,
            edge.resolution,
        ]
    for missing in graph.unresolved:
        yield [
            str(missing.asset_id),
            nodes[missing.asset_id].label,
            "",
            "",
            "",
            missing.reference,
            NOT_FOUND,
        ]


def edges_csv(graph: DependencyGraph) -> Iterator[str]:
    """The file in chunks of lines, header first."""
    yield _line(list(COLUMNS))
    chunk: list[str] = []
    for row in edge_rows(graph):
        chunk.append(_line(row))
        if len(chunk) == ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
