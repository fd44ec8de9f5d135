"""Uploads end to end with a real worker, and every way an upload is refused."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.assets.models import Asset
from discovery.core.settings import Settings
from discovery.imports.models import DataImport, RawImportRecord
from tests.api.conftest import (
    Account,
    WorkerFactory,
    api_settings,
    create_account,
    drop_queued_jobs,
    serving,
    upload,
    wait_for_flow,
)
from tests.flow_helpers import in_transaction
from tests.hostile.files import ole_compound_file

IMPORTS = "/api/v1/unified-discovery/imports"
FLOWS = "/api/v1/unified-discovery/flows"
HEADER = ["Server Name", "IP Address", "Operating System", "vCPU", "RAM (GB)", "Owner Notes"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def servers(first: int, last: int, ram: str = "8") -> list[list[str]]:
    return [
        [f"web{n:02d}", f"10.0.0.{n}", "Ubuntu Linux 22.04 LTS", "2", ram, f"note {n}"]
        for n in range(first, last + 1)
    ]


@pytest.fixture
async def fresh(database_url: str) -> AsyncIterator[Account]:
    """An account of its own, for tests that count rows."""
    created = await create_account(database_url)
    yield created
    await drop_queued_jobs(database_url, created.client_account_id)


async def _count(url: str, model: type, account: Account) -> int:
    async def count(session: AsyncSession) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.client_account_id == account.client_account_id)  # type: ignore[attr-defined]
            )
            or 0
        )

    return await in_transaction(url, count)


async def test_upload_review_approve_and_run_to_completion(
    client: httpx.AsyncClient,
    fresh: Account,
    worker: WorkerFactory,
    tmp_path: Path,
) -> None:
    analyst = fresh.headers("analyst")
    rows = [
        *servers(1, 3),
        ["web04", "999.1.1.1", "Ubuntu Linux 22.04 LTS", "2", "8", "bad ip"],
        ["", "", "Microsoft Windows Server 2019", "4", "16", "no identity"],
    ]
    path = write_csv(tmp_path / "servers.csv", rows)
    started = await upload(client, analyst, path)
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["status"] == "running"
    assert body["idempotent_replay"] is False
    flow_id = body["master_flow_id"]

    async with worker():
        waiting = await wait_for_flow(client, analyst, flow_id)
        assert waiting["status"] == "waiting_for_approval", waiting["error"]
        mappings = await client.get(f"{FLOWS}/{flow_id}/field-mappings", headers=analyst)
        assert mappings.status_code == 200
        assert mappings.json()["awaiting_approval"] is True
        assert [m["source_field"] for m in mappings.json()["mappings"]] == HEADER
        suggested = {m["source_field"]: m["target_field"] for m in mappings.json()["mappings"]}
        assert suggested["Server Name"] == "name"
        assert suggested["IP Address"] == "ip_address"

        # A bad override is a clear 422 and changes nothing.
        bad = await client.put(
            f"{FLOWS}/{flow_id}/field-mappings",
            headers=analyst,
            json={"overrides": {"Owner Notes": "colour"}},
        )
        assert bad.status_code == 422
        assert "not a canonical asset field: 'colour'" in bad.json()["error"]["message"]
        unknown = await client.put(
            f"{FLOWS}/{flow_id}/field-mappings", headers=analyst, json={"unmap": ["Nope"]}
        )
        assert unknown.status_code == 422
        assert "no such column" in unknown.json()["error"]["message"]

        approved = await client.put(
            f"{FLOWS}/{flow_id}/field-mappings",
            headers=analyst,
            json={"overrides": {"Owner Notes": "technical_owner"}, "unmap": ["Operating System"]},
        )
        assert approved.status_code == 200, approved.text
        final = {
            m["source_field"]: (m["target_field"], m["status"]) for m in approved.json()["mappings"]
        }
        assert final["Owner Notes"] == ("technical_owner", "approved")
        assert final["Operating System"] == (None, "rejected")

        again = await client.put(f"{FLOWS}/{flow_id}/field-mappings", headers=analyst, json={})
        assert again.status_code == 409
        assert "waiting_for_approval" in again.json()["error"]["message"]

        done = await wait_for_flow(client, analyst, flow_id)
    assert done["status"] == "completed", done["error"]
    assert done["counters"]["total_rows"] == 5
    assert done["counters"]["invalid_rows"] == 1
    assert done["health"]["health_status"] == "healthy"
    assert set(done["phase_execution_times"]) == {
        "data_import", "field_mapping", "data_cleansing", "asset_inventory",
        "dependency_analysis", "tech_debt_assessment",
    }  # fmt: skip
    assert done["dead_letter_chunks"] == []

    status = await client.get(
        f"{IMPORTS}/{body['data_import_id']}", headers=fresh.headers("viewer")
    )
    assert status.status_code == 200
    counters = status.json()["counters"]
    assert (counters["total_rows"], counters["valid_rows"], counters["invalid_rows"]) == (5, 4, 1)
    assert status.json()["master_flow_id"] == flow_id
    assert status.json()["flow_status"] == "completed"

    listed = await client.get(IMPORTS, headers=fresh.headers("viewer"))
    assert [i["id"] for i in listed.json()["data"]] == [body["data_import_id"]]

    report = await client.get(
        f"{IMPORTS}/{body['data_import_id']}/errors", headers=fresh.headers("viewer")
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.text)))
    assert lines[0] == ["row_number", *HEADER, "errors"]
    by_row = {line[0]: line for line in lines[1:]}
    assert set(by_row) == {"4", "5"}  # the bad IP (partly invalid) and the row without identity
    assert by_row["4"][1:7] == rows[3]
    assert "ip_address" in by_row["4"][7] and "999.1.1.1" in by_row["4"][7]
    assert by_row["5"][1:7] == rows[4]
    assert by_row["5"][7]  # why the row cannot be an asset


async def test_an_idempotent_retry_returns_the_first_import(
    client: httpx.AsyncClient,
    fresh: Account,
    other_account: Account,
    tmp_path: Path,
    database_url: str,
) -> None:
    path = write_csv(tmp_path / "servers.csv", servers(1, 4))
    key = {"Idempotency-Key": f"upload-{uuid.uuid4()}"}
    first = await upload(client, {**fresh.headers("analyst"), **key}, path)
    second = await upload(client, {**fresh.headers("analyst"), **key}, path)
    assert first.status_code == second.status_code == 202
    assert first.json()["idempotent_replay"] is False
    assert second.json()["idempotent_replay"] is True
    assert second.json()["data_import_id"] == first.json()["data_import_id"]
    assert second.json()["master_flow_id"] == first.json()["master_flow_id"]
    assert await _count(database_url, DataImport, fresh) == 1

    other_file = write_csv(tmp_path / "other.csv", servers(5, 6))
    conflict = await upload(client, {**fresh.headers("analyst"), **key}, other_file)
    assert conflict.status_code == 409
    assert "different file" in conflict.json()["error"]["message"]

    # The key is per tenant: another tenant's upload with it is its own import.
    elsewhere = await upload(client, {**other_account.headers("analyst"), **key}, path)
    assert elsewhere.status_code == 202
    assert elsewhere.json()["data_import_id"] != first.json()["data_import_id"]

    too_long = await upload(
        client, {**fresh.headers("analyst"), "Idempotency-Key": "k" * 201}, path
    )
    assert too_long.status_code == 422
    assert await _count(database_url, DataImport, fresh) == 1


def _contents(path: Path) -> bytes:
    return path.read_bytes()


async def test_an_upload_is_kept_once_with_the_hash_of_its_bytes(
    client: httpx.AsyncClient, fresh: Account, settings: Settings, tmp_path: Path, database_url: str
) -> None:
    path = write_csv(tmp_path / "servers.csv", servers(1, 30))
    response = await upload(client, fresh.headers("analyst"), path)
    assert response.status_code == 202

    async def load(session: AsyncSession) -> DataImport | None:
        return await session.get(DataImport, uuid.UUID(response.json()["data_import_id"]))

    data_import = await in_transaction(database_url, load)
    assert data_import is not None
    assert data_import.file_sha256 == hashlib.sha256(_contents(path)).hexdigest()
    assert data_import.file_size_bytes == path.stat().st_size
    assert data_import.stored_file_path is not None
    stored = Path(data_import.stored_file_path)
    assert _contents(stored) == _contents(path)
    assert stored.parent.parent == settings.uploads_dir
    # The streamed temporary file was moved into place: nothing is left behind.
    assert list((settings.uploads_dir / "incoming").iterdir()) == []


async def test_an_upload_over_the_limit_is_413_while_streaming(
    database_url: str, fresh: Account, tmp_path: Path
) -> None:
    settings = api_settings(database_url, tmp_path / "data", max_upload_bytes=2048)
    path = write_csv(tmp_path / "big.csv", servers(1, 99))
    assert path.stat().st_size > 2048
    async with serving(create_app(settings, database_url)) as client:
        response = await upload(client, fresh.headers("analyst"), path)
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "payload_too_large"
        assert "DISCOVERY_MAX_UPLOAD_BYTES" in response.json()["error"]["message"]
        # A body announced as far too big is refused before it is read.
        announced = await client.post(
            IMPORTS,
            headers={
                **fresh.headers("analyst"),
                "Content-Type": "multipart/form-data; boundary=x",
                "Content-Length": str(50 * 1024 * 1024),
            },
            content=b"--x--\r\n",
        )
        assert announced.status_code == 413
        small = write_csv(tmp_path / "small.csv", servers(1, 2))
        assert (await upload(client, fresh.headers("analyst"), small)).status_code == 202
    assert await _count(database_url, DataImport, fresh) == 1
    assert list((settings.uploads_dir / "incoming").iterdir()) == []


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OLE = ole_compound_file(["Workbook", "SummaryInformation"])  # a legacy .xls container


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("servers.csv", PNG, "text/csv", "PNG image"),
        ("servers.pdf", b"Name\nweb01\n", "application/pdf", "not a CSV, XLSX or JSON file"),
        ("servers.csv", b"Name\nweb01\n", "image/png", "image/png"),
        ("servers.xls", OLE, "application/vnd.ms-excel", "old-format Excel"),
        ("servers.csv", b"Name,Ip\x00\x01\x02\nweb01,1\n", "text/csv", "binary data"),
    ],
)
async def test_an_unsupported_file_is_415(
    client: httpx.AsyncClient,
    fresh: Account,
    database_url: str,
    name: str,
    content: bytes,
    content_type: str,
    message: str,
) -> None:
    response = await client.post(
        IMPORTS, headers=fresh.headers("analyst"), files={"file": (name, content, content_type)}
    )
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert message in response.json()["error"]["message"]
    assert await _count(database_url, DataImport, fresh) == 0


async def test_a_body_that_is_not_a_multipart_form_is_415(
    client: httpx.AsyncClient, account: Account
) -> None:
    response = await client.post(IMPORTS, headers=account.headers("analyst"), json={"file": "x"})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("files", "data", "field", "message"),
    [
        ({"sheet": (None, b"vInfo", None)}, {}, "file", "the form has no file"),
        ({"file": ("empty.csv", b"", "text/csv")}, {}, "file", "The file is empty."),
        ({"file": ("s.csv", b"Name\nweb01\n", "text/csv")}, {"match_keys": "serial_number,colour"}, "match_keys", "unknown match key 'colour'"),
        ({"file": ("s.csv", b"Name\nweb01\n", "text/csv")}, {"auto_approve": "maybe"}, "auto_approve", "true or false"),
    ],
)  # fmt: skip
async def test_bad_form_input_is_422_naming_the_field(
    client: httpx.AsyncClient,
    fresh: Account,
    database_url: str,
    files: dict[str, tuple[str | None, bytes, str | None]],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = await client.post(
        IMPORTS,
        headers=fresh.headers("analyst"),
        files=files,
        data=data,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert message in error["message"]
    assert error["details"][0]["loc"] == ["body", field]
    assert await _count(database_url, DataImport, fresh) == 0


async def test_match_keys_and_auto_approve_reach_the_import(
    client: httpx.AsyncClient, fresh: Account, tmp_path: Path, database_url: str
) -> None:
    path = write_csv(tmp_path / "servers.csv", servers(1, 2))
    response = await upload(
        client,
        fresh.headers("analyst"),
        path,
        match_keys="hostname, serial_number",
        auto_approve="true",
    )
    assert response.status_code == 202

    async def options(session: AsyncSession) -> dict[str, object]:
        data_import = await session.get(DataImport, uuid.UUID(response.json()["data_import_id"]))
        assert data_import is not None
        return dict(data_import.options)

    assert await in_transaction(database_url, options) == {
        "auto_approve": True,
        "match_keys": ["hostname", "serial_number"],
    }


async def test_deleting_an_import_keeps_assets_other_imports_touched(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: Settings,
    fresh: Account,
    worker: WorkerFactory,
    tmp_path: Path,
    database_url: str,
) -> None:
    analyst = fresh.headers("analyst")
    first = write_csv(tmp_path / "first.csv", servers(1, 10))
    second = write_csv(tmp_path / "second.csv", servers(6, 15, ram="32"))
    async with worker():
        one = (await upload(client, analyst, first, auto_approve="true")).json()
        assert (await wait_for_flow(client, analyst, one["master_flow_id"]))[
            "status"
        ] == "completed"
        two = (await upload(client, analyst, second, auto_approve="true")).json()
        assert (await wait_for_flow(client, analyst, two["master_flow_id"]))[
            "status"
        ] == "completed"
    assert await _count(database_url, Asset, fresh) == 15

    forbidden = await client.delete(f"{IMPORTS}/{one['data_import_id']}", headers=analyst)
    assert forbidden.status_code == 403
    stored = await client.get(f"{IMPORTS}/{one['data_import_id']}", headers=analyst)
    assert stored.status_code == 200

    deleted = await client.delete(
        f"{IMPORTS}/{one['data_import_id']}", headers=fresh.headers("admin")
    )
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {
        "data_import_id": one["data_import_id"],
        "master_flow_id": one["master_flow_id"],
        "raw_rows_deleted": 10,
        "assets_deleted": 5,
        "assets_kept": 5,
    }
    assert await _count(database_url, Asset, fresh) == 10
    assert await _count(database_url, RawImportRecord, fresh) == 10
    assert (
        await client.get(f"{IMPORTS}/{one['data_import_id']}", headers=analyst)
    ).status_code == 404
    assert (
        await client.get(f"{FLOWS}/{one['master_flow_id']}", headers=analyst)
    ).status_code == 404
    assert not (settings.uploads_dir / one["data_import_id"]).exists()

    # The kept assets now trace back to the second import, and the wiring is whole.
    page = await client.get(
        "/api/v1/unified-discovery/assets", headers=analyst, params={"q": "web06"}
    )
    [web06] = page.json()["data"]
    assert web06["memory_gb"] == 32
    assert web06["master_flow_id"] == two["master_flow_id"]
    detail = await client.get(f"/api/v1/unified-discovery/assets/{web06['id']}", headers=analyst)
    assert {r["data_import_id"] for r in detail.json()["lineage"]["raw_records"]} == {
        two["data_import_id"]
    }
    health = await client.get(
        "/api/v1/health/wiring", headers=fresh.headers("admin"), params={"refresh": "true"}
    )
    assert health.json()["health_status"] == "healthy", health.json()["metrics"]


async def test_an_import_whose_flow_runs_cannot_be_deleted(
    client: httpx.AsyncClient, fresh: Account, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "servers.csv", servers(1, 2))
    started = (await upload(client, fresh.headers("analyst"), path)).json()
    assert started["status"] == "running"  # queued; no worker runs here
    response = await client.delete(
        f"{IMPORTS}/{started['data_import_id']}", headers=fresh.headers("admin")
    )
    assert response.status_code == 409
    assert "pause or cancel" in response.json()["error"]["message"]
