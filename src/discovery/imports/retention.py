"""Upload retention: an uploaded file is deleted once its flow has ended long enough ago.

Every worker sweeps at start and then hourly (:func:`sweep_forever`):

- the stored file of every import whose flow ended (``completed``,
  ``completed_with_errors``, ``failed``, ``cancelled``) more than
  ``DISCOVERY_UPLOAD_RETENTION_DAYS`` ago is deleted, and the import records when
  (``file_deleted_at``); 0 days keeps files forever. A flow that waits for approval or is
  paused has not ended: its file stays, as its review and its resume may read it.
- an upload directory that no import refers to (left by an upload whose request was
  rolled back, or by a deletion interrupted after its commit) is removed once it is an
  hour old; younger ones may belong to an upload still being committed.

The database change commits first and the files go after it, so a crash in between
leaves only an unreferenced directory, which the next sweep removes. Rows are claimed
with ``SKIP LOCKED``: workers sweeping at the same time never do the same work twice.
An import's own deletion removes its directory at once (see ``imports.router``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.core.database import unit_of_work
from discovery.flows.models import DiscoveryFlow, FlowStatus
from discovery.imports.models import DataImport
from discovery.imports.storage import remove_stored

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 3600.0
ORPHAN_GRACE = timedelta(hours=1)
ENDED = frozenset(
    {
        FlowStatus.COMPLETED.value,
        FlowStatus.COMPLETED_WITH_ERRORS.value,
        FlowStatus.FAILED.value,
        FlowStatus.CANCELLED.value,
    }
)
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    files_deleted: int
    orphans_deleted: int


def deleted_file_message(deleted_at: datetime) -> str:
    """What a re-run that needs a file the sweep deleted says."""
    return (
        f"The uploaded file was deleted on {deleted_at:%Y-%m-%d}: uploads are kept "
        "DISCOVERY_UPLOAD_RETENTION_DAYS days after their flow ends. Upload the file again "
        "to import it."
    )


async def _claim_expired(session: AsyncSession, cutoff: datetime, now: datetime) -> list[str]:
    """Mark up to ``BATCH`` expired uploads deleted; their paths, to delete after commit."""
    expired = (
        select(DataImport.id, DataImport.stored_file_path)
        .join(DiscoveryFlow, DiscoveryFlow.data_import_id == DataImport.id)
        .where(
            DataImport.stored_file_path.is_not(None),
            DiscoveryFlow.status.in_(ENDED),
            DiscoveryFlow.updated_at < cutoff,
        )
        .limit(BATCH)
        .with_for_update(of=DataImport, skip_locked=True)
    )
    rows = (await session.execute(expired)).all()
    if rows:
        await session.execute(
            update(DataImport)
            .where(DataImport.id.in_([import_id for import_id, _ in rows]))
            .values(stored_file_path=None, file_deleted_at=now)
        )
    return [str(path) for _, path in rows]


def _old_directories(uploads_dir: Path, before: datetime) -> dict[uuid.UUID, Path]:
    """The upload directories (named by an import id) last changed before ``before``."""
    found: dict[uuid.UUID, Path] = {}
    if not uploads_dir.is_dir():
        return found
    limit = before.timestamp()
    with os.scandir(uploads_dir) as entries:
        for entry in entries:
            try:
                import_id = uuid.UUID(entry.name)
            except ValueError:
                continue  # not an import's directory (the incoming area, say)
            if entry.is_dir(follow_symlinks=False) and entry.stat().st_mtime < limit:
                found[import_id] = Path(entry.path)
    return found


async def _remove_orphans(
    factory: async_sessionmaker[AsyncSession], uploads_dir: Path, now: datetime
) -> int:
    candidates = await asyncio.to_thread(_old_directories, uploads_dir, now - ORPHAN_GRACE)
    if not candidates:
        return 0
    async with unit_of_work(factory) as session:
        referenced = set(
            (
                await session.execute(
                    select(DataImport.id).where(
                        DataImport.id.in_(list(candidates)),
                        DataImport.stored_file_path.is_not(None),
                    )
                )
            ).scalars()
        )
    orphans = [path for import_id, path in candidates.items() if import_id not in referenced]
    for path in orphans:
        await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)
    return len(orphans)


async def sweep_uploads(
    factory: async_sessionmaker[AsyncSession],
    uploads_dir: Path,
    retention_days: int,
    *,
    now: datetime | None = None,
) -> SweepResult:
    """One sweep (see the module docstring); ``now`` is for tests."""
    moment = now or datetime.now(UTC)
    deleted = 0
    if retention_days > 0:
        cutoff = moment - timedelta(days=retention_days)
        while True:
            async with unit_of_work(factory) as session:
                paths = await _claim_expired(session, cutoff, moment)
            for path in paths:
                await asyncio.to_thread(remove_stored, path)
            deleted += len(paths)
            if len(paths) < BATCH:
                break
    orphans = await _remove_orphans(factory, uploads_dir, moment)
    if deleted or orphans:
        logger.info(
            "upload retention: %d file(s) of ended flows and %d unreferenced directory(ies) "
            "deleted",
            deleted,
            orphans,
        )
    return SweepResult(deleted, orphans)


async def sweep_forever(
    factory: async_sessionmaker[AsyncSession], uploads_dir: Path, retention_days: int
) -> None:
    """Sweep now, then every ``SWEEP_INTERVAL_SECONDS``, until cancelled."""
    while True:
        try:
            await sweep_uploads(factory, uploads_dir, retention_days)
        except Exception:
            logger.exception("upload retention sweep failed; trying again later")
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
