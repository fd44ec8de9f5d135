"""Deleting an import: its raw rows, its flow, and the assets that only it created.

An asset that another import also touched (``asset_imports``) is kept; when its lineage
pointed into the deleted import, it is re-pointed to the earliest remaining raw row
linked to it and that row's flow, so the wiring stays whole. Everything happens in the
caller's transaction; the stored file is removed by the caller after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from discovery.assets.models import Asset, AssetImport
from discovery.core.models import SCHEMA
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow, FlowStatus
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.service import get_import
from discovery.tenancy.context import Tenant

# A phase job may be working on these; the flow must rest (pause or cancel it) first.
BUSY = frozenset({FlowStatus.INITIALIZED.value, FlowStatus.RUNNING.value})


class ImportNotFoundError(LookupError):
    pass


class ImportBusyError(ValueError):
    """The import's flow is running; the message says what to do."""


@dataclass(frozen=True)
class DeletedImport:
    data_import_id: uuid.UUID
    master_flow_id: uuid.UUID | None
    raw_rows_deleted: int
    assets_deleted: int
    assets_kept: int
    stored_file_path: str | None


_REPOINT_KEPT_ASSETS = text(
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET raw_import_records_id = other.id,
           discovery_flow_id = f.id,
           master_flow_id = f.master_flow_id,
           updated_at = now()
      FROM (
            SELECT DISTINCT ON (r.asset_id) r.asset_id, r.id, r.data_import_id
              FROM {SCHEMA}.raw_import_records r
             WHERE r.asset_id = ANY(CAST(:kept AS uuid[]))
               AND r.data_import_id <> :import_id
             ORDER BY r.asset_id, r.created_at, r.row_number
           ) AS other
      JOIN {SCHEMA}.discovery_flows f ON f.data_import_id = other.data_import_id
     WHERE a.id = other.asset_id
       AND a.raw_import_records_id IN (
            SELECT id FROM {SCHEMA}.raw_import_records WHERE data_import_id = :import_id)
    """  # noqa: S608 (the schema constant)
)


async def delete_import(
    session: AsyncSession, tenant: Tenant, data_import_id: uuid.UUID
) -> DeletedImport:
    data_import = await get_import(session, tenant, data_import_id)
    if data_import is None:
        raise ImportNotFoundError(f"import {data_import_id} does not exist")
    flow = await session.scalar(
        select(DiscoveryFlow)
        .where(DiscoveryFlow.data_import_id == data_import.id)
        .with_for_update()
    )
    if flow is not None and flow.status in BUSY:
        raise ImportBusyError(
            f"the import's flow is {flow.status}; pause or cancel it, then delete the import"
        )
    other = aliased(AssetImport)
    touched = (
        await session.execute(
            select(
                AssetImport.asset_id,
                and_(
                    AssetImport.action == "created",
                    ~exists().where(
                        other.asset_id == AssetImport.asset_id,
                        other.data_import_id != data_import.id,
                    ),
                ),
            ).where(AssetImport.data_import_id == data_import.id)
        )
    ).all()
    only_ours = [asset_id for asset_id, alone in touched if alone]
    kept = [asset_id for asset_id, alone in touched if not alone]
    if kept:
        await session.execute(
            _REPOINT_KEPT_ASSETS, {"kept": [str(a) for a in kept], "import_id": data_import.id}
        )
    if only_ours:
        await session.execute(
            delete(Asset).where(
                Asset.id.in_(only_ours),
                Asset.client_account_id == tenant.client_account_id,
                Asset.engagement_id == tenant.engagement_id,
            )
        )
    raw_rows = int(
        await session.scalar(
            select(func.count())
            .select_from(RawImportRecord)
            .where(RawImportRecord.data_import_id == data_import.id)
        )
        or 0
    )
    await session.execute(
        delete(RawImportRecord).where(RawImportRecord.data_import_id == data_import.id)
    )
    master_flow_id = flow.master_flow_id if flow is not None else None
    await session.execute(delete(DataImport).where(DataImport.id == data_import.id))
    if master_flow_id is not None:
        # The discovery flow, its dead-letter chunks, follow by cascade.
        await session.execute(
            delete(CrewAIFlowStateExtensions).where(
                CrewAIFlowStateExtensions.flow_id == master_flow_id
            )
        )
    return DeletedImport(
        data_import_id=data_import.id,
        master_flow_id=master_flow_id,
        raw_rows_deleted=raw_rows,
        assets_deleted=len(only_ours),
        assets_kept=len(kept),
        stored_file_path=data_import.stored_file_path,
    )


async def preview_deletion(
    session: AsyncSession, tenant: Tenant, data_import_id: uuid.UUID
) -> DeletedImport:
    """What :func:`delete_import` would remove, computed by running it in a savepoint that
    is rolled back: the confirmation shows exactly what the deletion does."""
    savepoint = await session.begin_nested()
    try:
        return await delete_import(session, tenant, data_import_id)
    finally:
        await savepoint.rollback()
