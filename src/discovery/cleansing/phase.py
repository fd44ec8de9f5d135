"""The ``data_cleansing`` phase handler: every raw row cleansed, set-based writes.

Rows are cleansed in batches; each batch is written back with one COPY into a temporary
table and one ``UPDATE … FROM`` and committed, so progress is visible and a retried job
resumes with the rows not yet cleansed. A row that cannot identify an asset is marked
invalid and processed, with the reason; bad values are nulled and listed per row.
"""

from __future__ import annotations

import asyncio
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.cleansing import FieldMapping
from discovery.cleansing.batch_io import copy_payload, read_batch, stored_keys, write_batch
from discovery.cleansing.columnar import ColumnCleanser, compile_column_cleanser
from discovery.core.database import unit_of_work
from discovery.flows import service as flows
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.service import analyze_raw_rows
from discovery.mapping.service import approved_from_flow

#: Rows per batch: each batch is one COPY out, one COPY in and one UPDATE, committed.
BATCH_SIZE = 25_000


def _cleanse(cleanser: ColumnCleanser, frame: pl.DataFrame) -> bytes:
    return copy_payload(frame["id"], cleanser.cleanse(frame))


async def _extent(session: AsyncSession, import_id: Any) -> tuple[int, int, int]:
    """(rows, rows not yet cleansed, highest row number) of the import, in one read."""
    total, remaining, final_row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(RawImportRecord.cleansed_data.is_(None)),
                func.coalesce(func.max(RawImportRecord.row_number), 0),
            ).where(RawImportRecord.data_import_id == import_id)
        )
    ).one()
    return int(total), int(remaining), int(final_row)


async def run_data_cleansing(context: PhaseContext) -> PhaseOutcome:
    import_id = context.data_import_id
    if import_id is None:
        raise PhaseError("the flow has no import")
    async with unit_of_work(context.factory) as session:
        flow = await flows.load_flow(session, context.discovery_flow_id)
        approved = approved_from_flow(flow.field_mappings)
        total, remaining, final_row = await _extent(session, import_id)
        data_import = await session.get(DataImport, import_id)
        headers = list(data_import.read_details.get("headers", [])) if data_import else []
        if not headers:  # raw rows without recorded headers: their own keys
            headers = await stored_keys(session, import_id)
    cleanser = compile_column_cleanser(
        [FieldMapping(m.source_field, m.target_field, m.unit) for m in approved], headers
    )
    done = total - remaining
    # Batches are windows of BATCH_SIZE row numbers, read in order. A window bounds what
    # each read touches: "the next BATCH_SIZE rows not yet cleansed" let the planner read
    # and sort every remaining row of the import for each batch (a bitmap scan over the
    # rest: 173 ms against 11 ms for a window, midway through 400,000 rows).
    last_row = 0
    # While batch k is written (PostgreSQL's core), batch k+1 is read and cleansed (the
    # worker's); progress is reported once a batch is committed.
    writing: asyncio.Task[int] | None = None

    async def write(payload: bytes, rows: int, after_row: int) -> int:
        async with unit_of_work(context.factory) as session:
            await write_batch(session, payload, import_id, after_row, BATCH_SIZE)
        return rows

    try:
        while last_row < final_row:
            window_start = last_row
            async with unit_of_work(context.factory) as session:
                frame = await read_batch(
                    session, import_id, window_start, cleanser.sources, BATCH_SIZE
                )
            last_row += BATCH_SIZE
            if not frame.height:  # nothing left in it: blank lines' numbers, or a resume
                continue
            payload = await asyncio.to_thread(_cleanse, cleanser, frame)
            if writing is not None:
                done += await writing
                await context.progress(done, total)
            writing = asyncio.create_task(write(payload, frame.height, window_start))
        if writing is not None:
            done += await writing
            writing = None
            await context.progress(done, total)
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
    async with unit_of_work(context.factory) as session:
        counts = (
            await session.execute(
                select(
                    func.count().filter(RawImportRecord.is_valid.is_(True)),
                    func.count().filter(RawImportRecord.is_valid.is_(False)),
                    func.count().filter(
                        func.jsonb_array_length(RawImportRecord.validation_errors) > 0
                    ),
                ).where(RawImportRecord.data_import_id == import_id)
            )
        ).one()
        valid, invalid, with_errors = (int(c) for c in counts)
        data_import = await session.get(DataImport, import_id)
        if data_import is not None:
            data_import.valid_rows = valid
            data_import.invalid_rows = invalid
        await analyze_raw_rows(session)
    return PhaseOutcome(
        result={"valid_rows": valid, "invalid_rows": invalid, "rows_with_errors": with_errors}
    )
