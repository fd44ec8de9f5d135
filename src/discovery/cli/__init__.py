"""The ``discovery`` command line."""

from __future__ import annotations

import logging

import typer

from discovery.cli import assets, db, flows, health, mappings, serve, tenants

app = typer.Typer(
    help="Discovery flow service: inventory exports in, a clean wired asset inventory out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(tenants.tenants_app, name="tenants")
app.add_typer(tenants.users_app, name="users")
app.add_typer(flows.flows_app, name="flows")
app.add_typer(assets.assets_app, name="assets")
app.add_typer(mappings.mappings_app, name="mappings")
app.command("serve")(serve.serve)
app.command("run")(flows.run_command)
app.command("worker")(flows.worker_command)
app.command("health")(health.health_command)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
