"""The mapping review's fallback rows, through the real app (ASGITransport, real worker)."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.core.settings import Settings
from discovery.flows.models import DiscoveryFlow
from discovery.mapping.models import ImportFieldMapping
from tests.api.conftest import create_account, drop_queued_jobs, flow_worker
from tests.flow_helpers import in_transaction
from tests.inventory_files import CONFIG_OS_EMPTY, TOOLS_OS_EMPTY, write_vinfo_csv
from tests.web.test_pages import choose, csrf_of, sign_in, wait_for_status

TOOLS = "OS according to the VMware Tools"
CONFIG = "OS according to the configuration file"


def _form(review: str) -> tuple[dict[str, str], dict[str, str]]:
    """The review form as a browser would post it, and the index of each column."""
    form: dict[str, str] = {"csrf_token": csrf_of(review)}
    index: dict[str, str] = {}
    for number, value in re.findall(r'name="source_(\d+)" value="([^"]*)"', review):
        source = html.unescape(value)
        index[source] = number
        form[f"source_{number}"] = source
        select = re.search(rf'<select id="target_{number}".*?</select>', review, re.S)
        assert select is not None
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
        form[f"target_{number}"] = chosen.group(1) if chosen else ""
        if re.search(
            rf'name="fallback_{number}" value="1"\s+data-for="[^"]+" aria-label="[^"]*" checked',
            review,
        ):
            form[f"fallback_{number}"] = "1"
    return form, index


async def _priorities(url: str, master_flow_id: str) -> dict[str, tuple[str | None, int | None]]:
    async def load(session: AsyncSession) -> dict[str, tuple[str | None, int | None]]:
        flow = await session.scalar(
            select(DiscoveryFlow).where(DiscoveryFlow.master_flow_id == uuid.UUID(master_flow_id))
        )
        assert flow is not None
        rows = await session.execute(
            select(ImportFieldMapping).where(
                ImportFieldMapping.data_import_id == flow.data_import_id
            )
        )
        return {r.source_field: (r.target_field, r.priority) for r in rows.scalars()}

    return await in_transaction(url, load)


async def test_the_review_labels_fallbacks_and_approving_keeps_them(
    client: httpx.AsyncClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    account = await create_account(database_url)
    try:
        await sign_in(client, account.members["analyst"].email)
        await choose(client, account)
        token = csrf_of((await client.get("/imports")).text)
        body = write_vinfo_csv(tmp_path / "vinfo.csv")
        async with flow_worker(database_url, settings):
            started = await client.post(
                "/imports/upload",
                files={"file": ("vinfo.csv", body.read_bytes(), "text/csv")},
                headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": token},
            )
            assert started.status_code == 200, started.text
            flow_url = started.json()["redirect"]
            await wait_for_status(client, flow_url, "waiting_for_approval")
            review = (await client.get(flow_url + "/mapping")).text
            assert "Fallback 2 for Operating system." in review
            assert "Fallback 2 for Storage (GB)." in review
            assert (
                f"Primary column for Operating system; where it is empty: {TOOLS}."
                in html.unescape(review)
            )
            form, index = _form(review)
            assert form.get(f"fallback_{index[TOOLS]}") == "1"
            assert f"fallback_{index[CONFIG]}" not in form

            # Ticking the primary itself leaves the field without one: refused, and the
            # form comes back with the reviewer's ticks.
            wrong = dict(form, **{f"fallback_{index[CONFIG]}": "1"})
            refused = await client.post(flow_url + "/mapping", data=wrong)
            assert refused.status_code == 422
            assert "has fallbacks but no primary column" in html.unescape(refused.text)
            again, _ = _form(refused.text)
            assert again.get(f"fallback_{index[CONFIG]}") == "1"

            # Changing a fallback's field takes it out (the page's script unticks it).
            changed = dict(form, **{f"target_{index['VM ID']}": ""})
            changed.pop(f"fallback_{index['VM ID']}")
            approved = await client.post(flow_url + "/mapping", data=changed)
            assert approved.status_code == 303, approved.text
            await wait_for_status(client, flow_url, "completed")
        stored = await _priorities(database_url, flow_url.rsplit("/", 1)[1])
        assert stored[CONFIG] == ("operating_system", 1)
        assert stored[TOOLS] == ("operating_system", 2)
        assert stored["Total disk capacity MiB"] == ("storage_gb", 2)
        assert stored["VM ID"] == (None, None)
        assert stored["VM UUID"] == ("external_id", None)

        async def systems(session: AsyncSession) -> dict[str, str | None]:
            rows = await session.execute(
                select(Asset.name, Asset.operating_system).where(
                    Asset.engagement_id == account.engagement_id
                )
            )
            return {name: system for name, system in rows.all()}

        os_by_name = await in_transaction(database_url, systems)
        assert os_by_name[CONFIG_OS_EMPTY] == "Ubuntu Linux (64-bit)"
        assert os_by_name[TOOLS_OS_EMPTY] == "Microsoft Windows Server 2016 (64-bit)"
    finally:
        await drop_queued_jobs(database_url, account.client_account_id)
