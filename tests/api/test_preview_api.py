"""The dry run: what an upload would do, against the engagement's assets; writes nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, AssetImport
from discovery.core.settings import Settings
from discovery.flows.models import DiscoveryFlow
from discovery.imports.models import DataImport, RawImportRecord
from discovery.mapping.models import ImportFieldMapping, LearnedFieldMapping
from tests.api.conftest import (
    WorkerFactory,
    create_account,
    drop_queued_jobs,
    upload,
    wait_for_flow,
)
from tests.api.test_imports_api import servers, write_csv
from tests.flow_helpers import in_transaction


async def _footprint(url: str, client_account_id: object) -> dict[str, int]:
    async def count(session: AsyncSession) -> dict[str, int]:
        found = {}
        for model in (
            DataImport,
            RawImportRecord,
            Asset,
            DiscoveryFlow,
            ImportFieldMapping,
            LearnedFieldMapping,
        ):
            found[model.__tablename__] = int(
                await session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.client_account_id == client_account_id)  # type: ignore[attr-defined]
                )
                or 0
            )
        found["asset_imports"] = int(
            await session.scalar(
                select(func.count())
                .select_from(AssetImport)
                .join(Asset, Asset.id == AssetImport.asset_id)
                .where(Asset.client_account_id == client_account_id)
            )
            or 0
        )
        found["jobs"] = int(
            await session.scalar(text("SELECT count(*) FROM procrastinate.procrastinate_jobs")) or 0
        )
        found["updated_assets"] = int(
            await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(
                    Asset.client_account_id == client_account_id,
                    Asset.updated_at != Asset.created_at,
                )
            )
            or 0
        )
        return found

    return await in_transaction(url, count)


async def test_a_dry_run_reports_create_update_unchanged_and_error_and_writes_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    worker: WorkerFactory,
    database_url: str,
    tmp_path: Path,
) -> None:
    account = await create_account(database_url)
    analyst = account.headers("analyst")
    existing = write_csv(tmp_path / "existing.csv", servers(1, 5))
    async with worker():
        started = (await upload(client, analyst, existing, auto_approve="true")).json()
        assert (await wait_for_flow(client, analyst, started["master_flow_id"]))[
            "status"
        ] == "completed"
    before = await _footprint(database_url, account.client_account_id)
    assert before["assets"] == 5

    rows = [
        *servers(3, 3),  # unchanged
        *servers(4, 4, ram="32"),  # update: memory 8 -> 32
        *servers(10, 11),  # two new assets
        # web11 again, in the same file: an in-file duplicate only fills blanks, so its
        # different memory does not replace the first row's (unchanged).
        *servers(11, 11, ram="64"),
        ["", "", "Microsoft Windows Server 2019", "4", "16", "no identity"],  # error
        [
            "web12",
            "999.1.1.1",
            "Ubuntu Linux 22.04 LTS",
            "2",
            "8",
            "bad ip",
        ],  # create, with a bad value
    ]
    path = write_csv(tmp_path / "next.csv", rows)
    response = await upload(client, analyst, path, preview=True)
    assert response.status_code == 200, response.text
    body = response.json()

    assert body["counts"] == {"create": 3, "update": 1, "unchanged": 2, "error": 1}
    assert body["rows_previewed"] == 7
    assert body["truncated"] is False
    assert body["duplicates_in_file"] == 1
    assert body["rows_with_value_errors"] == 1
    mapped = {m["source_field"]: m["target_field"] for m in body["field_mappings"]}
    assert mapped["Server Name"] == "name"

    examples = body["examples"]
    assert [e["row_number"] for e in examples["unchanged"]] == [1, 5]
    in_file = examples["unchanged"][1]
    [update] = examples["update"]
    assert update["row_number"] == 2
    assert update["matched_by"] in {"hostname", "ip_address_name"}
    assert update["existing_asset_id"] is not None
    assert update["changes"]["memory_gb"] == {"from": 8, "to": 32}
    assert in_file["row_number"] == 5
    assert in_file["existing_asset_id"] is None and in_file["matches_row_number"] == 4
    assert [e["name"] for e in examples["create"]] == ["web10", "web11", "web12"]
    assert examples["create"][2]["errors"][0]["field"] == "ip_address"
    [error] = examples["error"]
    assert error["row_number"] == 6
    assert error["raw"]["Operating System"] == "Microsoft Windows Server 2019"
    assert error["reason"]

    assert await _footprint(database_url, account.client_account_id) == before
    incoming = settings.uploads_dir / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
    await drop_queued_jobs(database_url, account.client_account_id)


async def test_a_viewer_cannot_preview_and_an_unreadable_file_is_422(
    client: httpx.AsyncClient, database_url: str
) -> None:
    account = await create_account(database_url, roles=("viewer", "analyst"))
    files = {"file": ("only-header.csv", b"Name,IP\n", "text/csv")}
    url = "/api/v1/unified-discovery/imports/preview"
    assert (
        await client.post(url, headers=account.headers("viewer"), files=files)
    ).status_code == 403
    response = await client.post(url, headers=account.headers("analyst"), files=files)
    assert response.status_code == 422
    assert "no data rows" in response.json()["error"]["message"]
