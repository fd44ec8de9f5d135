"""Signing out ends the session server-side: the old token fails as a cookie and as a
Bearer token; other sessions of the user and personal API tokens keep working."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.auth.models import RevokedAccessToken
from discovery.auth.tokens import read_access_token
from discovery.tenancy.models import User
from tests.api.conftest import PASSWORD, SECRET, Account, create_account
from tests.flow_helpers import in_transaction
from tests.web.test_pages import csrf_of, sign_in

ME = "/api/v1/auth/me"
LOGOUT = "/api/v1/auth/logout"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def api_login(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def test_after_web_sign_out_the_old_cookie_fails_as_cookie_and_as_bearer(
    client: httpx.AsyncClient, account: Account
) -> None:
    email = account.members["viewer"].email
    assert (await sign_in(client, email)).status_code == 303
    cookie = client.cookies["discovery_session"]
    assert (await client.get(ME, headers=bearer(cookie))).status_code == 200
    assert (await client.get("/tenant")).status_code == 200
    token = csrf_of((await client.get("/tenant")).text)
    out = await client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303
    # Replayed as it was: the session is over on the server, not only in the browser.
    client.cookies.set("discovery_session", cookie)
    page = await client.get("/tenant")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    client.cookies.clear()
    refused = await client.get(ME, headers=bearer(cookie))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]["message"]


async def test_api_logout_revokes_only_the_presented_token(
    client: httpx.AsyncClient, account: Account
) -> None:
    email = account.members["analyst"].email
    first, second = await api_login(client, email), await api_login(client, email)
    created = await client.post("/api/v1/auth/tokens", json={"name": "sync"}, headers=bearer(first))
    api_token = created.json()["token"]

    response = await client.post(LOGOUT, headers=bearer(first))
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(ME, headers=bearer(first))).status_code == 401
    assert (await client.post(LOGOUT, headers=bearer(first))).status_code == 401
    # The user's other session and personal API token are not touched.
    assert (await client.get(ME, headers=bearer(second))).status_code == 200
    me = await client.get(ME, headers=bearer(api_token))
    assert me.status_code == 200
    assert me.json()["authenticated_with"] == "api_token"


async def test_an_api_token_is_not_a_session_and_keeps_its_own_revocation(
    client: httpx.AsyncClient, account: Account
) -> None:
    session = await api_login(client, account.members["admin"].email)
    created = await client.post("/api/v1/auth/tokens", json={"name": "ci"}, headers=bearer(session))
    api_token, token_id = created.json()["token"], created.json()["id"]
    refused = await client.post(LOGOUT, headers=bearer(api_token))
    assert refused.status_code == 400
    assert "DELETE /api/v1/auth/tokens/{id}" in refused.json()["error"]["message"]
    assert (await client.get(ME, headers=bearer(api_token))).status_code == 200
    revoked = await client.delete(f"/api/v1/auth/tokens/{token_id}", headers=bearer(session))
    assert revoked.status_code == 200
    assert (await client.get(ME, headers=bearer(api_token))).status_code == 401
    assert (await client.get(ME, headers=bearer(session))).status_code == 200


async def test_a_disabled_users_sessions_stop_working(
    client: httpx.AsyncClient, database_url: str
) -> None:
    account = await create_account(database_url, roles=("viewer",))
    viewer = account.members["viewer"]
    assert (await sign_in(client, viewer.email)).status_code == 303
    cookie = client.cookies["discovery_session"]

    async def disable(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.id == viewer.user_id).values(is_active=False))

    await in_transaction(database_url, disable)
    assert (await client.get(ME, headers=bearer(cookie))).status_code == 401
    page = await client.get("/tenant")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


async def test_revocations_past_their_expiry_are_purged(
    client: httpx.AsyncClient, account: Account, database_url: str
) -> None:
    """The lookup table only holds tokens that could still be presented."""
    stale = uuid.uuid4()

    async def add_stale(session: AsyncSession) -> None:
        session.add(RevokedAccessToken(jti=stale, expires_at=datetime.now(UTC) - timedelta(1)))

    await in_transaction(database_url, add_stale)
    token = await api_login(client, account.members["viewer"].email)
    assert (await client.post(LOGOUT, headers=bearer(token))).status_code == 204
    live = read_access_token(token, SECRET).token_id

    async def count(session: AsyncSession, jti: uuid.UUID) -> int:
        found = await session.scalar(
            select(func.count())
            .select_from(RevokedAccessToken)
            .where(RevokedAccessToken.jti == jti)
        )
        return int(found or 0)

    assert await in_transaction(database_url, lambda s: count(s, stale)) == 0
    assert await in_transaction(database_url, lambda s: count(s, live)) == 1
