"""``discovery serve``: database, migrations and an in-process worker, until stopped."""

from __future__ import annotations

import asyncio
import signal

import typer

from discovery.cli.common import database_url, info, run, settings
from discovery.core import migrations
from discovery.core.settings import Settings
from discovery.flows.jobs import run_worker


async def _serve(url: str, current: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(url, current, stop=stop, install_signal_handlers=False)


def serve() -> None:
    """Start the database (embedded unless DATABASE_URL is set), migrate it, and run."""
    current = settings()
    url = database_url()
    migrations.upgrade(url)
    where = "embedded PostgreSQL" if current.database_url is None else "PostgreSQL"
    info(f"{where} ready at revision {migrations.head_revision()}: {url}")
    info("flow worker running; press Ctrl+C to stop")
    run(_serve(url, current))
    info("stopped")
    raise typer.Exit(0)
