"""Fallback columns over HTTP: shown by GET field-mappings, set or removed by PUT."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.api.conftest import (
    WorkerFactory,
    create_account,
    drop_queued_jobs,
    upload,
    wait_for_flow,
)
from tests.inventory_files import write_vinfo_csv

FLOWS = "/api/v1/unified-discovery/flows"
TOOLS = "OS according to the VMware Tools"
CONFIG = "OS according to the configuration file"


async def test_fallbacks_are_shown_validated_and_approved(
    client: httpx.AsyncClient, worker: WorkerFactory, database_url: str, tmp_path: Path
) -> None:
    account = await create_account(database_url)
    analyst = account.headers("analyst")
    try:
        async with worker():
            started = (
                await upload(client, analyst, write_vinfo_csv(tmp_path / "vinfo.csv"))
            ).json()
            flow_id = started["master_flow_id"]
            assert (await wait_for_flow(client, analyst, flow_id))["status"] == (
                "waiting_for_approval"
            )
            url = f"{FLOWS}/{flow_id}/field-mappings"
            shown = (await client.get(url, headers=account.headers("viewer"))).json()
            ranks = {m["source_field"]: m["priority"] for m in shown["mappings"]}
            assert (ranks[CONFIG], ranks[TOOLS], ranks["VM"]) == (1, 2, None)
            assert shown["fallbacks"] == {
                "operating_system": [TOOLS],
                "storage_gb": ["Total disk capacity MiB"],
                "external_id": ["VM ID"],
            }

            refused = {
                "no such column in this import: 'Nope'": {"operating_system": ["Nope"]},
                "not a canonical asset field: 'colour'": {"colour": [TOOLS]},
                "'VM' is the primary column of 'name'": {"operating_system": ["VM"]},
            }
            for message, fallbacks in refused.items():
                answer = await client.put(url, headers=analyst, json={"fallbacks": fallbacks})
                assert answer.status_code == 422, answer.text
                assert message in answer.json()["error"]["message"]
            clash = await client.put(
                url, headers=analyst, json={"overrides": {TOOLS: "operating_system"}}
            )
            assert clash.status_code == 422
            assert "is the target of more than one column" in clash.json()["error"]["message"]
            shape = await client.put(url, headers=analyst, json={"fallbacks": {"fqdn": "Host"}})
            assert shape.status_code == 422

            approved = await client.put(
                url,
                headers=analyst,
                json={"fallbacks": {"storage_gb": [], "fqdn": ["VI SDK Server"]}},
            )
            assert approved.status_code == 200, approved.text
            body = approved.json()
            assert body["fallbacks"] == {
                "operating_system": [TOOLS],  # not listed: kept as suggested
                "external_id": ["VM ID"],
                "fqdn": ["VI SDK Server"],
            }
            after = {m["source_field"]: m for m in body["mappings"]}
            assert (after["Total disk capacity MiB"]["target_field"], after["Provisioned MiB"]
                    ["priority"]) == (None, None)  # fmt: skip
            assert (after["VI SDK Server"]["priority"], after["DNS Name"]["priority"]) == (2, 1)
            finished = await wait_for_flow(client, analyst, flow_id)
            assert finished["status"] == "completed"
            detail = {m["source_field"]: m["priority"] for m in finished["field_mappings"]}
            assert detail[TOOLS] == 2
    finally:
        await drop_queued_jobs(database_url, account.client_account_id)
