"""Builders of real rows for tests: tenants, flows, imports, raw rows and assets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow
from discovery.imports.models import DataImport, RawImportRecord
from discovery.tenancy.models import ClientAccount, Engagement


@dataclass
class Tenant:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID

    def keys(self) -> dict[str, uuid.UUID]:
        return {"client_account_id": self.client_account_id, "engagement_id": self.engagement_id}


@dataclass
class Flow:
    tenant: Tenant
    master_flow_id: uuid.UUID
    discovery_flow_id: uuid.UUID
    data_import_id: uuid.UUID


class Factory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tenant(self, name: str | None = None) -> Tenant:
        client = ClientAccount(name=name or f"client-{uuid.uuid4().hex[:8]}")
        self.session.add(client)
        await self.session.flush()
        engagement = Engagement(client_account_id=client.id, name="engagement")
        self.session.add(engagement)
        await self.session.flush()
        return Tenant(client.id, engagement.id)

    async def flow(self, tenant: Tenant | None = None) -> Flow:
        tenant = tenant or await self.tenant()
        data_import = DataImport(
            **tenant.keys(),
            file_name="servers.csv",
            file_size_bytes=100,
            file_sha256="0" * 64,
            file_format="csv",
        )
        self.session.add(data_import)
        master_flow_id = uuid.uuid4()
        self.session.add(
            CrewAIFlowStateExtensions(
                **tenant.keys(), flow_id=master_flow_id, flow_type="discovery"
            )
        )
        await self.session.flush()
        discovery = DiscoveryFlow(
            **tenant.keys(),
            flow_id=master_flow_id,
            master_flow_id=master_flow_id,
            data_import_id=data_import.id,
        )
        self.session.add(discovery)
        await self.session.flush()
        return Flow(tenant, master_flow_id, discovery.id, data_import.id)

    async def raw_row(
        self, flow: Flow, row_number: int, asset_id: uuid.UUID | None = None, **data: Any
    ) -> RawImportRecord:
        row = RawImportRecord(
            **flow.tenant.keys(),
            data_import_id=flow.data_import_id,
            master_flow_id=flow.master_flow_id,
            row_number=row_number,
            raw_data=data or {"Name": f"host{row_number}"},
            asset_id=asset_id,
            is_processed=asset_id is not None,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def asset(self, flow: Flow, raw: RawImportRecord | None = None, **fields: Any) -> Asset:
        values: dict[str, Any] = {
            "name": f"host-{uuid.uuid4().hex[:6]}",
            "asset_type": "server",
            "discovery_flow_id": flow.discovery_flow_id,
            "master_flow_id": flow.master_flow_id,
            "raw_import_records_id": raw.id if raw else None,
            "discovery_method": "flow_based",
        }
        values.update(fields)
        asset = Asset(**flow.tenant.keys(), **values)
        self.session.add(asset)
        await self.session.flush()
        return asset

    async def wired_asset(self, flow: Flow, row_number: int) -> tuple[Asset, RawImportRecord]:
        """An asset and its raw row, linked both ways."""
        raw = await self.raw_row(flow, row_number)
        asset = await self.asset(flow, raw)
        raw.asset_id = asset.id
        raw.is_processed = True
        await self.session.flush()
        return asset, raw
