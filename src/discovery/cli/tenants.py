"""``discovery tenants``: client accounts and their engagements."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import command_group, fail, info, ready_database_url, run, with_session

if TYPE_CHECKING:
    from discovery.tenancy.service import Created

tenants_app = command_group("Client accounts and their engagements.")


def report_created(kind: str, name: str, created: Created) -> None:
    typer.echo(str(created.id))
    if not created.created:
        info(f"{kind} {name!r} already exists; nothing changed")


@tenants_app.command("create-client")
def create_client(name: str = typer.Argument(..., help="Client account name.")) -> None:
    """Create a client account and print its id."""
    from discovery.tenancy import service

    url = ready_database_url()
    try:
        created = run(with_session(url, lambda s: service.create_client_account(s, name)))
    except service.TenancyError as exc:
        fail(str(exc))
    report_created("client account", name, created)


@tenants_app.command("create-engagement")
def create_engagement(
    client: str = typer.Argument(..., help="Name of the client account."),
    name: str = typer.Argument(..., help="Engagement name."),
) -> None:
    """Create an engagement in a client account and print its id."""
    from discovery.tenancy import service

    url = ready_database_url()
    try:
        created = run(with_session(url, lambda s: service.create_engagement(s, client, name)))
    except service.TenancyError as exc:
        fail(str(exc))
    report_created("engagement", f"{client} / {name}", created)


@tenants_app.command("list")
def list_tenants(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array."),
) -> None:
    """List the client accounts with their engagements and number of members."""
    from discovery.tenancy import service

    url = ready_database_url()
    clients = run(with_session(url, service.list_clients))
    if as_json:
        shown = [
            {"id": str(c.id), "name": c.name, "engagements": c.engagements, "members": c.members}
            for c in clients
        ]
        typer.echo(json.dumps(shown, indent=2))
        return
    if not clients:
        info("no client accounts yet: discovery tenants create-client NAME")
    for client in clients:
        engagements = ", ".join(client.engagements) or "(no engagements)"
        typer.echo(f"{client.name}\t{client.members} member(s)\t{engagements}")
