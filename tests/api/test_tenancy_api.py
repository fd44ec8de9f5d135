"""The one tenant dependency: header errors (400), unknown engagement (404), non-members
(403), roles, and a sweep of every route of the OpenAPI document as another tenant."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.auth.service import create_api_token
from discovery.mapping.models import LearnedFieldMapping
from tests.api.conftest import Account, create_account, create_platform_admin, token_for
from tests.flow_helpers import TenantIds, in_transaction, run_file, settings_for
from tests.inventory_files import write_servers_csv

ASSETS = "/api/v1/unified-discovery/assets"
IMPORTS = "/api/v1/unified-discovery/imports"


@pytest.mark.parametrize(
    ("drop", "value", "message"),
    [
        ("X-Client-Account-ID", None, "the X-Client-Account-ID header is required"),
        ("X-Engagement-ID", None, "the X-Engagement-ID header is required"),
        ("X-Client-Account-ID", "acme", "the X-Client-Account-ID header must be a UUID"),
        ("X-Engagement-ID", "12345", "the X-Engagement-ID header must be a UUID"),
        ("X-Engagement-ID", "  ", "the X-Engagement-ID header is required"),
    ],
)
async def test_a_missing_or_malformed_tenant_header_is_400_naming_it(
    client: httpx.AsyncClient, account: Account, drop: str, value: str | None, message: str
) -> None:
    headers = account.headers("viewer")
    del headers[drop]
    if value is not None:
        headers[drop] = value
    response = await client.get(ASSETS, headers=headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error == {"code": "bad_request", "message": message, "details": {"header": drop}}


async def test_authentication_comes_before_the_tenant_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(ASSETS)
    assert response.status_code == 401


async def test_an_engagement_of_another_client_account_is_404(
    client: httpx.AsyncClient, account: Account, other_account: Account
) -> None:
    headers = account.headers("viewer")
    headers["X-Engagement-ID"] = str(other_account.engagement_id)
    response = await client.get(ASSETS, headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    headers["X-Engagement-ID"] = str(uuid.uuid4())
    assert (await client.get(ASSETS, headers=headers)).status_code == 404


async def test_a_non_member_is_403_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, account: Account, other_account: Account
) -> None:
    response = await client.get(ASSETS, headers=account.headers("admin", tenant=other_account))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "you are not a member of this client account"
    headers = account.headers("admin")
    headers["X-Client-Account-ID"] = str(uuid.uuid4())
    assert (await client.get(ASSETS, headers=headers)).status_code == 403


async def test_a_platform_admin_may_act_in_any_tenant(
    client: httpx.AsyncClient, database_url: str, account: Account
) -> None:
    admin = await create_platform_admin(database_url)
    headers = {**account.headers("viewer"), "Authorization": f"Bearer {admin.token}"}
    response = await client.get(ASSETS, headers=headers)
    assert response.status_code == 200
    # …but still gets a 404 for an engagement that is not in the account.
    headers["X-Engagement-ID"] = str(uuid.uuid4())
    assert (await client.get(ASSETS, headers=headers)).status_code == 404


async def test_a_viewer_cannot_import_and_an_analyst_cannot_delete(
    client: httpx.AsyncClient, account: Account, tmp_path: Path
) -> None:
    path = write_servers_csv(tmp_path / "servers.csv", 3)
    with path.open("rb") as handle:
        response = await client.post(
            IMPORTS, headers=account.headers("viewer"), files={"file": ("servers.csv", handle)}
        )
    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"] == {"required_role": "analyst", "role": "viewer"}

    deleted = await client.delete(f"{IMPORTS}/{uuid.uuid4()}", headers=account.headers("analyst"))
    assert deleted.status_code == 403
    assert deleted.json()["error"]["details"]["required_role"] == "admin"
    # An admin gets past the role check (to a 404 for an unknown import).
    admin = await client.delete(f"{IMPORTS}/{uuid.uuid4()}", headers=account.headers("admin"))
    assert admin.status_code == 404


@dataclass
class Victim:
    account: Account
    ids: dict[str, str]
    secrets: list[str]


@pytest.fixture(scope="module")
async def victim(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Victim:
    """A tenant with a finished flow, assets, an import and an API token."""
    account = await create_account(database_url)
    data = tmp_path_factory.mktemp("victim")
    settings = settings_for(database_url, data / "data")
    path = write_servers_csv(data / "victim-servers.csv", 12)
    summary = await run_file(
        database_url,
        settings,
        TenantIds(account.client_account_id, account.engagement_id),
        path,
    )
    assert summary["status"] == "completed", summary

    async def extras(session: AsyncSession) -> tuple[str, str, str, str]:
        asset_id = (
            await session.execute(
                select(Asset.id).where(Asset.engagement_id == account.engagement_id).limit(1)
            )
        ).scalar_one()
        record, secret = await create_api_token(
            session, account.members["admin"].user_id, "victim token", None
        )
        learned = LearnedFieldMapping(
            client_account_id=account.client_account_id,
            header_key="victim column",
            source_field="Victim Column",
            target_field="hostname",
        )
        session.add(learned)
        await session.flush()
        return str(asset_id), str(record.id), secret, str(learned.id)

    asset_id, token_id, secret, learned_id = await in_transaction(database_url, extras)
    ids = {
        "import_id": summary["data_import_id"],
        "flow_id": summary["master_flow_id"],
        "asset_id": asset_id,
        "token_id": token_id,
        "learned_id": learned_id,
    }
    return Victim(account, ids, [secret, account.client_name, "victim-servers", "web0001"])


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, object]]]:
    found = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            found.append((method.upper(), path, operation))
    return found


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def _takes_tenant_headers(operation: dict[str, object]) -> bool:
    parameters = operation.get("parameters") or []
    assert isinstance(parameters, list)
    return any(p.get("name") == "X-Client-Account-ID" for p in parameters)


def _body_for(method: str, path: str) -> dict[str, object]:
    if path.endswith("/field-mappings") and method == "PUT":
        return {"json": {}}
    if path.endswith("/auth/tokens") and method == "POST":
        return {"json": {"name": "probe"}}
    if path.endswith("/auth/login"):
        return {"json": {"email": "x@example.com", "password": "nope"}}
    if path.endswith("/imports") or path.endswith("/imports/preview"):
        return {"files": {"file": ("probe.csv", b"Name\nprobe01\n", "text/csv")}}
    return {}


def _caller(account: Account, path: str, tenant: Account | None = None) -> dict[str, str]:
    """The admin's headers; signing out ends the session it is called with, so each
    call of it gets a session of its own."""
    headers = account.headers("admin", tenant=tenant)
    if path.endswith("/auth/logout"):
        headers["Authorization"] = f"Bearer {token_for(account.members['admin'].user_id)}"
    return headers


async def test_every_route_as_another_tenant_returns_no_tenant_data(
    app: FastAPI,
    client: httpx.AsyncClient,
    victim: Victim,
    other_account: Account,
) -> None:
    """An admin of another client account, with a valid token, tries every operation of
    the OpenAPI document against the victim: with the victim's tenant headers (403), and
    with their own headers but the victim's resource ids in the path (404)."""
    operations = _operations(app)
    assert len(operations) >= 25
    tenant_operations = 0
    for method, path, operation in operations:
        url = _fill(path, victim.ids)
        body = _body_for(method, path)
        as_victim = await client.request(
            method, url, headers=_caller(other_account, path, victim.account), **body
        )
        own_headers = await client.request(
            method, url, headers=_caller(other_account, path), **body
        )
        for response in (as_victim, own_headers):
            for secret in [*victim.secrets, *victim.ids.values()]:
                if secret in url and response.status_code == 404:
                    continue  # a 404 may name the id that was asked for, nothing more
                assert secret not in response.text, (method, path, response.status_code)
        if _takes_tenant_headers(operation):
            tenant_operations += 1
            assert as_victim.status_code == 403, (method, path, as_victim.text)
            assert as_victim.json()["error"]["code"] == "forbidden"
            if "{" in path:
                assert own_headers.status_code == 404, (method, path, own_headers.text)
        elif "{" in path:
            # Not a tenant route (an API token): still only the caller's own.
            assert own_headers.status_code == 404, (method, path, own_headers.text)
    assert tenant_operations >= 20
