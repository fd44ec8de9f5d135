"""Whole flows with a real worker on a real database: file in, wired inventory out."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.export import ExportScope, export_assets
from discovery.assets.models import Asset, AssetDependency
from discovery.cli.flows import drive_flow
from discovery.cli.progress import ProgressLine
from discovery.flows import control, service
from discovery.health.metrics import METRIC_NAMES
from discovery.imports.models import RawImportRecord
from discovery.mapping.models import ImportFieldMapping
from tests.flow_helpers import (
    TenantIds,
    in_transaction,
    new_tenant,
    run_file,
    settings_for,
    start_flow,
)
from tests.inventory_files import HEADER, write_servers_csv

ROWS = 40
DUPLICATES = 3


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data")


async def _assets(url: str, tenant: TenantIds) -> list[Asset]:
    async def load(session: AsyncSession) -> list[Asset]:
        result = await session.execute(
            select(Asset)
            .where(
                Asset.client_account_id == tenant.client_account_id,
                Asset.engagement_id == tenant.engagement_id,
            )
            .order_by(Asset.name)
        )
        return list(result.scalars())

    return await in_transaction(url, load)


async def _raw_rows(url: str, import_id: str) -> list[RawImportRecord]:
    async def load(session: AsyncSession) -> list[RawImportRecord]:
        result = await session.execute(
            select(RawImportRecord)
            .where(RawImportRecord.data_import_id == uuid.UUID(import_id))
            .order_by(RawImportRecord.row_number)
        )
        return list(result.scalars())

    return await in_transaction(url, load)


async def test_a_csv_becomes_a_wired_deduplicated_inventory(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_servers_csv(tmp_path / "servers.csv", ROWS, duplicates=DUPLICATES)
    summary = await run_file(database_url, settings, tenant, path)

    assert summary["status"] == "completed", summary["error"]
    assert summary["counters"]["total_rows"] == ROWS + DUPLICATES
    assert summary["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)
    inventory = summary["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["merged_duplicates"]) == (ROWS, DUPLICATES)
    assert inventory["linked"] == ROWS + DUPLICATES

    assets = await _assets(database_url, tenant)
    assert len(assets) == ROWS
    assert len({a.name for a in assets}) == ROWS
    for asset in assets:
        assert asset.discovery_flow_id is not None
        assert asset.master_flow_id == uuid.UUID(summary["master_flow_id"])
        assert asset.raw_import_records_id is not None
        assert asset.discovery_method == "flow_based"
        assert asset.source_phase == "asset_inventory"
        assert asset.field_mappings_used is not None and len(asset.field_mappings_used) == 64
        assert asset.asset_type == "server"
        assert asset.custom_attributes.get("Rack Position")
        assert 0 <= (asset.completeness_score or 0) <= 1
    rows = await _raw_rows(database_url, summary["data_import_id"])
    by_id = {a.id: a for a in assets}
    assert all(row.asset_id in by_id and row.is_processed for row in rows)
    # The duplicates (the last rows) point at the assets of the first rows.
    assert [r.asset_id for r in rows[-DUPLICATES:]] == [r.asset_id for r in rows[:DUPLICATES]]

    web2008 = next(a for a in assets if a.operating_system and "2008 R2" in a.operating_system)
    assert web2008.tech_debt_flags[0]["code"] == "os_end_of_support"
    assert web2008.os_end_of_support is not None

    dependencies = summary["phases"]["dependency_analysis"]
    assert dependencies["dependencies"] == ROWS // 10
    assert dependencies["unresolved_references"] == ROWS // 10
    assert any("ghost0010" in sample for sample in dependencies["unresolved_samples"])

    async def edges(session: AsyncSession) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(AssetDependency)
                .where(AssetDependency.client_account_id == tenant.client_account_id)
            )
            or 0
        )

    assert await in_transaction(database_url, edges) == ROWS // 10

    again = await run_file(database_url, settings, tenant, path)
    assert again["status"] == "completed"
    assert again["phases"]["asset_inventory"]["created"] == 0
    assert len(await _assets(database_url, tenant)) == ROWS
    assert again["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)


async def test_review_override_approval_and_learning(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_servers_csv(tmp_path / "servers.csv", 12)
    waiting = await run_file(database_url, settings, tenant, path, auto_approve=False)
    assert waiting["status"] == "waiting_for_approval"
    assert waiting["current_phase"] == "data_cleansing"
    assert {m["status"] for m in waiting["field_mappings"]} == {"suggested"}
    assert [m["source_field"] for m in waiting["field_mappings"]] == HEADER  # file order
    flow_id = uuid.UUID(waiting["master_flow_id"])

    async def approve(session: AsyncSession) -> None:
        flow = await service.find_flow(session, flow_id)
        await control.approve_mappings(
            session,
            flow,
            user_id=None,
            overrides={"Owner": "technical_owner"},
            unmapped={"Application"},
        )

    await in_transaction(database_url, approve)
    done = await drive_flow(database_url, settings, flow_id, ProgressLine(enabled=False))
    assert done["status"] == "completed", done["error"]
    assets = await _assets(database_url, tenant)
    assert all(a.technical_owner and a.technical_owner.endswith("@example.com") for a in assets)
    assert all(a.application_name is None for a in assets)
    assert all(a.custom_attributes["Application"].startswith("App ") for a in assets)
    statuses = {m["source_field"]: m for m in done["field_mappings"]}
    assert statuses["Owner"]["match_type"] == "manual"
    assert statuses["Application"]["status"] == "rejected"

    second = await run_file(
        database_url, settings, tenant, write_servers_csv(tmp_path / "b.csv", 5), auto_approve=False
    )
    learned = {m["source_field"]: m for m in second["field_mappings"]}
    assert (learned["Owner"]["target_field"], learned["Owner"]["match_type"]) == (
        "technical_owner",
        "learned",
    )
    assert learned["Application"]["target_field"] is None


async def test_approval_rejects_unknown_targets_and_clashes(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    waiting = await run_file(
        database_url, settings, tenant, write_servers_csv(tmp_path / "s.csv", 3), auto_approve=False
    )
    flow_id = uuid.UUID(waiting["master_flow_id"])

    async def approve(overrides: dict[str, str]) -> None:
        async def work(session: AsyncSession) -> None:
            flow = await service.find_flow(session, flow_id)
            await control.approve_mappings(session, flow, user_id=None, overrides=overrides)

        await in_transaction(database_url, work)

    with pytest.raises(ValueError, match="not a canonical asset field: 'colour'"):
        await approve({"Owner": "colour"})
    with pytest.raises(ValueError, match="no such column"):
        await approve({"Nope": "name"})
    with pytest.raises(ValueError, match="more than one column"):
        await approve({"Owner": "name"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Server Name,IP Address\n", "header row but no data rows"),
        (bytes(range(256)) * 64, "not a CSV, XLSX or JSON file"),
    ],
)
async def test_an_unreadable_file_fails_the_import_cleanly(
    database_url: str, settings: Any, tmp_path: Path, content: bytes, message: str
) -> None:
    tenant = await new_tenant(database_url)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    summary = await run_file(database_url, settings, tenant, path)
    assert summary["status"] == "failed"
    assert summary["error"]["phase"] == "data_import"
    assert message in summary["error"]["message"]
    assert "Traceback" not in summary["error"]["message"]
    assert summary["import_status"] == "failed"
    assert await _raw_rows(database_url, summary["data_import_id"]) == []


async def test_the_export_reimports_with_every_column_mapped_and_changes_nothing(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    first = await run_file(
        database_url, settings, tenant, write_servers_csv(tmp_path / "s.csv", 15)
    )
    assert first["status"] == "completed"
    export = tmp_path / "export.csv"

    async def write(session: AsyncSession) -> int:
        scope = ExportScope(tenant.client_account_id, tenant.engagement_id)
        return await export_assets(session, scope, export, "csv")

    assert await in_transaction(database_url, write) == 15
    header = next(csv.reader(io.StringIO(export.read_text())))
    assert header[:3] == ["name", "hostname", "fqdn"] and "asset_type" in header
    before = {
        a.id: (a.updated_at, a.custom_attributes) for a in await _assets(database_url, tenant)
    }

    again = await run_file(database_url, settings, tenant, export)
    assert again["status"] == "completed", again["error"]
    mapped = {m["source_field"]: m["target_field"] for m in again["field_mappings"]}
    canonical = [name for name in header if name in mapped and mapped[name] == name]
    assert len(canonical) >= 30
    inventory = again["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"], inventory["unchanged"]) == (0, 0, 15)
    after = {a.id: (a.updated_at, a.custom_attributes) for a in await _assets(database_url, tenant)}
    assert after == before


async def test_suggestions_are_stored_per_column(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_servers_csv(tmp_path / "s.csv", 4)
    flow_id = await start_flow(database_url, settings, tenant, path, auto_approve=False)
    summary = await drive_flow(database_url, settings, flow_id, ProgressLine(enabled=False))

    async def count(session: AsyncSession) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(ImportFieldMapping)
                .where(ImportFieldMapping.data_import_id == uuid.UUID(summary["data_import_id"]))
            )
            or 0
        )

    assert await in_transaction(database_url, count) == 12
