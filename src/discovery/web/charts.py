"""Horizontal bar charts drawn on the server as plain HTML (tech debt, wiring health).

The labels are page text: they wrap instead of being cut, keep the page's font size at
every width, and the chart is one image with a spoken description for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.models import Asset
from discovery.tenancy.context import Tenant

PALETTE = 6  # categorical colours c0…c5 in app.css


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    fraction: float  # of the longest bar, 0 to 1
    tone: str  # the CSS class that colours the bar


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def description(self) -> str:
        """What a screen reader says: the title and every bar."""
        return f"{self.title}: " + ", ".join(f"{b.label} {b.count:,}" for b in self.bars)


def bar_chart(
    title: str, counts: Sequence[tuple[str, int]], tones: Sequence[str] | None = None
) -> Chart:
    """A horizontal bar chart of labelled counts, in the given order.

    ``tones`` colour the bars when the colour means something (a severity); otherwise
    the bars take the categorical palette in turn.
    """
    largest = max((count for _, count in counts), default=0)
    bars = [
        Bar(
            label,
            count,
            count / largest if largest else 0.0,
            tones[i] if tones is not None else f"c{i % PALETTE}",
        )
        for i, (label, count) in enumerate(counts)
    ]
    return Chart(title, bars)


async def _counts(session: AsyncSession, tenant: Tenant, column: str) -> list[tuple[str, int]]:
    where = AssetFilter(tenant.client_account_id, tenant.engagement_id).conditions()
    group = getattr(Asset, column)
    rows = await session.execute(
        select(group, func.count()).where(*where).group_by(group).order_by(func.count().desc())
    )
    return [
        (str(value).replace("_", " ") if value else "(none)", int(count)) for value, count in rows
    ]


async def asset_charts(session: AsyncSession, tenant: Tenant) -> list[Chart]:
    return [
        bar_chart("Assets by type", await _counts(session, tenant, "asset_type")),
        bar_chart("Assets by environment", await _counts(session, tenant, "environment")),
    ]
