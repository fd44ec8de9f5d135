"""The contract between the runner and the phases: what a phase handler is given and returns.

It sits below both: the phase modules import it, the runner imports the phases' table
(``flows.phases.HANDLERS``), and nothing here imports either of them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.core.database import unit_of_work
from discovery.core.settings import Settings
from discovery.flows import service
from discovery.flows.models import DiscoveryFlow, Phase

#: How often a running phase writes its progress to the flow.
PROGRESS_EVERY_SECONDS = 0.5


class PhaseError(Exception):
    """An expected failure of a phase; the message is shown to the user as is."""


@dataclass(frozen=True)
class PhaseContext:
    factory: async_sessionmaker[AsyncSession]
    settings: Settings
    discovery_flow_id: uuid.UUID
    master_flow_id: uuid.UUID
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    data_import_id: uuid.UUID | None
    user_id: uuid.UUID | None
    phase: Phase
    # When progress was last written (monotonic seconds; a one-item list, the context
    # being frozen): a phase reports once per chunk, which for 500-row chunks meant a
    # flow update every ~50 ms.
    _reported_at: list[float] = field(default_factory=lambda: [-PROGRESS_EVERY_SECONDS],
                                      compare=False, repr=False)  # fmt: skip

    @classmethod
    def of_flow(
        cls,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        flow: DiscoveryFlow,
        phase: Phase,
    ) -> PhaseContext:
        return cls(
            factory=factory,
            settings=settings,
            discovery_flow_id=flow.id,
            master_flow_id=flow.master_flow_id,
            client_account_id=flow.client_account_id,
            engagement_id=flow.engagement_id,
            data_import_id=flow.data_import_id,
            user_id=flow.user_id,
            phase=phase,
        )

    async def progress(self, done: int, total: int) -> None:
        """Show progress inside the phase (its own short transaction), at most every
        ``PROGRESS_EVERY_SECONDS`` and always when ``done`` reaches ``total``."""
        now = time.monotonic()
        if now - self._reported_at[0] < PROGRESS_EVERY_SECONDS and not 0 < total <= done:
            return
        self._reported_at[0] = now
        async with unit_of_work(self.factory) as session:
            flow = await service.load_flow(session, self.discovery_flow_id)
            await service.report_progress(session, flow, self.phase, done, total)


@dataclass
class PhaseOutcome:
    result: dict[str, Any] = field(default_factory=dict)
    wait_for_approval: bool = False
    with_errors: bool = False  # finished, but left work behind (dead-lettered chunks)


PhaseHandler = Callable[[PhaseContext], Awaitable[PhaseOutcome]]
