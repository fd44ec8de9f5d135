"""B1: end-to-end import to a wired inventory, against the COPY floor and the seed pattern.

1. The synthetic CMDB CSV (:mod:`bench.data`) is written (not timed).
2. **Floor**: ``COPY`` of that file into an unlogged table of text columns (median of 3).
3. **Ours, end to end**: ``discovery serve`` (API + worker) runs as a subprocess on the
   bench database; the client logs in, uploads the file over HTTP, approves the
   suggested mappings and polls the flow until it rests. Timed from the upload request
   to the first poll that sees ``completed``; the summed RSS of the server's process
   tree and of the client (:mod:`bench.client`, a process of its own: this harness has
   read the file into Polars for the floors, which no client of the service does) is
   sampled from /proc throughout.
4. **Inventory only**, side by side in this process on the same cleansed rows: the
   linkage of the flow is reset (assets deleted, raw rows unlinked, VACUUM ANALYZE),
   the seed-pattern baseline runs; reset again, and our ``asset_inventory`` phase
   handler runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import select, text

from bench.common import (
    BenchDatabase,
    PeakRss,
    Stopwatch,
    log,
    postmaster_pid,
    vacuum_analyze,
)
from bench.data import COLUMNS, write_cmdb_csv
from bench.floors import phase_floors, schema_write_floor
from bench.profile import Profile, sampled
from bench.seed_pattern import seed_pattern_inventory
from discovery.assets.inventory import build_plan
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.settings import load_settings
from discovery.flows.models import DiscoveryFlow, Phase
from discovery.flows.phase_contract import PhaseContext
from discovery.flows.runner import handler_for
from discovery.tenancy import service as tenancy

PHASES = tuple(phase.value for phase in Phase)
ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-admin-password-0123"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
API = "/api/v1"


@dataclass(frozen=True)
class TenantIds:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID

    def headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "X-Client-Account-ID": str(self.client_account_id),
            "X-Engagement-ID": str(self.engagement_id),
        }


async def create_tenant(url: str, name: str) -> TenantIds:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            client = await tenancy.create_client_account(session, name)
            engagement = await tenancy.create_engagement(session, name, "wave 1")
            return TenantIds(client.id, engagement.id)
    finally:
        await engine.dispose()


# --- the floor ---------------------------------------------------------------------------


def copy_floor(url: str, path: Path, repeats: int = 3) -> float:
    """Median seconds of COPY of the CSV file into an unlogged table of text columns."""
    columns = ", ".join(f"c{i} text" for i in range(len(COLUMNS)))
    times: list[float] = []
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS public.bench_copy_floor")
        connection.execute(f"CREATE UNLOGGED TABLE public.bench_copy_floor ({columns})")
        try:
            for _ in range(repeats):
                connection.execute("TRUNCATE public.bench_copy_floor")
                started = time.perf_counter()
                with (
                    connection.cursor() as cursor,
                    cursor.copy(
                        "COPY public.bench_copy_floor FROM STDIN (FORMAT csv, HEADER true)"
                    ) as copy,
                    path.open("rb") as handle,
                ):
                    while block := handle.read(1 << 20):
                        copy.write(block)
                times.append(time.perf_counter() - started)
        finally:
            connection.execute("DROP TABLE IF EXISTS public.bench_copy_floor")
    return statistics.median(times)


# --- ours, end to end, through `discovery serve` -----------------------------------------


class Server:
    """``discovery serve --port 0`` as a subprocess, its output in a log file."""

    def __init__(self, db: BenchDatabase) -> None:
        self.db = db
        self.log_path = db.work_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def start(self, timeout: float = 180) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DISCOVERY_") and k != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL=self.db.url,
            DISCOVERY_DATA_DIR=str(self.db.work_dir / "serve-data"),
            DISCOVERY_SECRET_KEY=SECRET,
            DISCOVERY_ADMIN_EMAIL=ADMIN_EMAIL,
            DISCOVERY_ADMIN_PASSWORD=ADMIN_PASSWORD,
            DISCOVERY_LOG_LEVEL="WARNING",
        )
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "discovery", "serve", "--port", "0"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.log_path.read_text(errors="replace")
            match = re.search(r"API at (http://127\.0\.0\.1:\d+)/api/v1", output)
            if match and "press Ctrl+C" in output:
                self.base_url = match.group(1)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"discovery serve did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def _wait_for_worker(client: httpx.AsyncClient, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = await client.get(f"{API}/health")
        if response.status_code == 200 and response.json().get("worker", {}).get("alive"):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the flow worker of discovery serve did not come up")


@dataclass
class EndToEnd:
    seconds: float
    upload_seconds: float
    status: str
    master_flow_id: uuid.UUID
    detail: dict[str, Any]
    peak_rss_mb: float
    postgres_peak_pss_mb: float
    profiles: list[Profile]


async def _drive_in_client_process(
    base_url: str, headers: dict[str, str], path: Path, poll: float, server_pid: int, url: str
) -> tuple[float, float, dict[str, Any], PeakRss]:
    """Run :mod:`bench.client` as its own process and sample the RSS of it and the server."""
    job = json.dumps({"headers": headers, "path": str(path), "poll": poll})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.client", base_url, job,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    with PeakRss([server_pid, process.pid], postmaster=postmaster_pid(url)) as rss:
        out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the bench client failed: {err.decode(errors='replace')[-2000:]}")
    result = json.loads(out)
    return result["seconds"], result["upload_seconds"], result["body"], rss


async def end_to_end(
    db: BenchDatabase, path: Path, tenant: TenantIds, profile_dir: Path | None
) -> EndToEnd:
    server = Server(db)
    server.start()
    assert server.process is not None
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=3600) as client:
            login = await client.post(
                f"{API}/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            login.raise_for_status()
            headers = tenant.headers(login.json()["access_token"])
            await _wait_for_worker(client)
        with sampled("b1_serve_end_to_end", server.process.pid, profile_dir) as profiles:
            seconds, upload_seconds, body, rss = await _drive_in_client_process(
                server.base_url, headers, path, 0.25, server.process.pid, db.url
            )
    except BaseException:
        log(f"discovery serve output:\n{server.log_text()}")
        raise
    finally:
        server.stop()
    return EndToEnd(
        seconds=seconds,
        upload_seconds=upload_seconds,
        status=body["status"],
        master_flow_id=uuid.UUID(body["master_flow_id"]),
        detail=body,
        peak_rss_mb=rss.peak_mb,
        postgres_peak_pss_mb=rss.postgres_peak_mb,
        profiles=profiles,
    )


# --- inventory only: the seed pattern against ours, on the same cleansed rows ---------


async def _linkage(url: str, data_import_id: uuid.UUID, tenant: TenantIds) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE is_valid),"
                        " count(*) FILTER (WHERE is_valid AND asset_id IS NULL),"
                        " (SELECT count(*) FROM migration.assets a"
                        "   WHERE a.client_account_id = :c AND a.engagement_id = :e)"
                        " FROM migration.raw_import_records WHERE data_import_id = :i"
                    ),
                    {"i": data_import_id, "c": tenant.client_account_id,
                     "e": tenant.engagement_id},
                )
            ).one()  # fmt: skip
    finally:
        await engine.dispose()
    return {"valid_rows": int(row[0]), "unlinked_valid_rows": int(row[1]), "assets": int(row[2])}


def reset_linkage(url: str, data_import_id: uuid.UUID, tenant: TenantIds) -> None:
    """Back to 'cleansed, not inventoried': valid rows unlinked, the tenant's assets gone."""
    with psycopg.connect(url) as connection:
        connection.execute(
            "UPDATE migration.raw_import_records SET asset_id = NULL, is_processed = false,"
            " processed_at = NULL, processing_notes = NULL"
            " WHERE data_import_id = %s AND is_valid",
            (data_import_id,),
        )
        connection.execute(
            "DELETE FROM migration.assets WHERE client_account_id = %s AND engagement_id = %s",
            (tenant.client_account_id, tenant.engagement_id),
        )
        connection.execute(
            "DELETE FROM migration.failed_asset_chunks"
            " WHERE client_account_id = %s AND engagement_id = %s",
            (tenant.client_account_id, tenant.engagement_id),
        )
    vacuum_analyze(url, "assets", "raw_import_records", "asset_imports", "asset_dependencies")


@dataclass
class InventoryComparison:
    baseline_seconds: float
    ours_seconds: float
    baseline: dict[str, int]
    ours: dict[str, int]
    profiles: list[Profile]


async def inventory_comparison(
    db: BenchDatabase, tenant: TenantIds, master_flow_id: uuid.UUID, profile_dir: Path | None
) -> InventoryComparison:
    settings = load_settings(database_url=db.url, data_dir=db.work_dir / "bench-data")
    engine = create_engine(db.url)
    factory = create_session_factory(engine)
    profiles: list[Profile] = []
    try:
        async with unit_of_work(factory) as session:
            flow = (
                await session.execute(
                    select(DiscoveryFlow).where(DiscoveryFlow.master_flow_id == master_flow_id)
                )
            ).scalar_one()
            plan = await build_plan(session, flow)
            flow_id, data_import_id = flow.id, plan.data_import_id
        reset_linkage(db.url, data_import_id, tenant)
        log("B1: seed-pattern baseline (ORM per chunk of 500, refresh each, executemany)")
        with sampled("b1_baseline_inventory", os.getpid(), profile_dir) as found, Stopwatch() as b:
            await seed_pattern_inventory(factory, plan)
        profiles += found
        baseline = await _linkage(db.url, data_import_id, tenant)
        reset_linkage(db.url, data_import_id, tenant)
        log("B1: our asset_inventory phase on the same rows")
        handler = handler_for(Phase.ASSET_INVENTORY)
        assert handler is not None
        context = PhaseContext(
            factory=factory,
            settings=settings,
            discovery_flow_id=flow_id,
            master_flow_id=master_flow_id,
            client_account_id=tenant.client_account_id,
            engagement_id=tenant.engagement_id,
            data_import_id=data_import_id,
            user_id=None,
            phase=Phase.ASSET_INVENTORY,
        )
        with sampled("b1_ours_inventory", os.getpid(), profile_dir) as found, Stopwatch() as o:
            await handler(context)
        profiles += found
        ours = await _linkage(db.url, data_import_id, tenant)
    finally:
        await engine.dispose()
    return InventoryComparison(b.seconds, o.seconds, baseline, ours, profiles)


# --- B1 -------------------------------------------------------------------------------------


async def run_b1(
    db: BenchDatabase, rows: int, profile_dir: Path | None, *, baseline: bool = True
) -> dict[str, Any]:
    path = db.work_dir / f"cmdb-{rows}.csv"
    log(f"B1: writing the synthetic CMDB CSV ({rows:,} rows)")
    write_cmdb_csv(path, rows)
    size_mb = path.stat().st_size / 1024**2
    log(f"B1: COPY floor ({size_mb:.1f} MB)")
    floor = copy_floor(db.url, path)
    floors = phase_floors(db.url, path, db.work_dir)
    tenant = await create_tenant(db.url, f"bench-b1-{uuid.uuid4().hex[:8]}")
    log("B1: end to end through discovery serve (upload, approve, poll)")
    e2e = await end_to_end(db, path, tenant, profile_dir)
    if e2e.status != "completed":
        raise RuntimeError(f"the B1 flow ended {e2e.status}: {e2e.detail.get('error')}")
    wired = await _linkage(db.url, uuid.UUID(e2e.detail["data_import_id"]), tenant)
    schema_floor = schema_write_floor(db.url, e2e.detail["data_import_id"])
    comparison = (
        await inventory_comparison(db, tenant, e2e.master_flow_id, profile_dir)
        if baseline
        else None
    )
    times = e2e.detail.get("phase_execution_times", {})
    phase_seconds = {phase: round(times.get(phase, float("nan")) / 1000, 3) for phase in PHASES}
    phase_seconds["upload_request"] = round(e2e.upload_seconds, 3)
    return {
        "rows": rows,
        "csv_mb": round(size_mb, 1),
        "e2e_seconds": round(e2e.seconds, 3),
        "e2e_rows_per_s": round(rows / e2e.seconds, 1),
        "copy_floor_seconds": round(floor, 3),
        "e2e_over_copy_floor": round(e2e.seconds / floor, 2),
        "baseline_inventory_seconds": (
            round(comparison.baseline_seconds, 3) if comparison else None
        ),
        "ours_inventory_seconds": round(comparison.ours_seconds, 3) if comparison else None,
        "inventory_speedup_vs_baseline": (
            round(comparison.baseline_seconds / comparison.ours_seconds, 2) if comparison else None
        ),
        "peak_rss_mb": e2e.peak_rss_mb,
        "postgres_peak_pss_mb": e2e.postgres_peak_pss_mb,
        "phase_seconds": phase_seconds,
        "phase_floor_seconds": {k: v for k, v in floors.items() if k in PHASES},
        "schema_write_floor_seconds": schema_floor,
        "e2e_flow_status": e2e.status,
        "e2e_wiring": wired,
        "baseline_wiring": comparison.baseline if comparison else None,
        "ours_wiring": comparison.ours if comparison else None,
        "profiles": {
            p.name: p.as_text() for p in e2e.profiles + (comparison.profiles if comparison else [])
        },
    }
