"""Master flows as API clients see them: listings, a summary, soft and hard deletion.

Functions flush; the caller owns the transaction. Every query is scoped to the tenant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, cast, delete, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows import service
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow, FlowStatus
from discovery.health.metrics import IN_PROGRESS
from discovery.tenancy.context import Tenant

Master = CrewAIFlowStateExtensions


def _scoped(tenant: Tenant) -> list[ColumnElement[bool]]:
    return [
        Master.client_account_id == tenant.client_account_id,
        Master.engagement_id == tenant.engagement_id,
    ]


async def master_record(session: AsyncSession, flow_id: uuid.UUID) -> Master | None:
    return await session.scalar(select(Master).where(Master.flow_id == flow_id))


async def find_master(session: AsyncSession, tenant: Tenant, flow_id: uuid.UUID) -> Master:
    master = await session.scalar(select(Master).where(Master.flow_id == flow_id, *_scoped(tenant)))
    if master is None:
        raise service.FlowNotFoundError(f"master flow {flow_id} does not exist")
    return master


async def with_children(
    session: AsyncSession, masters: list[Master]
) -> list[tuple[Master, DiscoveryFlow | None]]:
    ids = [m.flow_id for m in masters]
    children = (
        {
            flow.master_flow_id: flow
            for flow in await session.scalars(
                select(DiscoveryFlow).where(DiscoveryFlow.master_flow_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return [(master, children.get(master.flow_id)) for master in masters]


async def active(session: AsyncSession, tenant: Tenant) -> list[Master]:
    result = await session.scalars(
        select(Master)
        .where(*_scoped(tenant), Master.flow_status.in_(IN_PROGRESS))
        .order_by(Master.created_at.desc(), Master.id.desc())
    )
    return list(result)


@dataclass(frozen=True)
class Summary:
    counts: list[tuple[str, str, int]]
    average_phase_ms: dict[str, float]


async def summary(session: AsyncSession, tenant: Tenant) -> Summary:
    counts = await session.execute(
        select(Master.flow_type, Master.flow_status, func.count())
        .where(*_scoped(tenant))
        .group_by(Master.flow_type, Master.flow_status)
        .order_by(Master.flow_type, Master.flow_status)
    )
    times = func.jsonb_each_text(Master.phase_execution_times).table_valued("key", "value")
    averages = await session.execute(
        select(times.c.key, func.avg(cast(times.c.value, Float)))
        .select_from(Master)
        .join(times, true())
        .where(*_scoped(tenant))
        .group_by(times.c.key)
        .order_by(times.c.key)
    )
    return Summary(
        counts=[(flow_type, status, int(n)) for flow_type, status, n in counts],
        average_phase_ms={phase: round(float(avg), 1) for phase, avg in averages},
    )


async def soft_delete(session: AsyncSession, tenant: Tenant, flow_id: uuid.UUID) -> FlowStatus:
    """Mark the flow cancelled (its data stays); a running phase stops at its next step."""
    flow = await service.find_flow(session, flow_id, tenant=tenant, for_update=True)
    await service.set_status(session, flow, FlowStatus.CANCELLED)
    return FlowStatus.CANCELLED


async def delete_master(session: AsyncSession, tenant: Tenant, flow_id: uuid.UUID) -> None:
    """Delete the master record (its discovery flow follows by cascade)."""
    await session.execute(delete(Master).where(Master.flow_id == flow_id, *_scoped(tenant)))
