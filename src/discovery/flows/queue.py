"""Enqueueing phase jobs inside the caller's transaction.

A phase's completion and the job for the next phase commit together: the job row is
inserted by procrastinate's own SQL function in our transaction, so a crash can never
leave a completed phase without its successor queued, nor queue a successor for a
phase whose results were rolled back.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows.models import Phase

QUEUE = "discovery"
RUN_PHASE_TASK = "discovery.run_phase"

_DEFER = text(
    "SELECT procrastinate.procrastinate_defer_jobs_v1(ARRAY[ROW("
    ":queue, :task, 0, :lock, NULL, CAST(:args AS jsonb), NULL"
    ")::procrastinate.procrastinate_job_to_defer_v1])"
)


def flow_lock(discovery_flow_id: uuid.UUID) -> str:
    """Jobs sharing a lock never run at the same time: one phase of a flow at a time."""
    return f"flow:{discovery_flow_id}"


async def enqueue_phase(session: AsyncSession, discovery_flow_id: uuid.UUID, phase: Phase) -> None:
    args = {"discovery_flow_id": str(discovery_flow_id), "phase": phase.value}
    await session.execute(
        _DEFER,
        {
            "queue": QUEUE,
            "task": RUN_PHASE_TASK,
            "lock": flow_lock(discovery_flow_id),
            "args": json.dumps(args),
        },
    )
