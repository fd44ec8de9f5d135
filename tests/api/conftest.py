"""The API under test: a real app (``create_app``) on the test database, called through
``httpx.ASGITransport`` inside its lifespan; committed tenants and users per test module."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.auth.tokens import issue_access_token
from discovery.core.settings import Settings
from discovery.flows.jobs import run_worker
from discovery.tenancy import service as tenancy
from discovery.tenancy.models import Role
from tests.flow_helpers import in_transaction, settings_for

SECRET = "test-secret-key-for-the-api-tests-0123456789"
PASSWORD = "correct horse battery"
SETTLED = {
    "waiting_for_approval",
    "paused",
    "completed",
    "completed_with_errors",
    "failed",
    "cancelled",
}


@dataclass(frozen=True)
class Member:
    user_id: uuid.UUID
    email: str
    token: str


@dataclass
class Account:
    """A client account with one engagement and one member per role."""

    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    client_name: str
    members: dict[str, Member] = field(default_factory=dict)

    def headers(self, role: str = "admin", *, tenant: Account | None = None) -> dict[str, str]:
        """``role``'s token, with the tenant headers of ``tenant`` (default: this account)."""
        target = tenant or self
        return {
            "Authorization": f"Bearer {self.members[role].token}",
            "X-Client-Account-ID": str(target.client_account_id),
            "X-Engagement-ID": str(target.engagement_id),
        }


def api_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return settings_for(database_url, data_dir, secret_key=SECRET, **overrides)


def token_for(user_id: uuid.UUID) -> str:
    return issue_access_token(user_id, SECRET, 60).token


async def create_account(
    url: str, roles: tuple[str, ...] = ("viewer", "analyst", "admin")
) -> Account:
    name = f"client-{uuid.uuid4().hex[:10]}"

    async def create(session: AsyncSession) -> Account:
        client = await tenancy.create_client_account(session, name)
        engagement = await tenancy.create_engagement(session, name, "wave 1")
        account = Account(client.id, engagement.id, name)
        for role in roles:
            email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
            user_id = await tenancy.create_user(
                session, email, PASSWORD, client_name=name, role=Role(role)
            )
            account.members[role] = Member(user_id, email, token_for(user_id))
        return account

    return await in_transaction(url, create)


async def create_platform_admin(url: str) -> Member:
    email = f"platform-{uuid.uuid4().hex[:8]}@example.com"
    user_id = await in_transaction(
        url, lambda s: tenancy.create_user(s, email, PASSWORD, platform_admin=True)
    )
    return Member(user_id, email, token_for(user_id))


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return api_settings(database_url, tmp_path / "data")


@pytest.fixture
def app(settings: Settings, database_url: str) -> FastAPI:
    return create_app(settings, database_url)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as client:
        yield client


@pytest.fixture(scope="module")
async def account(database_url: str) -> AsyncIterator[Account]:
    created = await create_account(database_url)
    yield created
    await drop_queued_jobs(database_url, created.client_account_id)


@pytest.fixture(scope="module")
async def other_account(database_url: str) -> AsyncIterator[Account]:
    created = await create_account(database_url)
    yield created
    await drop_queued_jobs(database_url, created.client_account_id)


@asynccontextmanager
async def flow_worker(url: str, settings: Settings) -> AsyncIterator[None]:
    """A real in-process worker for the duration of the block."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(url, settings, stop=stop, install_signal_handlers=False))
    try:
        yield
    finally:
        stop.set()
        await task


WorkerFactory = Callable[[], AbstractAsyncContextManager[None]]


@pytest.fixture
def worker(database_url: str, settings: Settings) -> WorkerFactory:
    return lambda: flow_worker(database_url, settings)


async def wait_for_flow(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    master_flow_id: str,
    *,
    until: set[str] | None = None,
    seconds: float = 60,
) -> dict[str, Any]:
    """Poll the flow until it rests (or reaches one of ``until``)."""
    wanted = until or SETTLED
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        response = await client.get(
            f"/api/v1/unified-discovery/flows/{master_flow_id}", headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in wanted:
            return body
        assert asyncio.get_running_loop().time() < deadline, f"flow still {body['status']}"
        await asyncio.sleep(0.1)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: Path,
    *,
    preview: bool = False,
    **fields: str,
) -> httpx.Response:
    url = "/api/v1/unified-discovery/imports" + ("/preview" if preview else "")
    with path.open("rb") as handle:
        return await client.post(
            url, headers=headers, files={"file": (path.name, handle, "text/csv")}, data=fields
        )


async def drop_queued_jobs(url: str, client_account_id: uuid.UUID) -> None:
    """Remove queued phase jobs of a tenant's flows, so no later test's worker runs them."""

    async def drop(session: AsyncSession) -> None:
        await session.execute(
            text(
                "DELETE FROM procrastinate.procrastinate_jobs j USING migration.discovery_flows f "
                "WHERE j.status = 'todo' AND j.args->>'discovery_flow_id' = f.id::text "
                "AND f.client_account_id = :client"
            ),
            {"client": client_account_id},
        )

    await in_transaction(url, drop)
