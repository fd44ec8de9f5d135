"""B1's client: uploads the file, approves the suggested mappings, polls until the flow rests.

It runs as a process of its own (``python -m bench.client``), so that the peak RSS that B1
reports is the server's and this client's, as a consultant's machine would see them, and
not the benchmark harness's, which has read the whole file into Polars for the floors.
It imports nothing but httpx.

Arguments: the server's base URL, then a JSON object with ``headers`` (token and tenant
headers), ``path`` (the CSV) and ``poll`` (seconds between polls). It prints one JSON
object: ``seconds`` (upload request to the first poll that sees the flow rest),
``upload_seconds`` and ``body`` (the flow's last poll).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
FLOWS = f"{API}/unified-discovery/flows"
RESTING = {"completed", "completed_with_errors", "failed", "cancelled", "paused"}


async def drive(
    client: httpx.AsyncClient, headers: dict[str, str], path: Path, poll: float
) -> tuple[float, float, dict[str, Any]]:
    """(seconds end to end, seconds of the upload request, the flow's last poll)."""
    started = time.perf_counter()
    with path.open("rb") as handle:
        response = await client.post(
            f"{API}/unified-discovery/imports",
            headers=headers,
            files={"file": (path.name, handle, "text/csv")},
        )
    upload_seconds = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:500]}")
    flow_id = response.json()["master_flow_id"]
    approved = False
    while True:
        response = await client.get(f"{FLOWS}/{flow_id}", headers=headers)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        status = body["status"]
        if status == "waiting_for_approval" and not approved:
            approval = await client.put(
                f"{FLOWS}/{flow_id}/field-mappings", headers=headers, json={}
            )
            if approval.status_code != 200:
                raise RuntimeError(f"approval failed: {approval.text[:500]}")
            approved = True
            continue
        if status in RESTING:
            return time.perf_counter() - started, upload_seconds, body
        await asyncio.sleep(poll)


async def _main(base_url: str, job: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=3600) as client:
        seconds, upload_seconds, body = await drive(
            client, job["headers"], Path(job["path"]), float(job["poll"])
        )
    return {"seconds": seconds, "upload_seconds": upload_seconds, "body": body}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_main(sys.argv[1], json.loads(sys.argv[2])))))
