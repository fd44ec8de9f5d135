"""The client account's learned mappings: where each came from, and forgetting one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.mapping.learned import forget, list_learned
from discovery.tenancy.models import Role
from discovery.web.deps import WebPage, parse_uuid, render
from discovery.web.deps import redirect as go
from discovery.web.forms import CsrfChecked
from discovery.web.labels import field_label

router = APIRouter()


@router.get("/mappings/learned")
async def learned_page(request: Request, page: WebPage, session: SessionDep) -> Response:
    return render(
        request,
        "learned.html",
        {
            "learned": await list_learned(session, page.context.client_account_id),
            "can_forget": page.allows(Role.ANALYST),
            "field_label": field_label,
        },
        page=page,
    )


@router.post("/mappings/learned/{learned_id}/forget", dependencies=[CsrfChecked])
async def forget_learned(
    request: Request, learned_id: str, page: WebPage, session: SessionDep
) -> Response:
    page.require(Role.ANALYST)
    found = await forget(
        session, page.context.client_account_id, parse_uuid(learned_id, "learned mapping")
    )
    if not found:
        return go(request, "/mappings/learned", flash="That mapping was already forgotten.")
    return go(
        request,
        "/mappings/learned",
        flash="Forgotten: the column is suggested on its own merits from the next import on.",
        kind="success",
    )
