"""The one access check: may this user act in this engagement, and with which role?

Once it passes, the session is scoped to the tenant for row-level security as well
(:mod:`discovery.tenancy.row_security`)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.tenancy.context import RequestContext, Tenant
from discovery.tenancy.models import ClientAccountMembership, Engagement, Role
from discovery.tenancy.row_security import enter_tenant
from discovery.tenancy.service import NotFoundError, TenancyError


class AccessDeniedError(TenancyError):
    """The user is neither a platform admin nor a member of the client account."""


async def resolve_context(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    is_platform_admin: bool,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
) -> RequestContext:
    """The user's context in the tenant, checked in this order:

    1. membership (platform admins pass): otherwise :class:`AccessDeniedError`, whether or
       not the client account exists, so a non-member learns nothing about it;
    2. the engagement belongs to the client account: otherwise :class:`NotFoundError`.
    """
    if is_platform_admin:
        role = Role.ADMIN
    else:
        member_role = await session.scalar(
            select(ClientAccountMembership.role).where(
                ClientAccountMembership.user_id == user_id,
                ClientAccountMembership.client_account_id == client_account_id,
            )
        )
        if member_role is None:
            raise AccessDeniedError("you are not a member of this client account")
        role = Role(member_role)
    found = await session.scalar(
        select(Engagement.id).where(
            Engagement.id == engagement_id, Engagement.client_account_id == client_account_id
        )
    )
    if found is None:
        raise NotFoundError("no such engagement in this client account")
    tenant = Tenant(client_account_id, engagement_id)
    await enter_tenant(session, tenant)
    return RequestContext(
        tenant=tenant,
        user_id=user_id,
        role=role,
        is_platform_admin=is_platform_admin,
    )
