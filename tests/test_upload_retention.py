"""Upload retention on a real database with real files: what the sweep deletes, what it
keeps, and what a re-run that needs a deleted file says."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.cli.flows import drive_flow
from discovery.cli.progress import ProgressLine
from discovery.core.database import create_engine, create_session_factory
from discovery.core.settings import SettingsError, load_settings
from discovery.flows import control
from discovery.flows.models import DiscoveryFlow
from discovery.imports.models import DataImport
from discovery.imports.retention import SweepResult, sweep_uploads
from tests.flow_helpers import (
    TenantIds,
    in_transaction,
    new_tenant,
    run_file,
    settings_for,
    start_flow,
)
from tests.inventory_files import write_servers_csv

DAYS = 30


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data", upload_retention_days=DAYS)


async def _import_of(url: str, master_flow_id: str) -> DataImport:
    async def load(session: AsyncSession) -> DataImport:
        flow = (
            await session.execute(
                select(DiscoveryFlow).where(
                    DiscoveryFlow.master_flow_id == uuid.UUID(master_flow_id)
                )
            )
        ).scalar_one()
        data_import = await session.get(DataImport, flow.data_import_id)
        assert data_import is not None
        return data_import

    return await in_transaction(url, load)


async def _ended_days_ago(url: str, master_flow_id: str, days: float) -> None:
    """Move the flow's last change (when it ended) ``days`` into the past."""

    async def backdate(session: AsyncSession) -> None:
        await session.execute(
            text(
                "UPDATE migration.discovery_flows SET updated_at = now() - make_interval("
                "secs => :seconds) WHERE master_flow_id = :flow"
            ),
            {"seconds": days * 86400, "flow": uuid.UUID(master_flow_id)},
        )

    await in_transaction(url, backdate)


async def _sweep(url: str, settings: Any, days: int = DAYS) -> SweepResult:
    engine = create_engine(url)
    try:
        return await sweep_uploads(create_session_factory(engine), settings.uploads_dir, days)
    finally:
        await engine.dispose()


def _present(path: Path) -> bool:
    return path.exists()


def _orphan(uploads: Path, age: timedelta) -> Path:
    directory = uploads / str(uuid.uuid4())
    directory.mkdir(parents=True)
    (directory / "upload.csv").write_text("Server Name\nweb01\n")
    stamp = time.time() - age.total_seconds()
    os.utime(directory, (stamp, stamp))
    return directory


async def _start(url: str, settings: Any, tenant: TenantIds, path: Path) -> str:
    return str(await start_flow(url, settings, tenant, path, auto_approve=False))


async def test_files_of_flows_ended_long_ago_are_deleted_and_the_rest_kept(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    old = await run_file(database_url, settings, tenant, write_servers_csv(tmp_path / "old.csv", 5))
    recent = await run_file(
        database_url, settings, tenant, write_servers_csv(tmp_path / "recent.csv", 5, seed=2)
    )
    waiting = await run_file(
        database_url,
        settings,
        tenant,
        write_servers_csv(tmp_path / "waiting.csv", 5, seed=3),
        auto_approve=False,
    )
    assert (old["status"], recent["status"], waiting["status"]) == (
        "completed",
        "completed",
        "waiting_for_approval",
    )
    await _ended_days_ago(database_url, old["master_flow_id"], DAYS + 1)
    await _ended_days_ago(database_url, recent["master_flow_id"], DAYS - 1)
    # Waiting for approval is not an end: its file stays however old the flow is.
    await _ended_days_ago(database_url, waiting["master_flow_id"], DAYS * 3)
    files = {
        name: Path(
            str((await _import_of(database_url, summary["master_flow_id"])).stored_file_path)
        )
        for name, summary in (("old", old), ("recent", recent), ("waiting", waiting))
    }
    assert all(_present(path) for path in files.values())
    stale_orphan = _orphan(settings.uploads_dir, timedelta(hours=2))
    fresh_orphan = _orphan(settings.uploads_dir, timedelta(minutes=5))
    incoming = settings.uploads_dir / "incoming"
    incoming.mkdir(exist_ok=True)
    os.utime(incoming, (0, 0))

    assert await _sweep(database_url, settings) == SweepResult(files_deleted=1, orphans_deleted=1)

    assert not _present(files["old"].parent)
    deleted = await _import_of(database_url, old["master_flow_id"])
    assert deleted.stored_file_path is None
    assert deleted.file_deleted_at is not None
    assert abs(datetime.now(UTC) - deleted.file_deleted_at) < timedelta(minutes=5)
    assert deleted.total_rows == 5  # the import itself and its rows stay
    assert _present(files["recent"]) and _present(files["waiting"])
    assert not _present(stale_orphan)
    assert _present(fresh_orphan) and _present(incoming)
    # Nothing is left to do: a second sweep changes nothing.
    assert await _sweep(database_url, settings) == SweepResult(0, 0)
    # 0 days keeps files forever, however long ago their flows ended.
    await _ended_days_ago(database_url, recent["master_flow_id"], 3650)
    assert await _sweep(database_url, settings, days=0) == SweepResult(0, 0)
    assert _present(files["recent"])


async def test_a_re_run_that_needs_a_deleted_file_says_so(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    header_only = tmp_path / "header.csv"
    header_only.write_text("Server Name,IP Address\n")
    failed = await run_file(database_url, settings, tenant, header_only)
    assert failed["status"] == "failed" and failed["current_phase"] == "data_import"
    await _ended_days_ago(database_url, failed["master_flow_id"], DAYS + 1)
    assert (await _sweep(database_url, settings)).files_deleted == 1

    async def resume(session: AsyncSession) -> None:
        flow = (
            await session.execute(
                select(DiscoveryFlow).where(
                    DiscoveryFlow.master_flow_id == uuid.UUID(failed["master_flow_id"])
                )
            )
        ).scalar_one()
        await control.resume(session, flow)

    await in_transaction(database_url, resume)
    again = await drive_flow(
        database_url, settings, uuid.UUID(failed["master_flow_id"]), ProgressLine(enabled=False)
    )
    assert again["status"] == "failed"
    message = again["error"]["message"]
    assert message.startswith("The uploaded file was deleted on 20")
    assert "DISCOVERY_UPLOAD_RETENTION_DAYS" in message and "Upload the file again" in message


async def test_a_worker_sweeps_when_it_starts(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    first = await run_file(database_url, settings, tenant, write_servers_csv(tmp_path / "a.csv", 3))
    await _ended_days_ago(database_url, first["master_flow_id"], DAYS + 1)
    stored = Path(str((await _import_of(database_url, first["master_flow_id"])).stored_file_path))
    assert _present(stored)
    # Any flow run starts a worker, and the worker sweeps first.
    second = await _start(
        database_url, settings, tenant, write_servers_csv(tmp_path / "b.csv", 3, seed=4)
    )
    await drive_flow(database_url, settings, uuid.UUID(second), ProgressLine(enabled=False))
    assert not _present(stored)
    assert (await _import_of(database_url, first["master_flow_id"])).file_deleted_at is not None


@pytest.mark.parametrize("value", ["-1", "3651", "thirty"])
def test_the_retention_setting_is_validated(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCOVERY_UPLOAD_RETENTION_DAYS", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert f"DISCOVERY_UPLOAD_RETENTION_DAYS={value!r}" in str(raised.value)


def test_the_retention_default_is_thirty_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCOVERY_UPLOAD_RETENTION_DAYS", raising=False)
    assert load_settings().upload_retention_days == 30
    monkeypatch.setenv("DISCOVERY_UPLOAD_RETENTION_DAYS", "0")
    assert load_settings().upload_retention_days == 0
