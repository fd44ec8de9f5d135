"""The rows of an import that need fixing, as CSV: the original values, ``row_number``
and the errors. The user fixes the values and uploads the file again.

Streams from a server-side cursor, so memory stays flat however many rows are bad. Every
cell is neutralised like the exports' (no spreadsheet runs one as a formula), and the
header row is a signature the importer knows: uploading the fixed file again restores
the values exactly (see :mod:`discovery.core.export_format`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.export_format import neutralise
from discovery.imports.models import DataImport, RawImportRecord

BATCH = 1000


def _extra_column(name: str, headers: Sequence[str]) -> str:
    while name in headers:
        name = f"_{name}"
    return name


def describe_errors(
    is_valid: bool | None, note: str | None, errors: Sequence[dict[str, Any]] | None
) -> str:
    """One cell: why the row is invalid, then each rejected value."""
    parts = [note] if is_valid is False and note else []
    for error in errors or []:
        parts.append(f"{error.get('field')}: {error.get('reason')} (value {error.get('value')!r})")
    return "; ".join(parts)


def _cells(values: Sequence[Any]) -> list[str]:
    return [neutralise("" if value is None else str(value)) for value in values]


def _line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(_cells(values))
    return buffer.getvalue()


async def error_rows_csv(session: AsyncSession, data_import: DataImport) -> AsyncIterator[str]:
    headers = [str(h) for h in data_import.read_details.get("headers", [])]
    row_column = _extra_column("row_number", headers)
    errors_column = _extra_column("errors", headers)
    yield _line([row_column, *headers, errors_column])
    statement = (
        select(
            RawImportRecord.row_number,
            RawImportRecord.raw_data,
            RawImportRecord.is_valid,
            RawImportRecord.processing_notes,
            RawImportRecord.validation_errors,
        )
        .where(
            RawImportRecord.data_import_id == data_import.id,
            RawImportRecord.client_account_id == data_import.client_account_id,
            RawImportRecord.engagement_id == data_import.engagement_id,
            or_(
                RawImportRecord.is_valid.is_(False),
                func.jsonb_array_length(RawImportRecord.validation_errors) > 0,
            ),
        )
        .order_by(RawImportRecord.row_number)
        .execution_options(yield_per=BATCH)
    )
    result = await session.stream(statement)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    pending = 0
    async for row_number, raw, is_valid, note, errors in result:
        writer.writerow(
            _cells(
                [
                    row_number,
                    *(raw.get(h, "") for h in headers),
                    describe_errors(is_valid, note, errors),
                ]
            )
        )
        pending += 1
        if pending == BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
