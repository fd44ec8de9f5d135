"""The ``discovery`` command line.

Every command module imports only ``typer`` and the standard library at the top; the
database, the web app and the flow engine load inside the command that uses them, so
``discovery --help`` and the quick commands start at once.
"""

from __future__ import annotations

import logging

from discovery.cli import assets, db, flows, health, imports, mappings, serve, tenants, users
from discovery.cli.common import command_group

app = command_group(
    "Discovery flow service: inventory exports in, a clean wired asset inventory out."
)
app.add_typer(db.app, name="db")
app.add_typer(tenants.tenants_app, name="tenants")
app.add_typer(users.users_app, name="users")
app.add_typer(flows.flows_app, name="flows")
app.add_typer(imports.imports_app, name="imports")
app.add_typer(assets.assets_app, name="assets")
app.add_typer(mappings.mappings_app, name="mappings")
# Short lines for the command list (click would cut the first sentence mid-line).
app.command("serve", short_help="Serve the web UI and the API with a flow worker.")(serve.serve)
app.command("run", short_help="Import a file and drive its flow to the end.")(flows.run_command)
app.command("worker", short_help="Run a standalone flow worker.")(flows.worker_command)
app.command("health", short_help="The wiring-health metrics of one engagement.")(
    health.health_command
)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
