"""The start page: what to do, step by step, and the engagement's latest flows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.flows import service
from discovery.flows.models import FlowStatus
from discovery.flows.router import list_flows
from discovery.flows.summary import flow_summary, results_lines
from discovery.web.deps import WebPage, render
from discovery.web.progress import STATUS_LABELS

router = APIRouter()


@router.get("/")
async def home(request: Request, page: WebPage, session: SessionDep) -> Response:
    flows = await list_flows(page.context, session, status=None, limit=10, offset=0)
    waiting = [f for f in flows.data if f.status == FlowStatus.WAITING_FOR_APPROVAL]
    latest = next((f for f in flows.data if f.status in service.FINISHED), None)
    results = None
    if latest is not None:
        flow = await service.find_flow(session, latest.master_flow_id, tenant=page.context.tenant)
        results = (await flow_summary(session, flow, with_health=False))["results"]
    return render(
        request,
        "home.html",
        {
            "flows": flows.data,
            "waiting": waiting,
            "labels": STATUS_LABELS,
            "latest": latest,
            "results": results,
            "results_lines": results_lines(results) if results else [],
        },
        page=page,
    )
