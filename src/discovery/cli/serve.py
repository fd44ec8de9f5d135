"""``discovery serve``: database, migrations, the HTTP API and a flow worker, until stopped.

The API (uvicorn) and the in-process flow worker share one event loop; SIGINT or
SIGTERM stops both cleanly (uvicorn's own signal handling is switched off so that one
handler stops everything).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import signal
import socket
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import database_url, fail, info, run, settings, with_session

if TYPE_CHECKING:
    from discovery.core.settings import Settings

SWITCH_INTERVAL_SECONDS = 0.001
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    sock.set_inheritable(True)
    return sock


def _configure_logging(level: str) -> None:
    from discovery.api.middleware import install_request_id_logging

    root = logging.getLogger()
    for handler in root.handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    install_request_id_logging(root.handlers)
    root.setLevel(level)


def _ensure_admin(url: str, current: Settings) -> None:
    from discovery.core.security import WeakPasswordError
    from discovery.tenancy.service import TenancyError, create_first_admin

    password = current.admin_password or secrets.token_urlsafe(18)
    try:
        created = run(
            with_session(url, lambda s: create_first_admin(s, current.admin_email, password))
        )
    except (TenancyError, WeakPasswordError) as exc:
        fail(f"cannot create the first admin (DISCOVERY_ADMIN_EMAIL): {exc}")
    if created is None:
        if current.admin_password:
            logging.getLogger(__name__).warning(
                "DISCOVERY_ADMIN_PASSWORD is ignored: users exist already, so no first admin "
                "is created. To set a password, run: discovery users reset-password %s",
                current.admin_email,
            )
        return
    if current.admin_password:
        info(f"created the platform admin {current.admin_email} (DISCOVERY_ADMIN_PASSWORD)")
    else:
        info(
            f"created the platform admin {current.admin_email} with the password {password}\n"
            "  (shown only this once; set DISCOVERY_ADMIN_PASSWORD to choose it yourself)"
        )


def settle_process() -> None:
    """The interpreter settings ``serve`` runs the API and the worker with, once the app
    is built (the benchmarks time the app under the same)."""
    # Imports parse files in worker threads, allocating fast; each full garbage collection
    # they trigger holds the GIL, so the loop waits while it walks every object. The
    # modules, the app and its settings live as long as the process: frozen, the
    # collector skips them (a 12-million-string workbook: pauses of 230 ms became 60-90 ms;
    # GET /assets at 400,000 assets: about 3 ms less at the median).
    gc.freeze()
    # After each system call the loop waits for a reading thread to hand the GIL back,
    # up to the switch interval (5 ms by default) every time; a request makes dozens.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


async def _serve(url: str, current: Settings, sock: socket.socket) -> None:
    import uvicorn

    from discovery.api.app import create_app
    from discovery.flows.jobs import run_worker

    app = create_app(current, url)

    class Server(uvicorn.Server):
        """uvicorn without its own signal handlers: ``serve`` stops it with the worker."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = Server(config)
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop)
    settle_process()
    worker = asyncio.create_task(run_worker(url, current, stop=stop, install_signal_handlers=False))
    api = asyncio.create_task(server.serve(sockets=[sock]))
    # Said only now that Ctrl+C stops both cleanly: earlier (while the app loads) it would
    # interrupt the process instead.
    info("API and flow worker running; press Ctrl+C to stop")
    try:
        await asyncio.wait({worker, api}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        request_stop()  # one ended (or we were stopped): end the other too
        results = await asyncio.gather(worker, api, return_exceptions=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on (0: any free one)."),
) -> None:
    """Start the database (embedded unless DATABASE_URL is set), migrate it, and serve the
    web UI and the API with a flow worker until stopped."""
    from discovery.core import migrations

    current = settings()
    _configure_logging(current.log_level)
    url = database_url()
    migrations.upgrade(url)
    where = "embedded PostgreSQL" if current.database_url is None else "PostgreSQL"
    info(f"{where} ready at revision {migrations.head_revision()}: {url}")
    _ensure_admin(url, current)
    sock = _listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    info(f"web UI at http://{shown}:{bound}/ (open it in a browser and sign in)")
    info(f"API at http://{shown}:{bound}/api/v1 (docs: http://{shown}:{bound}/docs)")
    try:
        run(_serve(url, current, sock))
    finally:
        sock.close()
    info("stopped")
    raise typer.Exit(0)
