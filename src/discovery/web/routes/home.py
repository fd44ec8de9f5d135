"""The start page: what to do, step by step, and the engagement's latest flows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.flows.models import FlowStatus
from discovery.flows.router import list_flows
from discovery.web.deps import WebPage, render
from discovery.web.progress import STATUS_LABELS

router = APIRouter()


@router.get("/")
async def home(request: Request, page: WebPage, session: SessionDep) -> Response:
    flows = await list_flows(page.context, session, status=None, limit=10, offset=0)
    waiting = [f for f in flows.data if f.status == FlowStatus.WAITING_FOR_APPROVAL]
    return render(
        request,
        "home.html",
        {"flows": flows.data, "waiting": waiting, "labels": STATUS_LABELS},
        page=page,
    )
