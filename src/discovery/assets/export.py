"""Streaming the inventory out as CSV, XLSX or JSON, in bounded memory.

Columns: every canonical field under its canonical name (so the export re-imports with
every column mapped), the custom attributes under their original column names, then
lineage: the asset id, its import and the row it came from, and its flows. Rows stream
from a server-side cursor; XLSX uses openpyxl's write-only mode.

CSV and XLSX cells are neutralised so that no spreadsheet runs them as formulas, and XLSX
text is always written as a string cell (see :mod:`discovery.core.export_format`, which
also says how a re-import restores the values); the JSON export is raw. Encoding runs in
a worker thread, a batch of rows at a time, so a large export never holds up the event
loop that also serves HTTP.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.cell import (  # type: ignore[import-untyped, unused-ignore]
    ILLEGAL_CHARACTERS_RE,
)
from sqlalchemy import Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.models import Asset
from discovery.assets.tech_debt_report import earliest_end, products, worst_severity
from discovery.canonical import CANONICAL_FIELDS
from discovery.core.export_format import DERIVED_COLUMNS, LINEAGE_COLUMNS, neutralise
from discovery.imports.models import RawImportRecord

ExportFormat = Literal["csv", "xlsx", "json"]
LIST_SEPARATOR = "; "


def reimported_lineage(headers: Iterable[str]) -> frozenset[str]:
    """The lineage and derived columns of a file that is one of our own exports, else
    nothing.

    Re-importing an export: those columns describe the old import and the old
    assessment, not the asset.
    """
    names = set(headers)
    if not set(LINEAGE_COLUMNS) <= names:
        return frozenset()
    return frozenset(LINEAGE_COLUMNS) | (frozenset(DERIVED_COLUMNS) & names)


def derived_values(flags: Sequence[Any] | None) -> list[Any]:
    """The derived columns of one asset from its tech-debt flags."""
    shown = [flag for flag in flags or [] if isinstance(flag, dict)]
    end = earliest_end(shown)
    return [worst_severity(shown), products(shown), end.isoformat() if end else None]


def header_row(custom: Sequence[str]) -> list[str]:
    return [*CANONICAL_FIELDS, *custom, *LINEAGE_COLUMNS, *DERIVED_COLUMNS]


STREAM_BATCH = 2000


# What an export covers: the same filter as the API's asset listing.
ExportScope = AssetFilter


def _filtered(statement: Select[Any], scope: ExportScope) -> Select[Any]:
    return statement.where(*scope.conditions())


async def custom_columns(session: AsyncSession, scope: ExportScope) -> list[str]:
    keys = func.jsonb_object_keys(Asset.custom_attributes).table_valued("value").render_derived()
    statement = _filtered(select(keys.c.value).select_from(Asset).join(keys, true()), scope)
    result = await session.execute(statement.distinct().order_by(keys.c.value))
    reserved = set(CANONICAL_FIELDS) | set(LINEAGE_COLUMNS) | set(DERIVED_COLUMNS)
    return [name for name in result.scalars() if name not in reserved]


async def _rows(
    session: AsyncSession, scope: ExportScope, custom: Sequence[str]
) -> AsyncIterator[list[Any]]:
    columns = [getattr(Asset, name) for name in CANONICAL_FIELDS]
    statement = _filtered(
        select(
            *columns,
            Asset.custom_attributes,
            Asset.id,
            RawImportRecord.data_import_id,
            RawImportRecord.row_number,
            Asset.discovery_flow_id,
            Asset.master_flow_id,
            Asset.tech_debt_flags,
        )
        .outerjoin(RawImportRecord, RawImportRecord.id == Asset.raw_import_records_id)
        .order_by(Asset.created_at, Asset.id),
        scope,
    ).execution_options(yield_per=STREAM_BATCH)
    result = await session.stream(statement)
    async for row in result:
        values = list(row)
        canonical = values[: len(CANONICAL_FIELDS)]
        attributes = values[len(CANONICAL_FIELDS)] or {}
        lineage = values[len(CANONICAL_FIELDS) + 1 : -1]
        derived = derived_values(values[-1])
        yield [*canonical, *(attributes.get(name) for name in custom), *lineage, *derived]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _csv_cell(value: Any) -> str:
    """A CSV cell: its text, neutralised (a number's text is a plain number, left alone)."""
    value = _text(value)
    return neutralise(value if isinstance(value, str) else str(value))


def _xlsx_cell(value: Any) -> Any:
    """An XLSX cell: numbers stay numbers (never formulas); text is neutralised, so
    openpyxl always writes it as a string cell (it makes a formula of text starting
    with ``=``, which neutralised text never does). XML keeps no carriage return (every
    reader sees a line feed), so a CR is written as the LF it would become; characters
    XML cannot hold at all are dropped (openpyxl refuses them)."""
    value = _text(value)
    if isinstance(value, int | float | Decimal):  # bool is an int
        return value
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def _csv_lines(rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _json_records(header: Sequence[str], rows: Sequence[Sequence[Any]], first: bool) -> str:
    parts = []
    for values in rows:
        record = {
            name: (str(value) if isinstance(value, uuid.UUID) else value)
            for name, value in zip(header, values, strict=True)
        }
        parts.append(("  " if first else ",\n  ") + json.dumps(record, default=str))
        first = False
    return "".join(parts)


async def _batches(rows: AsyncIterator[list[Any]]) -> AsyncIterator[list[list[Any]]]:
    batch: list[list[Any]] = []
    async for values in rows:
        batch.append(values)
        if len(batch) == STREAM_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class TextExport:
    """A CSV or JSON export as a stream of text chunks (``count`` grows as they go)."""

    def __init__(
        self, session: AsyncSession, scope: ExportScope, file_format: Literal["csv", "json"]
    ) -> None:
        self.session = session
        self.scope = scope
        self.file_format = file_format
        self.count = 0

    async def chunks(self) -> AsyncIterator[str]:
        custom = await custom_columns(self.session, self.scope)
        header = header_row(custom)
        rows = _rows(self.session, self.scope, custom)
        body = self._csv(header, rows) if self.file_format == "csv" else self._json(header, rows)
        async for chunk in body:
            yield chunk

    async def _csv(
        self, header: Sequence[str], rows: AsyncIterator[list[Any]]
    ) -> AsyncIterator[str]:
        yield _csv_lines([header])
        async for batch in _batches(rows):
            yield await asyncio.to_thread(_csv_lines, batch)
            self.count += len(batch)

    async def _json(
        self, header: Sequence[str], rows: AsyncIterator[list[Any]]
    ) -> AsyncIterator[str]:
        yield "[\n"
        async for batch in _batches(rows):
            yield await asyncio.to_thread(_json_records, header, batch, self.count == 0)
            self.count += len(batch)
        yield "\n]\n" if self.count else "]\n"


async def export_assets(
    session: AsyncSession, scope: ExportScope, output: Path, file_format: ExportFormat
) -> int:
    """Write the inventory to ``output``; returns the number of assets written."""
    if file_format == "xlsx":
        return await _write_xlsx(session, scope, output)
    export = TextExport(session, scope, file_format)
    with output.open("w", encoding="utf-8", newline="") as handle:
        async for chunk in export.chunks():
            handle.write(chunk)
    return export.count


async def _write_xlsx(session: AsyncSession, scope: ExportScope, output: Path) -> int:
    custom = await custom_columns(session, scope)
    # One thread owns the workbook for its whole life: openpyxl is not meant to be
    # shared, and the loop only awaits each batch.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-export") as thread:
        loop = asyncio.get_running_loop()

        async def off_loop(work: Callable[..., None], *args: Any) -> None:
            await loop.run_in_executor(thread, work, *args)

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Assets")

        def append(rows: Sequence[Sequence[Any]]) -> None:
            for values in rows:
                sheet.append([_xlsx_cell(value) for value in values])

        await off_loop(append, [header_row(custom)])
        count = 0
        async for batch in _batches(_rows(session, scope, custom)):
            await off_loop(append, batch)
            count += len(batch)
        await off_loop(workbook.save, output)
    return count
