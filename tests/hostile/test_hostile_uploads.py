"""Hostile uploads through a real ``discovery serve``: each fails cleanly or imports, while
the API keeps answering and the server's memory stays bounded.

One server (its own embedded PostgreSQL) serves every case. Each case builds its file at a
bounded size, uploads it over HTTP and follows the import to its end, while a concurrent
client asks ``/api/v1/health`` every 150 ms (see ``harness``). For every case: the expected
clear error naming its setting (or a clean import), no raw rows left by a failed import,
every health answer within 1 s, and a peak resident memory of the server under 600 MB.

The server runs with the default limits except two, lowered so that the files which break
them stay small: ``DISCOVERY_MAX_SHARED_STRINGS`` and ``DISCOVERY_MAX_BLANK_ROWS``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.flow_helpers import in_transaction
from tests.hostile import files
from tests.hostile.harness import (
    HostileServer,
    Watch,
    hostile_server,
    settled_import,
    upload,
    watching,
)

HEALTH_WITHIN_SECONDS = 1.0
PEAK_RSS_MIB = 600
SHARED_STRINGS_LIMIT = 100_000
BLANK_ROWS_LIMIT = 20_000
_DATABASE = re.compile(r"PostgreSQL ready at revision \S+: (\S+)")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    with hostile_server(
        tmp_path_factory.mktemp("hostile") / "data",
        DISCOVERY_MAX_SHARED_STRINGS=str(SHARED_STRINGS_LIMIT),
        DISCOVERY_MAX_BLANK_ROWS=str(BLANK_ROWS_LIMIT),
    ) as server:
        yield server


@pytest.fixture(scope="module")
def client(hostile: HostileServer) -> Iterator[httpx.Client]:
    with hostile.client() as opened:
        yield opened


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., Path]:
    def make(builder: Callable[..., Path], name: str, **size: Any) -> Path:
        return builder(tmp_path / name, **size)

    return make


def _assert_responsive(watch: Watch) -> None:
    print(f"  {watch.summary()}")  # shown with -s: the figures of each case
    assert watch.latencies, "the health probe never answered"
    assert not watch.failures, f"health probes failed: {watch.failures[:5]}; {watch.summary()}"
    assert watch.max_latency < HEALTH_WITHIN_SECONDS, watch.summary()
    assert watch.peak_rss_mib < PEAK_RSS_MIB, watch.summary()


def _raw_rows(hostile: HostileServer, import_id: str) -> int:
    url = _DATABASE.search("".join(hostile.server.log))
    assert url
    statement = text("SELECT count(*) FROM migration.raw_import_records WHERE data_import_id = :id")

    async def count(session: Any) -> int:
        return int((await session.execute(statement, {"id": import_id})).scalar_one())

    return asyncio.run(in_transaction(url.group(1), count))


def _import_through(hostile: HostileServer, client: httpx.Client, path: Path) -> dict[str, Any]:
    with watching(hostile) as watch:
        answer = upload(client, path)
        assert answer.status_code == 202, answer.text
        body = settled_import(client, answer.json()["data_import_id"])
    _assert_responsive(watch)
    return body


def _fails_with(
    hostile: HostileServer, client: httpx.Client, path: Path, setting: str, start: str
) -> dict[str, Any]:
    body = _import_through(hostile, client, path)
    assert body["status"] == "failed", body
    assert body["flow_status"] == "failed"
    assert body["error_message"].startswith(start), body["error_message"]
    assert body["error_message"].endswith(f"({setting}).")
    assert body["counters"]["total_rows"] == 0
    assert _raw_rows(hostile, body["id"]) == 0
    return body


def test_a_zip_bomb_of_blank_rows(hostile: HostileServer, client: httpx.Client, build: Any) -> None:
    path = build(files.blank_row_bomb, "bomb.xlsx", inflated_bytes=512 * 1024**2)
    assert path.stat().st_size < 2 * 1024**2
    _fails_with(hostile, client, path, "DISCOVERY_MAX_COMPRESSION_RATIO",
                'The part "xl/worksheets/sheet1.xml" of this workbook inflates from')  # fmt: skip


def test_one_huge_inflating_cell(hostile: HostileServer, client: httpx.Client, build: Any) -> None:
    path = build(files.huge_cell_bomb, "cell.xlsx", cell_bytes=256 * 1024**2)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_COMPRESSION_RATIO", 'The part "xl/')


def test_an_oversized_workbook_cell(
    hostile: HostileServer, client: httpx.Client, build: Any
) -> None:
    path = build(files.oversized_cell_workbook, "cell.xlsx", cell_chars=200_000)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_CELL_CHARS",
                "Row 2 has a cell longer than 131,072 characters")  # fmt: skip


def test_many_shared_strings(hostile: HostileServer, client: httpx.Client, build: Any) -> None:
    path = build(files.many_shared_strings, "shared.xlsx", count=SHARED_STRINGS_LIMIT + 1)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_SHARED_STRINGS",
                f"This workbook has more than the limit of {SHARED_STRINGS_LIMIT:,} shared")  # fmt: skip


def test_a_sheet_of_blank_rows(hostile: HostileServer, client: httpx.Client, build: Any) -> None:
    path = build(files.blank_rows_workbook, "blank.xlsx", blank_rows=BLANK_ROWS_LIMIT + 10)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_BLANK_ROWS",
                f"This file has more than the limit of {BLANK_ROWS_LIMIT:,} blank rows")  # fmt: skip


def test_json_nested_ten_thousand_deep(
    hostile: HostileServer, client: httpx.Client, build: Any
) -> None:
    path = build(files.deep_json, "deep.json", depth=10_000)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_JSON_DEPTH",
                "This JSON is nested more than 64 levels deep")  # fmt: skip


def test_a_huge_csv_cell(hostile: HostileServer, client: httpx.Client, build: Any) -> None:
    path = build(files.huge_csv_cell, "cell.csv", cell_chars=3 * 1024**2)
    _fails_with(hostile, client, path, "DISCOVERY_MAX_CELL_CHARS",
                "Row 2 has a cell longer than 131,072 characters")  # fmt: skip


def test_an_unbalanced_quote_imports_with_a_warning(
    hostile: HostileServer, client: httpx.Client, build: Any
) -> None:
    body = _import_through(hostile, client, build(files.unbalanced_quote_csv, "q.csv", rows=999))
    assert body["status"] == "completed"
    assert body["counters"]["total_rows"] == 1
    [warning] = body["warnings"]
    assert warning["code"] == "collapsed_rows" and warning["row"] == 1
    assert "spans 1,000 lines" in warning["message"]
    flow = client.get(f"/api/v1/unified-discovery/flows/{body['master_flow_id']}").json()
    assert flow["warnings"] == [warning]


@pytest.mark.parametrize("big_endian", [False, True], ids=["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_imports(
    hostile: HostileServer, client: httpx.Client, build: Any, big_endian: bool
) -> None:
    path = build(files.utf16_without_bom, "u16.csv", big_endian=big_endian)
    body = _import_through(hostile, client, path)
    assert body["status"] == "completed", body
    assert body["counters"]["total_rows"] == 2
    flow = client.get(f"/api/v1/unified-discovery/flows/{body['master_flow_id']}").json()
    sources = [m["source_field"] for m in flow["field_mappings"]]
    assert sources == ["Server Name", "IP Address", "Notes"]
    assets = client.get(
        "/api/v1/unified-discovery/assets", params={"flow_id": body["master_flow_id"]}
    ).json()["data"]
    names = sorted(asset["name"] for asset in assets)
    assert names == ["db01", "wëb01"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (files.ole_garbage, "This is not a readable file: it starts like an Office compound file"),
        (lambda: files.ole_compound_file(["EncryptionInfo", "EncryptedPackage"]),
         "This workbook is password-protected (encrypted)"),
        (lambda: files.ole_compound_file(["Workbook"]),
         "This is an old-format Excel workbook (.xls)"),
    ],
    ids=["random-bytes", "encrypted-ooxml", "legacy-xls"],
)  # fmt: skip
def test_ole_containers_are_told_apart(
    hostile: HostileServer, client: httpx.Client, tmp_path: Path,
    content: Callable[[], bytes], message: str,
) -> None:  # fmt: skip
    path = tmp_path / "book.xlsx"
    path.write_bytes(content())
    with watching(hostile) as watch:
        answer = upload(client, path)
    _assert_responsive(watch)
    assert answer.status_code == 415, answer.text
    assert answer.json()["error"]["message"].startswith(message)


def test_a_clean_workbook_imports_while_the_api_answers(
    hostile: HostileServer, client: httpx.Client, build: Any
) -> None:
    body = _import_through(hostile, client, build(files.plain_workbook, "ok.xlsx", rows=10_000))
    assert body["status"] == "completed", body
    assert body["counters"]["total_rows"] == 10_000
    assert body["warnings"] == []
