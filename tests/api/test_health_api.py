"""Liveness, and the wiring-health endpoint with its TTL cache (typed keys, expiry,
admin-only refresh, single flight)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.assets.models import Asset
from discovery.core.migrations import head_revision
from discovery.core.settings import Settings
from discovery.health.cache import HealthCache, HealthKey
from discovery.health.metrics import METRIC_NAMES
from tests.api.conftest import Account, WorkerFactory, api_settings, serving
from tests.flow_helpers import in_transaction

WIRING = "/api/v1/health/wiring"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def cached_client(app: FastAPI, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app.state.health_cache = HealthCache(30, timer=clock)
    async with serving(app) as client:
        yield client


async def test_liveness_needs_no_login_and_reports_the_worker(
    client: httpx.AsyncClient, worker: WorkerFactory, database_url: str
) -> None:
    # A worker of an earlier test may have beaten moments ago: start with none on record.
    async def forget_workers(session: AsyncSession) -> None:
        await session.execute(text("DELETE FROM procrastinate.procrastinate_workers"))

    await in_transaction(database_url, forget_workers)
    idle = await client.get("/api/v1/health")
    assert idle.status_code == 200
    assert idle.json()["database"] == {
        "reachable": True,
        "revision": head_revision(),
        "head": head_revision(),
        "at_head": True,
    }
    assert idle.json()["status"] == "degraded"  # no worker runs in this test process yet
    assert idle.json()["worker"]["alive"] == 0
    async with worker():
        for _ in range(100):
            live = (await client.get("/api/v1/health")).json()
            if live["worker"]["alive"]:
                break
            await asyncio.sleep(0.05)
    assert live["status"] == "ok"
    assert live["worker"]["alive"] >= 1
    assert live["worker"]["last_heartbeat"] is not None


async def test_liveness_is_503_without_a_migrated_database(
    scratch_database_url: str, tmp_path: Path
) -> None:
    settings = api_settings(scratch_database_url, tmp_path / "data")
    async with serving(create_app(settings, scratch_database_url)) as client:
        empty = await client.get("/api/v1/health")
    assert empty.status_code == 503
    error = empty.json()["error"]
    assert error["code"] == "service_unavailable"
    assert "schema is at no revision" in error["message"]
    assert error["details"]["database"]["reachable"] is True
    assert error["details"]["database"]["at_head"] is False

    missing = make_url(scratch_database_url).set(database="discovery_no_such_database")
    url = missing.render_as_string(hide_password=False)
    async with serving(create_app(api_settings(url, tmp_path / "d2"), url)) as client:
        down = await client.get("/api/v1/health")
    assert down.status_code == 503
    assert down.json()["error"]["details"]["database"]["reachable"] is False
    assert "discovery_no_such_database" in down.json()["error"]["message"]


async def test_wiring_health_is_cached_per_tenant_and_expires(
    app: FastAPI,
    cached_client: httpx.AsyncClient,
    clock: Clock,
    account: Account,
    other_account: Account,
    database_url: str,
) -> None:
    viewer = account.headers("viewer")
    first = await cached_client.get(WIRING, headers=viewer)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {
        "metrics",
        "health_status",
        "tenant",
        "samples",
        "proven_by",
        "cached",
        "cache_age_seconds",
    }
    assert set(body["metrics"]) == set(METRIC_NAMES)
    assert set(body["proven_by"]) == set(METRIC_NAMES)
    assert body["proven_by"]["cross_tenant_links"].startswith("fk_")
    assert body["proven_by"]["duplicate_assets"] == "counted"
    assert body["health_status"] == "healthy"
    assert body["tenant"] == {
        "client_account_id": str(account.client_account_id),
        "engagement_id": str(account.engagement_id),
    }
    assert (body["cached"], body["cache_age_seconds"], body["samples"]) == (False, 0, None)

    # A problem appears; the cached answer may be up to the TTL old.
    async def orphan(session: AsyncSession) -> None:
        session.add(
            Asset(
                client_account_id=account.client_account_id,
                engagement_id=account.engagement_id,
                name="orphan",
                asset_type="server",
            )
        )

    await in_transaction(database_url, orphan)
    clock.now += 12.5
    second = (await cached_client.get(WIRING, headers=viewer)).json()
    assert (second["cached"], second["cache_age_seconds"]) == (True, 12.5)
    assert second["health_status"] == "healthy"

    # Another tenant is computed for itself, never served this tenant's entry.
    other = (await cached_client.get(WIRING, headers=other_account.headers("viewer"))).json()
    assert other["cached"] is False
    assert other["tenant"]["client_account_id"] == str(other_account.client_account_id)
    # The detail flag is part of the key.
    detailed = (await cached_client.get(WIRING, headers=viewer, params={"detail": "true"})).json()
    assert detailed["cached"] is False
    assert [s["name"] for s in detailed["samples"]["all_assets_missing_discovery_flow_id"]] == [
        "orphan"
    ]

    clock.now += 30
    expired = (await cached_client.get(WIRING, headers=viewer)).json()
    assert expired["cached"] is False
    assert expired["health_status"] == "unhealthy"
    assert expired["metrics"]["all_assets_missing_discovery_flow_id"] == 1
    assert app.state.health_cache.computations == 4


async def test_refresh_bypasses_the_cache_for_admins_only(
    app: FastAPI, cached_client: httpx.AsyncClient, clock: Clock, other_account: Account
) -> None:
    for role in ("viewer", "analyst"):
        refused = await cached_client.get(
            WIRING, headers=other_account.headers(role), params={"refresh": "true"}
        )
        assert refused.status_code == 403
        assert "admins only" in refused.json()["error"]["message"]
    admin = other_account.headers("admin")
    assert (await cached_client.get(WIRING, headers=admin)).json()["cached"] is False
    assert (await cached_client.get(WIRING, headers=admin)).json()["cached"] is True
    refreshed = (await cached_client.get(WIRING, headers=admin, params={"refresh": "true"})).json()
    assert refreshed["cached"] is False
    clock.now += 1
    after = (await cached_client.get(WIRING, headers=admin)).json()
    assert (after["cached"], after["cache_age_seconds"]) == (True, 1)
    assert app.state.health_cache.computations == 2


async def test_concurrent_misses_compute_once(
    app: FastAPI, cached_client: httpx.AsyncClient, account: Account
) -> None:
    responses = await asyncio.gather(
        *(cached_client.get(WIRING, headers=account.headers("viewer")) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["tenant"]["engagement_id"] for r in responses} == {str(account.engagement_id)}
    assert app.state.health_cache.computations == 1


async def test_the_ttl_comes_from_the_settings(
    database_url: str, tmp_path: Path, account: Account
) -> None:
    settings: Settings = api_settings(database_url, tmp_path / "data", health_cache_ttl_seconds=0)
    async with serving(create_app(settings, database_url)) as client:
        for _ in range(2):
            body = (await client.get(WIRING, headers=account.headers("viewer"))).json()
            assert body["cached"] is False


async def test_wiring_health_needs_a_login_and_the_tenant_headers(
    client: httpx.AsyncClient, account: Account
) -> None:
    assert (await client.get(WIRING)).status_code == 401
    headers = account.headers("viewer")
    del headers["X-Engagement-ID"]
    assert (await client.get(WIRING, headers=headers)).status_code == 400


async def test_the_cache_computes_concurrent_misses_of_one_key_once() -> None:
    """Single flight, deterministically: every caller arrives while the first computes."""
    cache = HealthCache(30)
    gate = asyncio.Event()
    calls = 0

    async def compute() -> dict[str, object]:
        nonlocal calls
        calls += 1
        await gate.wait()
        return {"metrics": {}, "n": calls}

    key = HealthKey(uuid.uuid4(), uuid.uuid4(), False)
    other = HealthKey(key.client_account_id, key.engagement_id, True)
    waiting = [asyncio.create_task(cache.get(key, compute)) for _ in range(5)]
    separate = asyncio.create_task(cache.get(other, compute))
    await asyncio.sleep(0.01)
    assert calls == 2  # one per key, however many callers
    gate.set()
    results = await asyncio.gather(*waiting)
    assert {r.report["n"] for r in results} == {results[0].report["n"]}
    assert (await separate).report is not results[0].report
    assert (await cache.get(key, compute)).cached is True
    assert calls == 2


async def test_a_failed_computation_is_not_cached() -> None:
    cache = HealthCache(30)
    key = HealthKey(uuid.uuid4(), uuid.uuid4(), False)

    async def broken() -> dict[str, object]:
        raise RuntimeError("database went away")

    async def fine() -> dict[str, object]:
        return {"metrics": {}}

    with pytest.raises(RuntimeError):
        await cache.get(key, broken)
    assert (await cache.get(key, fine)).cached is False
