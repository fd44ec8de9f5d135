"""Imports: upload a file (drag and drop, with progress), and the list of past imports."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from starlette.responses import JSONResponse, Response

from discovery.api.deps import FactoryDep, SessionDep, SettingsDep, SigningKeyDep
from discovery.api.errors import ApiError
from discovery.assets.reconcile import MATCH_KEYS
from discovery.flows import control
from discovery.imports import deletion
from discovery.imports.models import DataImport
from discovery.imports.router import import_errors, list_imports, parse_options
from discovery.imports.service import get_import
from discovery.imports.storage import remove_stored
from discovery.imports.upload import UploadError, UploadTooLargeError, receive_request_upload
from discovery.tenancy.models import Role
from discovery.web import security
from discovery.web.deps import PageError, WebPage, parse_uuid, render
from discovery.web.deps import redirect as go
from discovery.web.forms import CsrfChecked

logger = logging.getLogger(__name__)

router = APIRouter()

EXPIRED = "This page has expired; reload it and try again."
ACCEPT = ".csv,.tsv,.txt,.json,.xlsx,.xlsm"


def sentence(message: str) -> str:
    """A message as a sentence: capital first letter, final full stop."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


@router.get("/imports")
async def imports_page(request: Request, page: WebPage, session: SessionDep) -> Response:
    listed = await list_imports(page.context, session, limit=50, offset=0)
    return render(
        request,
        "imports.html",
        {
            "imports": listed.data,
            "accept": ACCEPT,
            "can_upload": page.allows(Role.ANALYST),
            "can_delete": page.allows(Role.ADMIN),
            "match_keys": MATCH_KEYS,
        },
        page=page,
    )


def _wants_json(request: Request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _upload_failed(request: Request, message: str, status_code: int) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status_code)
    return go(request, "/imports", flash=message, kind="error")


async def _header_csrf(request: Request, key: SigningKeyDep) -> None:
    """Checked before anything else when the script sends the token as a header; a plain
    form sends it in the body, checked once the body is read."""
    sent = request.headers.get(security.CSRF_HEADER)
    if sent is not None and not security.csrf_valid(request, key, sent):
        raise PageError(403, EXPIRED)


@router.post("/imports/upload", dependencies=[Depends(_header_csrf)])
async def upload(
    request: Request,
    page: WebPage,
    session: SessionDep,
    settings: SettingsDep,
    key: SigningKeyDep,
) -> Response:
    """The same upload as ``POST /api/v1/unified-discovery/imports``: streamed to disk,
    checked, then the import and its flow are created by the same service call."""
    header_token = request.headers.get(security.CSRF_HEADER)
    if not page.allows(Role.ANALYST):
        return _upload_failed(
            request, f"Uploading needs the analyst role; yours is {page.context.role.value}.", 403
        )
    try:
        received = await receive_request_upload(request, settings)
    except UploadError as exc:
        status = 413 if isinstance(exc, UploadTooLargeError) else 400
        return _upload_failed(request, sentence(str(exc)), status)
    try:
        if header_token is None and not security.csrf_valid(
            request, key, received.fields.get(security.CSRF_FIELD)
        ):
            return _upload_failed(request, EXPIRED, 403)
        chosen = [key for key in MATCH_KEYS if received.fields.get(f"match_key_{key}")]
        fields = {"sheet": received.fields.get("sheet", "")}
        # A form without the match-key boxes (a script, an older page) gets the standard
        # order; the page's own form says it showed them, so unticking all is an error.
        offered = received.fields.get("match_keys_offered") == "1"
        if offered and len(chosen) != len(MATCH_KEYS):  # all ticked: the standard order
            if not chosen:
                return _upload_failed(request, "Tick at least one way to match assets.", 400)
            fields["match_keys"] = ",".join(chosen)
        try:
            options = parse_options(fields)
        except ApiError as exc:
            return _upload_failed(request, sentence(exc.message), 400)
        flow = await control.start_from_file(
            session,
            client_account_id=page.context.client_account_id,
            engagement_id=page.context.engagement_id,
            source=received.path,
            file_name=received.file_name,
            uploads_dir=settings.uploads_dir,
            max_bytes=settings.max_upload_bytes,
            user_id=page.context.user_id,
            sheet=options.sheet,
            options=options.stored(),
            received_sha256=received.sha256,
        )
    finally:
        await asyncio.to_thread(received.remove)
    target = f"/flows/{flow.master_flow_id}"
    if _wants_json(request):
        return JSONResponse({"redirect": target, "master_flow_id": str(flow.master_flow_id)})
    return go(request, target, flash=f"{received.file_name} uploaded.", kind="success")


@router.get("/imports/{import_id}/errors.csv")
async def errors_csv(
    import_id: str, page: WebPage, session: SessionDep, factory: FactoryDep
) -> Response:
    """The API's own errors CSV (the same function answers both)."""
    try:
        return await import_errors(parse_uuid(import_id, "import"), page.context, session, factory)
    except ApiError as exc:
        raise PageError(exc.status_code, sentence(exc.message)) from None


async def _page_import(session: SessionDep, page: WebPage, import_id: str) -> DataImport:
    data_import = await get_import(session, page.context.tenant, parse_uuid(import_id, "import"))
    if data_import is None:
        raise PageError(404, "There is no such import in this engagement.")
    return data_import


@router.get("/imports/{import_id}/delete")
async def confirm_delete(
    request: Request, import_id: str, page: WebPage, session: SessionDep
) -> Response:
    """What deleting the import removes (computed by the deletion itself, rolled back)."""
    page.require(Role.ADMIN)
    data_import = await _page_import(session, page, import_id)
    busy = None
    try:
        planned = await deletion.preview_deletion(session, page.context.tenant, data_import.id)
    except deletion.ImportBusyError as exc:
        planned, busy = None, sentence(str(exc))
    return render(
        request,
        "import_delete.html",
        {"data_import": data_import, "planned": planned, "busy": busy},
        page=page,
    )


@router.post("/imports/{import_id}/delete", dependencies=[CsrfChecked])
async def delete(
    request: Request,
    import_id: str,
    page: WebPage,
    session: SessionDep,
    background: BackgroundTasks,
) -> Response:
    page.require(Role.ADMIN)
    data_import = await _page_import(session, page, import_id)
    name = data_import.file_name
    try:
        deleted = await deletion.delete_import(session, page.context.tenant, data_import.id)
    except deletion.ImportBusyError as exc:
        return go(request, f"/imports/{import_id}/delete", flash=sentence(str(exc)), kind="error")
    # After the response, so after the commit: a rolled-back delete keeps its file.
    background.add_task(remove_stored, deleted.stored_file_path)
    logger.info(
        "import %s deleted by %s in the web UI", deleted.data_import_id, page.context.user_id
    )
    return go(
        request,
        "/imports",
        flash=f"{name} deleted: {deleted.raw_rows_deleted} raw rows and "
        f"{deleted.assets_deleted} assets removed, {deleted.assets_kept} assets kept.",
        kind="success",
    )


@router.post("/imports/{import_id}/rerun", dependencies=[CsrfChecked])
async def rerun(
    request: Request, import_id: str, page: WebPage, session: SessionDep, settings: SettingsDep
) -> Response:
    """A new flow from the same stored upload, while retention keeps it."""
    page.require(Role.ANALYST)
    data_import = await _page_import(session, page, import_id)
    try:
        flow = await control.rerun_import(
            session,
            data_import,
            uploads_dir=settings.uploads_dir,
            max_bytes=settings.max_upload_bytes,
            user_id=page.context.user_id,
        )
    except control.StoredFileGoneError as exc:
        return go(request, "/imports", flash=str(exc), kind="error")
    return go(
        request,
        f"/flows/{flow.master_flow_id}",
        flash=f"{data_import.file_name} is running again as a new flow.",
        kind="success",
    )
