"""Running real flows in tests: committed tenants, a real in-process worker."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from discovery.cli.flows import drive_flow
from discovery.cli.progress import ProgressLine
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.settings import Settings, load_settings
from discovery.flows import control
from discovery.tenancy import service as tenancy

T = TypeVar("T")


@dataclass(frozen=True)
class TenantIds:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID


async def in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            return await work(session)
    finally:
        await engine.dispose()


async def new_tenant(url: str) -> TenantIds:
    name = f"client-{uuid.uuid4().hex[:10]}"

    async def create(session: AsyncSession) -> TenantIds:
        client = await tenancy.create_client_account(session, name)
        engagement = await tenancy.create_engagement(session, name, "wave 1")
        return TenantIds(client.id, engagement.id)

    return await in_transaction(url, create)


def settings_for(url: str, data_dir: Path, **overrides: Any) -> Settings:
    return load_settings(database_url=url, data_dir=data_dir, **overrides)


async def start_flow(
    url: str,
    settings: Settings,
    tenant: TenantIds,
    path: Path,
    *,
    auto_approve: bool = True,
    sheet: str | None = None,
) -> uuid.UUID:
    async def start(session: AsyncSession) -> uuid.UUID:
        flow = await control.start_from_file(
            session,
            client_account_id=tenant.client_account_id,
            engagement_id=tenant.engagement_id,
            source=path,
            file_name=path.name,
            uploads_dir=settings.uploads_dir,
            max_bytes=settings.max_upload_bytes,
            sheet=sheet,
            options={"auto_approve": auto_approve},
        )
        return flow.master_flow_id

    return await in_transaction(url, start)


async def run_file(
    url: str,
    settings: Settings,
    tenant: TenantIds,
    path: Path,
    *,
    auto_approve: bool = True,
    sheet: str | None = None,
) -> dict[str, Any]:
    """Import ``path`` and run its flow with a real worker until it rests."""
    flow_id = await start_flow(url, settings, tenant, path, auto_approve=auto_approve, sheet=sheet)
    return await drive_flow(url, settings, flow_id, ProgressLine(enabled=False))
