"""``discovery run``, ``discovery flows …`` and ``discovery worker``."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from discovery.cli.progress import ProgressLine

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from discovery.core.settings import Settings

flows_app = command_group("Inspect and steer discovery flows.")

POLL_SECONDS = 0.3


async def _snapshot(
    factory: async_sessionmaker[AsyncSession], flow_id: uuid.UUID, *, with_health: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    from discovery.core.database import unit_of_work
    from discovery.flows import service
    from discovery.flows.summary import flow_summary

    async with unit_of_work(factory) as session:
        flow = await service.find_flow(session, flow_id)
        summary = await flow_summary(session, flow, with_health=with_health)
        return summary, dict(flow.phase_state)


async def drive_flow(
    url: str, current: Settings, flow_id: uuid.UUID, progress: ProgressLine
) -> dict[str, Any]:
    """Run an in-process worker until the flow rests; returns the final summary."""
    from discovery.core.database import create_engine, create_session_factory
    from discovery.flows import service
    from discovery.flows.jobs import run_worker
    from discovery.flows.models import FlowStatus

    engine = create_engine(url)
    factory = create_session_factory(engine)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(url, current, stop=stop, install_signal_handlers=False))
    try:
        while True:
            summary, phase_state = await _snapshot(factory, flow_id)
            progress.update(summary, phase_state)
            if FlowStatus(summary["status"]) in service.RESTING:
                # The wiring health once, at the end (not on every poll).
                summary, _ = await _snapshot(factory, flow_id, with_health=True)
                return summary
            if worker.done():
                worker.result()
                fail("the worker stopped unexpectedly")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        progress.close()
        stop.set()
        await worker
        await engine.dispose()


def print_summary(summary: dict[str, Any], as_json: bool) -> None:
    from discovery.flows.models import FlowStatus

    if as_json:
        typer.echo(json.dumps(summary, indent=2, sort_keys=True))
        return
    counters = summary["counters"]
    typer.echo(f"master flow   {summary['master_flow_id']}")
    typer.echo(f"import        {summary['data_import_id']} ({summary['file_name']})")
    typer.echo(f"status        {summary['status']} (phase {summary['current_phase']})")
    if counters:
        typer.echo(
            f"rows          {counters['total_rows']:,} read, "
            f"{counters['blank_rows_skipped']:,} blank skipped, "
            f"{counters['valid_rows']:,} valid, {counters['invalid_rows']:,} invalid"
        )
    for warning in summary["warnings"]:
        typer.echo(f"warning       {warning['message']}")
    _print_results(summary.get("results") or {})
    if summary["error"]:
        typer.echo(f"error         {summary['error']['phase']}: {summary['error']['message']}")
    if summary["field_mappings"]:
        typer.echo("field mappings:")
        for item in summary["field_mappings"]:
            target = _shown_target(item)
            confidence = item["confidence"]
            shown = f"{confidence:.2f}" if confidence and item["target_field"] else "  - "
            typer.echo(
                f"  {item['source_field'][:32]:<32} -> {target:<30} {shown} "
                f"{item['match_type'] or ''} [{item['status']}]"
            )
    mapping_phase = summary["phases"].get("field_mapping") or {}
    for item in mapping_phase.get("learned_not_applied", []):
        where = f" in {item['where']}" if item["where"] else ""
        typer.echo(
            f"learned, not applied: {item['source_field']!r} was left unmapped{where}; "
            "it is mapped on its own merits here (review the flow to unmap it)"
        )
    if summary["status"] == FlowStatus.WAITING_FOR_APPROVAL.value:
        info(
            "review the mappings, then: discovery flows approve "
            f"{summary['master_flow_id']} [--map SOURCE=TARGET] [--unmap SOURCE]"
            " [--fallback TARGET=SOURCE]"
        )


def _print_results(results: dict[str, Any]) -> None:
    from discovery.flows.summary import results_lines

    lines = results_lines(results)
    if not lines:
        return
    typer.echo("results:")
    for topic, sentence in lines:
        typer.echo(f"  {topic:<15} {sentence}")
    invalid = results.get("invalid_rows")
    if invalid and invalid["rows"]:
        typer.echo(f"  {'errors CSV':<15} GET {invalid['errors_api']}")


def _shown_target(item: dict[str, Any]) -> str:
    """``operating_system (fallback 2)``: a field fed by several columns shows each one's rank."""
    target = item["target_field"]
    if not target:
        return "(unmapped: kept as custom attribute)"
    priority = item.get("priority")
    if priority == 1:
        return f"{target} (primary)"
    if priority:
        return f"{target} (fallback {priority})"
    return str(target)


def exit_code(summary: dict[str, Any]) -> int:
    from discovery.flows.models import FlowStatus

    return 1 if summary["status"] in {FlowStatus.FAILED.value, FlowStatus.CANCELLED.value} else 0


def run_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    client: str = typer.Option(..., help="Client account name."),
    engagement: str = typer.Option(..., help="Engagement name."),
    sheet: str | None = typer.Option(None, help="Worksheet to read (XLSX)."),
    approve_mappings: bool = typer.Option(
        False, "--approve-mappings", help="Approve the suggested mappings and run to the end."
    ),
    match_keys: str | None = typer.Option(
        None,
        "--match-keys",
        help="Comma-separated fields that match rows to existing assets, in order"
        " (as the API's match_keys; default: the standard order).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Import FILE and drive its discovery flow, then print a summary.

    A file the upload would refuse (not CSV, XLSX or JSON, empty, or headers only) is
    refused here too, without recording an import."""
    from discovery.assets.reconcile import MatchOrderError, validate_match_order
    from discovery.flows import control
    from discovery.imports.readers import UnreadableFileError
    from discovery.imports.service import read_limits
    from discovery.imports.upload import UploadError, check_local_file
    from discovery.tenancy.service import TenancyError, resolve_tenant

    options: dict[str, Any] = {"auto_approve": approve_mappings}
    keys = [key.strip() for key in (match_keys or "").split(",") if key.strip()]
    if keys:
        try:
            options["match_keys"] = list(validate_match_order(keys))
        except MatchOrderError as exc:
            fail(f"--match-keys: {exc}")
    current = settings()
    try:
        check_local_file(file, read_limits(current), sheet)
    except (UploadError, UnreadableFileError) as exc:
        fail(f"{file.name}: {str(exc).rstrip('.')}; nothing was imported")
    url = ready_database_url()

    async def start(session: AsyncSession) -> uuid.UUID:
        client_id, engagement_id = await resolve_tenant(session, client, engagement)
        flow = await control.start_from_file(
            session,
            client_account_id=client_id,
            engagement_id=engagement_id,
            source=file,
            file_name=file.name,
            uploads_dir=current.uploads_dir,
            max_bytes=current.max_upload_bytes,
            sheet=sheet,
            options=options,
        )
        return flow.master_flow_id

    try:
        flow_id = run(with_session(url, start))
    except TenancyError as exc:
        fail(str(exc))
    summary = run(drive_flow(url, current, flow_id, ProgressLine()))
    print_summary(summary, as_json)
    raise typer.Exit(exit_code(summary))


def _parse_maps(values: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        source, sep, target = value.rpartition("=")
        if not sep or not source or not target:
            fail(f"--map takes SOURCE=TARGET, got {value!r}")
        parsed[source] = target.strip()
    return parsed


def _parse_fallbacks(values: list[str]) -> dict[str, list[str]]:
    """``TARGET=SOURCE`` options, in order: each adds the next fallback of TARGET; ``TARGET=``
    alone removes TARGET's fallbacks."""
    parsed: dict[str, list[str]] = {}
    for value in values:
        target, sep, source = value.partition("=")
        if not sep or not target.strip():
            fail(f"--fallback takes TARGET=SOURCE, got {value!r}")
        columns = parsed.setdefault(target.strip(), [])
        if source:
            columns.append(source)
    return parsed


@flows_app.command("approve")
def approve_command(
    flow_id: uuid.UUID = typer.Argument(..., help="Master flow id."),
    maps: list[str] = typer.Option(
        [], "--map", metavar="SOURCE=TARGET", help="Override: SOURCE=TARGET (repeatable)."
    ),
    unmaps: list[str] = typer.Option(
        [], "--unmap", metavar="SOURCE", help="Leave SOURCE unmapped (repeatable)."
    ),
    fallback_options: list[str] = typer.Option(
        [],
        "--fallback",
        metavar="TARGET=SOURCE",
        help="TARGET=SOURCE: SOURCE is the next fallback of TARGET, read where the columns"
        " before it are empty (repeatable, in order; replaces the suggested fallbacks of"
        " TARGET; TARGET= alone removes them).",
    ),
    wait: bool = typer.Option(True, help="Run the rest of the flow here and wait for it."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Approve a flow's field mappings (with overrides and fallbacks) and resume it."""
    from discovery.flows import control, service

    url = ready_database_url()
    current = settings()
    overrides = _parse_maps(maps)
    fallbacks = _parse_fallbacks(fallback_options)

    async def approve(session: AsyncSession) -> None:
        flow = await service.find_flow(session, flow_id)
        await control.approve_mappings(
            session,
            flow,
            user_id=None,
            overrides=overrides,
            unmapped=set(unmaps),
            fallbacks=fallbacks,
        )

    _steer(url, approve)
    _finish(url, current, flow_id, wait, as_json)


def _steer(url: str, action: Any) -> None:
    from discovery.flows import control, service

    try:
        run(with_session(url, action))
    except (service.FlowNotFoundError, control.FlowStateError, ValueError) as exc:
        fail(str(exc).strip("'\""))


def _finish(url: str, current: Settings, flow_id: uuid.UUID, wait: bool, as_json: bool) -> None:
    if wait:
        summary = run(drive_flow(url, current, flow_id, ProgressLine()))
    else:
        summary = run(_summary_only(url, flow_id))
    print_summary(summary, as_json)
    raise typer.Exit(exit_code(summary))


async def _summary_only(url: str, flow_id: uuid.UUID) -> dict[str, Any]:
    from discovery.core.database import create_engine, create_session_factory

    engine = create_engine(url)
    try:
        return (await _snapshot(create_session_factory(engine), flow_id, with_health=True))[0]
    finally:
        await engine.dispose()


@flows_app.command("show")
def show_command(
    flow_id: uuid.UUID = typer.Argument(..., help="Master flow id."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a flow's status, counters and mappings."""
    from discovery.flows import service

    url = ready_database_url()
    try:
        summary = run(_summary_only(url, flow_id))
    except service.FlowNotFoundError as exc:
        fail(str(exc).strip("'\""))
    print_summary(summary, as_json)


@flows_app.command("resume")
def resume_command(
    flow_id: uuid.UUID = typer.Argument(..., help="Master flow id."),
    wait: bool = typer.Option(True, help="Run the flow here and wait for it."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Resume a paused or failed flow from its current phase."""
    from discovery.flows import control, service

    url = ready_database_url()

    async def resume(session: AsyncSession) -> None:
        await control.resume(session, await service.find_flow(session, flow_id))

    _steer(url, resume)
    _finish(url, settings(), flow_id, wait, as_json)


@flows_app.command("pause")
def pause_command(flow_id: uuid.UUID = typer.Argument(..., help="Master flow id.")) -> None:
    """Pause a running flow after its current phase step."""
    from discovery.flows import control, service

    url = ready_database_url()

    async def pause(session: AsyncSession) -> None:
        await control.pause(session, await service.find_flow(session, flow_id))

    _steer(url, pause)
    info("paused")


@flows_app.command("cancel")
def cancel_command(flow_id: uuid.UUID = typer.Argument(..., help="Master flow id.")) -> None:
    """Cancel a flow; its data is kept."""
    from discovery.flows import control, service

    url = ready_database_url()

    async def cancel(session: AsyncSession) -> None:
        await control.cancel(session, await service.find_flow(session, flow_id))

    _steer(url, cancel)
    info("cancelled")


def worker_command(
    concurrency: int = typer.Option(1, min=1, max=64, help="Jobs run at the same time."),
) -> None:
    """Run a standalone worker for flow phases (any number, on any machine)."""
    from discovery.flows.jobs import run_worker

    url = ready_database_url()
    info(f"worker started (concurrency {concurrency}); Ctrl+C stops it")
    run(run_worker(url, settings(), concurrency=concurrency))


@flows_app.command("retry-failed")
def retry_failed_command(
    flow_id: uuid.UUID = typer.Argument(..., help="Master flow id."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Reprocess the flow's dead-lettered asset chunks here and now (the API and the web
    page queue the same work as a job); waits while a phase of the flow runs."""
    from discovery.core.database import create_engine, create_session_factory
    from discovery.flows import service
    from discovery.flows.dead_letter import retry_failed_chunks

    url = ready_database_url()
    current = settings()

    async def retry() -> dict[str, Any]:
        engine = create_engine(url)
        try:
            return await retry_failed_chunks(
                create_session_factory(engine), current, flow_id, database_url=url
            )
        finally:
            await engine.dispose()

    try:
        outcome = run(retry())
    except service.FlowNotFoundError as exc:
        fail(str(exc).strip("'\""))
    if as_json:
        typer.echo(json.dumps(outcome, indent=2, sort_keys=True))
    else:
        reprocessed = outcome["reprocessed"]
        typer.echo(
            f"reprocessed {reprocessed['chunks']} chunk(s): {reprocessed['linked']} row(s) "
            f"linked, {reprocessed['created']} asset(s) created"
        )
        for failure in outcome["still_failing"]:
            typer.echo(f"still failing: {failure}")
    raise typer.Exit(1 if outcome["still_failing"] else 0)


@flows_app.command("list")
def list_command(
    client: str = typer.Option(..., help="Client account name."),
    engagement: str = typer.Option(..., help="Engagement name."),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array."),
) -> None:
    """List an engagement's flows, newest first: id, status, phase, file and import."""
    from sqlalchemy import select

    from discovery.flows.models import DiscoveryFlow
    from discovery.imports.models import DataImport
    from discovery.tenancy.service import TenancyError, resolve_tenant

    url = ready_database_url()

    async def listed(session: AsyncSession) -> list[dict[str, Any]]:
        client_id, engagement_id = await resolve_tenant(session, client, engagement)
        rows = await session.execute(
            select(DiscoveryFlow, DataImport.file_name)
            .outerjoin(DataImport, DataImport.id == DiscoveryFlow.data_import_id)
            .where(
                DiscoveryFlow.client_account_id == client_id,
                DiscoveryFlow.engagement_id == engagement_id,
            )
            .order_by(DiscoveryFlow.created_at.desc(), DiscoveryFlow.id.desc())
            .limit(limit)
        )
        return [
            {
                "master_flow_id": str(flow.master_flow_id),
                "status": flow.status,
                "current_phase": flow.current_phase,
                "file_name": file_name,
                "data_import_id": str(flow.data_import_id) if flow.data_import_id else None,
                "created_at": flow.created_at.isoformat(),
            }
            for flow, file_name in rows.all()
        ]

    try:
        flows = run(with_session(url, listed))
    except TenancyError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(flows, indent=2))
        return
    if not flows:
        info(f"no flows yet in {client} / {engagement}")
    for flow in flows:
        typer.echo(
            f"{flow['master_flow_id']}\t{flow['status']}\t{flow['current_phase'] or '-'}"
            f"\t{flow['file_name'] or '-'}\t{flow['created_at'][:16]}"
        )
