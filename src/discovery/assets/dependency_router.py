"""``/api/v1/unified-discovery/dependencies``: the engagement's dependency groups and its
edges as CSV. Read-only; tenant-scoped by the :data:`Viewer` context like every route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from discovery.api.deps import SessionDep, Viewer
from discovery.api.downloads import attachment
from discovery.api.errors import documented
from discovery.assets.dependency_schemas import (
    ComponentOut,
    ComponentsOut,
    InternalEdgeOut,
    MemberOut,
    UnresolvedOut,
)
from discovery.assets.edge_export import edges_csv
from discovery.assets.graph import DependencyGraph, read_graph

router = APIRouter(
    prefix="/dependencies", tags=["dependencies"], responses=documented(400, 401, 403, 404, 422)
)

MAX_UNRESOLVED = 1000


def components_body(graph: DependencyGraph, limit: int) -> ComponentsOut:
    components = graph.components()
    kinds = {(e.source, e.target): e.dependency_type for e in graph.edges}
    return ComponentsOut(
        components=[
            ComponentOut(
                number=c.number,
                size=c.size,
                edge_count=len(c.edges),
                members=[
                    MemberOut(
                        asset_id=m, name=graph.nodes[m].label, asset_type=graph.nodes[m].asset_type
                    )
                    for m in c.members
                ],
                edges=[
                    InternalEdgeOut(source_id=s, target_id=t, dependency_type=kinds[(s, t)])
                    for s, t in c.edges
                ],
            )
            for c in components[:limit]
        ],
        component_count=len(components),
        connected_assets=sum(c.size for c in components),
        unconnected_assets=graph.unconnected,
        edge_count=len(graph.edges),
        unresolved_references=[
            UnresolvedOut(
                asset_id=u.asset_id, asset_name=graph.nodes[u.asset_id].label, reference=u.reference
            )
            for u in graph.unresolved[:MAX_UNRESOLVED]
        ],
        unresolved_count=len(graph.unresolved),
    )


@router.get("/components", response_model=ComponentsOut)
async def list_components(
    context: Viewer,
    session: SessionDep,
    limit: Annotated[
        int, Query(ge=1, le=10_000, description="At most this many groups, largest first.")
    ] = 100,
) -> ComponentsOut:
    """The engagement's assets grouped by dependency (connected components, either
    direction), largest first, each with its members and internal edges; and the
    references that name no asset of the engagement (the first 1000)."""
    return components_body(await read_graph(session, context.tenant), limit)


@router.get(
    "/export",
    response_class=StreamingResponse,
    response_model=None,
    responses={
        200: {"description": "The edges.", "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def export_edges(context: Viewer, session: SessionDep) -> StreamingResponse:
    """Every dependency edge as CSV (source, target, the reference that named the target
    and by which field), then each reference that resolved to nothing."""
    graph = await read_graph(session, context.tenant)

    async def body() -> AsyncIterator[bytes]:
        for chunk in edges_csv(graph):
            yield chunk.encode("utf-8")

    return StreamingResponse(
        body(), media_type="text/csv; charset=utf-8", headers=attachment("dependencies.csv")
    )
