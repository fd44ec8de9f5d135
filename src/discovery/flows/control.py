"""What people do to a flow: start it from a file, approve its mappings, pause, resume,
cancel. Functions flush; the caller owns the transaction (and so the enqueued job)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows import service
from discovery.flows.models import DiscoveryFlow, FlowStatus, Phase
from discovery.flows.queue import enqueue_phase
from discovery.imports import service as imports
from discovery.imports.models import DataImport, ImportStatus
from discovery.imports.retention import deleted_file_message
from discovery.mapping import service as mapping
from discovery.tenancy.context import Tenant


class FlowStateError(ValueError):
    """The flow is not in a state that allows this action; the message says why."""


class IdempotencyConflictError(ValueError):
    """An idempotency key already stands for an upload of a different file."""


@dataclass(frozen=True)
class Started:
    flow: DiscoveryFlow
    created: bool  # False: an earlier upload with the same idempotency key


async def start_idempotently(
    session: AsyncSession,
    *,
    tenant: Tenant,
    idempotency_key: str,
    sha256: str,
    start: Callable[[], Awaitable[DiscoveryFlow]],
) -> Started:
    """Run ``start`` once per (tenant, key): a retry finds the first upload's flow.

    A transaction-scoped advisory lock on the key makes a concurrent retry wait for the
    first attempt to commit (the unique index is the backstop). Reusing a key for a
    different file is refused.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"upload:{tenant.client_account_id}:{tenant.engagement_id}:{idempotency_key}"},
    )
    existing = await imports.find_by_idempotency_key(session, tenant, idempotency_key)
    if existing is None:
        return Started(await start(), created=True)
    if existing.file_sha256 and existing.file_sha256 != sha256:
        raise IdempotencyConflictError(
            "this Idempotency-Key was already used for a different file; use a new key"
        )
    flow = await session.scalar(
        select(DiscoveryFlow).where(DiscoveryFlow.data_import_id == existing.id)
    )
    if flow is None:
        raise IdempotencyConflictError(
            "the import of this Idempotency-Key no longer has a flow; use a new key"
        )
    return Started(flow, created=False)


async def start_from_file(
    session: AsyncSession,
    *,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    source: Path,
    file_name: str | None,
    uploads_dir: Path,
    max_bytes: int,
    user_id: uuid.UUID | None = None,
    sheet: str | None = None,
    options: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    received_sha256: str | None = None,
) -> DiscoveryFlow:
    """Record the import and its flow, and queue the import phase, in one transaction.

    ``received_sha256``: ``source`` is an upload the service received and hashed; it is
    moved into the uploads directory rather than copied.
    """
    data_import = await imports.create_import(
        session,
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        source=source,
        file_name=file_name,
        uploads_dir=uploads_dir,
        max_bytes=max_bytes,
        user_id=user_id,
        sheet=sheet,
        options=options,
        idempotency_key=idempotency_key,
        received_sha256=received_sha256,
    )
    flow = await service.create_flow(
        session,
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        user_id=user_id,
        data_import_id=data_import.id,
        flow_name=data_import.file_name,
        configuration={"sheet": sheet, **(options or {})},
    )
    if data_import.status == ImportStatus.FAILED.value:
        await service.fail_phase(
            session, flow, Phase.DATA_IMPORT, data_import.error_message or "import failed"
        )
        return flow
    await service.set_status(session, flow, FlowStatus.RUNNING)
    await enqueue_phase(session, flow.id, Phase.DATA_IMPORT)
    return flow


async def approve_mappings(
    session: AsyncSession,
    flow: DiscoveryFlow,
    *,
    user_id: uuid.UUID | None,
    overrides: Mapping[str, str] | None = None,
    unmapped: set[str] | None = None,
    fallbacks: Mapping[str, Sequence[str]] | None = None,
) -> list[mapping.ApprovedMapping]:
    """Approve (with overrides and fallback columns) and resume a flow waiting for
    approval."""
    if flow.status != FlowStatus.WAITING_FOR_APPROVAL.value:
        raise FlowStateError(
            f"the flow is {flow.status}; mappings can be approved while it is waiting_for_approval"
        )
    if flow.data_import_id is None:
        raise FlowStateError("the flow has no import")
    suggested = {
        m.source_field: m.target_field
        for m in await mapping.import_mappings(session, flow.data_import_id)
    }
    approved = await mapping.approve(
        session,
        data_import_id=flow.data_import_id,
        client_account_id=flow.client_account_id,
        user_id=user_id,
        overrides=overrides,
        unmapped=unmapped,
        fallbacks=fallbacks,
    )
    flow.field_mappings = {
        **mapping.flow_field_mappings(approved, user_id, "reviewed"),
        "reviewer_changes": _mapping_changes(
            suggested, {m.source_field: m.target_field for m in approved}
        ),
    }
    await resume(session, flow)
    return approved


def _mapping_changes(
    suggested: dict[str, str | None], approved: dict[str, str | None]
) -> list[dict[str, str | None]]:
    """Columns whose approved field differs from the suggested one, in column order."""
    return [
        {"source_field": source, "suggested": target, "approved": approved.get(source)}
        for source, target in suggested.items()
        if approved.get(source) != target
    ]


async def resume(session: AsyncSession, flow: DiscoveryFlow) -> None:
    """Queue the flow's current phase again (after approval, a pause or a failure)."""
    resumable = {
        FlowStatus.WAITING_FOR_APPROVAL,
        FlowStatus.PAUSED,
        FlowStatus.FAILED,
        FlowStatus.RUNNING,
    }
    if FlowStatus(flow.status) not in resumable:
        raise FlowStateError(f"a {flow.status} flow cannot be resumed")
    if flow.status == FlowStatus.WAITING_FOR_APPROVAL.value and not flow.field_mappings.get(
        "mappings"
    ):
        raise FlowStateError("approve the field mappings first")
    phase = Phase(flow.current_phase or Phase.DATA_IMPORT.value)
    await service.set_status(session, flow, FlowStatus.RUNNING)
    await enqueue_phase(session, flow.id, phase)


async def pause(session: AsyncSession, flow: DiscoveryFlow) -> None:
    if flow.status != FlowStatus.RUNNING.value:
        raise FlowStateError(f"only a running flow can be paused; this one is {flow.status}")
    await service.set_status(session, flow, FlowStatus.PAUSED)


async def cancel(session: AsyncSession, flow: DiscoveryFlow) -> None:
    if FlowStatus(flow.status) in service.FINISHED | {FlowStatus.CANCELLED}:
        raise FlowStateError(f"a {flow.status} flow cannot be cancelled")
    await service.set_status(session, flow, FlowStatus.CANCELLED)


class StoredFileGoneError(ValueError):
    """The import's file is no longer kept (retention) or never was (a refused file)."""


async def rerun_import(
    session: AsyncSession,
    data_import: DataImport,
    *,
    uploads_dir: Path,
    max_bytes: int,
    user_id: uuid.UUID | None,
    options: dict[str, Any] | None = None,
) -> DiscoveryFlow:
    """A new import and flow from the stored upload of ``data_import`` (same sheet and
    options unless ``options`` replaces them); the earlier import stays as it is."""
    if not data_import.stored_file_path:
        if data_import.file_deleted_at is not None:
            raise StoredFileGoneError(deleted_file_message(data_import.file_deleted_at))
        raise StoredFileGoneError("This import has no stored file to run again.")
    source = Path(data_import.stored_file_path)
    if not await asyncio.to_thread(source.is_file):
        raise StoredFileGoneError("The stored file of this import is missing; upload it again.")
    return await start_from_file(
        session,
        client_account_id=data_import.client_account_id,
        engagement_id=data_import.engagement_id,
        source=source,
        file_name=data_import.file_name,
        uploads_dir=uploads_dir,
        max_bytes=max_bytes,
        user_id=user_id,
        sheet=data_import.sheet_name,
        options=dict(data_import.options) if options is None else options,
    )
