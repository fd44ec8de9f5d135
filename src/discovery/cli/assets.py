"""``discovery assets export``."""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import command_group, fail, info, ready_database_url, run, with_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from discovery.assets.export import ExportFormat

assets_app = command_group("The asset inventory.")


@assets_app.command("export")
def export_command(
    client: str = typer.Option(..., help="Client account name."),
    engagement: str = typer.Option(..., help="Engagement name."),
    flow: uuid.UUID | None = typer.Option(None, help="Only assets of this master flow."),
    file_format: str = typer.Option("csv", "--format", help="csv, xlsx or json."),
    output: Path | None = typer.Option(None, help="File to write; stdout when omitted."),
) -> None:
    """Write the inventory: canonical fields, custom attributes and lineage."""
    from discovery.assets.export import ExportScope, export_assets
    from discovery.tenancy.service import TenancyError, resolve_tenant

    if file_format not in ("csv", "xlsx", "json"):
        fail(f"--format must be csv, xlsx or json, not {file_format!r}")
    if file_format == "xlsx" and output is None:
        fail("an XLSX export needs --output PATH")
    chosen: ExportFormat = file_format  # type: ignore[assignment]
    url = ready_database_url()
    target = output or Path(tempfile.mkstemp(suffix=f".{file_format}")[1])

    async def export(session: AsyncSession) -> int:
        client_id, engagement_id = await resolve_tenant(session, client, engagement)
        scope = ExportScope(client_id, engagement_id, flow)
        return await export_assets(session, scope, target, chosen)

    try:
        count = run(with_session(url, export))
    except TenancyError as exc:
        fail(str(exc))
    if output is None:
        with target.open("r", encoding="utf-8") as handle:
            for line in handle:
                sys.stdout.write(line)
        target.unlink()
    else:
        info(f"wrote {count:,} asset(s) to {output}")
