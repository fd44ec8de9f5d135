"""A phase cannot run twice at once (issue 12, finding 2), piece by piece, on the real
database: the flow lock makes a second execution wait and then do nothing; the import and
mapping writes stay single even without that lock; stalled-job recovery leaves a job
whose phase still holds its lock; and a worker's heartbeat goes on while its event loop
is blocked."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.core.database import (
    create_engine,
    create_session_factory,
    libpq_url,
    unit_of_work,
)
from discovery.core.settings import Settings
from discovery.flows import service
from discovery.flows.heartbeat import HeartbeatThread
from discovery.flows.jobs import build_app, retry_stalled_jobs
from discovery.flows.lock import holding_flow_lock
from discovery.flows.models import DiscoveryFlow, Phase
from discovery.flows.phase_contract import PhaseContext
from discovery.flows.queue import QUEUE, enqueue_phase, flow_lock
from discovery.flows.runner import execute_phase
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.phase import run_data_import
from discovery.mapping.models import ImportFieldMapping
from discovery.mapping.phase import run_field_mapping
from tests.flow_helpers import in_transaction, new_tenant, settings_for, start_flow
from tests.inventory_files import write_servers_csv

ROWS = 3000

_LOCK_REQUESTS = """
SELECT count(*) FILTER (WHERE l.granted), count(*) FILTER (WHERE NOT l.granted)
  FROM pg_locks AS l, (SELECT hashtextextended(%s, 0) AS key) AS k
 WHERE l.locktype = 'advisory' AND l.objsubid = 1
   AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid
"""


def _query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


async def _until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


class FlowUnderTest:
    def __init__(self, url: str, settings: Settings, flow: DiscoveryFlow) -> None:
        self.url = url
        self.settings = settings
        self.flow = flow
        self.engine = create_engine(url)
        self.factory: async_sessionmaker[AsyncSession] = create_session_factory(self.engine)

    def context(self, phase: Phase) -> PhaseContext:
        return PhaseContext.of_flow(self.factory, self.settings, self.flow, phase)

    async def reload(self) -> DiscoveryFlow:
        async with unit_of_work(self.factory) as session:
            return await service.load_flow(session, self.flow.id)

    async def counts(self) -> dict[str, int]:
        async with unit_of_work(self.factory) as session:
            import_id = self.flow.data_import_id
            rows = await session.scalar(
                select(func.count()).where(RawImportRecord.data_import_id == import_id)
            )
            mappings = await session.scalar(
                select(func.count()).where(ImportFieldMapping.data_import_id == import_id)
            )
            jobs = (
                await session.execute(
                    text(
                        "SELECT args->>'phase', count(*) FROM procrastinate.procrastinate_jobs"
                        " WHERE args->>'discovery_flow_id' = :flow GROUP BY 1"
                    ),
                    {"flow": str(self.flow.id)},
                )
            ).all()
        return {"rows": int(rows or 0), "mappings": int(mappings or 0)} | {
            f"jobs:{phase}": int(count) for phase, count in jobs
        }


@pytest.fixture
async def started(database_url: str, tmp_path: Path) -> AsyncIterator[FlowUnderTest]:
    """A flow started from a file, its import job queued (and dropped at the end, so no
    later test's worker runs it)."""
    settings = settings_for(database_url, tmp_path / "data")
    path = write_servers_csv(tmp_path / "servers.csv", ROWS)
    master_flow_id = await start_flow(database_url, settings, await new_tenant(database_url), path)

    async def find(session: AsyncSession) -> DiscoveryFlow:
        return await service.find_flow(session, master_flow_id)

    under_test = FlowUnderTest(database_url, settings, await in_transaction(database_url, find))
    try:
        yield under_test
    finally:
        _query(
            database_url,
            "DELETE FROM procrastinate.procrastinate_jobs WHERE args->>'discovery_flow_id' = %s",
            str(under_test.flow.id),
        )
        await under_test.engine.dispose()


async def test_a_second_execution_waits_for_the_running_one_and_then_does_nothing(
    started: FlowUnderTest,
) -> None:
    flow, url = started.flow, started.url
    name = flow_lock(flow.id)

    def run() -> Awaitable[None]:
        return execute_phase(started.factory, started.settings, url, flow.id, Phase.DATA_IMPORT)

    # The test holds the flow lock, as a phase running on another worker would.
    async with holding_flow_lock(url, flow.id):
        assert _query(url, _LOCK_REQUESTS, name) == [(1, 0)]
        first = asyncio.create_task(run())
        second = asyncio.create_task(run())
        await _until(lambda: _query(url, _LOCK_REQUESTS, name) == [(1, 2)], "two waiters")
        waiting = await started.reload()
        assert waiting.phase_state == {} and not waiting.data_import_completed
        assert (await started.counts())["rows"] == 0
    # One of them runs the phase; the other then finds it done and returns quietly.
    await asyncio.wait_for(asyncio.gather(first, second), timeout=60)

    done = await started.reload()
    assert done.data_import_completed
    assert (done.status, done.current_phase, done.error_message) == (
        "running",
        "field_mapping",
        None,
    )
    assert await started.counts() == {
        "rows": ROWS,
        "mappings": 0,
        "jobs:data_import": 1,  # the queued job the test never ran
        "jobs:field_mapping": 1,  # the phase completed, and queued its successor, once
    }
    assert _query(url, _LOCK_REQUESTS, name) == [(0, 0)]


async def test_two_imports_of_one_file_at_once_write_its_rows_once(
    started: FlowUnderTest,
) -> None:
    """Without the flow lock too (a lock lost with its connection): the import's row
    serialises the two loads, and the second finds the first's rows."""
    context = started.context(Phase.DATA_IMPORT)
    outcomes = await asyncio.gather(run_data_import(context), run_data_import(context))
    assert [outcome.result for outcome in outcomes] == [{"rows": ROWS}, {"rows": ROWS}]

    async def stored(session: AsyncSession) -> tuple[int, int, str]:
        count, distinct = (
            await session.execute(
                select(func.count(), func.count(func.distinct(RawImportRecord.row_number))).where(
                    RawImportRecord.data_import_id == started.flow.data_import_id
                )
            )
        ).one()
        data_import = await session.get(DataImport, started.flow.data_import_id)
        assert data_import is not None
        return int(count), int(distinct), data_import.status

    assert await in_transaction(started.url, stored) == (ROWS, ROWS, "completed")

    # The same holds for the mapping phase's suggestions.
    mapping = started.context(Phase.FIELD_MAPPING)
    suggested = await asyncio.gather(run_field_mapping(mapping), run_field_mapping(mapping))
    assert suggested[0].result == suggested[1].result
    columns = suggested[0].result["columns"]
    assert columns == 12
    assert (await started.counts())["mappings"] == columns


async def test_recovery_leaves_a_silent_worker_s_job_while_its_phase_holds_the_lock(
    database_url: str,
) -> None:
    app = build_app(database_url)
    flow_id = uuid.uuid4()  # the job's flow need not exist for the queue
    engine = create_engine(database_url)
    async with app.open_async():
        worker_id = await app.job_manager.register_worker()
        try:
            async with unit_of_work(create_session_factory(engine)) as session:
                await enqueue_phase(session, flow_id, Phase.DATA_IMPORT)
            job = await app.job_manager.fetch_job(queues=[QUEUE], worker_id=worker_id)
            assert job is not None and job.id is not None
            assert job.task_kwargs["discovery_flow_id"] == str(flow_id)
            _query(
                database_url,
                "UPDATE procrastinate.procrastinate_workers"
                " SET last_heartbeat = now() - interval '1 hour' WHERE id = %s",
                worker_id,
            )

            def state() -> tuple[Any, ...]:
                (row,) = _query(
                    database_url,
                    "SELECT status::text, attempts FROM procrastinate.procrastinate_jobs"
                    " WHERE id = %s",
                    job.id,
                )
                return row

            reported: set[int] = set()
            async with holding_flow_lock(database_url, flow_id):
                await retry_stalled_jobs(app, 2, reported)
                assert state() == ("doing", 0)
                assert job.id in reported
            # The lock is gone with its session: the worker is presumed dead.
            await retry_stalled_jobs(app, 2, reported)
            assert state() == ("todo", 1)
        finally:
            _query(
                database_url,
                "DELETE FROM procrastinate.procrastinate_jobs WHERE args->>'discovery_flow_id' = %s",
                str(flow_id),
            )
            await app.job_manager.unregister_worker(worker_id)
            await engine.dispose()


async def test_the_heartbeat_goes_on_while_the_event_loop_is_blocked(database_url: str) -> None:
    app = build_app(database_url)
    async with app.open_async():
        worker_id = await app.job_manager.register_worker()
        heartbeat = HeartbeatThread(libpq_url(database_url), 0.1, lambda: worker_id)
        try:

            def beat_age() -> float:
                ((seconds,),) = _query(
                    database_url,
                    "SELECT extract(epoch FROM now() - last_heartbeat)::float"
                    " FROM procrastinate.procrastinate_workers WHERE id = %s",
                    worker_id,
                )
                return float(seconds)

            heartbeat.start()
            time.sleep(2.0)  # noqa: ASYNC251  (the point: nothing on this loop can run)
            # The last beat came from the thread during the block, not before it.
            assert beat_age() < 1.0
        finally:
            heartbeat.stop()
            await app.job_manager.unregister_worker(worker_id)
