"""The ``discovery`` command line."""

from __future__ import annotations

import logging

import typer

from discovery.cli import db, serve, tenants

app = typer.Typer(
    help="Discovery flow service: inventory exports in, a clean wired asset inventory out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(tenants.tenants_app, name="tenants")
app.add_typer(tenants.users_app, name="users")
app.command("serve")(serve.serve)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
