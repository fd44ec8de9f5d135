"""``discovery mappings learned``: what a client account has learned, and forgetting it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from discovery.cli.common import command_group, fail, info, ready_database_url, run, with_session

if TYPE_CHECKING:  # the CLI starts without the database layers (imported per command)
    from sqlalchemy.ext.asyncio import AsyncSession

    from discovery.mapping.learned import Learned

mappings_app = command_group("Field mappings.")
learned_app = command_group(
    "Mappings learned from approvals, offered again in every engagement of the client."
)
mappings_app.add_typer(learned_app, name="learned")


def shown_target(item: Learned) -> str:
    return item.target_field or "(leave unmapped)"


@learned_app.command("list")
def list_command(client: str = typer.Option(..., help="Client account name.")) -> None:
    """List the client account's learned mappings with where each was learned."""
    from discovery.mapping.learned import list_learned
    from discovery.tenancy import service as tenancy

    url = ready_database_url()

    async def load(session: AsyncSession) -> list[Learned]:
        account = await tenancy.require_client(session, client)
        return await list_learned(session, account.id)

    try:
        learned = run(with_session(url, load))
    except tenancy.TenancyError as exc:
        fail(str(exc))
    if not learned:
        info(f"nothing learned yet for {client!r}")
    for item in learned:
        typer.echo(
            f"{item.id}  {item.source_field[:32]:<32} -> {shown_target(item):<24} {item.where}"
        )


@learned_app.command("forget")
def forget_command(
    column: str = typer.Argument(..., help="The learned mapping's id, or its column header."),
    client: str = typer.Option(..., help="Client account name."),
) -> None:
    """Forget a learned mapping: the column is suggested on its own merits again."""
    from discovery.mapping.learned import forget, list_learned
    from discovery.tenancy import service as tenancy

    url = ready_database_url()

    async def drop(session: AsyncSession) -> Learned | None:
        account = await tenancy.require_client(session, client)
        for item in await list_learned(session, account.id):
            if str(item.id) == column or item.source_field == column:
                await forget(session, account.id, item.id)
                return item
        return None

    try:
        gone = run(with_session(url, drop))
    except tenancy.TenancyError as exc:
        fail(str(exc))
    if gone is None:
        fail(f"no learned mapping {column!r} for {client!r}; see: discovery mappings learned list")
    typer.echo(f"forgot {gone.source_field!r} -> {shown_target(gone)} (learned in {gone.where})")
