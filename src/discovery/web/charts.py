"""Asset counts by type and by environment, drawn as inline SVG bar charts on the server."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.models import Asset
from discovery.tenancy.context import Tenant

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 110
CHART_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def bar_chart(title: str, counts: list[tuple[str, int]]) -> Chart:
    """A horizontal bar chart of labelled counts, in the given order."""
    return _chart(title, counts)


def _chart(title: str, counts: list[tuple[str, int]]) -> Chart:
    largest = max((count for _, count in counts), default=0)
    room = CHART_WIDTH - LABEL_WIDTH - 45
    bars = [
        Bar(label, count, i * (BAR_HEIGHT + GAP), room * count / largest if largest else 0)
        for i, (label, count) in enumerate(counts)
    ]
    return Chart(title, bars, max(len(bars), 1) * (BAR_HEIGHT + GAP))


async def _counts(session: AsyncSession, tenant: Tenant, column: str) -> list[tuple[str, int]]:
    where = AssetFilter(tenant.client_account_id, tenant.engagement_id).conditions()
    group = getattr(Asset, column)
    rows = await session.execute(
        select(group, func.count()).where(*where).group_by(group).order_by(func.count().desc())
    )
    return [(str(value) if value else "(none)", int(count)) for value, count in rows]


async def asset_charts(session: AsyncSession, tenant: Tenant) -> list[Chart]:
    return [
        _chart("Assets by type", await _counts(session, tenant, "asset_type")),
        _chart("Assets by environment", await _counts(session, tenant, "environment")),
    ]
