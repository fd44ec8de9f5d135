"""The flow lock: one phase of a flow runs at a time, on any worker, for the whole phase.

A phase job holds a PostgreSQL session-level advisory lock, keyed by the flow, on a
connection of its own from before it reads the flow until after it has recorded the
outcome. A second execution of the same flow (a retried job, a duplicate) waits for the
first to end and then finds the phase done. The lock lives exactly as long as the
holder's database session: a worker that dies loses its connection and so the lock, a
worker that is merely busy or frozen keeps both. Stalled-job recovery reads that
difference from ``pg_locks`` (see :data:`HELD_FLOW_LOCKS_SQL`).

procrastinate's own job lock (``flow:<id>``, the same name) only keeps two *queued* jobs
of a flow apart; once recovery re-queues a job that is still running, it no longer
protects the phase, which is why this one is held in the database by the phase itself.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import psycopg
from psycopg.conninfo import make_conninfo

from discovery.core.database import libpq_url
from discovery.flows.queue import flow_lock

logger = logging.getLogger(__name__)

# The server drops the session of a client that vanished without closing its connection
# (a machine gone, a network cut) after about a minute, rather than after the system's
# default two hours of TCP silence, so a lock is never held by a holder that is gone.
_LOCK_SESSION_OPTIONS = (
    "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"
)
_KEY = "hashtextextended(%s, 0)"

# Which of the given lock names a live session holds. A bigint advisory key shows in
# pg_locks as its high half in classid and its low half in objid, with objsubid 1.
HELD_FLOW_LOCKS_SQL = """
SELECT wanted.name
  FROM unnest(%(names)s::text[]) AS wanted(name)
 CROSS JOIN LATERAL (SELECT hashtextextended(wanted.name, 0) AS key) AS k
 WHERE EXISTS (
       SELECT 1 FROM pg_catalog.pg_locks AS l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_catalog.pg_database
                             WHERE datname = current_database())
          AND l.classid = ((k.key >> 32) & 4294967295)::oid
          AND l.objid = (k.key & 4294967295)::oid)
"""


@contextlib.asynccontextmanager
async def holding_flow_lock(database_url: str, discovery_flow_id: uuid.UUID) -> AsyncIterator[None]:
    """Hold the flow's lock for the body, waiting while another execution holds it."""
    name = flow_lock(discovery_flow_id)
    conninfo = make_conninfo(
        libpq_url(database_url),
        options=_LOCK_SESSION_OPTIONS,
        application_name="discovery flow lock",
    )
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        acquired = await connection.execute(f"SELECT pg_try_advisory_lock({_KEY})", (name,))
        row = await acquired.fetchone()
        if not (row and row[0]):
            logger.info("flow %s: a phase is running elsewhere; waiting for it", discovery_flow_id)
            await connection.execute(f"SELECT pg_advisory_lock({_KEY})", (name,))
        # Closing the connection (at the end of this block, or when the process dies)
        # releases the lock; no unlock statement can be forgotten or interrupted.
        yield
