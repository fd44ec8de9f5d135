"""``/api/v1/unified-discovery/flows``: follow, review and steer discovery flows.

``retry-failed`` queues a job that reprocesses the flow's dead-lettered chunks (and then
brings dependencies and tech debt up to date for the whole import: minutes of work on a
large one); the flow's detail shows each chunk's ``reprocessed_at`` and ``attempts`` as the
job goes. ``discovery flows retry-failed`` runs the same code in the terminal.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from discovery.api.deps import MAX_OFFSET, Analyst, FactoryDep, SessionDep, Viewer
from discovery.api.errors import ApiError, documented
from discovery.assets.models import FailedAssetChunk
from discovery.flows import control, service
from discovery.flows.master import master_record
from discovery.flows.models import DiscoveryFlow, FlowStatus
from discovery.flows.queue import enqueue_retry
from discovery.flows.schemas import (
    DeadLetterChunkOut,
    FieldMappingOut,
    FieldMappingsOut,
    FlowBrief,
    FlowDetail,
    FlowList,
    MappingApproval,
    RetryQueuedOut,
)
from discovery.flows.service import FINISHED
from discovery.flows.summary import flow_summary, in_column_order
from discovery.health.router import HealthCacheDep, cached_health
from discovery.imports.models import DataImport
from discovery.mapping.service import fallbacks_of, import_mappings
from discovery.tenancy.context import RequestContext

router = APIRouter(prefix="/flows", tags=["flows"], responses=documented(400, 401, 403, 404, 422))


async def _flow(
    session: SessionDep, context: RequestContext, flow_id: uuid.UUID, *, for_update: bool = False
) -> DiscoveryFlow:
    try:
        return await service.find_flow(
            session, flow_id, tenant=context.tenant, for_update=for_update
        )
    except service.FlowNotFoundError:
        raise ApiError(404, f"flow {flow_id} does not exist") from None


async def flow_detail(
    session: SessionDep, flow: DiscoveryFlow, health: dict[str, Any] | None = None
) -> FlowDetail:
    summary: dict[str, Any] = await flow_summary(session, flow, with_health=False)
    summary["health"] = health
    master = await master_record(session, flow.master_flow_id)
    chunks = await session.scalars(
        select(FailedAssetChunk)
        .where(FailedAssetChunk.discovery_flow_id == flow.id)
        .order_by(FailedAssetChunk.chunk_number)
    )
    return FlowDetail.model_validate(
        {
            **summary,
            "error_history": master.error_history if master else [],
            "phase_execution_times": master.phase_execution_times if master else {},
            "dead_letter_chunks": [DeadLetterChunkOut.model_validate(c) for c in chunks],
            "created_at": flow.created_at,
            "updated_at": flow.updated_at,
            "completed_at": flow.completed_at,
        }
    )


@router.get("", response_model=FlowList)
async def list_flows(
    context: Viewer,
    session: SessionDep,
    status: Annotated[FlowStatus | None, Query(description="Only flows in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> FlowList:
    """The engagement's discovery flows, newest first."""
    statement = select(DiscoveryFlow).where(
        DiscoveryFlow.client_account_id == context.client_account_id,
        DiscoveryFlow.engagement_id == context.engagement_id,
    )
    if status is not None:
        statement = statement.where(DiscoveryFlow.status == status.value)
    flows = await session.scalars(
        statement.order_by(DiscoveryFlow.created_at.desc(), DiscoveryFlow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return FlowList(data=[FlowBrief.model_validate(flow) for flow in flows])


@router.get("/{flow_id}", response_model=FlowDetail)
async def get_flow(
    flow_id: uuid.UUID,
    context: Viewer,
    session: SessionDep,
    factory: FactoryDep,
    cache: HealthCacheDep,
) -> FlowDetail:
    """Status, phase, progress, counters, errors, phase times and dead-lettered chunks;
    once finished, the tenant's wiring health (from the health cache: clients poll this)."""
    flow = await _flow(session, context, flow_id)
    health = None
    if flow.status in FINISHED:
        health = (await cached_health(cache, factory, context.tenant)).report
    return await flow_detail(session, flow, health)


async def _mappings(session: SessionDep, flow: DiscoveryFlow) -> FieldMappingsOut:
    data_import = (
        await session.get(DataImport, flow.data_import_id) if flow.data_import_id else None
    )
    rows = (
        in_column_order(await import_mappings(session, data_import.id), data_import)
        if data_import
        else []
    )
    return FieldMappingsOut(
        master_flow_id=flow.master_flow_id,
        flow_status=FlowStatus(flow.status),
        awaiting_approval=flow.status == FlowStatus.WAITING_FOR_APPROVAL.value,
        mappings=[FieldMappingOut.model_validate(row) for row in rows],
        fallbacks=fallbacks_of(rows),
    )


@router.get("/{flow_id}/field-mappings", response_model=FieldMappingsOut)
async def get_field_mappings(
    flow_id: uuid.UUID, context: Viewer, session: SessionDep
) -> FieldMappingsOut:
    """The suggested (or approved) target of every column, with alternatives."""
    return await _mappings(session, await _flow(session, context, flow_id))


@router.put("/{flow_id}/field-mappings", response_model=FieldMappingsOut, responses=documented(409))
async def approve_field_mappings(
    flow_id: uuid.UUID, body: MappingApproval, context: Analyst, session: SessionDep
) -> FieldMappingsOut:
    """Approve the mappings, overriding (``overrides``) or unmapping (``unmap``) columns
    and setting each field's fallback columns (``fallbacks``), and resume the flow.
    Overrides are learned for the client account."""
    flow = await _flow(session, context, flow_id, for_update=True)
    await control.approve_mappings(
        session,
        flow,
        user_id=context.user_id,
        overrides=body.overrides,
        unmapped=set(body.unmap),
        fallbacks=body.fallbacks,
    )
    return await _mappings(session, flow)


async def _brief(session: SessionDep, flow: DiscoveryFlow) -> FlowBrief:
    await session.refresh(flow)  # server-set columns (updated_at) after the change
    return FlowBrief.model_validate(flow)


@router.post("/{flow_id}/resume", response_model=FlowBrief, responses=documented(409))
async def resume_flow(flow_id: uuid.UUID, context: Analyst, session: SessionDep) -> FlowBrief:
    """Resume a paused or failed flow from its current phase."""
    flow = await _flow(session, context, flow_id, for_update=True)
    await control.resume(session, flow)
    return await _brief(session, flow)


@router.post("/{flow_id}/pause", response_model=FlowBrief, responses=documented(409))
async def pause_flow(flow_id: uuid.UUID, context: Analyst, session: SessionDep) -> FlowBrief:
    """Pause a running flow after its current step."""
    flow = await _flow(session, context, flow_id, for_update=True)
    await control.pause(session, flow)
    return await _brief(session, flow)


@router.post("/{flow_id}/cancel", response_model=FlowBrief, responses=documented(409))
async def cancel_flow(flow_id: uuid.UUID, context: Analyst, session: SessionDep) -> FlowBrief:
    """Cancel a flow; its data is kept."""
    flow = await _flow(session, context, flow_id, for_update=True)
    await control.cancel(session, flow)
    return await _brief(session, flow)


@router.post(
    "/{flow_id}/retry-failed",
    response_model=RetryQueuedOut,
    status_code=202,
    responses=documented(409),
)
async def retry_failed(flow_id: uuid.UUID, context: Analyst, session: SessionDep) -> RetryQueuedOut:
    """Queue a retry of the flow's dead-lettered asset chunks; a worker runs it under the
    flow's lock. 409 when the flow has none pending."""
    flow = await _flow(session, context, flow_id)
    pending = int(
        await session.scalar(
            select(func.count()).where(
                FailedAssetChunk.discovery_flow_id == flow.id,
                FailedAssetChunk.reprocessed_at.is_(None),
            )
        )
        or 0
    )
    if not pending:
        raise ApiError(409, f"flow {flow.master_flow_id} has no failed chunks to retry")
    queued = await enqueue_retry(session, flow.id)
    return RetryQueuedOut(
        master_flow_id=flow.master_flow_id,
        status=FlowStatus(flow.status),
        pending_chunks=pending,
        queued=queued,
    )
