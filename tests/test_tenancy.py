"""Tenancy service and the constraints that back it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.security import WeakPasswordError, verify_password
from discovery.tenancy import service
from discovery.tenancy.models import ClientAccountMembership, Role, User


async def test_client_accounts_are_created_once(session: AsyncSession) -> None:
    first = await service.create_client_account(session, "  Acme   Corp ")
    again = await service.create_client_account(session, "Acme Corp")
    assert first.created and not again.created
    assert again.id == first.id


async def test_engagements_are_unique_per_client_not_globally(session: AsyncSession) -> None:
    await service.create_client_account(session, "Acme")
    await service.create_client_account(session, "Globex")
    acme = await service.create_engagement(session, "Acme", "Wave 1")
    globex = await service.create_engagement(session, "Globex", "Wave 1")
    again = await service.create_engagement(session, "Acme", "Wave 1")
    assert acme.id != globex.id
    assert again == service.Created(acme.id, created=False)


async def test_engagement_of_unknown_client_is_a_clear_error(session: AsyncSession) -> None:
    with pytest.raises(service.NotFoundError, match="client account 'Nobody' does not exist"):
        await service.create_engagement(session, "Nobody", "Wave 1")


async def test_empty_names_are_refused(session: AsyncSession) -> None:
    with pytest.raises(service.TenancyError, match="must not be empty"):
        await service.create_client_account(session, "   ")


async def test_user_with_membership(session: AsyncSession) -> None:
    await service.create_client_account(session, "Acme")
    user_id = await service.create_user(
        session, "Ana@Example.COM", "correct horse", client_name="Acme", role=Role.ANALYST
    )
    user = await session.get(User, user_id)
    assert user is not None
    assert user.email == "ana@example.com"
    assert user.password_hash != "correct horse"
    assert verify_password(user.password_hash, "correct horse")
    assert not verify_password(user.password_hash, "wrong horse")
    role = await session.scalar(
        select(ClientAccountMembership.role).where(ClientAccountMembership.user_id == user_id)
    )
    assert role == "analyst"


async def test_duplicate_user_and_bad_input(session: AsyncSession) -> None:
    await service.create_user(session, "bo@example.com", "long enough", platform_admin=True)
    with pytest.raises(service.AlreadyExistsError, match="already exists"):
        await service.create_user(session, "BO@example.com", "long enough")
    with pytest.raises(service.TenancyError, match="not a valid e-mail"):
        await service.create_user(session, "no-at-sign", "long enough")
    with pytest.raises(WeakPasswordError):
        await service.create_user(session, "cy@example.com", "short")


async def test_database_refuses_unknown_roles(session: AsyncSession) -> None:
    await service.create_client_account(session, "Acme")
    user_id = await service.create_user(session, "dee@example.com", "long enough")
    client = await service.require_client(session, "Acme")
    session.add(ClientAccountMembership(user_id=user_id, client_account_id=client.id, role="owner"))
    with pytest.raises(IntegrityError, match="ck_client_account_memberships_role_known"):
        await session.flush()
