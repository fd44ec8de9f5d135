"""The ``data_cleansing`` phase handler: every raw row cleansed, set-based writes.

Rows are cleansed in batches; each batch is written back with one COPY into a temporary
table and one ``UPDATE … FROM`` and committed, so progress is visible and a retried job
resumes with the rows not yet cleansed. A row that cannot identify an asset is marked
invalid and processed, with the reason; bad values are nulled and listed per row.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection as PsycopgConnection
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.cleansing import FieldMapping, compile_cleanser
from discovery.core import copy_format
from discovery.core.database import unit_of_work
from discovery.flows import service as flows
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.service import analyze_raw_rows
from discovery.mapping.service import approved_from_flow

BATCH_SIZE = 5000

_CREATE_BATCH_TABLE = text(
    "CREATE TEMP TABLE IF NOT EXISTS cleansing_batch ("
    "id uuid PRIMARY KEY, cleansed jsonb, errors jsonb, valid boolean, note text"
    ") ON COMMIT DELETE ROWS"
)
_APPLY_BATCH = text(
    """
    UPDATE migration.raw_import_records AS r
       SET cleansed_data = b.cleansed,
           validation_errors = b.errors,
           is_valid = b.valid,
           is_processed = r.is_processed OR NOT b.valid,
           processed_at = CASE WHEN b.valid THEN r.processed_at ELSE now() END,
           processing_notes = CASE WHEN b.valid THEN r.processing_notes ELSE b.note END
      FROM cleansing_batch AS b
     WHERE r.id = b.id
    """
)


async def _write_batch(session: AsyncSession, rows: list[tuple[str, ...]]) -> None:
    await session.execute(_CREATE_BATCH_TABLE)
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: PsycopgConnection[Any] = raw.driver_connection  # type: ignore[assignment]
    payload = "".join(copy_format.line(fields) for fields in rows)
    async with (
        driver.cursor() as cursor,
        cursor.copy("COPY cleansing_batch (id, cleansed, errors, valid, note) FROM STDIN") as copy,
    ):
        await copy.write(payload.encode())
    await session.execute(_APPLY_BATCH)


async def _pending(session: AsyncSession, import_id: Any) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(RawImportRecord)
            .where(
                RawImportRecord.data_import_id == import_id,
                RawImportRecord.cleansed_data.is_(None),
            )
        )
        or 0
    )


async def run_data_cleansing(context: PhaseContext) -> PhaseOutcome:
    import_id = context.data_import_id
    if import_id is None:
        raise PhaseError("the flow has no import")
    async with unit_of_work(context.factory) as session:
        flow = await flows.load_flow(session, context.discovery_flow_id)
        approved = approved_from_flow(flow.field_mappings)
        total = int(
            await session.scalar(
                select(func.count())
                .select_from(RawImportRecord)
                .where(RawImportRecord.data_import_id == import_id)
            )
            or 0
        )
        remaining = await _pending(session, import_id)
        data_import = await session.get(DataImport, import_id)
        headers = list(data_import.read_details.get("headers", [])) if data_import else []
    cleanse = compile_cleanser(
        [FieldMapping(m.source_field, m.target_field, m.unit) for m in approved],
        headers or None,
    )
    done = total - remaining
    last_row = 0
    while True:
        async with unit_of_work(context.factory) as session:
            batch = (
                await session.execute(
                    select(RawImportRecord.id, RawImportRecord.row_number, RawImportRecord.raw_data)
                    .where(
                        RawImportRecord.data_import_id == import_id,
                        RawImportRecord.row_number > last_row,
                        RawImportRecord.cleansed_data.is_(None),
                    )
                    .order_by(RawImportRecord.row_number)
                    .limit(BATCH_SIZE)
                )
            ).all()
            if not batch:
                break
            out: list[tuple[str, ...]] = []
            for row_id, _row_number, raw_data in batch:
                cleansed = cleanse(raw_data)
                errors = [
                    {"field": e.field, "value": e.value, "reason": e.reason}
                    for e in cleansed.errors
                ]
                out.append(
                    (
                        copy_format.text_field(row_id),
                        copy_format.json_field(cleansed.data),
                        copy_format.json_field(errors),
                        copy_format.text_field(cleansed.is_valid),
                        copy_format.text_field(cleansed.invalid_reason),
                    )
                )
            await _write_batch(session, out)
            last_row = batch[-1][1]
        done += len(batch)
        await context.progress(done, total)
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
