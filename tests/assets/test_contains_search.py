"""Contains-search: anywhere in one of the searched columns, never across two; served by
the trigram index where the server has pg_trgm, by a read of the engagement without it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.listing import AssetPage, Cursor, Sort, list_assets
from discovery.assets.models import CONTAINS_INDEX, Asset
from discovery.tenancy import context as tenancy
from discovery.tenancy.row_security import SERVICE_ROLE, enter_tenant
from tests.factories import Factory, Flow, Tenant


async def _three_assets_and_another_tenant_s(factory: Factory) -> tuple[Flow, Flow]:
    flow = await factory.flow()
    await factory.asset(flow, name="WebFront01", hostname="ab", fqdn="x.corp.example")
    await factory.asset(flow, name="db01", hostname="cd", ip_address="10.1.2.3")
    await factory.asset(flow, name="mq_01%", hostname=None)
    other = await factory.flow()
    await factory.asset(other, name="webfront99")
    return flow, other


async def test_contains_finds_a_part_of_any_column_and_never_spans_two(
    session: AsyncSession, factory: Factory
) -> None:
    flow, _other = await _three_assets_and_another_tenant_s(factory)

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


async def _act_as_service(session: AsyncSession, tenant: Tenant) -> None:
    """The service's view from here on: its role, scoped to ``tenant`` (row security)."""
    await session.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    await enter_tenant(session, tenancy.Tenant(tenant.client_account_id, tenant.engagement_id))


async def test_the_service_finds_the_same_assets_under_row_level_security(
    session: AsyncSession, factory: Factory
) -> None:
    """Through the owner's function of migration 0030: the tenant is the one the session
    is scoped to, and another tenant's matches stay out."""
    flow, other = await _three_assets_and_another_tenant_s(factory)
    await _act_as_service(session, flow.tenant)

    async def found(q: str) -> tuple[list[str | None], int]:
        where = AssetFilter(**flow.tenant.keys(), q=q, search="contains")
        page = await list_assets(session, where, page_size=50)
        assert page.total_exact
        return sorted(asset.name or "" for asset in page.assets), page.total

    assert await found("FRONT") == (["WebFront01"], 1)
    assert await found("1.2") == (["db01"], 1)
    assert await found("01") == (["WebFront01", "db01", "mq_01%"], 3)
    assert await found("_01%") == (["mq_01%"], 1)
    assert await found("01ab") == ([], 0)
    # The function reads the tenant from the session's settings, never from its caller.
    await enter_tenant(session, tenancy.Tenant(**other.tenant.keys()))
    ids = await session.scalars(
        text("SELECT * FROM migration.assets_containing('%front%', NULL, NULL, 10)")
    )
    assert [await session.scalar(select(Asset.name).where(Asset.id == i)) for i in ids] == [
        "webfront99"
    ]


async def _many(session: AsyncSession, tenant: Tenant, count: int) -> None:
    """``count`` assets named Host-1 … (host names host-1 …), every 7th a database, then
    analysed, as a consultant's large engagement would be."""
    await session.execute(
        text(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, hostname,"
            " asset_type, created_at) SELECT :c, :e, 'Host-' || n, 'host-' || n,"
            " CASE WHEN n % 7 = 0 THEN 'database' ELSE 'server' END,"
            " now() - (n % 50) * interval '1 minute' FROM generate_series(1, :n) AS n"
        ),
        {"c": tenant.client_account_id, "e": tenant.engagement_id, "n": count},
    )
    await session.execute(text("ANALYZE migration.assets"))


def _names(page: AssetPage) -> list[str | None]:
    return [asset.name for asset in page.assets]


async def test_a_common_match_pages_as_the_owner_s_plain_search_does(
    session: AsyncSession, factory: Factory
) -> None:
    """3,000 matches, more than are counted: the service's pages (default order by offset
    and keyset, sorted, narrowed by a filter) hold the rows the owner's LIKE finds."""
    tenant = await factory.tenant()
    await _many(session, tenant, 3_000)
    where = AssetFilter(**tenant.keys(), q="ST-1", search="contains")
    databases = AssetFilter(**tenant.keys(), q="ST-1", search="contains", asset_type="database")

    async def pages() -> list[tuple[list[str | None], bool]]:
        first = await list_assets(session, where, page_size=40)
        assert first.next_cursor is not None
        second = await list_assets(
            session, where, page_size=40, after=Cursor.decode(first.next_cursor)
        )
        assert second.next_cursor is not None
        third = await list_assets(
            session, where, page_size=40, after=Cursor.decode(second.next_cursor)
        )
        results = [first, second, third]
        results.append(await list_assets(session, where, page_size=40, page=3))
        results.append(await list_assets(session, where, page_size=40, page=30))
        results.append(await list_assets(session, where, page_size=40, sort=Sort("name"), page=2))
        results.append(await list_assets(session, databases, page_size=40, page=2))
        return [(_names(page), page.total_exact) for page in results]

    owner = await pages()
    await _act_as_service(session, tenant)
    service = await pages()
    assert service == owner
    assert owner[2][0] == owner[3][0]  # the third keyset page is page 3
    assert len(set(owner[0][0] + owner[1][0] + owner[2][0])) == 120
    assert all(name.startswith("Host-1") for page, _ in owner for name in page)  # type: ignore[union-attr]
    assert [exact for _, exact in owner] == [False] * 6 + [True]  # 1,111 matches; 158 databases


async def test_a_rare_match_reads_only_its_rows_where_the_server_has_pg_trgm(
    session: AsyncSession, factory: Factory
) -> None:
    """As the service (row-level security), 20,000 assets: the trigram index answers the
    search inside the function, so only the matching rows are read. Without pg_trgm (the
    embedded server) the engagement's assets are read, and the result is the same."""
    tenant = await factory.tenant()
    await _many(session, tenant, 20_000)
    indexed = await session.scalar(
        text("SELECT count(*) FROM pg_indexes WHERE schemaname = 'migration' AND indexname = :n"),
        {"n": CONTAINS_INDEX},
    )
    read = text(
        "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
        " FROM pg_stat_xact_user_tables WHERE relid = 'migration.assets'::regclass"
    )
    await _act_as_service(session, tenant)
    before = await session.scalar(read)
    page = await list_assets(
        session, AssetFilter(**tenant.keys(), q="ST-1234", search="contains"), page_size=50
    )
    rows_read = (await session.scalar(read)) - before
    assert sorted(_names(page)) == sorted(["Host-1234", *(f"Host-1234{n}" for n in range(10))])
    assert (page.total, page.total_exact) == (11, True)
    print(f"rows read: {rows_read}")
    if indexed:
        assert rows_read < 200, rows_read
    else:
        assert rows_read >= 20_000, rows_read
