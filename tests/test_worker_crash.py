"""A worker process killed in the middle of a phase: another one finishes the flow, with
the same result as an uninterrupted run (no duplicate assets, no lost links)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.flows import service
from discovery.flows.summary import flow_summary
from discovery.health.metrics import METRIC_NAMES
from discovery.imports.models import RawImportRecord
from tests.cli_runner import cli_env
from tests.flow_helpers import (
    TenantIds,
    in_transaction,
    new_tenant,
    run_file,
    settings_for,
    start_flow,
)
from tests.inventory_files import write_servers_csv

ROWS = 3000
CHUNK = 20  # many small chunks, so the kill lands mid-phase
STALLED_SECONDS = 3


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "discovery", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _summary(url: str, flow_id: uuid.UUID) -> dict[str, Any]:
    async def load(session: AsyncSession) -> dict[str, Any]:
        return await flow_summary(session, await service.find_flow(session, flow_id))

    return await in_transaction(url, load)


async def _wait(url: str, flow_id: uuid.UUID, done: Any, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        summary = await _summary(url, flow_id)
        if done(summary):
            return summary
        await asyncio.sleep(0.1)
    raise AssertionError(f"flow did not reach the expected state: {summary}")


async def _inventory(url: str, tenant: TenantIds) -> tuple[set[tuple[Any, ...]], int]:
    async def load(session: AsyncSession) -> tuple[set[tuple[Any, ...]], int]:
        assets = await session.execute(
            select(Asset.name, Asset.ip_address, Asset.memory_gb, Asset.asset_type).where(
                Asset.engagement_id == tenant.engagement_id
            )
        )
        linked = await session.scalar(
            select(func.count())
            .select_from(RawImportRecord)
            .where(
                RawImportRecord.engagement_id == tenant.engagement_id,
                RawImportRecord.asset_id.is_not(None),
            )
        )
        rows = [tuple(row) for row in assets]
        assert len(rows) == len(set(rows))
        return set(rows), int(linked or 0)

    return await in_transaction(url, load)


async def test_a_killed_worker_is_replaced_and_the_flow_completes_the_same(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    overrides = {"asset_batch_chunk_size": CHUNK, "worker_stalled_seconds": STALLED_SECONDS}
    settings = settings_for(database_url, data_dir, **overrides)
    path = write_servers_csv(tmp_path / "servers.csv", ROWS, duplicates=50)

    reference_tenant = await new_tenant(database_url)
    reference = await run_file(database_url, settings, reference_tenant, path)
    assert reference["status"] == "completed", reference["error"]

    tenant = await new_tenant(database_url)
    env = cli_env(
        DATABASE_URL=database_url,
        DISCOVERY_DATA_DIR=str(data_dir),
        ASSET_BATCH_CHUNK_SIZE=str(CHUNK),
        DISCOVERY_WORKER_STALLED_SECONDS=str(STALLED_SECONDS),
    )
    flow_id = await start_flow(database_url, settings, tenant, path)
    first = _worker(env)
    try:
        midway = await _wait(
            database_url,
            flow_id,
            lambda s: (
                s["current_phase"] == "asset_inventory"
                and s["phases"].get("asset_inventory", {}).get("done", 0) > 0
            ),
            seconds=120,
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert midway["status"] == "running"
    killed_at = midway["phases"]["asset_inventory"]["done"]
    assert 0 < killed_at < ROWS

    second = _worker(env)
    try:
        final = await _wait(database_url, flow_id, lambda s: s["status"] != "running", seconds=180)
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()

    assert final["status"] == "completed", final["error"]
    assert final["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)
    assert final["counters"] == reference["counters"]
    ours, ours_linked = await _inventory(database_url, tenant)
    theirs, theirs_linked = await _inventory(database_url, reference_tenant)
    assert len(ours) == ROWS
    assert ours == theirs
    assert ours_linked == theirs_linked == ROWS + 50
