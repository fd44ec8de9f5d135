"""``discovery users``: who may sign in, with which role in which client account.

``discovery users reset-password admin@localhost`` is the way back into a server whose
admin password is lost (``DISCOVERY_ADMIN_PASSWORD`` only applies when the first admin
is created).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import command_group, fail, ready_database_url, run, with_session
from discovery.tenancy.roles import Role

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

users_app = command_group("Users and their access.")


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
    from discovery.core.security import WeakPasswordError
    from discovery.tenancy import service

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


@users_app.command("list")
def list_users(
    client: str | None = typer.Option(None, help="Only the members of this client account."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array."),
) -> None:
    """List users: e-mail, status (active or disabled) and roles."""
    from discovery.tenancy import service

    url = ready_database_url()

    async def listed(session: AsyncSession) -> list[service.UserSummary]:
        client_id = (await service.require_client(session, client)).id if client else None
        return await service.list_users(session, client_account_id=client_id)

    try:
        users = run(with_session(url, listed))
    except service.TenancyError as exc:
        fail(str(exc))
    if as_json:
        shown = [
            {
                "id": str(u.id),
                "email": u.email,
                "is_platform_admin": u.is_platform_admin,
                "is_active": u.is_active,
                "roles": u.roles,
            }
            for u in users
        ]
        typer.echo(json.dumps(shown, indent=2))
        return
    for user in users:
        roles = [f"{name}: {role}" for name, role in user.roles.items()]
        if user.is_platform_admin:
            roles.insert(0, "platform admin")
        status = "active" if user.is_active else "disabled"
        typer.echo(f"{user.email}\t{status}\t{', '.join(roles) or '(no access)'}")


@users_app.command("set-role")
def set_role(
    email: str = typer.Argument(..., help="The user's e-mail address."),
    client: str = typer.Option(..., help="Client account name."),
    role: Role | None = typer.Option(None, help="The new role in that client account."),
    remove: bool = typer.Option(False, "--remove", help="Remove the user from the account."),
) -> None:
    """Set a user's role in a client account, or remove them from it."""
    from discovery.tenancy import service

    if (role is None) == (not remove):
        fail("give either --role ROLE or --remove")
    url = ready_database_url()
    try:
        run(with_session(url, lambda s: service.set_role(s, email, client, role)))
    except service.TenancyError as exc:
        fail(str(exc))
    done = f"removed from {client}" if role is None else f"{role.value} in {client}"
    typer.echo(f"{email}: {done}")


def _set_active(email: str, active: bool) -> None:
    from discovery.tenancy import service

    url = ready_database_url()

    async def change(session: AsyncSession) -> None:
        user = await service.require_user(session, email)
        if not active and user.is_platform_admin:
            await service.require_another_active_admin(session, user)
        await service.set_active(session, user, active)

    try:
        run(with_session(url, change))
    except service.TenancyError as exc:
        fail(str(exc))
    typer.echo(f"{email}: {'enabled' if active else 'disabled'}")


@users_app.command("disable")
def disable_user(email: str = typer.Argument(..., help="The user's e-mail address.")) -> None:
    """Stop a user from signing in (sessions and API tokens stop too)."""
    _set_active(email, False)


@users_app.command("enable")
def enable_user(email: str = typer.Argument(..., help="The user's e-mail address.")) -> None:
    """Let a disabled user sign in again."""
    _set_active(email, True)


@users_app.command("reset-password")
def reset_password(
    email: str = typer.Argument(..., help="The user's e-mail address."),
    password: str | None = typer.Option(
        None, help="The new password; when not given, one is generated and printed once."
    ),
) -> None:
    """Set a new password (and lift a sign-in lockout). The way back into a server:
    discovery users reset-password admin@localhost"""
    from discovery.auth.service import clear_sign_in_lockout
    from discovery.core.security import WeakPasswordError
    from discovery.tenancy import service

    url = ready_database_url()
    secret = password if password is not None else service.new_one_time_password()

    async def reset(session: AsyncSession) -> None:
        user = await service.require_user(session, email)
        await service.set_password(session, user, secret)
        await clear_sign_in_lockout(session, user.email)

    try:
        run(with_session(url, reset))
    except (service.TenancyError, WeakPasswordError) as exc:
        fail(str(exc))
    if password is None:
        typer.echo(secret)
        typer.echo(
            f"the new password of {email} (shown only this once; change it after signing in)",
            err=True,
        )
    else:
        typer.echo(f"{email}: password changed", err=True)
