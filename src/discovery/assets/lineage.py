"""One asset with where it came from and what it is connected to.

Lineage: the raw rows linked to it (row number and raw values as read), the imports that
created or updated it, its discovery flow and master flow, and the hash of the mappings
that produced it. Dependencies both ways: what it depends on, and what depends on it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from discovery.assets.models import Asset, AssetDependency, AssetImport
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow
from discovery.imports.models import DataImport, RawImportRecord
from discovery.tenancy.context import Tenant

MAX_RAW_ROWS = 100


@dataclass(frozen=True)
class AssetLineage:
    asset: Asset
    raw_records: list[dict[str, Any]]
    imports: list[dict[str, Any]]
    discovery_flow: dict[str, Any] | None
    master_flow: dict[str, Any] | None
    depends_on: list[dict[str, Any]]
    dependents: list[dict[str, Any]]


async def find_asset(session: AsyncSession, tenant: Tenant, asset_id: uuid.UUID) -> Asset | None:
    return await session.scalar(
        select(Asset).where(
            Asset.id == asset_id,
            Asset.client_account_id == tenant.client_account_id,
            Asset.engagement_id == tenant.engagement_id,
        )
    )


async def _raw_records(session: AsyncSession, tenant: Tenant, asset: Asset) -> list[dict[str, Any]]:
    linked = [RawImportRecord.asset_id == asset.id]
    if asset.raw_import_records_id is not None:
        linked.append(RawImportRecord.id == asset.raw_import_records_id)
    rows = await session.execute(
        select(RawImportRecord, DataImport.file_name)
        .join(DataImport, DataImport.id == RawImportRecord.data_import_id)
        .where(
            RawImportRecord.client_account_id == tenant.client_account_id,
            RawImportRecord.engagement_id == tenant.engagement_id,
            or_(*linked),
        )
        .order_by(RawImportRecord.created_at, RawImportRecord.row_number)
        .limit(MAX_RAW_ROWS)
    )
    return [
        {
            "id": raw.id,
            "data_import_id": raw.data_import_id,
            "file_name": file_name,
            "row_number": raw.row_number,
            "raw_data": raw.raw_data,
            "is_valid": raw.is_valid,
            "validation_errors": raw.validation_errors or [],
            "processing_notes": raw.processing_notes,
            "is_primary": raw.id == asset.raw_import_records_id,
        }
        for raw, file_name in rows
    ]


async def _imports(session: AsyncSession, asset: Asset) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            AssetImport.data_import_id,
            AssetImport.action,
            AssetImport.created_at,
            DataImport.file_name,
            DiscoveryFlow.master_flow_id,
        )
        .join(DataImport, DataImport.id == AssetImport.data_import_id)
        .outerjoin(DiscoveryFlow, DiscoveryFlow.data_import_id == AssetImport.data_import_id)
        .where(AssetImport.asset_id == asset.id)
        .order_by(AssetImport.created_at)
    )
    return [
        {
            "data_import_id": import_id,
            "action": action,
            "at": at,
            "file_name": name,
            "master_flow_id": master_flow_id,
        }
        for import_id, action, at, name, master_flow_id in rows
    ]


async def _dependencies(
    session: AsyncSession, tenant: Tenant, asset: Asset
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    other = aliased(Asset)
    found: list[list[dict[str, Any]]] = []
    for mine, theirs in (
        (AssetDependency.asset_id, AssetDependency.depends_on_asset_id),
        (AssetDependency.depends_on_asset_id, AssetDependency.asset_id),
    ):
        rows = await session.execute(
            select(other.id, other.name, other.asset_type, AssetDependency.dependency_type)
            .join(other, other.id == theirs)
            .where(
                mine == asset.id,
                other.client_account_id == tenant.client_account_id,
                other.engagement_id == tenant.engagement_id,
            )
            .order_by(other.name, other.id)
        )
        found.append(
            [
                {"asset_id": i, "name": n, "asset_type": t, "dependency_type": d}
                for i, n, t, d in rows
            ]
        )
    return found[0], found[1]


async def asset_lineage(session: AsyncSession, tenant: Tenant, asset: Asset) -> AssetLineage:
    flow = (
        await session.get(DiscoveryFlow, asset.discovery_flow_id)
        if asset.discovery_flow_id
        else None
    )
    master = (
        await session.scalar(
            select(CrewAIFlowStateExtensions).where(
                CrewAIFlowStateExtensions.flow_id == asset.master_flow_id
            )
        )
        if asset.master_flow_id
        else None
    )
    depends_on, dependents = await _dependencies(session, tenant, asset)
    return AssetLineage(
        asset=asset,
        raw_records=await _raw_records(session, tenant, asset),
        imports=await _imports(session, asset),
        discovery_flow=(
            {
                "id": flow.id,
                "status": flow.status,
                "current_phase": flow.current_phase,
                "data_import_id": flow.data_import_id,
            }
            if flow
            else None
        ),
        master_flow=(
            {
                "flow_id": master.flow_id,
                "flow_type": master.flow_type,
                "flow_status": master.flow_status,
            }
            if master
            else None
        ),
        depends_on=depends_on,
        dependents=dependents,
    )
