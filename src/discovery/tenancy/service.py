"""Creating tenants and users. Functions flush; the caller owns the transaction."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.security import hash_password
from discovery.tenancy.models import (
    ClientAccount,
    ClientAccountMembership,
    Engagement,
    Role,
    User,
)


class TenancyError(Exception):
    """A tenancy operation cannot be done; the message says why."""


class NotFoundError(TenancyError):
    pass


class AlreadyExistsError(TenancyError):
    pass


@dataclass(frozen=True)
class Created:
    """The id of a record and whether this call created it (False: it already existed)."""

    id: uuid.UUID
    created: bool


def _clean_name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise TenancyError(f"the {what} name must not be empty")
    return cleaned


async def get_client_by_name(session: AsyncSession, name: str) -> ClientAccount | None:
    result = await session.execute(
        select(ClientAccount).where(ClientAccount.name == _clean_name(name, "client account"))
    )
    return result.scalar_one_or_none()


async def require_client(session: AsyncSession, name: str) -> ClientAccount:
    client = await get_client_by_name(session, name)
    if client is None:
        raise NotFoundError(f"client account {name!r} does not exist")
    return client


async def create_client_account(session: AsyncSession, name: str) -> Created:
    """Create a client account; an existing one of the same name is returned as is."""
    name = _clean_name(name, "client account")
    existing = await get_client_by_name(session, name)
    if existing is not None:
        return Created(existing.id, created=False)
    client = ClientAccount(name=name)
    session.add(client)
    await session.flush()
    return Created(client.id, created=True)


async def get_engagement(
    session: AsyncSession, client_name: str, engagement_name: str
) -> Engagement | None:
    client = await require_client(session, client_name)
    result = await session.execute(
        select(Engagement).where(
            Engagement.client_account_id == client.id,
            Engagement.name == _clean_name(engagement_name, "engagement"),
        )
    )
    return result.scalar_one_or_none()


async def create_engagement(session: AsyncSession, client_name: str, name: str) -> Created:
    """Create an engagement in a client account; an existing one is returned as is."""
    client = await require_client(session, client_name)
    name = _clean_name(name, "engagement")
    existing = await get_engagement(session, client.name, name)
    if existing is not None:
        return Created(existing.id, created=False)
    engagement = Engagement(client_account_id=client.id, name=name)
    session.add(engagement)
    await session.flush()
    return Created(engagement.id, created=True)


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or not domain or " " in cleaned:
        raise TenancyError(f"{email!r} is not a valid e-mail address")
    return cleaned


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == normalise_email(email)))
    return result.scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    *,
    platform_admin: bool = False,
    client_name: str | None = None,
    role: Role | None = None,
) -> uuid.UUID:
    """Create a user, optionally as a member of a client account with a role."""
    email = normalise_email(email)
    if (client_name is None) != (role is None):
        raise TenancyError("a membership needs both a client account and a role")
    if await get_user_by_email(session, email) is not None:
        raise AlreadyExistsError(f"a user with e-mail {email} already exists")
    client = await require_client(session, client_name) if client_name else None
    user = User(
        email=email, password_hash=hash_password(password), is_platform_admin=platform_admin
    )
    session.add(user)
    await session.flush()
    if client is not None and role is not None:
        session.add(
            ClientAccountMembership(user_id=user.id, client_account_id=client.id, role=role.value)
        )
        await session.flush()
    return user.id


async def create_first_admin(session: AsyncSession, email: str, password: str) -> uuid.UUID | None:
    """Create a platform admin if there is no user at all; None when users exist.

    Serialised by an advisory lock, so two servers starting at once create one admin.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('first-admin', 0))"))
    if await session.scalar(select(exists().select_from(User))):
        return None
    return await create_user(session, email, password, platform_admin=True)


async def resolve_tenant(
    session: AsyncSession, client_name: str, engagement_name: str
) -> tuple[uuid.UUID, uuid.UUID]:
    """The ids of a client account and one of its engagements, by name."""
    client = await require_client(session, client_name)
    engagement = await get_engagement(session, client.name, engagement_name)
    if engagement is None:
        raise NotFoundError(
            f"engagement {engagement_name!r} does not exist in client account {client.name!r}"
        )
    return client.id, engagement.id


@dataclass(frozen=True)
class UserSummary:
    """A user as the user lists show them: roles by client account name."""

    id: uuid.UUID
    email: str
    is_platform_admin: bool
    is_active: bool
    roles: dict[str, str]


async def require_user(session: AsyncSession, email: str) -> User:
    user = await get_user_by_email(session, email)
    if user is None:
        raise NotFoundError(f"there is no user with e-mail {normalise_email(email)}")
    return user


async def list_users(
    session: AsyncSession, *, client_account_id: uuid.UUID | None = None
) -> list[UserSummary]:
    """Every user (or the members of one client account), by e-mail, with their roles."""
    query = (
        select(User, ClientAccount.name, ClientAccountMembership.role)
        .outerjoin(ClientAccountMembership, ClientAccountMembership.user_id == User.id)
        .outerjoin(ClientAccount, ClientAccount.id == ClientAccountMembership.client_account_id)
        .order_by(User.email, ClientAccount.name)
    )
    if client_account_id is not None:
        query = query.where(ClientAccountMembership.client_account_id == client_account_id)
    found: dict[uuid.UUID, UserSummary] = {}
    for user, client_name, role in (await session.execute(query)).all():
        summary = found.setdefault(
            user.id, UserSummary(user.id, user.email, user.is_platform_admin, user.is_active, {})
        )
        if client_name is not None and role is not None:
            summary.roles[client_name] = role
    return list(found.values())


async def set_role(session: AsyncSession, email: str, client_name: str, role: Role | None) -> None:
    """Give the user ``role`` in the client account; ``None`` removes the membership."""
    user = await require_user(session, email)
    client = await require_client(session, client_name)
    membership = await _membership(session, user.id, client.id)
    if role is None:
        if membership is not None:
            await session.delete(membership)
    elif membership is None:
        session.add(
            ClientAccountMembership(user_id=user.id, client_account_id=client.id, role=role.value)
        )
    else:
        membership.role = role.value
    await session.flush()


async def _membership(
    session: AsyncSession, user_id: uuid.UUID, client_account_id: uuid.UUID
) -> ClientAccountMembership | None:
    return await session.scalar(
        select(ClientAccountMembership).where(
            ClientAccountMembership.user_id == user_id,
            ClientAccountMembership.client_account_id == client_account_id,
        )
    )


async def set_active(session: AsyncSession, user: User, active: bool) -> None:
    """Enable or disable a user; a disabled user cannot sign in and their tokens stop
    working (see ``auth.service``)."""
    user.is_active = active
    await session.flush()


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    await session.flush()


@dataclass(frozen=True)
class ClientSummary:
    id: uuid.UUID
    name: str
    engagements: list[str]
    members: int


async def list_clients(session: AsyncSession) -> list[ClientSummary]:
    """Every client account by name, with its engagements and its number of members."""
    clients = list(await session.scalars(select(ClientAccount).order_by(ClientAccount.name)))
    engagements: dict[uuid.UUID, list[str]] = {}
    for client_id, name in (
        await session.execute(
            select(Engagement.client_account_id, Engagement.name).order_by(Engagement.name)
        )
    ).all():
        engagements.setdefault(client_id, []).append(name)
    members: dict[uuid.UUID, int] = {}
    for (client_id,) in (
        await session.execute(select(ClientAccountMembership.client_account_id))
    ).all():
        members[client_id] = members.get(client_id, 0) + 1
    return [
        ClientSummary(c.id, c.name, engagements.get(c.id, []), members.get(c.id, 0))
        for c in clients
    ]


async def require_another_active_admin(session: AsyncSession, user: User) -> None:
    """Refuse to take away the last active platform admin (no one could manage users)."""
    others = await session.scalar(
        select(exists().where(User.is_platform_admin, User.is_active, User.id != user.id))
    )
    if not others:
        raise TenancyError(f"{user.email} is the only active platform admin; keep them active")


async def member_role(
    session: AsyncSession, user_id: uuid.UUID, client_account_id: uuid.UUID
) -> str | None:
    role: str | None = await session.scalar(
        select(ClientAccountMembership.role).where(
            ClientAccountMembership.user_id == user_id,
            ClientAccountMembership.client_account_id == client_account_id,
        )
    )
    return role


async def other_memberships(
    session: AsyncSession, user_id: uuid.UUID, client_account_id: uuid.UUID
) -> int:
    """In how many other client accounts the user is a member."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(ClientAccountMembership)
            .where(
                ClientAccountMembership.user_id == user_id,
                ClientAccountMembership.client_account_id != client_account_id,
            )
        )
        or 0
    )


# Long enough to be safe, short enough to type once before changing it.
ONE_TIME_PASSWORD_BYTES = 12


def new_one_time_password() -> str:
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)


async def set_member_role(
    session: AsyncSession, user_id: uuid.UUID, client_account_id: uuid.UUID, role: Role
) -> None:
    membership = await _membership(session, user_id, client_account_id)
    if membership is None:
        raise NotFoundError("the user is not a member of this client account")
    membership.role = role.value
    await session.flush()
