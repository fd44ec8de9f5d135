"""A worker frozen in the middle of a phase, beside a healthy one: the phase still runs
once, and the flow completes with no error (issue 12, finding 2).

The frozen worker is stopped from outside with SIGSTOP, so neither its event loop nor its
heartbeat thread runs: to every other worker it looks dead, yet its database sessions
(and the flow's lock) stay open. SIGCONT lets it finish.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.database import libpq_url
from discovery.flows import service
from discovery.flows.summary import flow_summary
from discovery.health.metrics import METRIC_NAMES
from discovery.imports.models import DataImport, RawImportRecord
from tests.cli_runner import cli_env
from tests.flow_helpers import in_transaction, new_tenant, settings_for, start_flow
from tests.inventory_files import write_servers_csv

ROWS = 10_000  # enough for the import to be caught while it runs
STALLED_SECONDS = 2
FROZEN_SECONDS = 4 * STALLED_SECONDS  # the other worker's recovery looks several times

T = TypeVar("T")


async def _until(check: Callable[[], Awaitable[T | None]], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def _worker_ids(url: str) -> set[int]:
    return {row[0] for row in _query(url, "SELECT id FROM procrastinate.procrastinate_workers")}


@contextmanager
def _workers(env: dict[str, str], logs: Path, count: int, url: str) -> Iterator[dict[int, Any]]:
    """``count`` real ``discovery worker`` processes, by their procrastinate worker id,
    started one after the other (each registered before the next starts)."""
    processes: list[subprocess.Popen[bytes]] = []
    by_id: dict[int, subprocess.Popen[bytes]] = {}
    known = _worker_ids(url)
    try:
        for number in range(count):
            log = logs / f"worker{number}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "discovery", "worker"],
                    env=env,
                    stdout=output,
                    stderr=output,
                )
            processes.append(process)
            deadline = time.monotonic() + 60
            while not (new := _worker_ids(url) - known):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "a worker did not register"
                time.sleep(0.05)
            (worker_id,) = new
            known.add(worker_id)
            by_id[worker_id] = process
        yield by_id
    finally:
        for process in processes:
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


async def test_a_frozen_worker_beside_a_healthy_one_imports_once_and_completes(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    settings = settings_for(database_url, data_dir, worker_stalled_seconds=STALLED_SECONDS)
    path = write_servers_csv(tmp_path / "servers.csv", ROWS)
    tenant = await new_tenant(database_url)
    env = cli_env(
        DATABASE_URL=database_url,
        DISCOVERY_DATA_DIR=str(data_dir),
        DISCOVERY_WORKER_STALLED_SECONDS=str(STALLED_SECONDS),
        DISCOVERY_LOG_LEVEL="INFO",
    )
    with _workers(env, tmp_path, 2, database_url) as workers:
        flow_id = await start_flow(database_url, settings, tenant, path)

        async def importing() -> tuple[int, int] | None:
            rows = _query(
                database_url,
                "SELECT j.id, j.worker_id FROM procrastinate.procrastinate_jobs j"
                " JOIN migration.discovery_flows f ON f.id::text = j.args->>'discovery_flow_id'"
                " JOIN migration.data_imports i ON i.id = f.data_import_id"
                " WHERE f.master_flow_id = %s AND j.status = 'doing' AND i.status = 'importing'",
                flow_id,
            )
            return rows[0] if rows else None

        job_id, busy = await _until(importing, 60, "the import to start")
        frozen = workers[busy]
        frozen.send_signal(signal.SIGSTOP)
        try:
            (at_freeze,) = _query(
                database_url,
                "SELECT i.status FROM migration.data_imports i"
                " JOIN migration.discovery_flows f ON f.data_import_id = i.id"
                " WHERE f.master_flow_id = %s",
                flow_id,
            )
            assert at_freeze == ("importing",), "the import ended before the worker froze"
            await asyncio.sleep(FROZEN_SECONDS)
            # The frozen worker is silent, but its phase still holds the flow's lock: the
            # job is left with it, not handed to the other worker.
            (job,) = _query(
                database_url,
                "SELECT status, worker_id, attempts FROM procrastinate.procrastinate_jobs"
                " WHERE id = %s",
                job_id,
            )
            assert job == ("doing", busy, 0)
        finally:
            frozen.send_signal(signal.SIGCONT)

        async def rested() -> str | None:
            ((status,),) = _query(
                database_url,
                "SELECT status FROM migration.discovery_flows WHERE master_flow_id = %s",
                flow_id,
            )
            return None if status in ("running", "initialized") else str(status)

        await _until(rested, 120, "the flow to finish")

    async def load(session: AsyncSession) -> dict[str, Any]:
        return await flow_summary(session, await service.find_flow(session, flow_id))

    final = await in_transaction(database_url, load)

    assert final["status"] == "completed", final["error"]
    assert final["error"] is None
    assert final["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)
    assert final["counters"]["total_rows"] == ROWS

    async def raw_rows(session: AsyncSession) -> tuple[int, int, int]:
        data_import = await session.scalar(
            select(DataImport).where(DataImport.id == uuid.UUID(final["data_import_id"]))
        )
        assert data_import is not None
        count, distinct = (
            await session.execute(
                select(func.count(), func.count(func.distinct(RawImportRecord.row_number))).where(
                    RawImportRecord.data_import_id == data_import.id
                )
            )
        ).one()
        return int(count), int(distinct), data_import.total_rows

    assert await in_transaction(database_url, raw_rows) == (ROWS, ROWS, ROWS)
    (history,) = _query(
        database_url,
        "SELECT error_history FROM migration.crewai_flow_state_extensions WHERE flow_id = %s",
        flow_id,
    )
    assert history == ([],)
    logs = _logs(tmp_path)
    assert {
        name: text for name, text in logs.items() if "ERROR" in text or "Traceback" in text
    } == {}
    # The import job was started once, by the frozen worker; the other one saw it stalled
    # and left it alone.
    everything = "".join(logs.values())
    assert everything.count(f"Starting job discovery.run_phase[{job_id}]") == 1
    assert (
        f"job {job_id}: its worker is silent but its phase still holds the flow lock" in everything
    )


def _logs(directory: Path) -> dict[str, str]:
    return {log.name: log.read_text() for log in sorted(directory.glob("worker*.log"))}
