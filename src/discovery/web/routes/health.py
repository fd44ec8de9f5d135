"""Wiring health: one tile per metric (samples on click), the cache's age, charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import FactoryDep, SessionDep
from discovery.health.metrics import COUNTED
from discovery.health.router import get_health_cache, wiring
from discovery.health.wording import describe
from discovery.tenancy.models import Role
from discovery.web.charts import asset_charts
from discovery.web.deps import Page, WebPage, render
from discovery.web.forms import CsrfChecked

router = APIRouter()


async def _health_page(
    request: Request, page: Page, session: SessionDep, factory: FactoryDep, *, refresh: bool
) -> Response:
    report = await wiring(
        page.context, factory, get_health_cache(request), detail=True, refresh=refresh
    )
    metrics: dict[str, int] = report["metrics"]
    samples = report.get("samples") or {}
    proven_by: dict[str, str] = report.get("proven_by") or {}
    return render(
        request,
        "health.html",
        {
            "report": report,
            "tiles": [
                {
                    "name": name,
                    "value": value,
                    "samples": samples.get(name, []),
                    "text": describe(name),
                    "proven_by": (
                        None if proven_by.get(name, COUNTED) == COUNTED else proven_by[name]
                    ),
                }
                for name, value in metrics.items()
            ],
            "charts": await asset_charts(session, page.context.tenant),
            "can_refresh": page.allows(Role.ADMIN),
            "refreshed": refresh,
        },
        page=page,
    )


@router.get("/health")
async def health_page(
    request: Request, page: WebPage, session: SessionDep, factory: FactoryDep
) -> Response:
    return await _health_page(request, page, session, factory, refresh=False)


@router.post("/health/refresh", dependencies=[CsrfChecked])
async def refresh_health(
    request: Request, page: WebPage, session: SessionDep, factory: FactoryDep
) -> Response:
    page.require(Role.ADMIN)
    return await _health_page(request, page, session, factory, refresh=True)
