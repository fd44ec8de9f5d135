"""The asset listing (capped page size, offset and keyset paging, filters, search), one
asset with lineage and dependencies, and the streamed export."""

from __future__ import annotations

import csv
import io
import logging
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets import listing
from discovery.assets.filters import AssetFilter
from discovery.assets.models import Asset
from discovery.canonical import CANONICAL_FIELDS
from discovery.tenancy.context import Tenant
from discovery.tenancy.row_security import SERVICE_ROLE, enter_tenant
from tests.api.conftest import Account, create_account
from tests.factories import Factory
from tests.flow_helpers import TenantIds, in_transaction, run_file, settings_for
from tests.inventory_files import write_servers_csv

ASSETS = "/api/v1/unified-discovery/assets"
ROWS = 210


@dataclass
class Inventory:
    account: Account
    master_flow_id: str
    production: int


@pytest.fixture(scope="module")
async def inventory(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    account = await create_account(database_url, roles=("viewer",))
    data = tmp_path_factory.mktemp("assets")
    path = write_servers_csv(data / "servers.csv", ROWS)
    summary = await run_file(
        database_url,
        settings_for(database_url, data / "data"),
        TenantIds(account.client_account_id, account.engagement_id),
        path,
    )
    assert summary["status"] == "completed", summary["error"]

    async def production(session: AsyncSession) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Asset)
                .where(
                    Asset.engagement_id == account.engagement_id, Asset.environment == "production"
                )
            )
            or 0
        )

    return Inventory(
        account, summary["master_flow_id"], await in_transaction(database_url, production)
    )


async def _page(client: httpx.AsyncClient, inventory: Inventory, **params: Any) -> httpx.Response:
    return await client.get(ASSETS, headers=inventory.account.headers("viewer"), params=params)


async def test_a_page_size_above_the_maximum_is_capped_and_said_so(
    client: httpx.AsyncClient, inventory: Inventory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="discovery.assets.router"):
        response = await _page(client, inventory, page_size=500)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "pagination", "metadata"}
    assert len(body["data"]) == 200
    assert body["pagination"] == {
        "page": 1,
        "page_size": 200,
        "total": ROWS,
        "total_exact": True,
        "total_pages": 2,
        "next_cursor": body["pagination"]["next_cursor"],
    }
    assert body["pagination"]["next_cursor"]
    assert body["metadata"] == {"page_size_capped": True, "max_page_size": 200}
    [record] = [r for r in caplog.records if "page size capped" in r.getMessage()]
    assert "requested=500 actual=200" in record.getMessage()
    assert str(inventory.account.client_account_id) in record.getMessage()

    second = (await _page(client, inventory, page_size=200, page=2)).json()
    assert len(second["data"]) == ROWS - 200
    assert second["metadata"]["page_size_capped"] is False
    assert second["pagination"]["next_cursor"] is None
    default = (await _page(client, inventory)).json()
    assert default["pagination"]["page_size"] == 100 and len(default["data"]) == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": -5}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        ({"asset_type": "mainframe"}, "asset_type"),
        ({"flow_id": "42"}, "flow_id"),
        ({"search": "fuzzy", "q": "x"}, "search"),
    ],
)
async def test_bad_paging_or_filters_are_422(
    client: httpx.AsyncClient, inventory: Inventory, params: dict[str, Any], field: str
) -> None:
    response = await _page(client, inventory, **params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == ["query", field]


async def test_page_and_cursor_together_are_422(
    client: httpx.AsyncClient, inventory: Inventory
) -> None:
    cursor = (await _page(client, inventory, page_size=10)).json()["pagination"]["next_cursor"]
    response = await _page(client, inventory, page=2, cursor=cursor)
    assert response.status_code == 422
    assert "page and cursor" in response.json()["error"]["message"]


async def test_keyset_paging_returns_the_same_rows_as_offset_paging(
    client: httpx.AsyncClient, inventory: Inventory
) -> None:
    by_offset: list[str] = []
    for page in range(1, 6):
        by_offset += [
            a["id"]
            for a in (await _page(client, inventory, page=page, page_size=50)).json()["data"]
        ]
    by_cursor: list[str] = []
    params: dict[str, Any] = {"page_size": 50}
    while True:
        body = (await _page(client, inventory, **params)).json()
        by_cursor += [a["id"] for a in body["data"]]
        if params.get("cursor"):
            assert body["pagination"]["page"] is None
        if body["pagination"]["next_cursor"] is None:
            break
        params["cursor"] = body["pagination"]["next_cursor"]
    assert len(by_offset) == ROWS
    assert by_cursor == by_offset
    assert len(set(by_cursor)) == ROWS


async def test_the_default_order_is_the_files_row_order(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    """The default order (created_at, id) lists a freshly imported file in its row order.

    The file's rows are shuffled (name order is not row order) and persisted ten per
    chunk: the assets of one chunk share created_at, so it is their ids (time-ordered,
    UUID v7, made in row order) that keep them in file order, on offset and keyset pages.
    """
    account = await create_account(database_url, roles=("viewer",))
    path = write_servers_csv(tmp_path / "servers.csv", 57)
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    random.Random(15).shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    in_file = [row[0] for row in rows]
    assert in_file != sorted(in_file)
    summary = await run_file(
        database_url,
        settings_for(database_url, tmp_path / "data", asset_batch_chunk_size=10),
        TenantIds(account.client_account_id, account.engagement_id),
        path,
    )
    assert summary["status"] == "completed", summary["error"]

    async def listed(**params: Any) -> dict[str, Any]:
        response = await client.get(ASSETS, headers=account.headers("viewer"), params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    by_offset: list[dict[str, Any]] = []
    for page in (1, 2, 3):
        by_offset += (await listed(page=page, page_size=25))["data"]
    by_cursor: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page_size": 7}  # pages that end inside a chunk
    while True:
        body = await listed(**params)
        by_cursor += body["data"]
        if body["pagination"]["next_cursor"] is None:
            break
        params["cursor"] = body["pagination"]["next_cursor"]

    assert [a["name"] for a in by_offset] == in_file
    assert [a["name"] for a in by_cursor] == in_file
    stamps = [a["created_at"] for a in by_offset]
    assert len(set(stamps)) < len(stamps) / 5  # chunk-mates share created_at: the id decides
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("descending", [False, True])
async def test_pages_sorted_by_a_column_cover_every_asset_in_order(
    client: httpx.AsyncClient, inventory: Inventory, descending: bool
) -> None:
    sort = "-environment" if descending else "environment"
    seen: list[dict[str, Any]] = []
    for page in range(1, 4):
        body = (await _page(client, inventory, sort=sort, page=page, page_size=80)).json()
        seen += body["data"]
    assert len(seen) == ROWS and len({a["id"] for a in seen}) == ROWS
    environments = [a["environment"] for a in seen]
    assert environments == sorted(environments, reverse=descending)
    assert len(set(environments)) > 1  # the order is a real one, not a tie

    by_name = [a["name"] for a in (await _page(client, inventory, sort="-name")).json()["data"]]
    assert by_name[:3] == [f"web{n:04d}" for n in (ROWS, ROWS - 1, ROWS - 2)]


async def test_the_total_is_exact_up_to_the_count_limit_then_an_estimate(
    client: httpx.AsyncClient, inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = (await _page(client, inventory, page_size=50)).json()["pagination"]
    assert (exact["total"], exact["total_exact"], exact["total_pages"]) == (ROWS, True, 5)

    monkeypatch.setattr(listing, "COUNT_LIMIT", 40)
    body = (await _page(client, inventory, page_size=50)).json()
    estimated = body["pagination"]
    assert estimated["total_exact"] is False
    assert estimated["total"] > 40  # never less than the rows the capped count saw
    assert estimated["total_pages"] == -(-estimated["total"] // 50)
    assert len(body["data"]) == 50
    few = (await _page(client, inventory, q="web000")).json()["pagination"]
    assert (few["total"], few["total_exact"]) == (9, True)


async def test_a_bad_sort_or_sort_with_a_cursor_is_422(
    client: httpx.AsyncClient, inventory: Inventory
) -> None:
    bad = await _page(client, inventory, sort="custom_attributes")
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["query", "sort"]
    cursor = (await _page(client, inventory, page_size=10)).json()["pagination"]["next_cursor"]
    both = await _page(client, inventory, sort="name", cursor=cursor)
    assert both.status_code == 422
    assert "sort and cursor" in both.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "web000"}, [f"web000{n}" for n in range(1, 10)]),
        ({"q": "WEB000"}, [f"web000{n}" for n in range(1, 10)]),
        ({"q": "10.0.0.20"}, ["web0020", *(f"web02{n:02d}" for n in range(0, 10))]),
        ({"q": "eb00"}, []),
        ({"q": "eb020", "search": "contains"}, [f"web020{n}" for n in range(0, 10)]),
        ({"q": "%"}, []),
        ({"q": "_"}, []),
    ],
)
async def test_search_is_case_insensitive_over_names_and_addresses(
    client: httpx.AsyncClient, inventory: Inventory, params: dict[str, Any], expected: list[str]
) -> None:
    body = (await _page(client, inventory, page_size=200, **params)).json()
    assert sorted(a["name"] for a in body["data"]) == sorted(expected)
    assert body["pagination"]["total"] == len(expected)


async def test_filters_by_flow_type_and_environment(
    client: httpx.AsyncClient, inventory: Inventory
) -> None:
    async def total(**params: Any) -> int:
        response = await _page(client, inventory, page_size=1, **params)
        assert response.status_code == 200, response.text
        return int(response.json()["pagination"]["total"])

    assert await total(flow_id=inventory.master_flow_id) == ROWS
    assert await total(flow_id=str(uuid.uuid4())) == 0
    assert await total(asset_type="server") + await total(asset_type="virtual_machine") == ROWS
    assert await total(asset_type="database") == 0
    assert inventory.production > 0
    assert await total(environment="production") == inventory.production
    assert await total(environment="production", q="web000") < inventory.production


async def test_prefix_search_is_an_index_scan(session: AsyncSession, factory: Factory) -> None:
    """On a realistic volume (20,000 assets, analysed), ``q`` is answered from the four
    ``text_pattern_ops`` prefix indexes, not by reading the engagement's assets, for the
    owner and for the service's role alike (row-level security).
    (Rolled back: the session fixture's outer transaction.)"""
    tenant = await factory.tenant()
    await session.execute(
        text(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, hostname, "
            "fqdn, ip_address, asset_type) SELECT :c, :e, 'Host-' || n, 'host-' || n, "
            "'host-' || n || '.corp.example', '10.1.' || (n / 250) || '.' || (n % 250), 'server' "
            "FROM generate_series(1, 20000) AS n"
        ),
        {"c": tenant.client_account_id, "e": tenant.engagement_id},
    )
    await session.execute(text("ANALYZE migration.assets"))
    where = AssetFilter(tenant.client_account_id, tenant.engagement_id, q="HOST-1234")
    compiled = (
        select(Asset.id)
        .where(*where.conditions())
        .compile(session.bind, compile_kwargs={"literal_binds": True})
    )
    sql = str(compiled).replace("%%", "%")
    plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN ANALYZE {sql}")))
    for column in ("name", "hostname", "fqdn", "ip_address"):
        assert f"ix_assets_prefix_{column}" in plan, plan
    assert "Seq Scan" not in plan, plan
    # The same for the service, under row-level security: every condition is leakproof.
    await session.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    await enter_tenant(session, Tenant(tenant.client_account_id, tenant.engagement_id))
    plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN ANALYZE {sql}")))
    for column in ("name", "hostname", "fqdn", "ip_address"):
        assert f"ix_assets_prefix_{column}" in plan, plan
    assert "Seq Scan" not in plan, plan
    matched = await session.scalar(
        select(func.count()).select_from(Asset).where(*where.conditions())
    )
    assert matched == 11  # host-1234 and host-12340 … host-12349


async def test_one_asset_with_lineage_and_dependencies_both_ways(
    client: httpx.AsyncClient, inventory: Inventory
) -> None:
    headers = inventory.account.headers("viewer")
    [web0010] = (await _page(client, inventory, q="web0010")).json()["data"]
    [web0009] = (await _page(client, inventory, q="web0009")).json()["data"]
    detail = (await client.get(f"{ASSETS}/{web0010['id']}", headers=headers)).json()
    assert detail["asset"]["name"] == "web0010"
    assert detail["asset"]["asset_type"] in {"server", "virtual_machine"}
    lineage = detail["lineage"]
    [raw] = lineage["raw_records"]
    assert raw["row_number"] == 10
    assert raw["raw_data"]["Server Name"] == "web0010"
    assert raw["is_primary"] is True
    assert lineage["master_flow"]["flow_id"] == inventory.master_flow_id
    assert lineage["discovery_flow"]["status"] == "completed"
    assert lineage["imports"][0]["action"] == "created"
    assert len(lineage["mapping_hash"]) == 64
    assert [d["name"] for d in detail["dependencies"]["depends_on"]] == ["web0009"]
    back = (await client.get(f"{ASSETS}/{web0009['id']}", headers=headers)).json()
    assert [d["name"] for d in back["dependencies"]["dependents"]] == ["web0010"]
    assert (await client.get(f"{ASSETS}/{uuid.uuid4()}", headers=headers)).status_code == 404


async def test_the_inventory_exports_as_csv_json_and_xlsx(
    client: httpx.AsyncClient, inventory: Inventory, tmp_path: Path
) -> None:
    headers = inventory.account.headers("viewer")
    url = f"{ASSETS}/export"
    as_csv = await client.get(url, headers=headers)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == (
        "attachment; filename=\"assets.csv\"; filename*=UTF-8''assets.csv"
    )
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][: len(CANONICAL_FIELDS)] == list(CANONICAL_FIELDS)
    assert len(rows) == ROWS + 1

    as_json = await client.get(url, headers=headers, params={"format": "json", "q": "web000"})
    records = as_json.json()
    assert sorted(r["name"] for r in records) == [f"web000{n}" for n in range(1, 10)]
    assert all(r["master_flow_id"] == inventory.master_flow_id for r in records)

    async with client.stream("GET", url, headers=headers, params={"format": "xlsx"}) as response:
        assert response.status_code == 200
        path = tmp_path / "assets.xlsx"
        path.write_bytes(b"".join([chunk async for chunk in response.aiter_bytes()]))
    sheet = load_workbook(path, read_only=True)["Assets"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == ROWS + 1
    assert list(values[0][: len(CANONICAL_FIELDS)]) == list(CANONICAL_FIELDS)
    assert (await client.get(url, headers=headers, params={"format": "pdf"})).status_code == 422
