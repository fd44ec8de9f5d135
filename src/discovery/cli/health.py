"""``discovery health``: the wiring-health metrics of one tenant."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import fail, ready_database_url, run, with_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from discovery.health.metrics import HealthReport


def health_command(
    client: str = typer.Option(..., help="Client account name."),
    engagement: str = typer.Option(..., help="Engagement name."),
    detail: bool = typer.Option(False, "--detail", help="Show up to 5 samples per problem."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Prove that nothing is orphaned or lost: every metric is 0 when healthy."""
    from discovery.health.metrics import Tenant, wiring_health
    from discovery.tenancy.service import TenancyError, resolve_tenant

    url = ready_database_url()

    async def check(session: AsyncSession) -> HealthReport:
        client_id, engagement_id = await resolve_tenant(session, client, engagement)
        return await wiring_health(session, Tenant(client_id, engagement_id), detail=detail)

    try:
        report = run(with_session(url, check))
    except TenancyError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        width = max(len(name) for name in report.metrics)
        for name, value in report.metrics.items():
            marker = "ok " if value == 0 else "!! "
            proof = report.proven_by.get(name, "counted")
            how = "counted" if proof == "counted" else f"proven by {proof}"
            typer.echo(f"{marker}{name:<{width}}  {value:>9,}  {how}")
            for sample in (report.samples or {}).get(name, []):
                typer.echo(f"      {sample['id']}  {sample['name']}  {sample['created_at']}")
        typer.echo(f"wiring health: {'healthy' if report.healthy else 'unhealthy'}")
    raise typer.Exit(0 if report.healthy else 1)
