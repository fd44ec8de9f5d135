"""The job queue (procrastinate, on the service's own PostgreSQL) and its workers.

Workers run anywhere that reaches the database: in-process under ``discovery serve`` and
``discovery run``, or standalone with ``discovery worker``. Each sends its heartbeat from a
thread of its own (``flows.heartbeat``), so a busy event loop cannot silence it. A worker
that dies mid-job stops sending heartbeats and loses its database sessions; any other
worker then finds its jobs stalled and retries them, and the phase handlers' idempotency
makes the retry safe. A job whose worker is silent but whose phase still holds the flow
lock (``flows.lock``: the worker is frozen, not dead) is left to that worker. Every
worker also sweeps expired uploads (``imports.retention``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import procrastinate
from procrastinate.jobs import Job
from procrastinate.worker import Worker
from psycopg.conninfo import make_conninfo
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from discovery.core.database import create_engine, create_session_factory, libpq_url
from discovery.core.settings import Settings
from discovery.flows.dead_letter import retry_failed_chunks
from discovery.flows.heartbeat import HeartbeatThread
from discovery.flows.lock import HELD_FLOW_LOCKS_SQL
from discovery.flows.models import Phase
from discovery.flows.queue import JOB_SCHEMA, QUEUE, RETRY_FAILED_TASK, RUN_PHASE_TASK, flow_lock
from discovery.flows.runner import execute_phase
from discovery.imports.retention import sweep_forever
from discovery.tenancy.row_security import SERVICE_ROLE

logger = logging.getLogger(__name__)


@dataclass
class _Resources:
    database_url: str
    engine: AsyncEngine
    #: Sessions of the service role, which row-level security applies to: the phases.
    factory: async_sessionmaker[AsyncSession]
    settings: Settings
    #: Sessions of the owner, for the work that spans tenants: the upload retention sweep.
    owner_engine: AsyncEngine
    owner_factory: async_sessionmaker[AsyncSession]


_resources: _Resources | None = None


def _conninfo(database_url: str) -> str:
    return make_conninfo(libpq_url(database_url), options=f"-c search_path={JOB_SCHEMA}")


def build_app(database_url: str) -> procrastinate.App:
    conninfo = _conninfo(database_url)
    connector = procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)

    @app.task(name=RUN_PHASE_TASK, queue=QUEUE, pass_context=False)
    async def run_phase(discovery_flow_id: str, phase: str) -> None:
        if _resources is None:
            raise RuntimeError("the worker's database resources are not set up")
        await execute_phase(
            _resources.factory,
            _resources.settings,
            _resources.database_url,
            uuid.UUID(discovery_flow_id),
            Phase(phase),
        )

    @app.task(name=RETRY_FAILED_TASK, queue=QUEUE, pass_context=False)
    async def retry_failed(discovery_flow_id: str) -> None:
        if _resources is None:
            raise RuntimeError("the worker's database resources are not set up")
        outcome = await retry_failed_chunks(
            _resources.factory,
            _resources.settings,
            uuid.UUID(discovery_flow_id),
            database_url=_resources.database_url,
        )
        logger.info("flow %s: failed chunks retried: %s", discovery_flow_id, outcome)

    return app


@contextlib.asynccontextmanager
async def worker_resources(database_url: str, settings: Settings) -> AsyncIterator[None]:
    """The engines the jobs of this process use: the service role's for the phases, the
    owner's for the sweeps across tenants."""
    global _resources
    engine = create_engine(database_url, role=SERVICE_ROLE)
    owner = create_engine(database_url, pool_size=1, max_overflow=1)
    _resources = _Resources(
        database_url,
        engine,
        create_session_factory(engine),
        settings,
        owner,
        create_session_factory(owner),
    )
    try:
        yield
    finally:
        _resources = None
        await engine.dispose()
        await owner.dispose()


def _flow_of(job: Job) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(job.task_kwargs["discovery_flow_id"]))
    except (KeyError, ValueError):
        return None


async def _still_running(app: procrastinate.App, jobs: list[Job]) -> set[int]:
    """The jobs whose flow lock a live database session holds: running, only silent."""
    flows = {job.id: flow for job in jobs if job.id is not None and (flow := _flow_of(job))}
    if not flows:
        return set()
    rows = await app.connector.execute_query_all_async(
        HELD_FLOW_LOCKS_SQL, names=sorted({flow_lock(flow) for flow in flows.values()})
    )
    held = {row["name"] for row in rows}
    return {job_id for job_id, flow in flows.items() if flow_lock(flow) in held}


async def retry_stalled_jobs(
    app: procrastinate.App, stalled_seconds: float, reported: set[int] | None = None
) -> int:
    """Requeue the jobs of workers that stopped sending heartbeats and are gone.

    A stalled job whose phase still holds its flow lock belongs to a worker that is
    frozen (stopped, swapping, paused by a debugger), not dead: retrying it would run
    the phase twice, so it is left alone and reported once (in ``reported``).
    """
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds))
    running = await _still_running(app, stalled)
    retried = 0
    for job in stalled:
        if job.id in running:
            if reported is not None and job.id not in reported:
                reported.add(job.id)
                logger.warning(
                    "job %s: its worker is silent but its phase still holds the flow lock;"
                    " left to that worker",
                    job.id,
                )
            continue
        logger.warning("retrying job %s of a stalled worker", job.id)
        await app.job_manager.retry_job(job)
        retried += 1
    return retried


async def _recover_forever(app: procrastinate.App, stalled_seconds: float) -> None:
    reported: set[int] = set()
    while True:
        try:
            await retry_stalled_jobs(app, stalled_seconds, reported)
        except Exception:
            logger.exception("stalled-job recovery failed; trying again")
        await asyncio.sleep(max(1.0, stalled_seconds / 3))


async def run_worker(
    database_url: str,
    settings: Settings,
    *,
    concurrency: int = 1,
    stop: asyncio.Event | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run a worker until ``stop`` is set (or until interrupted, without ``stop``)."""
    app = build_app(database_url)
    stalled = float(settings.worker_stalled_seconds)
    beat_every = max(0.5, stalled / 4)
    async with worker_resources(database_url, settings), app.open_async():
        worker = Worker(
            app,
            queues=[QUEUE],
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=beat_every,
            stalled_worker_timeout=stalled,
            delete_jobs="successful",
        )
        heartbeat = HeartbeatThread(_conninfo(database_url), beat_every, lambda: worker.worker_id)
        heartbeat.start()
        recovery = asyncio.create_task(_recover_forever(app, stalled))
        assert _resources is not None
        retention = asyncio.create_task(
            sweep_forever(
                _resources.owner_factory, settings.uploads_dir, settings.upload_retention_days
            )
        )
        running = asyncio.create_task(worker.run())  # type: ignore[no-untyped-call]
        try:
            if stop is None:
                await running
            else:
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({running, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
        finally:
            recovery.cancel()
            retention.cancel()
            if not running.done():
                running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            # Last: a worker finishing its jobs on the way out still beats meanwhile.
            await asyncio.to_thread(heartbeat.stop)
