"""Login, who am I, API tokens, and every way a bearer token is refused (401)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.auth.models import ApiToken
from discovery.auth.tokens import API_TOKEN_PREFIX, hash_api_token
from discovery.tenancy import service as tenancy
from discovery.tenancy.models import User
from tests.api.conftest import PASSWORD, SECRET, Account, api_settings, create_account, serving
from tests.flow_helpers import in_transaction

ME = "/api/v1/auth/me"
TOKENS = "/api/v1/auth/tokens"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_401(response: httpx.Response, message_part: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert message_part in error["message"]


async def test_login_returns_a_bearer_token_that_works(
    client: httpx.AsyncClient, account: Account
) -> None:
    analyst = account.members["analyst"]
    response = await client.post(
        "/api/v1/auth/login", json={"email": analyst.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60 * 60
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(analyst.user_id)
    assert claims["exp"] - claims["iat"] == 3600

    me = await client.get(ME, headers=_bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == analyst.email
    assert me.json()["authenticated_with"] == "access_token"
    [membership] = me.json()["memberships"]
    assert membership["client_account_id"] == str(account.client_account_id)
    assert membership["role"] == "analyst"
    assert [e["id"] for e in membership["engagements"]] == [str(account.engagement_id)]


async def test_token_expiry_is_configurable(
    database_url: str, tmp_path: Path, account: Account
) -> None:
    settings = api_settings(database_url, tmp_path / "d", token_expiry_minutes=5)
    async with serving(create_app(settings, database_url)) as client:
        response = await client.post(
            "/api/v1/auth/login",
            json={"email": account.members["viewer"].email, "password": PASSWORD},
        )
    assert response.json()["expires_in"] == 300


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", PASSWORD),
        ("not an e-mail", PASSWORD),
        (None, "wrong password!"),
    ],
)
async def test_login_refuses_bad_credentials_alike(
    client: httpx.AsyncClient, account: Account, email: str | None, password: str
) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": email or account.members["viewer"].email, "password": password},
    )
    _assert_401(response, "wrong e-mail or password")


async def test_a_disabled_user_can_neither_log_in_nor_use_a_token(
    client: httpx.AsyncClient, database_url: str
) -> None:
    account = await create_account(database_url, roles=("viewer",))
    viewer = account.members["viewer"]

    async def disable(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.id == viewer.user_id).values(is_active=False))

    await in_transaction(database_url, disable)
    login = await client.post(
        "/api/v1/auth/login", json={"email": viewer.email, "password": PASSWORD}
    )
    _assert_401(login, "wrong e-mail or password")
    _assert_401(await client.get(ME, headers=_bearer(viewer.token)), "disabled")


async def test_missing_malformed_forged_and_expired_tokens_are_401(
    client: httpx.AsyncClient, account: Account
) -> None:
    user_id = str(account.members["viewer"].user_id)
    now = datetime.now(UTC)
    expired = jwt.encode(
        {"sub": user_id, "iss": "discovery", "iat": now - timedelta(hours=2),
         "exp": now - timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )  # fmt: skip
    forged = jwt.encode(
        {"sub": user_id, "iss": "discovery", "iat": now, "exp": now + timedelta(hours=1)},
        "another-secret-another-secret-another-secret",
        algorithm="HS256",
    )
    no_subject = jwt.encode(
        {"iss": "discovery", "iat": now, "exp": now + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    unknown_user = jwt.encode(
        {"sub": str(uuid.uuid4()), "iss": "discovery", "iat": now,
         "exp": now + timedelta(hours=1), "jti": uuid.uuid4().hex},
        SECRET,
        algorithm="HS256",
    )  # fmt: skip
    no_id = jwt.encode(  # every access token carries its id, which signing out revokes
        {"sub": user_id, "iss": "discovery", "iat": now, "exp": now + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    _assert_401(await client.get(ME), "authentication required")
    _assert_401(await client.get(ME, headers={"Authorization": "Basic dXNlcjpwdw=="}), "Bearer")
    _assert_401(await client.get(ME, headers={"Authorization": "Bearer"}), "Bearer")
    _assert_401(await client.get(ME, headers=_bearer("not.a.jwt")), "not valid")
    _assert_401(await client.get(ME, headers=_bearer(expired)), "expired")
    _assert_401(await client.get(ME, headers=_bearer(forged)), "not valid")
    _assert_401(await client.get(ME, headers=_bearer(no_subject)), "not valid")
    _assert_401(await client.get(ME, headers=_bearer(unknown_user)), "no longer exists")
    _assert_401(await client.get(ME, headers=_bearer(no_id)), "not valid")
    _assert_401(await client.get(ME, headers=_bearer(API_TOKEN_PREFIX + "x" * 43)), "not valid")


async def test_api_tokens_are_shown_once_stored_hashed_listed_and_revoked(
    client: httpx.AsyncClient, account: Account, database_url: str
) -> None:
    admin = _bearer(account.members["admin"].token)
    created = await client.post(
        TOKENS, json={"name": "nightly sync", "expires_in_days": 30}, headers=admin
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["token"]
    assert secret.startswith(API_TOKEN_PREFIX)
    assert len(secret) >= len(API_TOKEN_PREFIX) + 43  # 32 random bytes, URL-safe base64
    assert secret.startswith(body["token_prefix"])
    assert body["expires_at"] is not None and body["revoked_at"] is None

    async def stored(session: AsyncSession) -> ApiToken:
        return (
            await session.execute(select(ApiToken).where(ApiToken.id == uuid.UUID(body["id"])))
        ).scalar_one()

    record = await in_transaction(database_url, stored)
    assert record.token_hash == hash_api_token(secret)
    assert secret not in (record.token_hash, record.token_prefix)

    me = await client.get(ME, headers=_bearer(secret))
    assert me.status_code == 200
    assert me.json()["authenticated_with"] == "api_token"
    assert me.json()["id"] == str(account.members["admin"].user_id)
    assert (await in_transaction(database_url, stored)).last_used_at is not None

    listed = await client.get(TOKENS, headers=admin)
    assert listed.status_code == 200
    [entry] = [t for t in listed.json() if t["id"] == body["id"]]
    assert "token" not in entry
    assert secret not in listed.text

    # Another user cannot see or revoke it.
    viewer = _bearer(account.members["viewer"].token)
    assert body["id"] not in (await client.get(TOKENS, headers=viewer)).text
    assert (await client.delete(f"{TOKENS}/{body['id']}", headers=viewer)).status_code == 404

    revoked = await client.delete(f"{TOKENS}/{body['id']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    _assert_401(await client.get(ME, headers=_bearer(secret)), "revoked")


async def test_an_expired_api_token_is_refused(
    client: httpx.AsyncClient, account: Account, database_url: str
) -> None:
    created = await client.post(
        TOKENS,
        json={"name": "short", "expires_in_days": 1},
        headers=_bearer(account.members["viewer"].token),
    )
    token_id = uuid.UUID(created.json()["id"])

    async def expire(session: AsyncSession) -> None:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    await in_transaction(database_url, expire)
    _assert_401(await client.get(ME, headers=_bearer(created.json()["token"])), "expired")


@pytest.mark.parametrize(
    "body",
    [{}, {"name": "   "}, {"name": "x", "expires_in_days": 0}, {"name": "x" * 101}],
)
async def test_bad_token_requests_are_422_with_field_details(
    client: httpx.AsyncClient, account: Account, body: dict[str, object]
) -> None:
    response = await client.post(
        TOKENS, json=body, headers=_bearer(account.members["viewer"].token)
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"][0] == "body"


async def test_the_default_admin_email_is_accepted_and_the_first_admin_created_once(
    scratch_database_url: str,
) -> None:
    from discovery.core import migrations
    from discovery.core.settings import Settings

    assert tenancy.normalise_email(Settings().admin_email) == "admin@localhost"
    await asyncio.to_thread(migrations.upgrade, scratch_database_url)
    first = await in_transaction(
        scratch_database_url, lambda s: tenancy.create_first_admin(s, "admin@localhost", PASSWORD)
    )
    again = await in_transaction(
        scratch_database_url, lambda s: tenancy.create_first_admin(s, "other@localhost", PASSWORD)
    )
    assert first is not None and again is None

    async def users(session: AsyncSession) -> list[tuple[str, bool]]:
        rows = await session.execute(select(User.email, User.is_platform_admin))
        return [(email, admin) for email, admin in rows]

    assert await in_transaction(scratch_database_url, users) == [("admin@localhost", True)]
