"""A prefix search's total: exact while every searched column's range holds at most the
search's count limit (the union counted once per asset), an estimate beyond it; the
same for the owner and for the service under row-level security."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets import listing
from discovery.assets.filters import AssetFilter, prefix_successor
from discovery.assets.listing import list_assets
from discovery.tenancy import context as tenancy
from discovery.tenancy.row_security import SERVICE_ROLE, enter_tenant
from tests.factories import Factory, Flow

LIMIT = 5


async def _searched_assets(factory: Factory) -> Flow:
    """Assets whose name, host name, FQDN or IP address start with known prefixes, some
    matching in two columns; and another tenant's assets that match every prefix."""
    flow = await factory.flow()
    for n in range(4):  # "app": the name of four, the host name of two of those four
        await factory.asset(flow, name=f"App{n}", hostname=f"app-h{n}" if n < 2 else f"x{n}")
    for n in range(3):  # "app" again: in the FQDN and IP address columns of three more
        await factory.asset(flow, name=f"n{n}", fqdn=f"app{n}.corp", ip_address=f"10.0.0.{n}")
    for n in range(LIMIT + 2):  # "db": more than the limit in the name column alone
        await factory.asset(flow, name=f"DB{n}", hostname=f"db-h{n}")
    for n in range(2):  # "10.0": the three IP addresses above and two more
        await factory.asset(flow, name=f"ip{n}", ip_address=f"10.0.1.{n}")
    other = await factory.flow()
    for prefix in ("app", "db", "10.0", "web"):
        for n in range(LIMIT + 1):
            await factory.asset(other, name=f"{prefix}{n}", hostname=f"{prefix}-o{n}")
    return flow


async def _totals(session: AsyncSession, flow: Flow) -> dict[str, tuple[int, bool, int]]:
    totals = {}
    for q in ("app", "APP-H", "db", "10.0", "10.0.0.1", "web"):
        where = AssetFilter(
            client_account_id=flow.tenant.client_account_id,
            engagement_id=flow.tenant.engagement_id,
            q=q,
        )
        page = await list_assets(session, where, page_size=100)
        totals[q] = (page.total, page.total_exact, len(page.assets))
    return totals


async def test_a_prefix_search_counts_every_match_once_up_to_the_limit_of_each_column(
    session: AsyncSession, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "SEARCH_COUNT_LIMIT", LIMIT)
    flow = await _searched_assets(factory)

    as_owner = await _totals(session, flow)
    await session.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    await enter_tenant(session, tenancy.Tenant(flow.tenant.client_account_id,
                                               flow.tenant.engagement_id))  # fmt: skip
    as_service = await _totals(session, flow)

    assert as_owner == as_service
    # 4 names and 2 of the same assets' host names, 3 FQDNs: 7 assets, more than the
    # limit, yet no column holds more than 5, so the union is counted exactly.
    assert as_owner["app"] == (7, True, 7)
    assert as_owner["APP-H"] == (2, True, 2)  # any case
    assert as_owner["10.0"] == (5, True, 5)
    assert as_owner["10.0.0.1"] == (1, True, 1)
    assert as_owner["web"] == (0, True, 0)  # only the other tenant's
    total, exact, rows = as_owner["db"]  # 7 names and 7 host names: over the limit
    assert not exact and total > LIMIT and rows == LIMIT + 2


def test_the_successor_of_a_prefix_bounds_every_string_that_starts_with_it() -> None:
    assert prefix_successor("web") == "wec"
    assert prefix_successor("a\U0010ffff") == "b"  # the last character has no successor
    assert prefix_successor("x\ud7ff") == "x\ue000"  # over the surrogates
    assert prefix_successor("\U0010ffff") is None
