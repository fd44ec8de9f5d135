"""Running one phase of a flow: the body of every phase job.

A phase job takes ids only. It holds the flow lock for the whole phase (see
``flows.lock``: a second execution of the flow, anywhere, waits for it), checks that this
phase is the one to run (a duplicate or late job finds it done and does nothing), runs
the phase's handler (from the table ``flows.phases.HANDLERS``), and records the outcome
together with the job for the next phase.
Handlers are idempotent, so a job retried after a crash re-runs its phase from its last
commit and ends with the same result as an uninterrupted run.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.core.database import unit_of_work
from discovery.core.settings import Settings
from discovery.flows import service
from discovery.flows.lock import holding_flow_lock
from discovery.flows.models import FlowStatus, Phase
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseHandler
from discovery.flows.phases import HANDLERS
from discovery.flows.queue import enqueue_phase
from discovery.tenancy.row_security import flow_factory

logger = logging.getLogger(__name__)


def handler_for(phase: Phase) -> PhaseHandler | None:
    return HANDLERS.get(phase)


async def _record_failure(
    factory: async_sessionmaker[AsyncSession],
    discovery_flow_id: uuid.UUID,
    phase: Phase,
    message: str,
    details: dict[str, Any],
) -> None:
    async with unit_of_work(factory) as session:
        flow = await service.load_flow(session, discovery_flow_id, for_update=True)
        await service.fail_phase(session, flow, phase, message, details)


async def execute_phase(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    discovery_flow_id: uuid.UUID,
    phase: Phase,
) -> None:
    """Run ``phase`` of the flow once, holding the flow lock from start to finish, in the
    flow's tenant (row-level security)."""
    factory = await flow_factory(factory, discovery_flow_id)
    async with holding_flow_lock(database_url, discovery_flow_id):
        await _execute_locked(factory, settings, discovery_flow_id, phase)


async def _execute_locked(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    discovery_flow_id: uuid.UUID,
    phase: Phase,
) -> None:
    handler = handler_for(phase)
    async with unit_of_work(factory) as session:
        flow = await service.load_flow(session, discovery_flow_id, for_update=True)
        status = FlowStatus(flow.status)
        if status in service.RESTING or getattr(flow, service.COMPLETED_FLAG[phase]):
            logger.info("flow %s: %s already done or resting; nothing to do", flow.id, phase)
            return
        if flow.current_phase != phase.value:
            logger.warning(
                "flow %s is at %s, not %s; job ignored", flow.id, flow.current_phase, phase
            )
            return
        if handler is None:
            await service.fail_phase(
                session, flow, phase, f"the {phase.value} phase is not available"
            )
            return
        await service.start_phase(session, flow, phase)
        context = PhaseContext.of_flow(factory, settings, flow, phase)
    started = time.monotonic()
    try:
        outcome = await handler(context)
    except PhaseError as exc:
        await _record_failure(factory, discovery_flow_id, phase, str(exc), {})
        return
    except Exception as exc:
        logger.exception("flow %s: %s failed", discovery_flow_id, phase)
        await _record_failure(
            factory,
            discovery_flow_id,
            phase,
            f"unexpected error in {phase.value}: {type(exc).__name__}: {exc}"[:2000],
            {"exception": type(exc).__name__},
        )
        return
    elapsed_ms = int((time.monotonic() - started) * 1000)
    async with unit_of_work(factory) as session:
        flow = await service.load_flow(session, discovery_flow_id, for_update=True)
        if FlowStatus(flow.status) != FlowStatus.RUNNING:
            logger.info("flow %s became %s during %s", flow.id, flow.status, phase)
            return
        if getattr(flow, service.COMPLETED_FLAG[phase]) or flow.current_phase != phase.value:
            # Only if the lock was lost mid-phase (its connection cut) and another
            # execution finished first: a phase completes, and queues its successor, once.
            logger.warning("flow %s: %s was completed by another execution", flow.id, phase)
            return
        following = await service.complete_phase(
            session,
            flow,
            phase,
            elapsed_ms=elapsed_ms,
            result=outcome.result,
            wait_for_approval=outcome.wait_for_approval,
            with_errors=outcome.with_errors,
        )
        if following is not None:
            await enqueue_phase(session, flow.id, following)
