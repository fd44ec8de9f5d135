"""Sign-in throttling per account and per client address: 429 with Retry-After, the
lockout doubling, success resetting the account, unknown e-mails treated alike, an audit
line per failed or refused attempt, through the API and the web sign-in page."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.auth import service
from discovery.core.settings import SettingsError, load_settings
from tests.api.conftest import PASSWORD, Member, api_settings, create_account, serving
from tests.flow_helpers import in_transaction
from tests.web.test_pages import csrf_of

LOGIN = "/api/v1/auth/login"
PER_ACCOUNT = 3
PER_ADDRESS = 6
LOCKOUT = 30


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = api_settings(
        database_url,
        tmp_path / "data",
        sign_in_failures_per_account=PER_ACCOUNT,
        sign_in_failures_per_address=PER_ADDRESS,
        sign_in_lockout_seconds=LOCKOUT,
        sign_in_max_lockout_seconds=900,
    )
    created = create_app(settings, database_url)
    async with serving(created):  # the lifespan, for every client below
        yield created


def from_address(app: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    """A client of the app calling from its own address (a fresh one by default)."""
    host = (
        address or f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(host, 40000)),
        base_url="http://testserver",
    )


@pytest.fixture
async def users(database_url: str) -> list[Member]:
    account = await create_account(database_url, roles=("viewer", "analyst"))
    return list(account.members.values())


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def test_too_many_failures_lock_the_account_with_429_and_retry_after(
    app: FastAPI, users: list[Member], caplog: pytest.LogCaptureFixture
) -> None:
    ana, bob = users
    caplog.set_level(logging.WARNING, logger="discovery.auth.audit")
    async with from_address(app, "192.0.2.10") as client, from_address(app) as elsewhere:
        for n in range(PER_ACCOUNT):
            assert (await attempt(client, ana.email, f"wrong {n}")).status_code == 401
        locked = await attempt(client, ana.email, PASSWORD)  # even the right password
        assert locked.status_code == 429, locked.text
        assert locked.json()["error"]["code"] == "too_many_requests"
        assert 1 <= int(locked.headers["Retry-After"]) <= LOCKOUT
        assert "too many failed sign-ins" in locked.json()["error"]["message"]
        # The account is locked from every address ...
        assert (await attempt(elsewhere, ana.email, PASSWORD)).status_code == 429
        # ... and another account, from another address, is not affected.
        assert (await attempt(elsewhere, bob.email, PASSWORD)).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "discovery.auth.audit"]
    failed = [line for line in lines if line.startswith("sign-in failed")]
    refused = [line for line in lines if line.startswith("sign-in refused")]
    assert len(failed) == PER_ACCOUNT
    assert len(refused) == 2
    assert repr(ana.email) in failed[0] and "192.0.2.10" in failed[0]


async def test_each_failure_after_a_lockout_doubles_it(
    app: FastAPI, users: list[Member], database_url: str
) -> None:
    ana = users[0]

    async def lockout_ends(session: AsyncSession) -> None:  # as if the time had passed
        await session.execute(
            text(
                "UPDATE migration.sign_in_failures SET locked_until = now() "
                "WHERE scope = 'account' AND subject = :email"
            ),
            {"email": ana.email},
        )

    async with from_address(app) as client:
        for n in range(PER_ACCOUNT):
            await attempt(client, ana.email, f"wrong {n}")
        waits = [int((await attempt(client, ana.email, "x")).headers["Retry-After"])]
        for _ in range(2):
            await in_transaction(database_url, lockout_ends)
            assert (await attempt(client, ana.email, "still wrong")).status_code == 401
            refused = await attempt(client, ana.email, PASSWORD)
            assert refused.status_code == 429
            waits.append(int(refused.headers["Retry-After"]))
    assert LOCKOUT // 2 < waits[0] <= LOCKOUT
    assert 2 * LOCKOUT - 5 < waits[1] <= 2 * LOCKOUT
    assert 4 * LOCKOUT - 5 < waits[2] <= 4 * LOCKOUT


async def test_the_address_limit_holds_across_many_e_mails(
    app: FastAPI, users: list[Member]
) -> None:
    ana = users[0]
    async with from_address(app, "198.51.100.20") as client, from_address(app) as elsewhere:
        for n in range(PER_ADDRESS):  # one try each: no account reaches its own limit
            response = await attempt(client, f"guess-{n}-{uuid.uuid4().hex[:6]}@example.com", "x")
            assert response.status_code == 401
        refused = await attempt(client, ana.email, PASSWORD)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        # The account itself is not locked: from another address it signs in.
        assert (await attempt(elsewhere, ana.email, PASSWORD)).status_code == 200


async def test_a_successful_sign_in_resets_the_account_counter(
    app: FastAPI, users: list[Member]
) -> None:
    ana = users[0]
    async with from_address(app) as client:
        statuses = []
        for password in ["wrong", "wrong", PASSWORD, "wrong", "wrong", "wrong", PASSWORD]:
            statuses.append((await attempt(client, ana.email, password)).status_code)
    # Two failures, a success that forgets them, then three new failures lock it again.
    assert statuses == [401, 401, 200, 401, 401, 401, 429]


async def test_an_unknown_e_mail_is_throttled_like_a_known_one(
    app: FastAPI, users: list[Member], monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real_verify = service.verify_password

    def counting_verify(stored: str, password: str) -> bool:
        verified.append(password)
        return real_verify(stored, password)

    monkeypatch.setattr(service, "verify_password", counting_verify)
    known = users[0].email
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    sequences = {}
    for email in (known, unknown):
        verified.clear()
        async with from_address(app) as client:
            responses = [await attempt(client, email, f"wrong {n}") for n in range(PER_ACCOUNT + 1)]
        sequences[email] = [(r.status_code, r.json()["error"]["message"]) for r in responses]
        # A password hash is checked for every attempt until the lockout, known or not.
        assert len(verified) == PER_ACCOUNT
    assert [status for status, _ in sequences[known]] == [401] * PER_ACCOUNT + [429]
    assert [m for _, m in sequences[known]][:-1] == [m for _, m in sequences[unknown]][:-1]
    assert [s for s, _ in sequences[unknown]] == [s for s, _ in sequences[known]]


async def test_the_web_sign_in_page_says_when_to_try_again(
    app: FastAPI, users: list[Member]
) -> None:
    ana = users[0]
    async with from_address(app) as client:
        for n in range(PER_ACCOUNT):
            token = csrf_of((await client.get("/login")).text)
            failed = await client.post(
                "/login", data={"email": ana.email, "password": f"no {n}", "csrf_token": token}
            )
            assert failed.status_code == 400
            assert "Wrong e-mail or password." in failed.text
        token = csrf_of((await client.get("/login")).text)
        locked = await client.post(
            "/login", data={"email": ana.email, "password": PASSWORD, "csrf_token": token}
        )
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= LOCKOUT
    assert "Too many failed sign-ins. Wait" in locked.text
    assert "discovery_session" not in locked.headers.get("set-cookie", "")


def test_the_lockout_settings_are_validated(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DISCOVERY_SIGN_IN_MAX_LOCKOUT_SECONDS"):
        load_settings(
            data_dir=tmp_path, sign_in_lockout_seconds=600, sign_in_max_lockout_seconds=60
        )
    with pytest.raises(SettingsError, match="DISCOVERY_SIGN_IN_FAILURES_PER_ACCOUNT"):
        load_settings(data_dir=tmp_path, sign_in_failures_per_account=0)


class CountedBody:
    """A JSON body that would be 2 GiB, counting how much of it was produced."""

    def __init__(self) -> None:
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"email": "a@example.com", "password": "'
        while self.consumed < 2 * 1024**3:
            self.consumed += 64 * 1024
            yield b"x" * (64 * 1024)


@pytest.mark.parametrize("announced", [True, False])
async def test_an_oversized_api_sign_in_body_is_413_unread(app: FastAPI, announced: bool) -> None:
    body = CountedBody()
    headers = {"Content-Type": "application/json"}
    if announced:
        headers["Content-Length"] = str(2 * 1024**3)
    async with from_address(app) as client:
        response = await client.post(LOGIN, content=body, headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"
    assert "larger than the limit of 64 KiB" in response.json()["error"]["message"]
    assert body.consumed <= (0 if announced else 64 * 1024 + 64 * 1024)
