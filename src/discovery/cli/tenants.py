"""``discovery tenants`` and ``discovery users``: set up who may see what."""

from __future__ import annotations

import typer

from discovery.cli.common import fail, info, ready_database_url, run, with_session
from discovery.core.security import WeakPasswordError
from discovery.tenancy import service
from discovery.tenancy.models import Role

tenants_app = typer.Typer(help="Client accounts and their engagements.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their access.", no_args_is_help=True)


def _report(kind: str, name: str, created: service.Created) -> None:
    typer.echo(str(created.id))
    if not created.created:
        info(f"{kind} {name!r} already exists; nothing changed")


@tenants_app.command("create-client")
def create_client(name: str = typer.Argument(..., help="Client account name.")) -> None:
    """Create a client account and print its id."""
    url = ready_database_url()
    try:
        created = run(with_session(url, lambda s: service.create_client_account(s, name)))
    except service.TenancyError as exc:
        fail(str(exc))
    _report("client account", name, created)


@tenants_app.command("create-engagement")
def create_engagement(
    client: str = typer.Argument(..., help="Name of the client account."),
    name: str = typer.Argument(..., help="Engagement name."),
) -> None:
    """Create an engagement in a client account and print its id."""
    url = ready_database_url()
    try:
        created = run(with_session(url, lambda s: service.create_engagement(s, client, name)))
    except service.TenancyError as exc:
        fail(str(exc))
    _report("engagement", f"{client} / {name}", created)


def _ask_password() -> str:
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


@users_app.command("create")
def create_user(
    email: str = typer.Argument(..., help="The user's e-mail address (their login)."),
    password: str | None = typer.Option(None, help="Password; asked for (hidden) when not given."),
    platform_admin: bool = typer.Option(
        False, "--platform-admin", help="May see and manage every tenant."
    ),
    client: str | None = typer.Option(None, help="Client account to make the user a member of."),
    role: Role | None = typer.Option(None, help="Role in that client account."),
) -> None:
    """Create a user and print their id."""
    if (client is None) != (role is None):
        fail("--client and --role go together")
    url = ready_database_url()
    secret = password if password is not None else _ask_password()
    try:
        user_id = run(
            with_session(
                url,
                lambda s: service.create_user(
                    s,
                    email,
                    secret,
                    platform_admin=platform_admin,
                    client_name=client,
                    role=role,
                ),
            )
        )
    except (service.TenancyError, WeakPasswordError) as exc:
        fail(str(exc))
    typer.echo(str(user_id))
