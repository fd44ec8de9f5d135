"""A real ``discovery serve`` for hostile uploads, and a watcher that probes it meanwhile.

The server runs on its own embedded PostgreSQL (``tests.web.browser.discovery_serve``); the
test's tenant and users are created in that database directly. While a file is imported,
a ``Watch`` thread asks ``GET /api/v1/health`` every ``PROBE_SECONDS`` (each answer's latency
is kept, a timeout counts as a failure) and samples the server's resident memory from
``/proc/<pid>/status``; the peak (``VmHWM``) is reset before each case through
``/proc/<pid>/clear_refs``, so each case reports its own peak.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import SECRET, Account, create_account
from tests.web.browser import Server, discovery_serve

PROBE_SECONDS = 0.15
PROBE_TIMEOUT_SECONDS = 5.0
_DATABASE = re.compile(r"PostgreSQL ready at revision \S+: (\S+)")


@dataclass
class HostileServer:
    server: Server
    account: Account

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.base_url, headers=self.account.headers("analyst"), timeout=60
        )


@contextmanager
def hostile_server(data_dir: Path, **settings: str) -> Iterator[HostileServer]:
    with discovery_serve(data_dir, DISCOVERY_SECRET_KEY=SECRET, **settings) as server:
        match = _DATABASE.search("".join(server.log))
        assert match, server.output()
        account = asyncio.run(create_account(match.group(1), roles=("analyst",)))
        yield HostileServer(server, account)


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} in /proc/{pid}/status")


@dataclass
class Watch:
    """Health latencies and memory of the server while a case runs."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    peak_rss_kib: int = 0
    start_rss_kib: int = 0

    @property
    def max_latency(self) -> float:
        return max(self.latencies, default=float("inf"))

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024

    def summary(self) -> str:
        return (
            f"{len(self.latencies)} probes, max {self.max_latency * 1000:.0f} ms, "
            f"{len(self.failures)} failed; RSS {self.start_rss_kib / 1024:.0f} MiB at the start, "
            f"peak {self.peak_rss_mib:.0f} MiB"
        )


@contextmanager
def watching(hostile: HostileServer) -> Iterator[Watch]:
    watch = Watch()
    pid = hostile.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    watch.start_rss_kib = _status_kib(pid, "VmRSS")
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(
            base_url=hostile.server.base_url, timeout=PROBE_TIMEOUT_SECONDS
        ) as client:
            while True:  # at least one probe, however quickly the watched call ends
                started = time.monotonic()
                try:
                    answer = client.get("/api/v1/health")
                    if answer.status_code != 200:
                        watch.failures.append(f"HTTP {answer.status_code}")
                except httpx.HTTPError as error:
                    watch.failures.append(f"{type(error).__name__}")
                    watch.latencies.append(time.monotonic() - started)
                else:
                    watch.latencies.append(time.monotonic() - started)
                watch.peak_rss_kib = max(watch.peak_rss_kib, _status_kib(pid, "VmRSS"))
                if stop.wait(PROBE_SECONDS):
                    break

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        stop.set()
        thread.join(PROBE_TIMEOUT_SECONDS + 1)
        watch.peak_rss_kib = max(watch.peak_rss_kib, _status_kib(pid, "VmHWM"))


def upload(client: httpx.Client, path: Path, *, name: str | None = None) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/unified-discovery/imports",
            files={"file": (name or path.name, handle, "application/octet-stream")},
            data={"auto_approve": "true"},
        )


def settled_import(client: httpx.Client, import_id: str, *, seconds: float = 60) -> dict[str, Any]:
    """The import once it is ``completed`` or ``failed`` and its flow no longer runs."""
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = client.get(f"/api/v1/unified-discovery/imports/{import_id}").json()
        if body["status"] in {"failed", "completed"} and body["flow_status"] != "running":
            return body
        assert time.monotonic() < deadline, f"import still {body['status']} after {seconds} s"
        time.sleep(0.2)
