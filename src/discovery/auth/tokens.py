"""The two kinds of bearer token, as pure functions.

- *Access tokens* come from a login: JWTs (HS256, signed with the service's secret) that
  carry the user id and an id of their own (``jti``, which signing out revokes) and
  expire after ``DISCOVERY_TOKEN_EXPIRY_MINUTES``.
- *API tokens* are for scripts: ``dft_`` followed by 32 random bytes (URL-safe base64).
  The secret is shown once; only its SHA-256 hash is stored. The prefix tells them apart
  from JWTs without trying to decode anything.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
ISSUER = "discovery"
API_TOKEN_PREFIX = "dft_"
API_TOKEN_BYTES = 32
SHOWN_PREFIX_LENGTH = len(API_TOKEN_PREFIX) + 6


class InvalidTokenError(Exception):
    """The token is missing, malformed, forged or expired; the message says which."""


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is, its id, when it expires."""

    user_id: uuid.UUID
    token_id: uuid.UUID
    expires_at: datetime


def issue_access_token(
    user_id: uuid.UUID, key: str, expiry_minutes: int, *, now: datetime | None = None
) -> AccessToken:
    issued = now or datetime.now(UTC)
    lifetime = timedelta(minutes=expiry_minutes)
    claims = {
        "sub": str(user_id),
        "iss": ISSUER,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return AccessToken(jwt.encode(claims, key, algorithm=ALGORITHM), int(lifetime.total_seconds()))


def read_access_token(token: str, key: str) -> AccessClaims:
    """The claims of a valid access token (signature, issuer and expiry checked)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidTokenError("the access token has expired; log in again") from None
    except jwt.PyJWTError:
        raise InvalidTokenError("the access token is not valid") from None
    try:
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            token_id=uuid.UUID(str(claims["jti"])),  # required: what signing out revokes
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InvalidTokenError("the access token is not valid") from None


def renewed_access_token(
    token: str, key: str, expiry_minutes: int, *, now: datetime | None = None
) -> AccessToken | None:
    """A fresh token for the same user once more than half of ``token``'s life has
    passed (sliding renewal of a browser session); None while it is young.

    The new token has an id of its own: signing out revokes the one the browser holds.
    ``token`` must already have been checked (signature, expiry, revocation).
    """
    claims = read_access_token(token, key)
    current = now or datetime.now(UTC)
    if claims.expires_at - current > timedelta(minutes=expiry_minutes) / 2:
        return None
    return issue_access_token(claims.user_id, key, expiry_minutes, now=current)


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(API_TOKEN_BYTES)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
