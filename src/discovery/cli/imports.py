"""``discovery imports``: list, delete and re-run imports."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import typer

from discovery.cli.common import (
    command_group,
    fail,
    info,
    ready_database_url,
    run,
    settings,
    with_session,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from discovery.imports.deletion import DeletedImport
    from discovery.imports.models import DataImport
    from discovery.tenancy.context import Tenant

imports_app = command_group("Imports: delete them, or run them again.")


async def _find(session: AsyncSession, import_id: uuid.UUID) -> tuple[DataImport, Tenant]:
    from discovery.imports.models import DataImport
    from discovery.tenancy.context import Tenant

    data_import = await session.get(DataImport, import_id)
    if data_import is None:
        fail(f"import {import_id} does not exist")
    return data_import, Tenant(data_import.client_account_id, data_import.engagement_id)


def _what(deleted: DeletedImport) -> str:
    return (
        f"{deleted.raw_rows_deleted:,} raw row(s), {deleted.assets_deleted:,} asset(s) only "
        f"this import created, and its flow; {deleted.assets_kept:,} asset(s) other imports "
        "also touched are kept"
    )


@imports_app.command("delete")
def delete_command(
    import_id: uuid.UUID = typer.Argument(..., help="Import id (see `discovery flows list`)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Delete without asking."),
) -> None:
    """Delete an import: its raw rows, its flow, its stored file and the assets only it
    created. Shows what it will remove and asks first."""
    from discovery.imports import deletion
    from discovery.imports.storage import remove_stored

    url = ready_database_url()

    async def preview(session: AsyncSession) -> tuple[str, DeletedImport]:
        data_import, tenant = await _find(session, import_id)
        return data_import.file_name, await deletion.preview_deletion(session, tenant, import_id)

    async def delete(session: AsyncSession) -> DeletedImport:
        _, tenant = await _find(session, import_id)
        return await deletion.delete_import(session, tenant, import_id)

    try:
        file_name, planned = run(with_session(url, preview))
        info(f"deleting import {import_id} ({file_name}) removes {_what(planned)}")
        if not yes and not typer.confirm("Delete it?", default=False, err=True):
            fail("nothing deleted")
        deleted = run(with_session(url, delete))
    except deletion.ImportBusyError as exc:
        fail(str(exc))
    remove_stored(deleted.stored_file_path)
    typer.echo(f"deleted import {import_id}: {_what(deleted)}")


@imports_app.command("rerun")
def rerun_command(
    import_id: uuid.UUID = typer.Argument(..., help="Import id."),
    wait: bool = typer.Option(True, help="Run the new flow here and wait for it."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Start a new flow from the same stored upload (while retention still keeps it),
    with the same sheet and options, and print its summary."""
    from discovery.cli.flows import drive_flow, exit_code, print_summary
    from discovery.cli.progress import ProgressLine
    from discovery.flows import control

    url = ready_database_url()
    current = settings()

    async def rerun(session: AsyncSession) -> uuid.UUID:
        data_import, _ = await _find(session, import_id)
        flow = await control.rerun_import(
            session,
            data_import,
            uploads_dir=current.uploads_dir,
            max_bytes=current.max_upload_bytes,
            user_id=None,
        )
        return flow.master_flow_id

    try:
        flow_id = run(with_session(url, rerun))
    except control.StoredFileGoneError as exc:
        fail(str(exc))
    if not wait:
        typer.echo(str(flow_id))
        info(f"started; follow it with: discovery flows show {flow_id}")
        return
    summary = run(drive_flow(url, current, flow_id, ProgressLine()))
    print_summary(summary, as_json)
    raise typer.Exit(exit_code(summary))
