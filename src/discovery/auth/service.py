"""Logins (throttled), sign-out, bearer tokens and personal API tokens.

Functions flush; the caller commits. A refused sign-in has still counted its failure:
the caller answers it (rather than raising through its unit of work) so that the count
is committed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.auth import throttle
from discovery.auth.models import ApiToken, RevokedAccessToken, ThrottleScope
from discovery.auth.throttle import Key, SignInPolicy
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

# One line per failed or refused sign-in: who was tried, from where, and the counts.
audit = logging.getLogger("discovery.auth.audit")


class AuthenticationError(Exception):
    """Who is calling cannot be established; the message is safe to show."""


class SignInLockedError(Exception):
    """Too many failed sign-ins for this account or from this address; try later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins; try again in {retry_after} "
            f"second{'s' if retry_after != 1 else ''}"
        )
        self.retry_after = retry_after


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


def _account_subject(email: str) -> str:
    try:
        return normalise_email(email)
    except TenancyError:
        return email.strip().lower()


async def sign_in(
    session: AsyncSession, email: str, password: str, address: str, policy: SignInPolicy
) -> User:
    """:func:`login`, throttled per account and per client address.

    Raises :class:`SignInLockedError` while either is locked out (without checking the
    password, known e-mail or not), :class:`AuthenticationError` for a wrong e-mail or
    password (after counting it). A success forgets the account's failures; the
    address's stay, so signing in to one's own account does not license guessing others.
    """
    account = Key.of(ThrottleScope.ACCOUNT, _account_subject(email))
    origin = Key.of(ThrottleScope.ADDRESS, address)
    locked = await throttle.locked_for(session, [account, origin])
    if locked is not None:
        audit.warning(
            "sign-in refused: account %r from %s is locked out for %d s more",
            account.subject, address, locked,
        )  # fmt: skip
        raise SignInLockedError(locked)
    try:
        user = await login(session, email, password)
    except AuthenticationError:
        await throttle.purge_forgotten(session, policy)
        account_failures = await throttle.record_failure(session, account, policy)
        address_failures = await throttle.record_failure(session, origin, policy)
        audit.warning(
            "sign-in failed: account %r from %s (%d recent failures for the account, "
            "%d from the address)",
            account.subject, address, account_failures, address_failures,
        )  # fmt: skip
        raise
    await throttle.forget(session, account)
    return user


async def end_session(session: AsyncSession, token: str, key: str) -> bool:
    """Sign out: revoke this access token until it expires; False when it is not a
    valid access token (nothing to revoke). Revoked tokens past expiry are purged."""
    if is_api_token(token):
        return False
    try:
        claims = read_access_token(token, key)
    except InvalidTokenError:
        return False
    await session.execute(
        insert(RevokedAccessToken)
        .values(jti=claims.token_id, expires_at=claims.expires_at)
        .on_conflict_do_nothing(index_elements=[RevokedAccessToken.jti])
    )
    await session.execute(
        delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < func.now())
    )
    return True


_NO_USER = "the user of this token no longer exists or is disabled"


async def _active_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise AuthenticationError(_NO_USER)
    return user


async def authenticate(session: AsyncSession, token: str, key: str) -> Principal:
    """The caller a bearer token stands for: an API token (``dft_…``) or an access token."""
    if not is_api_token(token):
        try:
            claims = read_access_token(token, key)
        except InvalidTokenError as exc:
            raise AuthenticationError(str(exc)) from None
        # The user and whether the token was revoked, in one round trip (every request).
        revoked = exists().where(RevokedAccessToken.jti == claims.token_id).label("revoked")
        found = (
            await session.execute(select(User, revoked).where(User.id == claims.user_id))
        ).one_or_none()
        if found.revoked if found else await session.scalar(select(revoked)):
            raise AuthenticationError("the access token has been revoked (signed out)")
        if found is None or not found.User.is_active:
            raise AuthenticationError(_NO_USER)
        return Principal.of(found.User)
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


async def clear_sign_in_lockout(session: AsyncSession, email: str) -> None:
    """Forget the account's failed sign-ins (after a password reset)."""
    await throttle.forget(session, Key.of(ThrottleScope.ACCOUNT, _account_subject(email)))
