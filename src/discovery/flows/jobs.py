"""The job queue (procrastinate, on the service's own PostgreSQL) and its workers.

Workers run anywhere that reaches the database: in-process under ``discovery serve`` and
``discovery run``, or standalone with ``discovery worker``. A worker that dies mid-job
stops sending heartbeats; any other worker then finds its jobs stalled and retries them,
and the phase handlers' idempotency makes the retry safe. Every worker also sweeps
expired uploads (``imports.retention``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import procrastinate
from psycopg.conninfo import make_conninfo
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from discovery.core.database import create_engine, create_session_factory, libpq_url
from discovery.core.settings import Settings
from discovery.flows.models import Phase
from discovery.flows.queue import QUEUE, RUN_PHASE_TASK
from discovery.flows.runner import execute_phase
from discovery.imports.retention import sweep_forever

logger = logging.getLogger(__name__)

JOB_SCHEMA = "procrastinate"


@dataclass
class _Resources:
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]
    settings: Settings


_resources: _Resources | None = None


def build_app(database_url: str) -> procrastinate.App:
    conninfo = make_conninfo(libpq_url(database_url), options=f"-c search_path={JOB_SCHEMA}")
    connector = procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)

    @app.task(name=RUN_PHASE_TASK, queue=QUEUE, pass_context=False)
    async def run_phase(discovery_flow_id: str, phase: str) -> None:
        if _resources is None:
            raise RuntimeError("the worker's database resources are not set up")
        await execute_phase(
            _resources.factory, _resources.settings, uuid.UUID(discovery_flow_id), Phase(phase)
        )

    return app


@contextlib.asynccontextmanager
async def worker_resources(database_url: str, settings: Settings) -> AsyncIterator[None]:
    """The engine the phase jobs of this process use."""
    global _resources
    engine = create_engine(database_url)
    _resources = _Resources(engine, create_session_factory(engine), settings)
    try:
        yield
    finally:
        _resources = None
        await engine.dispose()


async def retry_stalled_jobs(app: procrastinate.App, stalled_seconds: float) -> int:
    """Requeue the jobs of workers that stopped sending heartbeats."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds))
    for job in stalled:
        logger.warning("retrying job %s of a stalled worker", job.id)
        await app.job_manager.retry_job(job)
    return len(stalled)


async def _recover_forever(app: procrastinate.App, stalled_seconds: float) -> None:
    while True:
        try:
            await retry_stalled_jobs(app, stalled_seconds)
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
    async with worker_resources(database_url, settings), app.open_async():
        recovery = asyncio.create_task(_recover_forever(app, stalled))
        assert _resources is not None
        retention = asyncio.create_task(
            sweep_forever(_resources.factory, settings.uploads_dir, settings.upload_retention_days)
        )
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                install_signal_handlers=install_signal_handlers,
                update_heartbeat_interval=max(0.5, stalled / 4),
                stalled_worker_timeout=stalled,
                delete_jobs="successful",
            )
        )
        try:
            if stop is None:
                await worker
            else:
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({worker, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
        finally:
            recovery.cancel()
            retention.cancel()
            if not worker.done():
                worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
            with contextlib.suppress(asyncio.CancelledError):
                await retention
