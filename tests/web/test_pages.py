"""The web routes through ``httpx.ASGITransport`` (no browser): sign-in, the session
cookie, CSRF, tenant access, roles and escaping. Same app, same database harness as
tests/api."""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import FailedAssetChunk
from discovery.core.settings import Settings
from discovery.flows.models import DiscoveryFlow
from discovery.tenancy.context import Tenant
from discovery.web.service import save_tenant_choice
from tests.api.conftest import (
    PASSWORD,
    Account,
    create_account,
    drop_queued_jobs,
    flow_worker,
    serving,
)
from tests.flow_helpers import TenantIds, in_transaction, run_file
from tests.hostile.files import unbalanced_quote_csv
from tests.inventory_files import write_servers_csv

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
SCRIPT = "<script>alert(1)</script>"


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = csrf_of((await client.get("/login")).text)
    return await client.post(
        "/login", data={"email": email, "password": PASSWORD, "next": "/", "csrf_token": token}
    )


async def choose(client: httpx.AsyncClient, account: Account) -> httpx.Response:
    token = csrf_of((await client.get("/tenant")).text)
    value = f"{account.client_account_id}:{account.engagement_id}"
    return await client.post("/tenant", data={"tenant": value, "csrf_token": token})


async def test_pages_send_a_stranger_to_the_sign_in_page(client: httpx.AsyncClient) -> None:
    for path in ("/", "/imports", "/assets", "/health", f"/flows/{uuid.uuid4()}"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    page = await client.get("/login")
    assert "Sign in to Discovery" in page.text
    assert "First time here?" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"


async def test_sign_in_sets_an_http_only_same_site_session_cookie(
    client: httpx.AsyncClient, account: Account
) -> None:
    response = await sign_in(client, account.members["analyst"].email)
    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("discovery_session=")
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    # No tenant chosen yet: the tenant page, listing only the user's own engagements.
    home = await client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/tenant"
    tenant_page = await client.get("/tenant")
    assert account.client_name in tenant_page.text


async def test_wrong_password_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, account: Account
) -> None:
    token = csrf_of((await client.get("/login")).text)
    response = await client.post(
        "/login",
        data={"email": account.members["viewer"].email, "password": "nope", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.text
    assert "discovery_session" not in response.headers.get("set-cookie", "")


async def test_a_post_without_the_csrf_token_is_rejected(
    client: httpx.AsyncClient, account: Account
) -> None:
    await client.get("/login")  # the CSRF cookie, but no token in the form
    refused = await client.post(
        "/login", data={"email": account.members["admin"].email, "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "CSRF check failed" in refused.text
    assert "discovery_session" not in refused.headers.get("set-cookie", "")

    await sign_in(client, account.members["admin"].email)
    forged = "0" * 64
    value = f"{account.client_account_id}:{account.engagement_id}"
    response = await client.post("/tenant", data={"tenant": value, "csrf_token": forged})
    assert response.status_code == 403
    assert "CSRF check failed" in response.text
    # A token from another browser (another nonce) does not pass either.
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    ) as other:
        stolen = csrf_of((await other.get("/login")).text)
    response = await client.post("/tenant", data={"tenant": value, "csrf_token": stolen})
    assert response.status_code == 403
    assert (await choose(client, account)).status_code == 303  # with the right token
    upload = await client.post(
        "/imports/upload",
        files={"file": ("a.csv", b"Name\nx\n", "text/csv")},
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": forged},
    )
    assert upload.status_code == 403
    assert upload.json() == {"error": "This page has expired; reload it and try again."}
    without = await client.post(
        "/imports/upload", files={"file": ("a.csv", b"Name\nx\n", "text/csv")}
    )
    assert without.status_code == 303
    assert (await client.get("/imports")).text.count("This page has expired") == 1
    listed = await client.get("/imports")
    assert "a.csv" not in listed.text  # no import was created


async def test_a_user_without_membership_is_refused_the_engagement(
    client: httpx.AsyncClient, account: Account, other_account: Account, database_url: str
) -> None:
    member = account.members["admin"]
    await sign_in(client, member.email)
    refused = await choose(client, other_account)
    assert refused.status_code == 403
    assert "You do not have access to this engagement." in refused.text

    # A stored choice that is no longer allowed is refused on every page, the same way.
    await in_transaction(
        database_url,
        lambda s: save_tenant_choice(
            s, member.user_id, Tenant(other_account.client_account_id, other_account.engagement_id)
        ),
    )
    response = await client.get("/imports")
    assert response.status_code == 303 and response.headers["location"] == "/tenant"
    shown = await client.get("/tenant")
    assert "You do not have access to this engagement." in shown.text
    assert other_account.client_name not in shown.text


async def test_the_tenant_choice_persists_across_sign_ins(app: FastAPI, account: Account) -> None:
    email = account.members["viewer"].email
    async with serving(app) as first:
        await sign_in(first, email)
        chosen = await choose(first, account)
        assert chosen.status_code == 303
    async with serving(app) as second:
        await sign_in(second, email)
        home = await second.get("/")
        assert home.status_code == 200
        assert f"{account.client_name} / wave 1" in home.text


async def test_a_viewer_cannot_upload_and_sees_why(
    client: httpx.AsyncClient, account: Account
) -> None:
    await sign_in(client, account.members["viewer"].email)
    await choose(client, account)
    page = await client.get("/imports")
    assert "uploading needs the analyst role" in page.text
    response = await client.post(
        "/imports/upload",
        files={"file": ("a.csv", b"Name\nx\n", "text/csv")},
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": csrf_of(page.text)},
    )
    assert response.status_code == 403
    assert response.json() == {"error": "Uploading needs the analyst role; yours is viewer."}


async def test_another_tenants_flow_is_not_found(
    client: httpx.AsyncClient, account: Account
) -> None:
    await sign_in(client, account.members["admin"].email)
    await choose(client, account)
    response = await client.get(f"/flows/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "There is no such flow in this engagement." in response.text
    response = await client.get("/assets/not-a-uuid")
    assert response.status_code == 404


async def test_sign_in_never_redirects_off_site(
    client: httpx.AsyncClient, account: Account
) -> None:
    token = csrf_of((await client.get("/login")).text)
    response = await client.post(
        "/login",
        data={
            "email": account.members["viewer"].email,
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def dead_letter_a_chunk(url: str, master_flow_id: str) -> None:
    """A chunk recorded as failed, as the inventory phase records one (as tests/api does)."""

    async def add(session: AsyncSession) -> None:
        flow = await session.scalar(
            select(DiscoveryFlow).where(DiscoveryFlow.master_flow_id == uuid.UUID(master_flow_id))
        )
        assert flow is not None
        session.add(
            FailedAssetChunk(
                client_account_id=flow.client_account_id,
                engagement_id=flow.engagement_id,
                discovery_flow_id=flow.id,
                chunk_number=7,
                first_row_number=1,
                last_row_number=1,
                error="OperationalError: server closed the connection",
            )
        )

    await in_transaction(url, add)


async def wait_for_status(
    client: httpx.AsyncClient, flow_url: str, wanted: str
) -> dict[str, object]:
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        snap: dict[str, object] = (await client.get(flow_url + "/status.json")).json()
        if snap["status"] == wanted:
            return snap
        assert snap["status"] in {"running", "initialized"}, snap
        assert asyncio.get_running_loop().time() < deadline, snap
        await asyncio.sleep(0.1)


async def test_imported_values_are_escaped_and_the_review_approves(
    client: httpx.AsyncClient, account: Account, database_url: str, settings: Settings
) -> None:
    await sign_in(client, account.members["analyst"].email)
    await choose(client, account)
    token = csrf_of((await client.get("/imports")).text)
    body = f'Server Name,IP Address,Owner,{SCRIPT}\nweb01,10.0.0.1,alice@example.com,"{SCRIPT}"\n'
    async with flow_worker(database_url, settings):
        started = await client.post(
            "/imports/upload",
            files={"file": ("hostile.csv", body.encode(), "text/csv")},
            headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": token},
        )
        assert started.status_code == 200, started.text
        flow_url = started.json()["redirect"]
        await wait_for_status(client, flow_url, "waiting_for_approval")
        review = await client.get(flow_url + "/mapping")
        assert review.status_code == 200
        assert SCRIPT not in review.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review.text
        sources = {
            name: html.unescape(value)
            for name, value in re.findall(r'name="(source_\d+)" value="([^"]*)"', review.text)
        }
        assert SCRIPT in sources.values()
        form: dict[str, str] = {"csrf_token": csrf_of(review.text)}
        for name, source in sources.items():
            form[name] = source
            form[name.replace("source", "target")] = ""
        owner = next(n for n, s in sources.items() if s == "Owner")
        server = next(n for n, s in sources.items() if s == "Server Name")
        form[owner.replace("source", "target")] = "technical_owner"
        form[server.replace("source", "target")] = "name"
        # The dry run previews the choices in the form: without a name or an address
        # the row cannot identify an asset, so it would be in error.
        blind = dict(form)
        blind[server.replace("source", "target")] = ""
        blind[
            next(n for n, s in sources.items() if s == "IP Address").replace("source", "target")
        ] = ""
        preview = await client.post(flow_url + "/mapping/preview", data=blind)
        assert preview.status_code == 200
        assert re.search(r'data-preview="error">1<', preview.text), preview.text
        assert re.search(r'data-preview="create">0<', preview.text)
        suggested = await client.post(flow_url + "/mapping/preview", data=form)
        assert re.search(r'data-preview="create">1<', suggested.text)
        # An unknown target is refused with a message, and nothing is approved.
        bad = dict(form, **{server.replace("source", "target"): "no_such_field"})
        refused = await client.post(flow_url + "/mapping", data=bad)
        assert refused.status_code == 422
        assert "'no_such_field' is not a field of the inventory" in html.unescape(refused.text)
        approved = await client.post(flow_url + "/mapping", data=form)
        assert approved.status_code == 303, approved.text
        await wait_for_status(client, flow_url, "completed")
    await dead_letter_a_chunk(database_url, flow_url.rsplit("/", 1)[1])
    flow_page = await client.get(flow_url)
    assert "OperationalError: server closed the connection" in flow_page.text
    assert "Retry the 1 failed chunk(s)" in flow_page.text
    token = csrf_of(flow_page.text)
    # The retry is a job: the page says it is queued, and a worker then reprocesses it.
    retried = await client.post(flow_url + "/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    queued = await client.get(flow_url)
    assert "Queued a retry of 1 failed chunk(s)." in queued.text
    again = await client.post(flow_url + "/retry", data={"csrf_token": token})
    assert again.status_code == 303
    assert "A retry of the failed chunks is already queued" in (await client.get(flow_url)).text
    async with flow_worker(database_url, settings):
        deadline = asyncio.get_running_loop().time() + 60
        while "Retry the 1 failed chunk(s)" in (after := await client.get(flow_url)).text:
            assert asyncio.get_running_loop().time() < deadline, after.text
            await asyncio.sleep(0.1)
    nothing = await client.post(flow_url + "/retry", data={"csrf_token": token})
    assert nothing.status_code == 303
    assert "This flow has no failed chunks to retry." in (await client.get(flow_url)).text

    listing = await client.get("/assets", params={"q": "web01"})
    asset_id = re.search(r'href="/assets/([0-9a-f-]{36})"', listing.text)
    assert asset_id, listing.text
    detail = await client.get(f"/assets/{asset_id.group(1)}")
    assert SCRIPT not in detail.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert re.search(r'"technical_owner">Technical owner</th><td>alice@example.com', detail.text)
    health = await client.get("/health")
    assert "Overall: <strong>healthy</strong>" in health.text
    assert re.search(
        r'<div class="bars" role="img" aria-label="Assets by type: server 1"', health.text
    )

    # An oversized page is capped, and the page says so.
    capped = await client.get("/assets", params={"page_size": "100000"})
    assert f"Pages are capped at {settings.max_page_size} rows." in capped.text
    assert "Pages are capped" not in (await client.get("/assets")).text
    exported = await client.get("/assets/export", params={"format": "csv", "q": "web01"})
    assert exported.status_code == 200
    assert exported.text.splitlines()[1].startswith("web01,")

    # A broken link turns its tile red, with the asset as a sample; refreshing the
    # cache is for admins.
    await in_transaction(
        database_url,
        lambda s: s.execute(
            text("UPDATE migration.assets SET master_flow_id = NULL WHERE id = :id"),
            {"id": asset_id.group(1)},
        ),
    )
    refused = await client.post("/health/refresh", data={"csrf_token": csrf_of(health.text)})
    assert refused.status_code == 403
    assert "This needs the admin role; yours is analyst." in refused.text
    await client.post("/logout", data={"csrf_token": csrf_of(health.text)})
    await sign_in(client, account.members["admin"].email)
    await choose(client, account)
    token = csrf_of((await client.get("/health")).text)
    broken = await client.post("/health/refresh", data={"csrf_token": token})
    assert "Overall: <strong>unhealthy</strong>" in broken.text
    tile = re.search(
        r'<li class="tile bad" data-metric="assets_missing_master_flow_id">(.*?)</li>\s*</ul>',
        broken.text,
        re.S,
    )
    assert tile, broken.text
    assert f"<code>{asset_id.group(1)}</code> web01" in tile.group(1)
    assert 'class="tile bad"' not in broken.text.replace(tile.group(0), "")


async def test_sorting_the_inventory_orders_every_page_not_just_the_one_shown(
    client: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    fresh = await create_account(database_url)
    summary = await run_file(
        database_url,
        settings,
        TenantIds(fresh.client_account_id, fresh.engagement_id),
        write_servers_csv(tmp_path / "servers.csv", 7),
    )
    assert summary["status"] == "completed", summary["error"]
    await sign_in(client, fresh.members["viewer"].email)
    await choose(client, fresh)

    def names(page: str) -> list[str]:
        return re.findall(r'<td><a href="/assets/[0-9a-f-]{36}">([^<]+)</a></td>', page)

    first = await client.get("/assets", params={"sort": "-name", "page_size": "3"})
    second = await client.get("/assets", params={"sort": "-name", "page_size": "3", "page": "2"})
    assert names(first.text) == ["web0007", "web0006", "web0005"]
    assert names(second.text) == ["web0004", "web0003", "web0002"]
    # The header says how the table is sorted, and its link turns the order around.
    assert re.search(
        r'<th scope="col" aria-sort="descending">\s*'
        r'<a class="sort" href="/assets\?page_size=3&amp;sort=name"',
        first.text,
    )
    # "Next" is a keyset link in the page's order (and size): the same rows as page 2.
    following = re.search(r'<a href="(/assets\?[^"]+)" rel="next">', first.text)
    assert following is not None
    link = html.unescape(following.group(1))
    assert link.startswith("/assets?page_size=3&sort=-name&after=") and link.endswith("&page=2")
    keyset_second = await client.get(link)
    assert names(keyset_second.text) == names(second.text)
    assert "Page 2 of 3" in keyset_second.text
    third = re.search(r'<a href="(/assets\?[^"]+)" rel="next">', keyset_second.text)
    assert third is not None
    last = await client.get(html.unescape(third.group(1)))
    assert names(last.text) == ["web0001"]
    assert 'rel="next"' not in last.text
    assert 'href="/assets?page_size=3&amp;sort=-name&amp;page=2" rel="prev"' in last.text
    broken = await client.get("/assets", params={"sort": "-name", "after": "bm90LWEtY3Vyc29y"})
    assert broken.status_code == 400
    other_order = await client.get(link.replace("sort=-name", "sort=name"))
    assert other_order.status_code == 400
    refused = await client.get("/assets", params={"sort": "password"})
    assert refused.status_code == 400
    assert "Cannot sort by &#39;password&#39;" in refused.text
    await drop_queued_jobs(database_url, fresh.client_account_id)


async def test_the_flow_and_imports_pages_show_an_import_warning(
    client: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    fresh = await create_account(database_url)
    summary = await run_file(
        database_url,
        settings,
        TenantIds(fresh.client_account_id, fresh.engagement_id),
        unbalanced_quote_csv(tmp_path / "servers.csv", rows=50),
    )
    assert summary["status"] == "completed", summary["error"]
    [warning] = summary["warnings"]
    await sign_in(client, fresh.members["viewer"].email)
    await choose(client, fresh)
    flow = await client.get(f"/flows/{summary['master_flow_id']}")
    box = re.search(
        r'<div id="flow-warnings" class="callout" role="status">(.*?)</div>', flow.text, re.S
    )
    assert box, flow.text
    assert f"<li>{html.escape(warning['message'])}</li>" in box.group(1)
    status = await client.get(f"/flows/{summary['master_flow_id']}/status.json")
    assert status.json()["warnings"] == [warning["message"]]
    imports = await client.get("/imports")
    assert (
        f'<p class="warning small" data-warning="collapsed_rows">{html.escape(warning["message"])}</p>'
        in imports.text
    )
    await drop_queued_jobs(database_url, fresh.client_account_id)
