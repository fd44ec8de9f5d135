"""Streaming the inventory out as CSV, XLSX or JSON, in bounded memory.

Columns: every canonical field under its canonical name (so the export re-imports with
every column mapped), the custom attributes under their original column names, then
lineage: the asset id, its import and the row it came from, and its flows. Rows stream
from a server-side cursor; XLSX uses openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import CANONICAL_FIELDS, Asset, AssetImport
from discovery.flows.models import DiscoveryFlow
from discovery.imports.models import RawImportRecord

ExportFormat = Literal["csv", "xlsx", "json"]
LINEAGE_COLUMNS = (
    "asset_id", "data_import_id", "source_row_number", "discovery_flow_id", "master_flow_id",
)  # fmt: skip
LIST_SEPARATOR = "; "
STREAM_BATCH = 2000


@dataclass(frozen=True)
class ExportScope:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    master_flow_id: uuid.UUID | None = None


def _filtered(statement: Select[Any], scope: ExportScope) -> Select[Any]:
    statement = statement.where(
        Asset.client_account_id == scope.client_account_id,
        Asset.engagement_id == scope.engagement_id,
    )
    if scope.master_flow_id is not None:
        touched = (
            select(AssetImport.asset_id)
            .join(DiscoveryFlow, DiscoveryFlow.data_import_id == AssetImport.data_import_id)
            .where(DiscoveryFlow.master_flow_id == scope.master_flow_id)
        )
        statement = statement.where(Asset.id.in_(touched))
    return statement


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


async def export_assets(
    session: AsyncSession, scope: ExportScope, output: Path, file_format: ExportFormat
) -> int:
    """Write the inventory to ``output``; returns the number of assets written."""
    custom = await custom_columns(session, scope)
    header = [*CANONICAL_FIELDS, *custom, *LINEAGE_COLUMNS]
    count = 0
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Assets")
        sheet.append(header)
        async for values in _rows(session, scope, custom):
            sheet.append([_text(value) for value in values])
            count += 1
        workbook.save(output)
        return count
    with output.open("w", encoding="utf-8", newline="") as handle:
        if file_format == "csv":
            writer = csv.writer(handle)
            writer.writerow(header)
            async for values in _rows(session, scope, custom):
                writer.writerow([_text(value) for value in values])
                count += 1
        else:
            count = await _write_json(handle, header, _rows(session, scope, custom))
    return count


async def _write_json(
    handle: IO[str], header: Sequence[str], rows: AsyncIterator[list[Any]]
) -> int:
    count = 0
    handle.write("[\n")
    async for values in rows:
        record = {
            name: (str(value) if isinstance(value, uuid.UUID) else value)
            for name, value in zip(header, values, strict=True)
        }
        handle.write(("  " if count == 0 else ",\n  ") + json.dumps(record, default=str))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count
