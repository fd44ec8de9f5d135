"""The data-import phase: a stored file becomes raw rows, bulk-loaded with COPY.

The whole load is one transaction: an import is either complete or has no raw rows at
all. A file that cannot be read leaves the import ``failed`` with a message a person can
act on; never a traceback, never half an import.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core import copy_format
from discovery.core.copy_in import StagedCopy
from discovery.core.database import psycopg_connection
from discovery.core.settings import Settings
from discovery.core.statistics import analyze
from discovery.imports.copy_blocks import CopyBlocks
from discovery.imports.models import DataImport, FileFormat, ImportStatus, RawImportRecord
from discovery.imports.readers import ReadLimits, UnreadableFileError
from discovery.imports.retention import deleted_file_message
from discovery.imports.storage import safe_file_name, store_file
from discovery.tenancy.context import Tenant

logger = logging.getLogger(__name__)

#: The raw-row columns an import's COPY text holds, in order.
COPY_COLUMNS = ("data_import_id", "client_account_id", "engagement_id", "master_flow_id",
                "row_number", "raw_data")  # fmt: skip
PROGRESS_EVERY_SECONDS = 1.0
#: The raw-row columns the phases filter and join on: what their statistics sample.
RAW_ROW_PLANNED_COLUMNS = ("id", "data_import_id", "client_account_id", "engagement_id",
                           "row_number", "is_valid", "is_processed", "asset_id")  # fmt: skip

ProgressCallback = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class ImportResult:
    ok: bool
    rows: int = 0
    error: str | None = None


async def create_import(
    session: AsyncSession,
    *,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    source: Path,
    file_name: str | None,
    uploads_dir: Path,
    max_bytes: int,
    user_id: uuid.UUID | None = None,
    sheet: str | None = None,
    options: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    received_sha256: str | None = None,
) -> DataImport:
    """Record an import and keep its file for the import job (see ``store_file``).

    Too large a file still gets its import row, ``failed`` with the reason, so that
    every attempt is visible.
    """
    name = safe_file_name(file_name or source.name)
    size = await asyncio.to_thread(os.path.getsize, source)
    data_import = DataImport(
        id=uuid.uuid4(),
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        imported_by=user_id,
        file_name=name,
        file_size_bytes=size,
        file_sha256="",
        sheet_name=sheet,
        options=options or {},
        status=ImportStatus.PENDING.value,
        idempotency_key=idempotency_key,
    )
    try:
        stored = await asyncio.to_thread(
            store_file, source, uploads_dir, data_import.id, name, max_bytes,
            received_sha256=received_sha256,
        )  # fmt: skip
    except UnreadableFileError as exc:
        data_import.status = ImportStatus.FAILED.value
        data_import.error_message = str(exc)
    else:
        data_import.file_sha256 = stored.sha256
        data_import.stored_file_path = str(stored.path)
    session.add(data_import)
    await session.flush()
    return data_import


def read_limits(settings: Settings) -> ReadLimits:
    """The readers' limits, from the settings (DISCOVERY_MAX_UPLOAD_BYTES and friends)."""
    return ReadLimits(
        max_file_bytes=settings.max_upload_bytes,
        max_rows=settings.max_import_rows,
        max_columns=settings.max_import_columns,
        max_blank_rows=settings.max_blank_rows,
        max_cell_chars=settings.max_cell_chars,
        max_decompressed_bytes=settings.max_decompressed_bytes,
        max_compression_ratio=settings.max_compression_ratio,
        max_shared_strings=settings.max_shared_strings,
        max_shared_strings_chars=settings.max_shared_strings_chars,
        max_json_depth=settings.max_json_depth,
        max_read_seconds=settings.max_read_seconds,
    )


async def load_raw_rows(
    session: AsyncSession,
    data_import: DataImport,
    *,
    master_flow_id: uuid.UUID | None,
    limits: ReadLimits,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Read the stored file and COPY its rows into ``raw_import_records``.

    Runs in the caller's transaction: on an error the caller rolls back and records the
    failure (see :func:`mark_failed`). Already-completed imports are left as they are.
    The rows are written at most once: the import's row stays locked until the caller
    commits, so a concurrent load of the same import waits, then finds it completed.
    """
    await session.refresh(data_import, with_for_update=True)
    if data_import.status == ImportStatus.COMPLETED.value:
        return ImportResult(ok=True, rows=data_import.total_rows)
    if not data_import.stored_file_path:
        if data_import.file_deleted_at is not None:
            return ImportResult(ok=False, error=deleted_file_message(data_import.file_deleted_at))
        return ImportResult(ok=False, error=data_import.error_message or "The file is missing.")
    await session.execute(
        delete(RawImportRecord).where(RawImportRecord.data_import_id == data_import.id)
    )
    driver = await psycopg_connection(session)
    fixed = (data_import.id, data_import.client_account_id, data_import.engagement_id,
             master_flow_id)  # fmt: skip
    prefix = "\t".join(copy_format.text_field(value) for value in fixed)
    path = Path(data_import.stored_file_path)
    rows = 0
    last_report = time.monotonic()
    # The file is read, parsed and encoded in a worker thread; the loop only writes blocks.
    async with CopyBlocks(path, file_name=data_import.file_name, sheet=data_import.sheet_name,
                          limits=limits, prefix=prefix) as blocks:  # fmt: skip
        copy = StagedCopy(driver, "raw_import_records", COPY_COLUMNS)
        async for block in blocks:
            await copy.write(block.data)
            rows += block.rows
            if on_progress and time.monotonic() - last_report >= PROGRESS_EVERY_SECONDS:
                last_report = time.monotonic()
                await on_progress(rows)
        facts = blocks.facts
    data_import.file_format = FileFormat(facts.file_format).value
    data_import.sheet_name = facts.sheet_name
    data_import.column_count = len(facts.headers)
    data_import.total_rows = rows
    data_import.blank_rows_skipped = facts.blank_rows_skipped
    data_import.read_details = {**facts.detected, "headers": facts.headers}
    if facts.warnings:
        data_import.read_details["warnings"] = [w.as_dict() for w in facts.warnings]
    data_import.status = ImportStatus.COMPLETED.value
    data_import.error_message = None
    data_import.completed_at = datetime.now(UTC)
    await session.flush()
    return ImportResult(ok=True, rows=rows)


async def mark_failed(session: AsyncSession, data_import_id: uuid.UUID, message: str) -> None:
    data_import = await session.get(DataImport, data_import_id)
    if data_import is None:
        return
    data_import.status = ImportStatus.FAILED.value
    data_import.error_message = message
    data_import.completed_at = datetime.now(UTC)
    await session.flush()


async def mark_importing(session: AsyncSession, data_import_id: uuid.UUID) -> DataImport:
    data_import = (
        await session.execute(select(DataImport).where(DataImport.id == data_import_id))
    ).scalar_one()
    if data_import.status in (ImportStatus.PENDING.value, ImportStatus.FAILED.value):
        data_import.status = ImportStatus.IMPORTING.value
        data_import.started_at = datetime.now(UTC)
        await session.flush()
    return data_import


async def get_import(
    session: AsyncSession, tenant: Tenant, data_import_id: uuid.UUID
) -> DataImport | None:
    """An import of the tenant (None for another tenant's or an unknown one)."""
    return await session.scalar(
        select(DataImport).where(
            DataImport.id == data_import_id,
            DataImport.client_account_id == tenant.client_account_id,
            DataImport.engagement_id == tenant.engagement_id,
        )
    )


async def find_by_idempotency_key(
    session: AsyncSession, tenant: Tenant, key: str
) -> DataImport | None:
    return await session.scalar(
        select(DataImport).where(
            DataImport.client_account_id == tenant.client_account_id,
            DataImport.engagement_id == tenant.engagement_id,
            DataImport.idempotency_key == key,
        )
    )


async def sample_rows(
    session: AsyncSession, data_import_id: uuid.UUID, limit: int = 200
) -> list[dict[str, str]]:
    """The first rows of an import, for mapping suggestions and previews."""
    result = await session.execute(
        select(RawImportRecord.raw_data)
        .where(RawImportRecord.data_import_id == data_import_id)
        .order_by(RawImportRecord.row_number)
        .limit(limit)
    )
    return [dict(row) for row in result.scalars()]


async def analyze_raw_rows(session: AsyncSession) -> None:
    """Refresh the planner's statistics after a bulk change of raw rows.

    Right after a million-row COPY the table has no statistics and the planner would
    sort the whole import for every batch the later phases read. Only the columns the
    phases filter and join on are sampled: the JSON columns cost most of a full ANALYZE.
    """
    await analyze(session, "raw_import_records", RAW_ROW_PLANNED_COLUMNS)
