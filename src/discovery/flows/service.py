"""Master and discovery flow records, and the one place their status changes.

Every status change goes through this module, which writes the discovery flow and its
master record together, so ``current_phase``, the per-phase completed flags and the
master's ``flow_status`` never disagree. Functions flush; the caller owns the transaction.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow, FlowStatus, Phase
from discovery.tenancy.context import Tenant

logger = logging.getLogger(__name__)

FLOW_TYPE = "discovery"
PHASES: tuple[Phase, ...] = tuple(Phase)
COMPLETED_FLAG = {phase: f"{phase.value}_completed" for phase in PHASES}

# Where a flow rests until someone acts; a phase job finding one of these does nothing.
RESTING = frozenset(
    {
        FlowStatus.WAITING_FOR_APPROVAL,
        FlowStatus.PAUSED,
        FlowStatus.COMPLETED,
        FlowStatus.COMPLETED_WITH_ERRORS,
        FlowStatus.FAILED,
        FlowStatus.CANCELLED,
    }
)
FINISHED = frozenset({FlowStatus.COMPLETED, FlowStatus.COMPLETED_WITH_ERRORS})


class FlowNotFoundError(LookupError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def next_phase(phase: Phase) -> Phase | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


async def create_flow(
    session: AsyncSession,
    *,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID | None,
    data_import_id: uuid.UUID | None,
    flow_name: str | None,
    configuration: dict[str, Any] | None = None,
) -> DiscoveryFlow:
    """Create the master flow and its discovery flow, linked, in the caller's transaction."""
    master_flow_id = uuid.uuid4()
    tenant = {"client_account_id": client_account_id, "engagement_id": engagement_id}
    session.add(
        CrewAIFlowStateExtensions(
            **tenant,
            flow_id=master_flow_id,
            flow_type=FLOW_TYPE,
            user_id=user_id,
            flow_name=flow_name,
            flow_status=FlowStatus.INITIALIZED.value,
            flow_configuration=configuration or {},
            flow_persistence_data={"current_phase": Phase.DATA_IMPORT.value},
        )
    )
    await session.flush()
    flow = DiscoveryFlow(
        **tenant,
        flow_id=master_flow_id,
        master_flow_id=master_flow_id,
        user_id=user_id,
        data_import_id=data_import_id,
        flow_name=flow_name,
        status=FlowStatus.INITIALIZED.value,
        current_phase=Phase.DATA_IMPORT.value,
    )
    session.add(flow)
    await session.flush()
    return flow


async def _get_master_flow_id(
    session: AsyncSession, discovery_flow_id: uuid.UUID
) -> uuid.UUID | None:
    """The master flow id of a discovery flow, confirmed to exist in the master table.

    One query: the discovery flow, outer-joined to its master record. None, with a
    warning that says which record is missing, when either is absent.
    """
    row = (
        await session.execute(
            select(DiscoveryFlow.master_flow_id, CrewAIFlowStateExtensions.flow_id)
            .outerjoin(
                CrewAIFlowStateExtensions,
                CrewAIFlowStateExtensions.flow_id == DiscoveryFlow.master_flow_id,
            )
            .where(DiscoveryFlow.id == discovery_flow_id)
        )
    ).first()
    if row is None:
        logger.warning("no discovery flow %s", discovery_flow_id)
        return None
    named, confirmed = row
    if confirmed is None:
        logger.warning(
            "discovery flow %s names master flow %s, which does not exist",
            discovery_flow_id,
            named,
        )
        return None
    return confirmed


get_master_flow_id = _get_master_flow_id


async def load_flow(
    session: AsyncSession, discovery_flow_id: uuid.UUID, *, for_update: bool = False
) -> DiscoveryFlow:
    statement = select(DiscoveryFlow).where(DiscoveryFlow.id == discovery_flow_id)
    if for_update:
        statement = statement.with_for_update()
    flow = (await session.execute(statement)).scalar_one_or_none()
    if flow is None:
        raise FlowNotFoundError(f"discovery flow {discovery_flow_id} does not exist")
    return flow


async def find_flow(
    session: AsyncSession,
    flow_id: uuid.UUID,
    *,
    tenant: Tenant | None = None,
    for_update: bool = False,
) -> DiscoveryFlow:
    """A flow by its master flow id (what users see) or its discovery flow id.

    With ``tenant``, a flow of another tenant is not found (the API always passes it).
    """
    statement = select(DiscoveryFlow).where(
        (DiscoveryFlow.master_flow_id == flow_id) | (DiscoveryFlow.id == flow_id)
    )
    if tenant is not None:
        statement = statement.where(
            DiscoveryFlow.client_account_id == tenant.client_account_id,
            DiscoveryFlow.engagement_id == tenant.engagement_id,
        )
    if for_update:
        statement = statement.with_for_update()
    flow = (await session.execute(statement)).scalar_one_or_none()
    if flow is None:
        raise FlowNotFoundError(f"flow {flow_id} does not exist")
    return flow


def completed_phases(flow: DiscoveryFlow) -> list[Phase]:
    return [phase for phase in PHASES if getattr(flow, COMPLETED_FLAG[phase])]


def overall_progress(flow: DiscoveryFlow, phase_fraction: float = 0.0) -> float:
    """Share of the six phases done, counting the current one by its own fraction."""
    done = len(completed_phases(flow))
    fraction = min(max(phase_fraction, 0.0), 1.0)
    return round(min(100.0, (done + fraction) / len(PHASES) * 100), 1)


async def _sync_master(session: AsyncSession, flow: DiscoveryFlow, **extra: Any) -> None:
    """Mirror the discovery flow's status and phase state onto its master record."""
    persistence = {
        "current_phase": flow.current_phase,
        "progress_percentage": flow.progress_percentage,
        "completed_phases": [phase.value for phase in completed_phases(flow)],
    }
    await session.execute(
        update(CrewAIFlowStateExtensions)
        .where(CrewAIFlowStateExtensions.flow_id == flow.master_flow_id)
        .values(
            flow_status=flow.status,
            flow_persistence_data=persistence,
            updated_at=_now(),
            **extra,
        )
    )


async def _master(session: AsyncSession, flow: DiscoveryFlow) -> CrewAIFlowStateExtensions:
    return (
        await session.execute(
            select(CrewAIFlowStateExtensions).where(
                CrewAIFlowStateExtensions.flow_id == flow.master_flow_id
            )
        )
    ).scalar_one()


async def start_phase(session: AsyncSession, flow: DiscoveryFlow, phase: Phase) -> None:
    flow.status = FlowStatus.RUNNING.value
    flow.current_phase = phase.value
    state = dict(flow.phase_state)
    state[phase.value] = {**state.get(phase.value, {}), "started_at": _now().isoformat()}
    flow.phase_state = state
    flow.error_message = flow.error_phase = None
    flow.error_details = None
    await session.flush()
    await _sync_master(session, flow)


async def report_progress(
    session: AsyncSession, flow: DiscoveryFlow, phase: Phase, done: int, total: int
) -> None:
    """Progress inside a phase: ``done`` of ``total`` units, shown while it runs."""
    state = dict(flow.phase_state)
    state[phase.value] = {**state.get(phase.value, {}), "done": done, "total": total}
    flow.phase_state = state
    flow.progress_percentage = overall_progress(flow, done / total if total else 0.0)
    await session.flush()
    await _sync_master(session, flow)


async def complete_phase(
    session: AsyncSession,
    flow: DiscoveryFlow,
    phase: Phase,
    *,
    elapsed_ms: int,
    result: dict[str, Any] | None = None,
    wait_for_approval: bool = False,
    with_errors: bool = False,
) -> Phase | None:
    """Mark a phase done; returns the phase to run next (None when the flow rests)."""
    setattr(flow, COMPLETED_FLAG[phase], True)
    state = dict(flow.phase_state)
    state[phase.value] = {
        **state.get(phase.value, {}),
        **(result or {}),
        "completed_at": _now().isoformat(),
        "elapsed_ms": elapsed_ms,
        "with_errors": with_errors,
    }
    flow.phase_state = state
    following = next_phase(phase)
    flow.progress_percentage = overall_progress(flow)
    if following is None:
        any_errors = any(entry.get("with_errors") for entry in state.values())
        flow.status = (
            FlowStatus.COMPLETED_WITH_ERRORS if any_errors else FlowStatus.COMPLETED
        ).value
        flow.completed_at = _now()
    elif wait_for_approval:
        flow.status = FlowStatus.WAITING_FOR_APPROVAL.value
        flow.current_phase = following.value
    else:
        flow.current_phase = following.value
    await session.flush()
    master = await _master(session, flow)
    times = {**master.phase_execution_times, phase.value: elapsed_ms}
    await _sync_master(session, flow, phase_execution_times=times)
    if following is None or wait_for_approval:
        return None
    return following


async def set_status(session: AsyncSession, flow: DiscoveryFlow, status: FlowStatus) -> None:
    """Pause, resume (running), cancel: a status change without a phase change."""
    flow.status = status.value
    await session.flush()
    await _sync_master(session, flow)


async def fail_phase(
    session: AsyncSession,
    flow: DiscoveryFlow,
    phase: Phase,
    message: str,
    details: dict[str, Any] | None = None,
) -> None:
    flow.status = FlowStatus.FAILED.value
    flow.current_phase = phase.value
    flow.error_message = message
    flow.error_phase = phase.value
    flow.error_details = details or {}
    await session.flush()
    master = await _master(session, flow)
    history = [
        *master.error_history,
        {"phase": phase.value, "message": message, "at": _now().isoformat()},
    ]
    await _sync_master(session, flow, error_history=history)
