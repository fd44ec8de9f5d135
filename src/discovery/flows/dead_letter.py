"""``flows retry-failed``: reprocess a flow's dead-lettered asset chunks.

The API and the web page queue this as a job (``flows.queue.enqueue_retry``): with the
dependency analysis and the tech-debt assessment that follow, it is the work of minutes on
a large import, not of a request. ``discovery flows retry-failed`` runs it in the
terminal and prints the outcome. Either way it holds the flow's lock, so it never runs
beside a phase of the same flow or another retry.

The chunks' rows are processed like any chunk (assets created or updated, rows linked in
the same transaction); a chunk that succeeds is marked reprocessed, one that fails again
stays pending with its attempt count raised. Dependencies and tech debt are then brought
up to date for the import, since both are idempotent.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.assets.dependencies import run_dependency_analysis
from discovery.assets.inventory import build_plan, reprocess_dead_letters
from discovery.assets.tech_debt import run_tech_debt
from discovery.core.database import unit_of_work
from discovery.core.settings import Settings
from discovery.flows import service
from discovery.flows.lock import holding_flow_lock
from discovery.flows.models import FlowStatus, Phase
from discovery.flows.phase_contract import PhaseContext
from discovery.tenancy.row_security import flow_factory


async def retry_failed_chunks(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    flow_id: uuid.UUID,
    *,
    database_url: str,
) -> dict[str, Any]:
    """Reprocess the flow's (master or discovery flow id) pending dead letters, under the
    flow's lock, in the flow's tenant; what was reprocessed and what still fails."""
    factory = await flow_factory(factory, flow_id)
    async with unit_of_work(factory) as session:
        discovery_flow_id = (await service.find_flow(session, flow_id)).id
    async with holding_flow_lock(database_url, discovery_flow_id):
        return await _retry_locked(factory, settings, discovery_flow_id)


async def _retry_locked(
    factory: async_sessionmaker[AsyncSession], settings: Settings, discovery_flow_id: uuid.UUID
) -> dict[str, Any]:
    async with unit_of_work(factory) as session:
        flow = await service.find_flow(session, discovery_flow_id)
        plan = await build_plan(session, flow)
    counters, failures = await reprocess_dead_letters(factory, plan)
    if counters.linked:
        await run_dependency_analysis(
            PhaseContext.of_flow(factory, settings, flow, Phase.DEPENDENCY_ANALYSIS)
        )
        await run_tech_debt(
            PhaseContext.of_flow(factory, settings, flow, Phase.TECH_DEBT_ASSESSMENT)
        )
    async with unit_of_work(factory) as session:
        flow = await service.load_flow(session, plan.discovery_flow_id, for_update=True)
        if not failures and flow.status == FlowStatus.COMPLETED_WITH_ERRORS.value:
            await service.set_status(session, flow, FlowStatus.COMPLETED)
    return {
        "reprocessed": counters.as_dict(),
        "still_failing": [str(failure) for failure in failures],
    }
