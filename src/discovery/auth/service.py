"""Logins, bearer tokens and personal API tokens. Functions flush; the caller commits."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.auth.models import ApiToken
from discovery.auth.tokens import (
    SHOWN_PREFIX_LENGTH,
    InvalidTokenError,
    hash_api_token,
    is_api_token,
    new_api_token,
    read_access_token,
)
from discovery.core.security import hash_password, verify_password
from discovery.tenancy.models import User
from discovery.tenancy.service import TenancyError, normalise_email

# Recording every use of an API token would write on every request; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class AuthenticationError(Exception):
    """Who is calling cannot be established; the message is safe to show."""


class ApiTokenNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: uuid.UUID
    email: str
    is_platform_admin: bool
    api_token_id: uuid.UUID | None = None

    @classmethod
    def of(cls, user: User, api_token_id: uuid.UUID | None = None) -> Principal:
        return cls(user.id, user.email, user.is_platform_admin, api_token_id)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so both cases take as long."""
    return hash_password(uuid.uuid4().hex)


async def login(session: AsyncSession, email: str, password: str) -> User:
    """The active user with this e-mail and password."""
    try:
        normalised = normalise_email(email)
    except TenancyError:
        normalised = None
    user = None
    if normalised is not None:
        user = await session.scalar(select(User).where(User.email == normalised))
    stored = user.password_hash if user is not None else await asyncio.to_thread(_decoy_hash)
    matches = await asyncio.to_thread(verify_password, stored, password)
    if user is None or not matches or not user.is_active:
        raise AuthenticationError("wrong e-mail or password")
    return user


async def _active_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("the user of this token no longer exists or is disabled")
    return user


async def authenticate(session: AsyncSession, token: str, key: str) -> Principal:
    """The caller a bearer token stands for: an API token (``dft_…``) or an access token."""
    if not is_api_token(token):
        try:
            user_id = read_access_token(token, key)
        except InvalidTokenError as exc:
            raise AuthenticationError(str(exc)) from None
        return Principal.of(await _active_user(session, user_id))
    record = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_api_token(token))
    )
    now = datetime.now(UTC)
    if record is None:
        raise AuthenticationError("the API token is not valid")
    if record.revoked_at is not None:
        raise AuthenticationError("the API token has been revoked")
    if record.expires_at is not None and record.expires_at <= now:
        raise AuthenticationError("the API token has expired")
    user = await _active_user(session, record.user_id)
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        record.last_used_at = now
        await session.flush()
    return Principal.of(user, record.id)


async def create_api_token(
    session: AsyncSession, user_id: uuid.UUID, name: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new API token and its secret (returned this once, never stored)."""
    secret = new_api_token()
    record = ApiToken(
        user_id=user_id,
        name=" ".join(name.split()),
        token_hash=hash_api_token(secret),
        token_prefix=secret[:SHOWN_PREFIX_LENGTH],
        expires_at=(
            datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    session.add(record)
    await session.flush()
    await session.refresh(record, ["created_at"])
    return record, secret


async def list_api_tokens(session: AsyncSession, user_id: uuid.UUID) -> list[ApiToken]:
    result = await session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at, ApiToken.id)
    )
    return list(result)


async def revoke_api_token(
    session: AsyncSession, user_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken:
    """Revoke one of the user's tokens; revoking it again changes nothing."""
    record = await session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    if record is None:
        raise ApiTokenNotFoundError("no such API token")
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        await session.flush()
    return record
