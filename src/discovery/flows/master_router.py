"""``/api/v1/master-flows``: every flow's master record, a summary, and deletion."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query

from discovery.api.deps import Admin, SessionDep, Viewer
from discovery.api.errors import ApiError, documented
from discovery.flows import master, service
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow, FlowStatus
from discovery.flows.schemas import (
    FlowBrief,
    MasterFlowDeleted,
    MasterFlowDetail,
    MasterFlowList,
    MasterFlowSummary,
    StatusCount,
)
from discovery.imports.deletion import ImportBusyError, delete_import
from discovery.imports.storage import remove_stored

router = APIRouter(
    prefix="/master-flows",
    tags=["master flows"],
    responses=documented(400, 401, 403, 404, 422),
)


def _detail(record: CrewAIFlowStateExtensions, child: DiscoveryFlow | None) -> MasterFlowDetail:
    return MasterFlowDetail.model_validate(
        {
            **{
                name: getattr(record, name)
                for name in MasterFlowDetail.model_fields
                if name != "discovery_flow"
            },
            "discovery_flow": FlowBrief.model_validate(child) if child else None,
        }
    )


@router.get("/active", response_model=MasterFlowList)
async def active_flows(context: Viewer, session: SessionDep) -> MasterFlowList:
    """Flows not yet at rest: initialized, running, waiting for approval or paused."""
    records = await master.active(session, context.tenant)
    pairs = await master.with_children(session, records)
    return MasterFlowList(data=[_detail(record, child) for record, child in pairs])


@router.get("/summary", response_model=MasterFlowSummary)
async def flows_summary(context: Viewer, session: SessionDep) -> MasterFlowSummary:
    """Flows counted by type and status, and the mean time of each phase."""
    result = await master.summary(session, context.tenant)
    return MasterFlowSummary(
        total=sum(count for _, _, count in result.counts),
        by_type_and_status=[
            StatusCount(flow_type=flow_type, status=FlowStatus(status), count=count)
            for flow_type, status, count in result.counts
        ],
        average_phase_milliseconds=result.average_phase_ms,
    )


async def _master(
    session: SessionDep, context: Viewer, flow_id: uuid.UUID
) -> CrewAIFlowStateExtensions:
    try:
        return await master.find_master(session, context.tenant, flow_id)
    except service.FlowNotFoundError:
        raise ApiError(404, f"master flow {flow_id} does not exist") from None


@router.get("/{flow_id}", response_model=MasterFlowDetail)
async def get_master_flow(
    flow_id: uuid.UUID, context: Viewer, session: SessionDep
) -> MasterFlowDetail:
    """A master flow with its child discovery flow."""
    record = await _master(session, context, flow_id)
    [(record, child)] = await master.with_children(session, [record])
    return _detail(record, child)


@router.delete("/{flow_id}", response_model=MasterFlowDeleted, responses=documented(409))
async def delete_master_flow(
    flow_id: uuid.UUID,
    context: Admin,
    session: SessionDep,
    background: BackgroundTasks,
    purge: Annotated[
        bool,
        Query(
            description="Also delete the flow's import, raw rows and the assets only it created."
        ),
    ] = False,
) -> MasterFlowDeleted:
    """Soft delete: the flow becomes ``cancelled`` and its data stays. With ``purge=true``
    the flow and its data go (as ``DELETE …/imports/{id}`` does for its import)."""
    record = await _master(session, context, flow_id)
    if not purge:
        status = await master.soft_delete(session, context.tenant, record.flow_id)
        return MasterFlowDeleted(flow_id=record.flow_id, purged=False, status=status)
    [(record, child)] = await master.with_children(session, [record])
    if child is None or child.data_import_id is None:
        await master.delete_master(session, context.tenant, record.flow_id)
        return MasterFlowDeleted(flow_id=record.flow_id, purged=True, status=None)
    try:
        deleted = await delete_import(session, context.tenant, child.data_import_id)
    except ImportBusyError as exc:
        raise ApiError(409, str(exc)) from None
    background.add_task(remove_stored, deleted.stored_file_path)
    return MasterFlowDeleted(
        flow_id=record.flow_id,
        purged=True,
        status=None,
        raw_rows_deleted=deleted.raw_rows_deleted,
        assets_deleted=deleted.assets_deleted,
        assets_kept=deleted.assets_kept,
    )
