"""The engagement's tech debt: flagged assets by severity and by product, with charts."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.assets.tech_debt_report import (
    SEVERITY_LABELS,
    earliest_end,
    products,
    tech_debt_report,
)
from discovery.web.charts import bar_chart
from discovery.web.deps import WebPage, render

router = APIRouter()
PRODUCTS_CHARTED = 12


@router.get("/tech-debt")
async def tech_debt_page(request: Request, page: WebPage, session: SessionDep) -> Response:
    report = await tech_debt_report(session, page.context.tenant)
    # Coloured by severity, as the badges are: red past end of support, amber ending soon.
    severity_chart = bar_chart(
        "Assets by severity",
        [(SEVERITY_LABELS[s], n) for s, n in report.by_severity.items()],
        [f"sev-{s}" for s in report.by_severity],
    )
    charted = report.by_product[:PRODUCTS_CHARTED]
    product_chart = bar_chart(
        "Assets by product",
        [(p.product, p.assets) for p in charted],
        [f"sev-{p.severity}" for p in charted],
    )
    return render(
        request,
        "tech_debt.html",
        {
            "report": report,
            "charts": [severity_chart, product_chart],
            "labels": SEVERITY_LABELS,
            "products": products,
            "earliest_end": earliest_end,
            "today": datetime.now(UTC).date(),
        },
        page=page,
    )
