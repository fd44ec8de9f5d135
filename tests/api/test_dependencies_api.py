"""The engagement's dependency groups and the edge CSV, through the ASGI app, on assets
made by a real flow from a real file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import httpx
import pytest

from tests.api.conftest import Account, create_account
from tests.flow_helpers import TenantIds, run_file, settings_for

DEPENDENCIES = "/api/v1/unified-discovery/dependencies"
SERVERS = """\
Server Name,IP Address,FQDN,Depends On
web01,10.0.0.11,web01.corp.example.com,db01; cache01.corp.example.com; nonexistent-host
web02,10.0.0.12,web02.corp.example.com,10.0.0.21
app01,10.0.0.31,app01.corp.example.com,DB01
db01,10.0.0.21,db01.corp.example.com,
cache01,10.0.0.41,cache01.corp.example.com,
=SUM(1+1),10.0.0.51,,batch02; =HYPERLINK(evil)
batch02,10.0.0.52,,
lone01,10.0.0.61,,
"""


@dataclass
class Engagement:
    account: Account


@pytest.fixture(scope="module")
async def engagement(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Engagement:
    account = await create_account(database_url, roles=("viewer",))
    data = tmp_path_factory.mktemp("dependencies")
    path = data / "servers.csv"
    path.write_text(SERVERS)
    summary = await run_file(
        database_url,
        settings_for(database_url, data / "data"),
        TenantIds(account.client_account_id, account.engagement_id),
        path,
    )
    assert summary["status"] == "completed", summary["error"]
    return Engagement(account)


async def test_components_group_the_assets_that_depend_on_each_other(
    client: httpx.AsyncClient, engagement: Engagement
) -> None:
    response = await client.get(
        f"{DEPENDENCIES}/components", headers=engagement.account.headers("viewer")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    groups = [sorted(m["name"] for m in c["members"]) for c in body["components"]]
    assert groups == [["app01", "cache01", "db01", "web01", "web02"], ["=SUM(1+1)", "batch02"]]
    first = body["components"][0]
    assert (first["number"], first["size"], first["edge_count"]) == (1, 5, 4)
    names = {m["asset_id"]: m["name"] for m in first["members"]}
    assert sorted((names[e["source_id"]], names[e["target_id"]]) for e in first["edges"]) == [
        ("app01", "db01"),
        ("web01", "cache01"),
        ("web01", "db01"),
        ("web02", "db01"),
    ]
    assert body["component_count"] == 2
    assert body["connected_assets"] == 7
    assert body["unconnected_assets"] == 1  # lone01
    assert body["edge_count"] == 5
    assert sorted((u["asset_name"], u["reference"]) for u in body["unresolved_references"]) == [
        ("=SUM(1+1)", "=HYPERLINK(evil)"),
        ("web01", "nonexistent-host"),
    ]
    assert body["unresolved_count"] == 2
    limited = await client.get(
        f"{DEPENDENCIES}/components",
        params={"limit": 1},
        headers=engagement.account.headers("viewer"),
    )
    assert [c["number"] for c in limited.json()["components"]] == [1]
    assert limited.json()["component_count"] == 2


async def test_the_edges_export_as_csv_with_how_each_was_resolved(
    client: httpx.AsyncClient, engagement: Engagement
) -> None:
    response = await client.get(
        f"{DEPENDENCIES}/export", headers=engagement.account.headers("viewer")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"dependencies.csv\"; filename*=UTF-8''dependencies.csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_pair = {(r["source_name"], r["target_name"]): r for r in rows}
    assert by_pair[("web01", "db01")]["reference"] == "db01"
    assert by_pair[("web01", "db01")]["resolved_by"] == "hostname"
    assert by_pair[("web01", "cache01")]["resolved_by"] == "fqdn"
    assert by_pair[("web02", "db01")]["resolved_by"] == "ip_address"
    assert by_pair[("web02", "db01")]["reference"] == "10.0.0.21"
    assert by_pair[("app01", "db01")]["reference"] == "DB01"
    missing = [r for r in rows if r["resolved_by"] == "not_found"]
    assert sorted((r["source_name"], r["reference"]) for r in missing) == [
        ("'=SUM(1+1)", "'=HYPERLINK(evil)"),
        ("web01", "nonexistent-host"),
    ]
    assert all(r["target_id"] == "" for r in missing)
    # A name or reference a spreadsheet would run is written as text.
    assert ("'=SUM(1+1)", "batch02") in by_pair
    assert not any(cell.startswith("=") for r in rows for cell in r.values())
    assert len(rows) == 7


async def test_another_tenant_sees_none_of_it(
    client: httpx.AsyncClient, engagement: Engagement, database_url: str
) -> None:
    stranger = await create_account(database_url, roles=("viewer",))
    for path in ("/components", "/export"):
        forbidden = await client.get(
            DEPENDENCIES + path, headers=stranger.headers("viewer", tenant=engagement.account)
        )
        assert forbidden.status_code == 403, forbidden.text
        own = await client.get(DEPENDENCIES + path, headers=stranger.headers("viewer"))
        assert own.status_code == 200
        assert "web01" not in own.text and "db01" not in own.text
    empty = (
        await client.get(f"{DEPENDENCIES}/components", headers=stranger.headers("viewer"))
    ).json()
    assert (empty["components"], empty["edge_count"], empty["unresolved_count"]) == ([], 0, 0)
    lines = (
        await client.get(f"{DEPENDENCIES}/export", headers=stranger.headers("viewer"))
    ).text.splitlines()
    assert lines == [
        "source_id,source_name,target_id,target_name,dependency_type,reference,resolved_by"
    ]
