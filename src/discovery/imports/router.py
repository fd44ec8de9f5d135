"""``/api/v1/unified-discovery/imports``: upload (and dry-run) files, follow and delete imports."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from discovery.api.deps import (
    MAX_OFFSET,
    Admin,
    Analyst,
    FactoryDep,
    SessionDep,
    SettingsDep,
    Viewer,
)
from discovery.api.downloads import attachment
from discovery.api.errors import ApiError, documented
from discovery.assets.reconcile import MatchOrderError, validate_match_order
from discovery.core.database import unit_of_work
from discovery.core.settings import Settings
from discovery.flows import control
from discovery.flows.models import DiscoveryFlow
from discovery.imports.deletion import ImportBusyError, delete_import
from discovery.imports.dry_run import dry_run
from discovery.imports.error_report import error_rows_csv
from discovery.imports.models import DataImport
from discovery.imports.readers import UnreadableFileError
from discovery.imports.schemas import (
    MULTIPART_BODY,
    ImportCounters,
    ImportDeleted,
    ImportList,
    ImportOut,
    ImportStarted,
    ImportWarning,
    PreviewCounts,
    PreviewOut,
    SuggestedMapping,
)
from discovery.imports.service import get_import, read_limits
from discovery.imports.storage import remove_stored
from discovery.imports.upload import (
    EmptyFileError,
    MissingFileError,
    NotMultipartError,
    ReceivedUpload,
    UnsupportedFileError,
    UploadError,
    UploadTooLargeError,
    receive_request_upload,
)
from discovery.tenancy.context import RequestContext
from discovery.tenancy.row_security import tenant_factory

logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/imports",
    tags=["imports"],
    responses=documented(400, 401, 403, 404, 422),
)

UPLOAD_ERRORS = documented(409, 413, 415)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Retrying an upload with the same key returns the first import.",
    ),
]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class UploadOptions:
    sheet: str | None
    auto_approve: bool
    match_keys: tuple[str, ...] | None

    def stored(self) -> dict[str, Any]:
        options: dict[str, Any] = {"auto_approve": self.auto_approve}
        if self.match_keys:
            options["match_keys"] = list(self.match_keys)
        return options


def _invalid_field(name: str, message: str) -> ApiError:
    return ApiError(
        422,
        f"invalid request: body.{name}: {message}",
        details=[{"loc": ["body", name], "message": message, "type": "value_error"}],
    )


def parse_options(fields: dict[str, str]) -> UploadOptions:
    for name, value in fields.items():
        if "\x00" in value:
            raise _invalid_field(name, "must not contain NUL characters")
    flag = fields.get("auto_approve", "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise _invalid_field("auto_approve", "must be true or false")
    keys = [key.strip() for key in fields.get("match_keys", "").split(",") if key.strip()]
    try:
        order = validate_match_order(keys) if keys else None
    except MatchOrderError as exc:
        raise _invalid_field("match_keys", str(exc)) from None
    sheet = fields.get("sheet", "").strip() or None
    return UploadOptions(sheet=sheet, auto_approve=flag in _TRUE, match_keys=order)


async def _receive(request: Request, settings: Settings) -> ReceivedUpload:
    try:
        return await receive_request_upload(request, settings)
    except UploadTooLargeError as exc:
        raise ApiError(413, str(exc)) from None
    except (UnsupportedFileError, NotMultipartError) as exc:
        raise ApiError(415, str(exc)) from None
    except (MissingFileError, EmptyFileError) as exc:
        raise _invalid_field("file", str(exc)) from None
    except UploadError as exc:
        raise ApiError(400, str(exc)) from None


async def _discard(upload: ReceivedUpload) -> None:
    await asyncio.to_thread(upload.remove)


@router.post(
    "",
    status_code=202,
    response_model=ImportStarted,
    openapi_extra={"requestBody": MULTIPART_BODY},
    responses=UPLOAD_ERRORS,
)
async def upload_import(
    request: Request,
    context: Analyst,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ImportStarted:
    """Upload a file (multipart field ``file``) and start its discovery flow.

    The flow runs in the background; poll ``GET …/flows/{master_flow_id}``. Without
    ``auto_approve`` it stops at ``waiting_for_approval`` for a review of its mappings.
    """
    upload = await _receive(request, settings)
    try:
        options = parse_options(upload.fields)

        async def start() -> DiscoveryFlow:
            return await control.start_from_file(
                session,
                client_account_id=context.client_account_id,
                engagement_id=context.engagement_id,
                source=upload.path,
                file_name=upload.file_name,
                uploads_dir=settings.uploads_dir,
                max_bytes=settings.max_upload_bytes,
                user_id=context.user_id,
                sheet=options.sheet,
                options=options.stored(),
                idempotency_key=idempotency_key,
                received_sha256=upload.sha256,
            )

        if idempotency_key:
            started = await control.start_idempotently(
                session,
                tenant=context.tenant,
                idempotency_key=idempotency_key,
                sha256=upload.sha256,
                start=start,
            )
        else:
            started = control.Started(await start(), created=True)
    finally:
        await _discard(upload)
    flow = started.flow
    data_import = await session.get(DataImport, flow.data_import_id)
    assert data_import is not None
    return ImportStarted(
        data_import_id=data_import.id,
        master_flow_id=flow.master_flow_id,
        status=flow.status,
        import_status=data_import.status,
        idempotent_replay=not started.created,
    )


@router.post(
    "/preview",
    response_model=PreviewOut,
    openapi_extra={"requestBody": MULTIPART_BODY},
    responses=UPLOAD_ERRORS,
)
async def preview_import(
    request: Request, context: Analyst, session: SessionDep, settings: SettingsDep
) -> PreviewOut:
    """Dry run: what importing this file would do (mappings, and which rows would create,
    update, leave unchanged or be rejected). Nothing is written."""
    upload = await _receive(request, settings)
    try:
        options = parse_options(upload.fields)
        limits = read_limits(settings)
        try:
            result = await dry_run(
                session,
                context.tenant,
                upload.path,
                file_name=upload.file_name,
                sheet=options.sheet,
                match_order=validate_match_order(options.match_keys),
                limits=limits,
            )
        except UnreadableFileError as exc:
            raise _invalid_field("file", str(exc)) from None
    finally:
        await _discard(upload)
    report = result.report
    return PreviewOut(
        file_name=upload.file_name,
        file_format=result.file_format,
        sheet_name=result.sheet_name,
        detected_format=result.mapping.detected_format,
        rows_previewed=result.rows_previewed,
        truncated=result.truncated,
        blank_rows_skipped=result.blank_rows_skipped,
        counts=PreviewCounts(**report.counts),
        rows_with_value_errors=report.rows_with_value_errors,
        duplicates_in_file=report.duplicates_in_file,
        field_mappings=[
            SuggestedMapping(
                source_field=s.source_field,
                target_field=s.target_field,
                confidence=s.confidence,
                match_type=s.match_type,
                unit=s.unit,
                reason=s.reason,
                priority=s.priority,
            )
            for s in result.mapping.suggestions
        ],
        examples=report.examples,
    )


def _import_out(data_import: DataImport, flow: DiscoveryFlow | None) -> ImportOut:
    return ImportOut(
        id=data_import.id,
        file_name=data_import.file_name,
        file_format=data_import.file_format,
        sheet_name=data_import.sheet_name,
        status=data_import.status,
        error_message=data_import.error_message,
        warnings=[ImportWarning.model_validate(w) for w in data_import.warnings],
        counters=ImportCounters.model_validate(data_import, from_attributes=True),
        master_flow_id=flow.master_flow_id if flow else None,
        flow_status=flow.status if flow else None,
        idempotency_key=data_import.idempotency_key,
        created_at=data_import.created_at,
        started_at=data_import.started_at,
        completed_at=data_import.completed_at,
    )


@router.get("", response_model=ImportList)
async def list_imports(
    context: Viewer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ImportList:
    """The engagement's imports, newest first."""
    result = await session.execute(
        select(DataImport, DiscoveryFlow)
        .outerjoin(DiscoveryFlow, DiscoveryFlow.data_import_id == DataImport.id)
        .where(
            DataImport.client_account_id == context.client_account_id,
            DataImport.engagement_id == context.engagement_id,
        )
        .order_by(DataImport.created_at.desc(), DataImport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return ImportList(data=[_import_out(data_import, flow) for data_import, flow in result.all()])


async def _tenant_import(
    session: SessionDep, context: RequestContext, import_id: uuid.UUID
) -> DataImport:
    data_import = await get_import(session, context.tenant, import_id)
    if data_import is None:
        raise ApiError(404, f"import {import_id} does not exist")
    return data_import


@router.get("/{import_id}", response_model=ImportOut)
async def get_import_status(
    import_id: uuid.UUID, context: Viewer, session: SessionDep
) -> ImportOut:
    """An import's status and counters."""
    data_import = await _tenant_import(session, context, import_id)
    flow = await session.scalar(
        select(DiscoveryFlow).where(DiscoveryFlow.data_import_id == data_import.id)
    )
    return _import_out(data_import, flow)


@router.get(
    "/{import_id}/errors",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_errors(
    import_id: uuid.UUID, context: Viewer, session: SessionDep, factory: FactoryDep
) -> StreamingResponse:
    """Every invalid or partly invalid row as CSV: ``row_number``, the original values and
    ``errors``. Fix the values and upload the file again."""
    data_import = await _tenant_import(session, context, import_id)

    async def body() -> AsyncIterator[bytes]:
        async with unit_of_work(tenant_factory(factory, context.tenant)) as stream_session:
            async for text in error_rows_csv(stream_session, data_import):
                yield text.encode("utf-8")

    stem = data_import.file_name.rsplit(".", 1)[0] or "import"
    return StreamingResponse(
        body(), media_type="text/csv; charset=utf-8", headers=attachment(f"{stem}-errors.csv")
    )


@router.delete("/{import_id}", response_model=ImportDeleted, responses=documented(409))
async def remove_import(
    import_id: uuid.UUID, context: Admin, session: SessionDep, background: BackgroundTasks
) -> ImportDeleted:
    """Delete an import, its raw rows, its flow and the assets only it created; assets
    other imports also touched are kept (and re-pointed to their remaining source rows)."""
    try:
        deleted = await delete_import(session, context.tenant, import_id)
    except ImportBusyError as exc:
        raise ApiError(409, str(exc)) from None
    # After the response, so after the commit: a rolled-back delete keeps its file.
    background.add_task(remove_stored, deleted.stored_file_path)
    logger.info(
        "import %s deleted by %s: %d asset(s) deleted, %d kept",
        import_id,
        context.user_id,
        deleted.assets_deleted,
        deleted.assets_kept,
    )
    return ImportDeleted(
        data_import_id=deleted.data_import_id,
        master_flow_id=deleted.master_flow_id,
        raw_rows_deleted=deleted.raw_rows_deleted,
        assets_deleted=deleted.assets_deleted,
        assets_kept=deleted.assets_kept,
    )
