"""A flow: its progress (polled by the page while it runs), and retries of failed chunks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from discovery.api.deps import SessionDep
from discovery.api.errors import ApiError
from discovery.flows import service
from discovery.flows.models import DiscoveryFlow
from discovery.flows.router import flow_detail, retry_failed
from discovery.flows.summary import results_lines
from discovery.tenancy.models import Role
from discovery.web.deps import Page, PageError, WebPage, parse_uuid, render
from discovery.web.deps import redirect as go
from discovery.web.forms import CsrfChecked
from discovery.web.progress import snapshot

router = APIRouter()


async def tenant_flow(
    session: SessionDep, page: Page, flow_id: str, *, for_update: bool = False
) -> DiscoveryFlow:
    try:
        return await service.find_flow(
            session, parse_uuid(flow_id, "flow"), tenant=page.context.tenant, for_update=for_update
        )
    except service.FlowNotFoundError:
        raise PageError(404, "There is no such flow in this engagement.") from None


@router.get("/flows/{flow_id}")
async def flow_page(request: Request, flow_id: str, page: WebPage, session: SessionDep) -> Response:
    flow = await tenant_flow(session, page, flow_id)
    detail = await flow_detail(session, flow)
    return render(
        request,
        "flow.html",
        {
            "flow": detail,
            "snap": snapshot(detail),
            "results_lines": results_lines(detail.results),
            "pending_chunks": [c for c in detail.dead_letter_chunks if c.reprocessed_at is None],
            "can_act": page.allows(Role.ANALYST),
        },
        page=page,
    )


@router.get("/flows/{flow_id}/status.json")
async def flow_status(flow_id: str, page: WebPage, session: SessionDep) -> Response:
    flow = await tenant_flow(session, page, flow_id)
    return JSONResponse(snapshot(await flow_detail(session, flow)))


@router.post("/flows/{flow_id}/retry", dependencies=[CsrfChecked])
async def retry(request: Request, flow_id: str, page: WebPage, session: SessionDep) -> Response:
    page.require(Role.ANALYST)
    flow = await tenant_flow(session, page, flow_id)
    try:
        queued = await retry_failed(flow.master_flow_id, page.context, session)
    except ApiError as exc:
        message = (
            "This flow has no failed chunks to retry." if exc.status_code == 409 else exc.message
        )
        return go(request, f"/flows/{flow.master_flow_id}", flash=message, kind="error")
    message = (
        f"Queued a retry of {queued.pending_chunks} failed chunk(s). Each shows as "
        "reprocessed below when it is done; reload the page to follow it."
        if queued.queued
        else "A retry of the failed chunks is already queued; reload the page to follow it."
    )
    return go(request, f"/flows/{flow.master_flow_id}", flash=message, kind="success")
