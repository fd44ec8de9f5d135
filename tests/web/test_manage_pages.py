"""The users page and deleting or re-running an import, through the ASGI app."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from discovery.core.settings import Settings
from tests.api.conftest import PASSWORD, create_account
from tests.flow_helpers import TenantIds, run_file
from tests.inventory_files import write_servers_csv
from tests.web.test_pages import choose, csrf_of, sign_in


async def test_users_page_is_for_admins_and_changes_role_status_and_password(
    client: httpx.AsyncClient, database_url: str
) -> None:
    fresh = await create_account(database_url)
    viewer = fresh.members["viewer"]
    await sign_in(client, fresh.members["analyst"].email)
    await choose(client, fresh)
    refused = await client.get("/users")
    assert refused.status_code == 403
    assert "This needs the admin role" in refused.text
    assert 'href="/users"' not in (await client.get("/imports")).text

    client.cookies.clear()
    await sign_in(client, fresh.members["admin"].email)
    await choose(client, fresh)
    page = await client.get("/users")
    assert page.status_code == 200
    assert viewer.email in page.text and 'href="/users"' in page.text
    token = csrf_of(page.text)

    forged = await client.post(f"/users/{viewer.user_id}/role", data={"role": "analyst"})
    assert forged.status_code == 403
    changed = await client.post(
        f"/users/{viewer.user_id}/role", data={"role": "analyst", "csrf_token": token}
    )
    assert changed.status_code == 303
    row = re.search(
        rf'<tr data-email="{re.escape(viewer.email)}">(.*?)</tr>', (await client.get("/users")).text,
        re.S,
    )  # fmt: skip
    assert row and "<td>analyst</td>" in row.group(1)
    mine = await client.post(
        f"/users/{fresh.members['admin'].user_id}/disable", data={"csrf_token": token}
    )
    assert mine.status_code == 403 and "your own access" in mine.text

    disabled = await client.post(f"/users/{viewer.user_id}/disable", data={"csrf_token": token})
    assert disabled.status_code == 303
    assert "disabled" in (await client.get("/users")).text
    assert (await client.post(f"/users/{viewer.user_id}/enable", data={"csrf_token": token})).status_code == 303  # fmt: skip

    reset = await client.post(f"/users/{viewer.user_id}/reset-password", data={"csrf_token": token})
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    shown = re.search(r'<code id="one-time-password">([^<]+)</code>', reset.text)
    assert shown
    assert "one-time-password" not in (await client.get("/users")).text  # shown once

    other = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with other:
        token = csrf_of((await other.get("/login")).text)
        old = await other.post("/login", data={"email": viewer.email, "password": PASSWORD,
                                               "next": "/", "csrf_token": token})  # fmt: skip
        assert old.status_code != 303 or "login" in old.headers.get("location", "")
        new = await other.post("/login", data={"email": viewer.email, "password": shown.group(1),
                                               "next": "/", "csrf_token": token})  # fmt: skip
        assert new.status_code == 303 and new.headers["location"] == "/"


async def test_deleting_an_import_shows_what_goes_first_and_only_for_admins(
    client: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    fresh = await create_account(database_url)
    summary = await run_file(
        database_url,
        settings,
        TenantIds(fresh.client_account_id, fresh.engagement_id),
        write_servers_csv(tmp_path / "servers.csv", 5),
    )
    assert summary["status"] == "completed", summary["error"]
    import_id = summary["data_import_id"]
    await sign_in(client, fresh.members["analyst"].email)
    await choose(client, fresh)
    listed = await client.get("/imports")
    assert f"/imports/{import_id}/delete" not in listed.text
    assert f"/imports/{import_id}/rerun" in listed.text
    assert 'name="match_key_hostname"' in listed.text
    assert (await client.get(f"/imports/{import_id}/delete")).status_code == 403

    client.cookies.clear()
    await sign_in(client, fresh.members["admin"].email)
    await choose(client, fresh)
    confirm = await client.get(f"/imports/{import_id}/delete")
    assert confirm.status_code == 200
    plan = re.sub(r"\s+", " ", confirm.text)
    assert "<strong>5</strong> raw rows" in plan
    assert "<strong>5</strong> assets that only this import created" in plan
    assert "servers.csv" in (await client.get("/imports")).text  # nothing deleted yet

    deleted = await client.post(
        f"/imports/{import_id}/delete", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/imports"
    after = await client.get("/imports")
    assert "servers.csv deleted: 5 raw rows and 5 assets removed" in after.text
    assert f"/imports/{import_id}/" not in after.text
    assert (await client.get(f"/imports/{import_id}/delete")).status_code == 404
