"""``discovery serve``: the database side of the service, until the API is added."""

from __future__ import annotations

import signal
import threading

import typer

from discovery.cli.common import database_url, info, settings
from discovery.core import migrations


def serve() -> None:
    """Start the database (embedded unless DATABASE_URL is set), migrate it, and run."""
    current = settings()
    url = database_url()
    migrations.upgrade(url)
    where = "embedded PostgreSQL" if current.database_url is None else "PostgreSQL"
    info(f"{where} ready at revision {migrations.head_revision()}: {url}")
    info("press Ctrl+C to stop")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    info("stopped")
    raise typer.Exit(0)
