"""The web UI's own state: each user's tenant choice. Functions flush; the caller commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.tenancy.context import Tenant
from discovery.web.models import UserTenantPreference


async def save_tenant_choice(session: AsyncSession, user_id: uuid.UUID, tenant: Tenant) -> None:
    """Remember the tenant a user chose (one row per user, replaced on each choice)."""
    values = {
        "client_account_id": tenant.client_account_id,
        "engagement_id": tenant.engagement_id,
    }
    statement = insert(UserTenantPreference).values(user_id=user_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserTenantPreference.user_id],
            set_={**values, "updated_at": func.now()},
        )
    )
