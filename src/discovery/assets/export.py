"""Streaming the inventory out as CSV, XLSX or JSON, in bounded memory.

Columns: every canonical field under its canonical name (so the export re-imports with
every column mapped), the custom attributes under their original column names, then
lineage: the asset id, its import and the row it came from, and its flows. Rows stream
from a server-side cursor; XLSX uses openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.models import CANONICAL_FIELDS, Asset
from discovery.imports.models import RawImportRecord

ExportFormat = Literal["csv", "xlsx", "json"]
LINEAGE_COLUMNS = (
    "asset_id", "data_import_id", "source_row_number", "discovery_flow_id", "master_flow_id",
)  # fmt: skip
LIST_SEPARATOR = "; "


def reimported_lineage(headers: Iterable[str]) -> frozenset[str]:
    """The lineage columns of a file that is one of our own exports, else nothing.

    Re-importing an export: those columns describe the old import, not the asset.
    """
    return frozenset(LINEAGE_COLUMNS) if set(LINEAGE_COLUMNS) <= set(headers) else frozenset()


STREAM_BATCH = 2000


# What an export covers: the same filter as the API's asset listing.
ExportScope = AssetFilter


def _filtered(statement: Select[Any], scope: ExportScope) -> Select[Any]:
    return statement.where(*scope.conditions())


async def custom_columns(session: AsyncSession, scope: ExportScope) -> list[str]:
    keys = func.jsonb_object_keys(Asset.custom_attributes).table_valued("value").render_derived()
    statement = _filtered(select(keys.c.value).select_from(Asset).join(keys, true()), scope)
    result = await session.execute(statement.distinct().order_by(keys.c.value))
    reserved = set(CANONICAL_FIELDS) | set(LINEAGE_COLUMNS)
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
        lineage = values[len(CANONICAL_FIELDS) + 1 :]
        yield [*canonical, *(attributes.get(name) for name in custom), *lineage]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


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
        header = [*CANONICAL_FIELDS, *custom, *LINEAGE_COLUMNS]
        rows = _rows(self.session, self.scope, custom)
        body = self._csv(header, rows) if self.file_format == "csv" else self._json(header, rows)
        async for chunk in body:
            yield chunk

    async def _csv(
        self, header: Sequence[str], rows: AsyncIterator[list[Any]]
    ) -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        async for values in rows:
            writer.writerow([_text(value) for value in values])
            self.count += 1
            if self.count % STREAM_BATCH == 0:
                yield _drain(buffer)
        yield _drain(buffer)

    async def _json(
        self, header: Sequence[str], rows: AsyncIterator[list[Any]]
    ) -> AsyncIterator[str]:
        parts = ["[\n"]
        async for values in rows:
            record = {
                name: (str(value) if isinstance(value, uuid.UUID) else value)
                for name, value in zip(header, values, strict=True)
            }
            parts.append(("  " if self.count == 0 else ",\n  ") + json.dumps(record, default=str))
            self.count += 1
            if self.count % STREAM_BATCH == 0:
                yield "".join(parts)
                parts = []
        parts.append("\n]\n" if self.count else "]\n")
        yield "".join(parts)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


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
    from openpyxl import Workbook

    custom = await custom_columns(session, scope)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Assets")
    sheet.append([*CANONICAL_FIELDS, *custom, *LINEAGE_COLUMNS])
    count = 0
    async for values in _rows(session, scope, custom):
        sheet.append([_text(value) for value in values])
        count += 1
    workbook.save(output)
    return count
