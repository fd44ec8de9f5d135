"""The results summary (flow page, start page, API) and the tech-debt views (page,
inventory filter, API listing filter, export columns, asset panel) through the ASGI app."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import httpx

from discovery.core.export_format import DERIVED_COLUMNS, LINEAGE_COLUMNS
from discovery.core.settings import Settings
from tests.api.conftest import create_account, drop_queued_jobs
from tests.flow_helpers import TenantIds, run_file
from tests.tech_debt_files import expected_end_of_support, write_servers
from tests.web.test_pages import choose, sign_in

API = "/api/v1/unified-discovery"


def _section(page: str, element_id: str) -> str:
    found = re.search(rf'<section class="results" id="{element_id}".*?</section>', page, re.S)
    assert found, page
    return html.unescape(found.group(0))


async def test_results_tech_debt_filter_exports_and_panel(
    client: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    fresh = await create_account(database_url)
    summary = await run_file(
        database_url,
        settings,
        TenantIds(fresh.client_account_id, fresh.engagement_id),
        write_servers(tmp_path / "servers.csv"),
    )
    assert summary["status"] in {"completed", "completed_with_errors"}, summary["error"]
    flow_id = summary["master_flow_id"]
    ended, ending = expected_end_of_support()
    await sign_in(client, fresh.members["viewer"].email)
    await choose(client, fresh)

    # The API's flow detail carries the results.
    api_headers = fresh.headers("viewer")
    detail = (await client.get(f"{API}/flows/{flow_id}", headers=api_headers)).json()
    assert detail["results"]["assets"]["merged_duplicates"] == 1
    assert detail["results"]["end_of_support"] == {"ended": ended, "ending_within_a_year": ending}

    flow_page = (await client.get(f"/flows/{flow_id}")).text
    shown = _section(flow_page, "flow-results")
    assert "4 assets created, 0 updated, 0 unchanged; 1 duplicate row merged" in shown
    assert "1 reference to no known asset (for example web02 → ghost01)." in shown
    assert f"{ended} asset" in shown and f"{ending} more ending within a year." in shown
    assert f'href="/imports/{summary["data_import_id"]}/errors.csv"' in shown
    assert re.search(r"Last phase finished \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", shown)

    start = _section((await client.get("/")).text, "latest-results")
    assert "1 duplicate row merged" in start and "servers.csv" in start

    debt = (await client.get("/tech-debt")).text
    assert f'<dd data-count="flagged">{ended + ending}</dd>' in debt
    assert f'<dd data-count="high"><a href="/assets?tech_debt=high">{ended}</a></dd>' in debt
    assert '<div class="bars" role="img" aria-label="Assets by product: ' in debt
    assert "Windows Server 2008 R2" in debt and "Red Hat" not in debt

    high = (await client.get("/assets", params={"tech_debt": "high"})).text
    assert ">web01</a>" in high and ">web02</a>" not in high and ">db01</a>" not in high
    assert (await client.get("/assets", params={"tech_debt": "old"})).status_code == 400

    listed = await client.get(f"{API}/assets", headers=api_headers, params={"tech_debt": "any"})
    names = sorted(a["name"] for a in listed.json()["data"])
    assert names == ["app01", "web01", "web02"]
    medium = await client.get(f"{API}/assets", headers=api_headers, params={"tech_debt": "medium"})
    assert sorted(a["name"] for a in medium.json()["data"]) == ["app01", "web02"]

    exported = await client.get(f"{API}/assets/export", headers=api_headers)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    header = next(csv.reader(io.StringIO(exported.text)))
    assert header[-len(DERIVED_COLUMNS) - len(LINEAGE_COLUMNS) :] == [
        *LINEAGE_COLUMNS,
        *DERIVED_COLUMNS,
    ]
    by_name = {row["name"]: row for row in rows}
    assert by_name["web01"]["tech_debt_severity"] == "high"
    assert by_name["web01"]["tech_debt_products"] == "Windows Server 2008 R2"
    assert by_name["web01"]["end_of_support_date"] == "2020-01-14"
    assert by_name["db01"]["tech_debt_severity"] == ""
    as_json = await client.get(
        f"{API}/assets/export", headers=api_headers, params={"format": "json"}
    )
    [web02] = [r for r in as_json.json() if r["name"] == "web02"]
    assert web02["tech_debt_severity"] == "medium" and web02["tech_debt_products"] == [
        "Windows Server 2016"
    ]

    asset_id = re.search(r'href="/assets/([0-9a-f-]{36})">web01</a>', high)
    assert asset_id
    panel = (await client.get(f"/assets/{asset_id.group(1)}")).text
    found = re.search(r'<div id="tech-debt-panel">(.*?)</div>', panel, re.S)
    assert found
    text = html.unescape(found.group(1))
    assert '<span class="badge sev-high">Past end of support</span>' in text
    words = re.sub(r"<[^>]+>", "", text)  # dates are kept on one line by a span
    assert "Windows Server 2008 R2 has been out of vendor support since 2020-01-14" in words
    assert '<span class="nowrap">2020-01-14</span>' in text
    assert "code:" not in text
    await drop_queued_jobs(database_url, fresh.client_account_id)
