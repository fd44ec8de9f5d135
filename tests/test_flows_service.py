"""Flow records: created linked, status kept consistent on both tables, jobs enqueued."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows import service
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow, FlowStatus, Phase
from discovery.flows.queue import RUN_PHASE_TASK, enqueue_phase, flow_lock
from tests.factories import Factory, Tenant


async def _new_flow(session: AsyncSession, tenant: Tenant) -> DiscoveryFlow:
    return await service.create_flow(
        session,
        client_account_id=tenant.client_account_id,
        engagement_id=tenant.engagement_id,
        user_id=None,
        data_import_id=None,
        flow_name="servers.csv",
    )


async def _master(session: AsyncSession, flow: DiscoveryFlow) -> CrewAIFlowStateExtensions:
    return (
        await session.execute(
            select(CrewAIFlowStateExtensions).where(
                CrewAIFlowStateExtensions.flow_id == flow.master_flow_id
            )
        )
    ).scalar_one()


async def test_a_flow_is_two_linked_records(session: AsyncSession, factory: Factory) -> None:
    flow = await _new_flow(session, await factory.tenant())
    master = await _master(session, flow)
    assert flow.flow_id == flow.master_flow_id == master.flow_id
    assert master.flow_type == "discovery"
    assert (flow.status, master.flow_status) == ("initialized", "initialized")
    assert flow.current_phase == "data_import"
    assert await service._get_master_flow_id(session, flow.id) == master.flow_id


async def test_master_flow_id_is_none_with_a_warning_when_missing(
    session: AsyncSession, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="discovery.flows.service")
    unknown = uuid.uuid4()
    assert await service._get_master_flow_id(session, unknown) is None
    assert f"no discovery flow {unknown}" in caplog.text

    flow = await _new_flow(session, await factory.tenant())
    # Only possible with the foreign key gone: the master record disappears.
    await session.execute(
        text(
            "ALTER TABLE migration.discovery_flows "
            "DROP CONSTRAINT fk_discovery_flows_master_flow_id"
        )
    )
    await session.execute(
        delete(CrewAIFlowStateExtensions).where(
            CrewAIFlowStateExtensions.flow_id == flow.master_flow_id
        )
    )
    assert await service._get_master_flow_id(session, flow.id) is None
    assert "which does not exist" in caplog.text


async def test_phase_changes_move_both_records_together(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _new_flow(session, await factory.tenant())
    await service.start_phase(session, flow, Phase.DATA_IMPORT)
    master = await _master(session, flow)
    await session.refresh(master)
    assert (flow.status, master.flow_status) == ("running", "running")

    following = await service.complete_phase(session, flow, Phase.DATA_IMPORT, elapsed_ms=120)
    assert following is Phase.FIELD_MAPPING
    assert flow.data_import_completed and flow.current_phase == "field_mapping"
    assert flow.progress_percentage == pytest.approx(16.7)
    await session.refresh(master)
    assert master.phase_execution_times == {"data_import": 120}
    assert master.flow_persistence_data["current_phase"] == "field_mapping"
    assert master.flow_persistence_data["completed_phases"] == ["data_import"]

    await service.start_phase(session, flow, Phase.FIELD_MAPPING)
    waiting = await service.complete_phase(
        session, flow, Phase.FIELD_MAPPING, elapsed_ms=30, wait_for_approval=True
    )
    assert waiting is None
    await session.refresh(master)
    assert (flow.status, master.flow_status) == ("waiting_for_approval",) * 2
    assert flow.current_phase == "data_cleansing"


async def test_failure_records_the_phase_and_the_history(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _new_flow(session, await factory.tenant())
    await service.start_phase(session, flow, Phase.DATA_IMPORT)
    await service.fail_phase(session, flow, Phase.DATA_IMPORT, "The file is empty.")
    master = await _master(session, flow)
    await session.refresh(master)
    assert (flow.status, flow.error_phase, flow.error_message) == (
        "failed",
        "data_import",
        "The file is empty.",
    )
    assert master.flow_status == "failed"
    assert [entry["message"] for entry in master.error_history] == ["The file is empty."]


async def test_the_last_phase_completes_the_flow(session: AsyncSession, factory: Factory) -> None:
    flow = await _new_flow(session, await factory.tenant())
    for phase in service.PHASES:
        await service.start_phase(session, flow, phase)
        await service.complete_phase(session, flow, phase, elapsed_ms=1)
    assert flow.status == FlowStatus.COMPLETED.value
    assert flow.completed_at is not None
    assert flow.progress_percentage == 100.0
    assert service.completed_phases(flow) == list(service.PHASES)


async def test_enqueue_inserts_a_job_in_the_callers_transaction(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _new_flow(session, await factory.tenant())
    await enqueue_phase(session, flow.id, Phase.DATA_IMPORT)
    job = (
        await session.execute(
            text(
                "SELECT task_name, lock, args, status::text FROM procrastinate.procrastinate_jobs "
                "WHERE lock = :lock"
            ),
            {"lock": flow_lock(flow.id)},
        )
    ).one()
    assert job.task_name == RUN_PHASE_TASK
    assert job.args == {"discovery_flow_id": str(flow.id), "phase": "data_import"}
    assert job.status == "todo"


async def test_enqueue_leaves_the_search_path_and_rolls_back_with_the_caller(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _new_flow(session, await factory.tenant())
    path = (await session.execute(text("SELECT current_setting('search_path')"))).scalar_one()
    savepoint = await session.begin_nested()
    await enqueue_phase(session, flow.id, Phase.DATA_IMPORT)
    assert (
        await session.execute(text("SELECT current_setting('search_path')"))
    ).scalar_one() == path
    await savepoint.rollback()
    jobs = await session.scalar(
        text("SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE lock = :lock"),
        {"lock": flow_lock(flow.id)},
    )
    assert jobs == 0
