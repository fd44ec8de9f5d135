"""Flows and master flows: reading, steering, dead letters, summary, soft and hard delete."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, FailedAssetChunk
from discovery.flows.models import DiscoveryFlow
from tests.api.conftest import (
    Account,
    WorkerFactory,
    create_account,
    drop_queued_jobs,
    upload,
    wait_for_flow,
)
from tests.api.test_imports_api import servers, write_csv
from tests.flow_helpers import in_transaction

FLOWS = "/api/v1/unified-discovery/flows"
MASTER = "/api/v1/master-flows"


@dataclass
class Flows:
    account: Account
    completed: dict[str, str]
    waiting: dict[str, str]


@pytest.fixture
async def flows(
    client: httpx.AsyncClient, worker: WorkerFactory, database_url: str, tmp_path: Path
) -> Flows:
    account = await create_account(database_url)
    analyst = account.headers("analyst")
    async with worker():
        completed = (
            await upload(
                client, analyst, write_csv(tmp_path / "a.csv", servers(1, 6)), auto_approve="true"
            )
        ).json()
        waiting = (
            await upload(client, analyst, write_csv(tmp_path / "b.csv", servers(7, 8)))
        ).json()
        assert (await wait_for_flow(client, analyst, completed["master_flow_id"]))[
            "status"
        ] == "completed"
        assert (await wait_for_flow(client, analyst, waiting["master_flow_id"]))[
            "status"
        ] == "waiting_for_approval"
    yield Flows(account, completed, waiting)  # type: ignore[misc]
    await drop_queued_jobs(database_url, account.client_account_id)


async def test_flows_are_listed_by_status_and_shown_in_detail(
    client: httpx.AsyncClient, app: FastAPI, flows: Flows
) -> None:
    viewer = flows.account.headers("viewer")
    everything = await client.get(FLOWS, headers=viewer)
    assert {f["master_flow_id"] for f in everything.json()["data"]} == {
        flows.completed["master_flow_id"],
        flows.waiting["master_flow_id"],
    }
    done = await client.get(FLOWS, headers=viewer, params={"status": "completed"})
    assert [f["master_flow_id"] for f in done.json()["data"]] == [flows.completed["master_flow_id"]]
    bad = await client.get(FLOWS, headers=viewer, params={"status": "finished"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["query", "status"]

    detail = (
        await client.get(f"{FLOWS}/{flows.completed['master_flow_id']}", headers=viewer)
    ).json()
    assert detail["status"] == "completed"
    assert detail["current_phase"] == "tech_debt_assessment"
    assert detail["progress_percentage"] == 100
    assert detail["counters"]["total_rows"] == 6
    assert detail["phases"]["asset_inventory"]["created"] == 6
    assert all(ms >= 0 for ms in detail["phase_execution_times"].values())
    assert detail["error"] is None and detail["error_history"] == []
    assert detail["health"]["health_status"] == "healthy"
    assert (await client.get(f"{FLOWS}/{uuid.uuid4()}", headers=viewer)).status_code == 404

    # Clients poll a flow: its wiring health comes from the health cache, not a new query.
    cache = app.state.health_cache
    before = cache.computations
    again = await client.get(f"{FLOWS}/{flows.completed['master_flow_id']}", headers=viewer)
    assert again.json()["health"] == detail["health"]
    assert cache.computations == before
    waiting = await client.get(f"{FLOWS}/{flows.waiting['master_flow_id']}", headers=viewer)
    assert waiting.json()["health"] is None


async def test_steering_a_flow_answers_409_for_a_state_that_does_not_allow_it(
    client: httpx.AsyncClient, flows: Flows
) -> None:
    analyst = flows.account.headers("analyst")
    flow_id = flows.waiting["master_flow_id"]
    paused = await client.post(f"{FLOWS}/{flow_id}/pause", headers=analyst)
    assert paused.status_code == 409
    assert paused.json()["error"] == {
        "code": "conflict",
        "message": "only a running flow can be paused; this one is waiting_for_approval",
        "details": None,
    }
    resumed = await client.post(f"{FLOWS}/{flow_id}/resume", headers=analyst)
    assert resumed.status_code == 409
    assert "approve the field mappings first" in resumed.json()["error"]["message"]
    viewer = await client.post(f"{FLOWS}/{flow_id}/cancel", headers=flows.account.headers("viewer"))
    assert viewer.status_code == 403
    cancelled = await client.post(f"{FLOWS}/{flow_id}/cancel", headers=analyst)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(f"{FLOWS}/{flow_id}/cancel", headers=analyst)
    assert again.status_code == 409
    assert (await client.post(f"{FLOWS}/{flow_id}/resume", headers=analyst)).status_code == 409


async def test_retry_failed_queues_a_job_that_reprocesses_dead_lettered_chunks(
    client: httpx.AsyncClient, flows: Flows, database_url: str, worker: WorkerFactory
) -> None:
    flow_id = uuid.UUID(flows.completed["master_flow_id"])

    async def dead_letter(session: AsyncSession) -> None:
        flow = (
            await session.execute(
                select(DiscoveryFlow).where(DiscoveryFlow.master_flow_id == flow_id)
            )
        ).scalar_one()
        session.add(
            FailedAssetChunk(
                client_account_id=flow.client_account_id,
                engagement_id=flow.engagement_id,
                discovery_flow_id=flow.id,
                chunk_number=7,
                first_row_number=1,
                last_row_number=6,
                error="OperationalError: server closed the connection",
            )
        )

    await in_transaction(database_url, dead_letter)
    analyst = flows.account.headers("analyst")
    before = (await client.get(f"{FLOWS}/{flow_id}", headers=analyst)).json()
    [chunk] = before["dead_letter_chunks"]
    assert (chunk["chunk_number"], chunk["reprocessed_at"]) == (7, None)

    retried = await client.post(f"{FLOWS}/{flow_id}/retry-failed", headers=analyst)
    assert retried.status_code == 202, retried.text
    assert (retried.json()["pending_chunks"], retried.json()["queued"]) == (1, True)
    # A second request finds the retry queued and queues no other.
    again = await client.post(f"{FLOWS}/{flow_id}/retry-failed", headers=analyst)
    assert (again.status_code, again.json()["queued"]) == (202, False)
    still = (await client.get(f"{FLOWS}/{flow_id}", headers=analyst)).json()
    assert still["dead_letter_chunks"][0]["reprocessed_at"] is None  # nothing ran yet

    async with worker():
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            after = (await client.get(f"{FLOWS}/{flow_id}", headers=analyst)).json()
            if after["dead_letter_chunks"][0]["reprocessed_at"] is not None:
                break
            assert asyncio.get_running_loop().time() < deadline, after
            await asyncio.sleep(0.1)
    assert after["status"] == "completed"
    nothing = await client.post(f"{FLOWS}/{flow_id}/retry-failed", headers=analyst)
    assert nothing.status_code == 409, nothing.text
    assert "no failed chunks to retry" in nothing.json()["error"]["message"]


async def test_master_flows_active_summary_and_detail(
    client: httpx.AsyncClient, flows: Flows
) -> None:
    viewer = flows.account.headers("viewer")
    active = (await client.get(f"{MASTER}/active", headers=viewer)).json()["data"]
    assert [m["flow_id"] for m in active] == [flows.waiting["master_flow_id"]]
    assert active[0]["discovery_flow"]["status"] == "waiting_for_approval"

    summary = (await client.get(f"{MASTER}/summary", headers=viewer)).json()
    assert summary["total"] == 2
    assert sorted(
        (c["flow_type"], c["status"], c["count"]) for c in summary["by_type_and_status"]
    ) == [
        ("discovery", "completed", 1),
        ("discovery", "waiting_for_approval", 1),
    ]
    assert set(summary["average_phase_milliseconds"]) >= {
        "data_import",
        "field_mapping",
        "asset_inventory",
    }
    assert all(value >= 0 for value in summary["average_phase_milliseconds"].values())

    detail = (
        await client.get(f"{MASTER}/{flows.completed['master_flow_id']}", headers=viewer)
    ).json()
    assert detail["flow_status"] == "completed"
    assert detail["flow_type"] == "discovery"
    assert detail["discovery_flow"]["master_flow_id"] == flows.completed["master_flow_id"]
    assert detail["discovery_flow"]["data_import_id"] == flows.completed["data_import_id"]
    assert (await client.get(f"{MASTER}/{uuid.uuid4()}", headers=viewer)).status_code == 404


async def _assets(url: str, account: Account) -> int:
    async def count(session: AsyncSession) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(Asset.client_account_id == account.client_account_id)
            )
            or 0
        )

    return await in_transaction(url, count)


async def test_deleting_a_master_flow_softly_then_for_good(
    client: httpx.AsyncClient, flows: Flows, database_url: str
) -> None:
    flow_id = flows.waiting["master_flow_id"]
    assert (
        await client.delete(f"{MASTER}/{flow_id}", headers=flows.account.headers("analyst"))
    ).status_code == 403
    admin = flows.account.headers("admin")
    soft = await client.delete(f"{MASTER}/{flow_id}", headers=admin)
    assert soft.status_code == 200
    assert soft.json()["purged"] is False and soft.json()["status"] == "cancelled"
    assert (await client.get(f"{MASTER}/{flow_id}", headers=admin)).json()[
        "flow_status"
    ] == "cancelled"
    assert (await client.get(f"{MASTER}/active", headers=admin)).json()["data"] == []

    completed = flows.completed["master_flow_id"]
    assert await _assets(database_url, flows.account) == 6
    purged = await client.delete(f"{MASTER}/{completed}", headers=admin, params={"purge": "true"})
    assert purged.status_code == 200, purged.text
    assert purged.json() == {
        "flow_id": completed,
        "purged": True,
        "status": None,
        "raw_rows_deleted": 6,
        "assets_deleted": 6,
        "assets_kept": 0,
    }
    assert (await client.get(f"{MASTER}/{completed}", headers=admin)).status_code == 404
    assert (await client.get(f"{FLOWS}/{completed}", headers=admin)).status_code == 404
    assert await _assets(database_url, flows.account) == 0
