"""Enqueueing phase jobs inside the caller's transaction.

A phase's completion and the job for the next phase commit together: the job is
deferred through procrastinate's public API on the caller's own connection
(``configure(connection=…)``), so it is written in our transaction and a crash can never
leave a completed phase without its successor queued, nor queue a successor for a phase
whose results were rolled back.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.database import psycopg_connection
from discovery.flows.models import Phase

if TYPE_CHECKING:
    import procrastinate

QUEUE = "discovery"
RUN_PHASE_TASK = "discovery.run_phase"
RETRY_FAILED_TASK = "discovery.retry_failed_chunks"
#: The job queue's schema (migration 0005); procrastinate's statements name its objects
#: unqualified, so they run with this schema first on the search path.
JOB_SCHEMA = "procrastinate"
_SEARCH_PATH = text("SELECT current_setting('search_path')")
_SET_SEARCH_PATH = text("SELECT set_config('search_path', :path, true)")


@cache
def _deferrer() -> procrastinate.App:
    """An app that only defers jobs, each on the connection it is given: never opened, it
    has no pool of its own (the worker's app, in :mod:`.jobs`, runs them)."""
    import procrastinate  # the worker's library: loaded only when a job is deferred

    return procrastinate.App(connector=procrastinate.PsycopgConnector())


def flow_lock(discovery_flow_id: uuid.UUID) -> str:
    """Jobs sharing a lock never run at the same time: one phase of a flow at a time."""
    return f"flow:{discovery_flow_id}"


def retry_lock(discovery_flow_id: uuid.UUID) -> str:
    """At most one queued retry of a flow's failed chunks: a second request finds it."""
    return f"retry:{discovery_flow_id}"


@contextlib.asynccontextmanager
async def _job_schema_first(session: AsyncSession) -> AsyncIterator[None]:
    """The job schema first on the search path for procrastinate's statements, and the
    caller's path back after them for the rest of the transaction (not after a failure:
    that transaction is lost anyway)."""
    path = (await session.execute(_SEARCH_PATH)).scalar_one()
    await session.execute(_SET_SEARCH_PATH, {"path": f"{JOB_SCHEMA}, {path}"})
    yield
    await session.execute(_SET_SEARCH_PATH, {"path": path})


async def enqueue_phase(session: AsyncSession, discovery_flow_id: uuid.UUID, phase: Phase) -> None:
    deferrer = _deferrer().configure_task(
        RUN_PHASE_TASK,
        queue=QUEUE,
        lock=flow_lock(discovery_flow_id),
        connection=await psycopg_connection(session),
    )
    async with _job_schema_first(session):
        await deferrer.defer_async(discovery_flow_id=str(discovery_flow_id), phase=phase.value)


async def enqueue_retry(session: AsyncSession, discovery_flow_id: uuid.UUID) -> bool:
    """Queue a retry of the flow's dead-lettered chunks in the caller's transaction; False
    when one is already queued (and not yet started). Like the phases, it runs under the
    flow's lock, so it never overlaps a phase of the same flow."""
    from procrastinate.exceptions import AlreadyEnqueued

    connection = await psycopg_connection(session)
    deferrer = _deferrer().configure_task(
        RETRY_FAILED_TASK,
        queue=QUEUE,
        lock=flow_lock(discovery_flow_id),
        queueing_lock=retry_lock(discovery_flow_id),
        connection=connection,
    )
    async with _job_schema_first(session):
        try:
            # A savepoint on the driver's connection, where procrastinate writes: the
            # queueing lock refuses a second job with a unique violation, which must not
            # abort the caller's transaction.
            async with connection.transaction():
                await deferrer.defer_async(discovery_flow_id=str(discovery_flow_id))
        except AlreadyEnqueued:
            return False
    return True
