"""Learned mappings that say where they came from and can be forgotten; a learned unmap
never drops a column without a review; sessions renewed while used; the API docs and the
inventory's order."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

from discovery.auth.tokens import issue_access_token, read_access_token
from discovery.tenancy import service as tenancy
from tests.api.conftest import SECRET, Account, WorkerFactory, upload, wait_for_flow
from tests.flow_helpers import in_transaction
from tests.web.test_pages import choose, csrf_of, sign_in

LEARNED = "/api/v1/unified-discovery/learned-mappings"
FLOWS = "/api/v1/unified-discovery/flows"
SERVERS = """\
Server Name,IP Address,Application,Owner
web01,10.0.0.11,Billing,alice@example.com
db01,10.0.0.21,Billing,bob@example.com
"""


async def _second_engagement(database_url: str, account: Account) -> Account:
    created = await in_transaction(
        database_url,
        lambda s: tenancy.create_engagement(s, account.client_name, f"wave {uuid.uuid4().hex[:6]}"),
    )
    return dataclasses.replace(account, engagement_id=created.id)


async def test_learned_mappings_carry_their_origin_and_a_learned_unmap_is_not_applied_unseen(
    client: httpx.AsyncClient,
    account: Account,
    database_url: str,
    worker: WorkerFactory,
    tmp_path: Path,
) -> None:
    analyst = account.headers("analyst")
    path = tmp_path / "servers.csv"
    path.write_text(SERVERS)
    async with worker():
        flow_id = (await upload(client, analyst, path)).json()["master_flow_id"]
        waiting = await wait_for_flow(client, analyst, flow_id)
        assert waiting["status"] == "waiting_for_approval", waiting["error"]
        approved = await client.put(
            f"{FLOWS}/{flow_id}/field-mappings",
            headers=analyst,
            json={"overrides": {"Owner": "technical_owner"}, "unmap": ["Application"]},
        )
        assert approved.status_code == 200, approved.text
        await wait_for_flow(client, analyst, flow_id)

        learned = await client.get(LEARNED, headers=account.headers("viewer"))
        assert learned.status_code == 200, learned.text
        by_column = {item["source_field"]: item for item in learned.json()}
        assert set(by_column) == {"Application", "Owner"}
        assert by_column["Owner"]["target_field"] == "technical_owner"
        assert by_column["Application"]["target_field"] is None
        for item in by_column.values():
            assert item["engagement_id"] == str(account.engagement_id)
            assert item["engagement_name"] == "wave 1"
            assert item["file_name"] == "servers.csv"
            assert item["learned_by"] == account.members["analyst"].email

        # Another engagement of the same client, approved without a review: the learned
        # mapping applies, the learned unmap does not, and the result says so.
        other = await _second_engagement(database_url, account)
        headers = other.headers("analyst")
        again = await upload(client, headers, path, auto_approve="true")
        assert again.status_code == 202, again.text
        done = await wait_for_flow(client, headers, again.json()["master_flow_id"])
    assert done["status"] == "completed", done["error"]
    final = {m["source_field"]: m for m in done["field_mappings"]}
    assert final["Owner"]["target_field"] == "technical_owner"
    assert final["Application"]["target_field"] == "application_name"
    [skipped] = done["phases"]["field_mapping"]["learned_not_applied"]
    assert skipped["source_field"] == "Application"
    assert "engagement 'wave 1' (servers.csv)" in skipped["where"]

    # Forgetting: analysts may, viewers may not; a forgotten one is gone.
    owner = by_column["Owner"]["id"]
    assert (
        await client.delete(f"{LEARNED}/{owner}", headers=account.headers("viewer"))
    ).status_code == 403
    assert (await client.delete(f"{LEARNED}/{owner}", headers=analyst)).status_code == 204
    assert (await client.delete(f"{LEARNED}/{owner}", headers=analyst)).status_code == 404
    left = (await client.get(LEARNED, headers=analyst)).json()
    assert [item["source_field"] for item in left] == ["Application"]


async def test_a_session_in_use_is_renewed_past_half_its_life_and_sign_out_still_ends_it(
    client: httpx.AsyncClient, account: Account
) -> None:
    member = account.members["viewer"]
    assert (await sign_in(client, member.email)).status_code == 303
    assert (await choose(client, account)).status_code == 303
    fresh = await client.get("/assets")
    assert fresh.status_code == 200
    assert "discovery_session" not in fresh.headers.get("set-cookie", "")

    old = issue_access_token(
        member.user_id, SECRET, 60, now=datetime.now(UTC) - timedelta(minutes=40)
    ).token
    client.cookies.set("discovery_session", old)
    renewed = await client.get("/assets")
    assert renewed.status_code == 200
    cookie = re.search(r"discovery_session=([^;]+)", renewed.headers["set-cookie"])
    assert cookie is not None
    new = cookie.group(1)
    assert new != old
    assert read_access_token(new, SECRET).expires_at > read_access_token(old, SECRET).expires_at
    assert read_access_token(new, SECRET).user_id == member.user_id

    client.cookies.set("discovery_session", new)
    token = csrf_of((await client.get("/tenant")).text)
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    client.cookies.set("discovery_session", new)
    after = await client.get("/assets")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


async def test_an_expired_session_sends_the_reviewer_back_to_the_review_with_a_message(
    client: httpx.AsyncClient, account: Account
) -> None:
    member = account.members["analyst"]
    flow_id = uuid.uuid4()
    expired = issue_access_token(
        member.user_id, SECRET, 60, now=datetime.now(UTC) - timedelta(minutes=61)
    ).token
    token = csrf_of((await client.get("/login")).text)  # the form the reviewer had open
    client.cookies.set("discovery_session", expired)
    for path in (f"/flows/{flow_id}/mapping", f"/flows/{flow_id}/mapping/preview"):
        answer = await client.post(path, data={"csrf_token": token, "source_0": "Owner"})
        assert answer.status_code == 303, path
        assert unquote(answer.headers["location"]) == (
            f"/login?next=/flows/{flow_id}/mapping?restore=1"
        )
    page = await client.get(answer.headers["location"])
    assert "Your session expired; sign in again to continue your review" in page.text
    assert "your choices were kept." in page.text
    assert f'name="next" value="/flows/{flow_id}/mapping?restore=1"' in page.text


async def test_the_api_docs_work_without_internet(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text and "http://" not in docs.text  # nothing from a CDN
    assets: list[str] = re.findall(r'(?:src|href)="(/static/api-docs/[^"]+)"', docs.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000


async def test_the_health_schema_describes_every_metric(client: httpx.AsyncClient) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    text = schema["components"]["schemas"]["WiringHealthOut"]["properties"]["metrics"][
        "description"
    ]
    assert "`raw_records_with_orphan_asset_ref`: File rows pointing at a missing asset." in text
    assert "`dead_letter_chunks_pending`: Batches waiting for a retry." in text
