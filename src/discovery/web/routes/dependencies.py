"""The engagement's dependencies: a picture of what depends on what, the groups that
move together (first cut of migration waves), the references that named nothing, and
the edges as CSV."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.assets.dependency_router import export_edges
from discovery.assets.graph import Unresolved, read_graph
from discovery.web.deps import WebPage, render
from discovery.web.graph_layout import layout

router = APIRouter()

MAX_DRAWN = 2000  # assets in the picture; larger engagements show their largest groups
MAX_LISTED_UNRESOLVED = 200


def _by_asset(unresolved: list[Unresolved]) -> list[tuple[uuid.UUID, list[str]]]:
    """References not found, grouped by the asset naming them, in the order given."""
    grouped: dict[uuid.UUID, list[str]] = {}
    for item in unresolved:
        grouped.setdefault(item.asset_id, []).append(item.reference)
    return list(grouped.items())


@router.get("/dependencies")
async def dependencies_page(request: Request, page: WebPage, session: SessionDep) -> Response:
    graph = await read_graph(session, page.context.tenant)
    components = graph.components()
    drawn = []
    count = 0
    for component in components:
        if count + component.size > MAX_DRAWN:
            break
        drawn.append(component)
        count += component.size
    labels = {node_id: node.label for node_id, node in graph.nodes.items()}
    return render(
        request,
        "dependencies.html",
        {
            "graph": graph,
            "components": components,
            "picture": layout(drawn, labels) if drawn else None,
            "drawn_assets": count,
            "drawn_groups": len(drawn),
            "unresolved_by_asset": _by_asset(graph.unresolved[:MAX_LISTED_UNRESOLVED]),
            "unresolved_listed": min(len(graph.unresolved), MAX_LISTED_UNRESOLVED),
        },
        page=page,
    )


@router.get("/dependencies/export")
async def dependencies_export(page: WebPage, session: SessionDep) -> Response:
    """The API's edge export for the chosen engagement."""
    return await export_edges(page.context, session)
