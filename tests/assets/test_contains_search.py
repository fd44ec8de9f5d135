"""Contains-search: anywhere in one of the searched columns, never across two; served by
the trigram index where the server has pg_trgm, by a read of the engagement without it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.listing import list_assets
from discovery.assets.models import CONTAINS_INDEX, Asset
from tests.factories import Factory


async def test_contains_finds_a_part_of_any_column_and_never_spans_two(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await factory.asset(flow, name="WebFront01", hostname="ab", fqdn="x.corp.example")
    await factory.asset(flow, name="db01", hostname="cd", ip_address="10.1.2.3")
    await factory.asset(flow, name="mq_01%", hostname=None)
    other = await factory.flow()
    await factory.asset(other, name="webfront99")

    async def found(q: str) -> list[str | None]:
        where = AssetFilter(
            client_account_id=flow.tenant.client_account_id,
            engagement_id=flow.tenant.engagement_id,
            q=q,
            search="contains",
        )
        page = await list_assets(session, where, page_size=50)
        return sorted(asset.name or "" for asset in page.assets)

    assert await found("FRONT") == ["WebFront01"]  # any case, this tenant only
    assert await found("corp.ex") == ["WebFront01"]
    assert await found("1.2") == ["db01"]
    assert await found("01") == ["WebFront01", "db01", "mq_01%"]
    assert await found("_01%") == ["mq_01%"]  # wildcards are literal
    assert await found("01ab") == []  # the end of the name and the host name: two columns
    assert await found("01\x1fab") == []  # the separator is dropped from a search


async def test_the_trigram_index_exists_exactly_where_pg_trgm_does(session: AsyncSession) -> None:
    available = await session.scalar(
        text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
    )
    index = await session.scalar(
        text("SELECT count(*) FROM pg_indexes WHERE schemaname = 'migration' AND indexname = :n"),
        {"n": CONTAINS_INDEX},
    )
    assert index == available
    if index:  # the search's own expression is what the index holds
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        condition = AssetFilter(
            client_account_id=uuid.uuid4(), engagement_id=uuid.uuid4(), q="front",
            search="contains",
        ).conditions()[-1]  # fmt: skip
        compiled = select(Asset.id).where(condition).compile(compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN {compiled}")))
        assert CONTAINS_INDEX in plan, plan
