"""``discovery serve`` for real: a subprocess on the test database, called over HTTP."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import httpx

from tests.api.conftest import PASSWORD, SECRET, create_account
from tests.cli_runner import cli_env


async def _read_until(stream: asyncio.StreamReader, needle: str, seconds: float) -> str:
    seen = ""
    async with asyncio.timeout(seconds):
        while needle not in seen:
            line = await stream.readline()
            if not line:
                break
            seen += line.decode()
    return seen


async def test_serve_runs_the_api_and_the_worker_and_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    account = await create_account(database_url, roles=("viewer",))
    env = cli_env(
        DATABASE_URL=database_url,
        DISCOVERY_DATA_DIR=str(tmp_path / "data"),
        DISCOVERY_SECRET_KEY=SECRET,
        DISCOVERY_LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "discovery", "serve", "--port", "0",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        output = await _read_until(process.stderr, "press Ctrl+C", 120)
        match = re.search(r"API at (http://127\.0\.0\.1:\d+)/api/v1", output)
        assert match, output
        base = match.group(1)
        async with httpx.AsyncClient(base_url=base) as client:
            health = await client.get("/api/v1/health", headers={"X-Request-ID": "serve-test"})
            assert health.status_code == 200
            assert health.headers["X-Request-ID"] == "serve-test"
            login = await client.post(
                "/api/v1/auth/login",
                json={"email": account.members["viewer"].email, "password": PASSWORD},
            )
            assert login.status_code == 200
            token = login.json()["access_token"]
            for _ in range(100):  # the in-process worker registers within a moment
                if (await client.get("/api/v1/health")).json()["worker"]["alive"]:
                    break
                await asyncio.sleep(0.1)
            assert (await client.get("/api/v1/health")).json()["status"] == "ok"
            assets = await client.get(
                "/api/v1/unified-discovery/assets",
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-Client-Account-ID": str(account.client_account_id),
                    "X-Engagement-ID": str(account.engagement_id),
                },
            )
            assert assets.status_code == 200
            assert (await client.get("/openapi.json")).status_code == 200
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            assert await process.wait() == 0
        rest = (await process.stderr.read()).decode()
        assert "stopped" in rest
        assert "[serve-test] discovery.api.access: GET /api/v1/health -> 200" in output + rest
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
