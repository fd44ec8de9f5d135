"""Chunk retry policies with injected failures, and the no-row-lost invariant.

At the end (after a resume where the policy fails the phase) every raw row of the import
is exactly one of: linked to an asset, invalid with a reason, or inside a recorded
dead-letter chunk; and no asset exists without its raw row.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from discovery.assets.inventory import (
    ChunkPolicy,
    InventoryPlan,
    InventoryRun,
    build_plan,
    persist_assets,
    reprocess_dead_letters,
)
from discovery.assets.models import Asset, FailedAssetChunk
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.settings import load_settings
from discovery.flows.dead_letter import retry_failed_chunks
from discovery.flows.lock import holding_flow_lock
from discovery.flows.models import DiscoveryFlow
from discovery.imports.models import RawImportRecord
from tests.factories import Factory


class InjectedFailure(RuntimeError):
    pass


@dataclass
class Scenario:
    plan: InventoryPlan
    valid_rows: int
    distinct_hosts: int


async def _scenario(url: str, valid: int, invalid: int, duplicates: int) -> Scenario:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            factory = Factory(session)
            flow = await factory.flow()
            number = 0
            hosts = [f"host{i:03d}" for i in range(valid)] + [
                f"host{i:03d}" for i in range(duplicates)
            ]
            for host in hosts:
                number += 1
                raw = await factory.raw_row(flow, number, Name=host)
                raw.cleansed_data = {
                    "name": host,
                    "hostname": host,
                    "ip_address": f"10.0.0.{number}",
                }
                raw.is_valid = True
            for _ in range(invalid):
                number += 1
                raw = await factory.raw_row(flow, number, Notes="nothing")
                raw.cleansed_data, raw.is_valid, raw.is_processed = {}, False, True
                raw.processing_notes = "no identifying value"
            await session.flush()
            discovery = await session.get(DiscoveryFlow, flow.discovery_flow_id)
            assert discovery is not None
            plan = await build_plan(session, discovery)
        return Scenario(plan, valid + duplicates, valid)
    finally:
        await engine.dispose()


async def _invariant(url: str, scenario: Scenario) -> dict[str, int]:
    plan = scenario.plan
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            rows = (
                await session.execute(
                    text(
                        """
                        SELECT
                          (r.asset_id IS NOT NULL)::int AS linked,
                          (r.is_valid IS FALSE AND coalesce(r.processing_notes, '') <> '')::int
                            AS invalid,
                          EXISTS (SELECT 1 FROM migration.failed_asset_chunks f
                                   WHERE f.discovery_flow_id = :flow AND f.reprocessed_at IS NULL
                                     AND r.row_number BETWEEN f.first_row_number
                                                          AND f.last_row_number)::int AS dead
                          FROM migration.raw_import_records r
                         WHERE r.data_import_id = :import
                        """
                    ),
                    {"flow": plan.discovery_flow_id, "import": plan.data_import_id},
                )
            ).all()
            states = [linked + invalid + dead for linked, invalid, dead in rows]
            assert states and all(state == 1 for state in states), states
            orphans = await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(
                    Asset.engagement_id == plan.engagement_id,
                    ~select(RawImportRecord.id)
                    .where(
                        RawImportRecord.id == Asset.raw_import_records_id,
                        RawImportRecord.asset_id == Asset.id,
                    )
                    .exists(),
                )
            )
            assert orphans == 0
            assets = await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(Asset.engagement_id == plan.engagement_id)
            )
            names = await session.scalar(
                select(func.count(func.distinct(Asset.hostname))).where(
                    Asset.engagement_id == plan.engagement_id
                )
            )
            assert assets == names  # no duplicate assets
            return {
                "linked": sum(r[0] for r in rows),
                "dead": sum(r[2] for r in rows),
                "assets": int(assets or 0),
            }
    finally:
        await engine.dispose()


def _failing(chunks: set[int], transient: bool) -> tuple[ChunkPolicy, list[int]]:
    calls: list[int] = []
    seen: set[int] = set()

    async def hook(chunk_number: int) -> None:
        calls.append(chunk_number)
        if chunk_number in chunks and not (transient and chunk_number in seen):
            seen.add(chunk_number)
            raise InjectedFailure(f"injected failure in chunk {chunk_number}")

    async def no_sleep(_: float) -> None:
        return None

    return ChunkPolicy("stop", 3, 0.0, sleep=no_sleep, hook=hook), calls


async def _run(url: str, scenario: Scenario, policy: ChunkPolicy, size: int) -> InventoryRun:
    engine = create_engine(url)
    try:
        return await persist_assets(
            create_session_factory(engine), scenario.plan, chunk_size=size, policy=policy
        )
    finally:
        await engine.dispose()


async def test_stop_fails_on_the_first_bad_chunk_and_resume_continues(database_url: str) -> None:
    scenario = await _scenario(database_url, valid=10, invalid=2, duplicates=2)
    policy, _ = _failing({2}, transient=False)
    run = await _run(database_url, scenario, policy, size=4)
    assert run.failure is not None and run.failure.chunk_number == 2
    assert run.counters.linked == 4  # chunk 1 committed and stays
    assert "injected failure in chunk 2" in str(run.failure)
    resumed = await _run(database_url, scenario, ChunkPolicy("stop", 3, 0.0), size=4)
    assert resumed.failure is None
    result = await _invariant(database_url, scenario)
    assert result == {"linked": 12, "dead": 0, "assets": 10}


async def test_skip_dead_letters_the_chunk_and_goes_on(database_url: str) -> None:
    scenario = await _scenario(database_url, valid=10, invalid=1, duplicates=0)
    policy, _ = _failing({2}, transient=False)
    policy.policy = "skip"
    run = await _run(database_url, scenario, policy, size=3)
    assert run.failure is None
    assert (run.counters.dead_lettered_chunks, run.counters.dead_lettered_rows) == (1, 3)
    assert await _invariant(database_url, scenario) == {"linked": 7, "dead": 3, "assets": 7}

    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        counters, failures = await reprocess_dead_letters(factory, scenario.plan)
        async with unit_of_work(factory) as session:
            chunk = (
                await session.execute(
                    select(FailedAssetChunk).where(
                        FailedAssetChunk.discovery_flow_id == scenario.plan.discovery_flow_id
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert failures == [] and counters.linked == 3
    assert chunk.reprocessed_at is not None and chunk.attempts == 1
    assert await _invariant(database_url, scenario) == {"linked": 10, "dead": 0, "assets": 10}


async def test_a_retry_of_failed_chunks_waits_while_a_phase_holds_the_flow(
    database_url: str, tmp_path: Path
) -> None:
    """The retry (a job of its own, or the CLI) takes the flow's lock: it never runs beside
    a phase of the same flow, and goes on once the phase lets go."""
    scenario = await _scenario(database_url, valid=6, invalid=0, duplicates=0)
    policy, _ = _failing({2}, transient=False)
    policy.policy = "skip"
    await _run(database_url, scenario, policy, size=3)
    assert await _invariant(database_url, scenario) == {"linked": 3, "dead": 3, "assets": 3}
    flow_id = scenario.plan.discovery_flow_id
    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        current = load_settings(database_url=database_url, data_dir=tmp_path)
        async with holding_flow_lock(database_url, flow_id):  # a phase of the flow runs
            retry = asyncio.create_task(
                retry_failed_chunks(factory, current, flow_id, database_url=database_url)
            )
            await asyncio.sleep(1.0)
            assert not retry.done()
            assert await _invariant(database_url, scenario) == {
                "linked": 3, "dead": 3, "assets": 3
            }  # fmt: skip
        outcome = await asyncio.wait_for(retry, 60)
    finally:
        await engine.dispose()
    assert outcome["still_failing"] == [] and outcome["reprocessed"]["linked"] == 3
    assert await _invariant(database_url, scenario) == {"linked": 6, "dead": 0, "assets": 6}


async def test_retry_recovers_from_a_transient_failure(database_url: str) -> None:
    scenario = await _scenario(database_url, valid=6, invalid=0, duplicates=0)
    policy, calls = _failing({1}, transient=True)
    policy.policy = "retry"
    run = await _run(database_url, scenario, policy, size=4)
    assert run.failure is None and run.counters.linked == 6
    assert calls.count(1) == 2  # failed once, then succeeded


async def test_retry_dead_letters_after_the_last_retry_and_fails_the_phase(
    database_url: str,
) -> None:
    scenario = await _scenario(database_url, valid=6, invalid=0, duplicates=0)
    policy, calls = _failing({1}, transient=False)
    policy.policy, policy.max_retries = "retry", 2
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    policy.sleep, policy.base_delay_seconds = record, 0.5
    run = await _run(database_url, scenario, policy, size=4)
    assert run.failure is not None and run.failure.attempts == 3
    assert calls.count(1) == 3
    assert delays == [0.5, 1.0]  # exponential backoff
    resumed = await _run(database_url, scenario, ChunkPolicy("retry", 2, 0.0), size=4)
    assert resumed.failure is None
    assert await _invariant(database_url, scenario) == {"linked": 2, "dead": 4, "assets": 2}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    valid=st.integers(1, 14),
    invalid=st.integers(0, 3),
    duplicates=st.integers(0, 3),
    size=st.integers(1, 6),
    failing=st.sets(st.integers(1, 6), max_size=3),
    policy_name=st.sampled_from(["stop", "skip", "retry"]),
    transient=st.booleans(),
)
def test_no_row_is_ever_lost(
    database_url: str,
    valid: int,
    invalid: int,
    duplicates: int,
    size: int,
    failing: set[int],
    policy_name: str,
    transient: bool,
) -> None:
    duplicates = min(duplicates, valid)

    async def scenario_run() -> None:
        scenario = await _scenario(database_url, valid, invalid, duplicates)
        policy, _ = _failing(failing, transient)
        policy.policy = policy_name
        run = await _run(database_url, scenario, policy, size)
        if run.failure is not None:  # stop, or retry exhausted: resume without failures
            await _run(database_url, scenario, ChunkPolicy(policy_name, 3, 0.0), size)
        result = await _invariant(database_url, scenario)
        assert result["linked"] + result["dead"] == scenario.valid_rows

    asyncio.run(scenario_run())
