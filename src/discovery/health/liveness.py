"""Liveness: is the database reachable, is its schema at head, is a worker alive?"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.core.models import SCHEMA

logger = logging.getLogger(__name__)

_TABLES = text(
    f"SELECT to_regclass('{SCHEMA}.alembic_version') IS NOT NULL,"
    " to_regclass('procrastinate.procrastinate_workers') IS NOT NULL"
)
_REVISION = text(f"SELECT version_num FROM {SCHEMA}.alembic_version")  # noqa: S608 - a constant
_WORKERS = text(
    "SELECT count(*) FILTER (WHERE last_heartbeat > now() - make_interval(secs => :seconds)),"
    " max(last_heartbeat) FROM procrastinate.procrastinate_workers"
)


@dataclass(frozen=True)
class Liveness:
    reachable: bool
    revision: str | None
    head: str
    workers_alive: int
    last_heartbeat: datetime | None
    error: str | None = None

    @property
    def at_head(self) -> bool:
        return self.revision == self.head

    @property
    def serving(self) -> bool:
        """The API can serve: the database answers and has the schema this code needs."""
        return self.reachable and self.at_head

    @property
    def status(self) -> str:
        return "ok" if self.serving and self.workers_alive > 0 else "degraded"


async def check_liveness(
    factory: async_sessionmaker[AsyncSession], head: str, stalled_seconds: float
) -> Liveness:
    try:
        async with factory() as session:
            migrated, has_queue = (await session.execute(_TABLES)).one()
            revision = await session.scalar(_REVISION) if migrated else None
            alive, last = (
                (await session.execute(_WORKERS, {"seconds": stalled_seconds})).one()
                if has_queue
                else (0, None)
            )
    except SQLAlchemyError as exc:
        logger.warning("liveness: database check failed: %s", exc)
        message = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["error"])[0]
        return Liveness(False, None, head, 0, None, message)
    return Liveness(True, revision, head, int(alive or 0), last)
