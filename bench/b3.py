"""B3: ``GET /assets`` latency on B2's data (the largest tenant: 400,000 of 1M assets).

The real app (``create_app``) inside its lifespan, with the interpreter settings of
``discovery serve`` (``settle_process``: startup objects frozen out of garbage collection,
a 1 ms thread switch interval), called through ``httpx.ASGITransport`` (no network, no
server process; the whole request path from routing and auth to the JSON body). Page
size 200. The deep page is page 2,000 (offset 399,800), or the last full page when the
tenant (or the ``q`` result) has fewer rows; keyset paging is measured at the same depth
with the cursor of the row just before it. ``q=web`` matches
one asset in five by its name prefix. The ``contains`` forms (``search=contains``, no
target) search anywhere in the searched columns: ``eb0`` matches the same assets as
``q=web`` (more than are counted: the owner's function of migration 0030 finds the page),
``1234`` a few hundred (all found, then paged). The timings start on a settled server
(``settle``: B2's changes vacuumed, a checkpoint taken), so they are not those of B2's
writes being flushed.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from bench.b2 import BenchTenant
from bench.common import BenchDatabase, latency_figures, log, settle
from bench.sql import captured_sql, explain
from discovery.api.app import create_app
from discovery.assets.listing import Cursor
from discovery.auth.tokens import issue_access_token
from discovery.cli.serve import settle_process
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.settings import load_settings
from discovery.tenancy import service as tenancy

PAGE_SIZE = 200
DEEP_PAGE = 2000
QUERY = "web"
CONTAINS_COMMON = "eb0"
CONTAINS_RARE = "1234"
SECRET = "bench-secret-key-for-b3-0123456789abcdefgh"
PATH = "/api/v1/unified-discovery/assets"
Q_WHERE = (
    "(lower(name) LIKE :p OR lower(hostname) LIKE :p OR lower(fqdn) LIKE :p "
    "OR lower(ip_address) LIKE :p)"
)


async def _admin_token(url: str) -> str:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            user_id = await tenancy.create_user(
                session,
                f"bench-{uuid.uuid4().hex[:8]}@example.com",
                "bench-password-0123456789",
                platform_admin=True,
            )
    finally:
        await engine.dispose()
    return issue_access_token(user_id, SECRET, 120).token


async def _depth(url: str, tenant: BenchTenant, q: str | None) -> tuple[int, str | None, int]:
    """(deep page number, cursor of the row before it, rows matching) for the tenant."""
    where = "client_account_id = :c AND engagement_id = :e" + (f" AND {Q_WHERE}" if q else "")
    params: dict[str, Any] = {
        "c": tenant.tenant.client_account_id,
        "e": tenant.tenant.engagement_id,
        "p": f"{q}%" if q else None,
    }
    count_sql = text(f"SELECT count(*) FROM migration.assets WHERE {where}")  # noqa: S608
    row_sql = text(
        f"SELECT created_at, id FROM migration.assets WHERE {where} "  # noqa: S608
        "ORDER BY created_at, id OFFSET :skip LIMIT 1"
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            total = int((await connection.execute(count_sql, params)).scalar_one())
            page = max(1, min(DEEP_PAGE, total // PAGE_SIZE))
            if page == 1:
                return page, None, total
            skip = (page - 1) * PAGE_SIZE - 1
            row = (await connection.execute(row_sql, {**params, "skip": skip})).one()
    finally:
        await engine.dispose()
    return page, Cursor(row[0], row[1]).encode(), total


async def run_b3(db: BenchDatabase, tenants: list[BenchTenant], calls: int) -> dict[str, Any]:
    largest = tenants[0]
    token = await _admin_token(db.url)
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Client-Account-ID": str(largest.tenant.client_account_id),
        "X-Engagement-ID": str(largest.tenant.engagement_id),
    }
    settle(db.url, "assets", "raw_import_records")
    deep, cursor, total = await _depth(db.url, largest, None)
    q_deep, q_cursor, q_total = await _depth(db.url, largest, QUERY)
    base = {"page_size": str(PAGE_SIZE)}
    cases: dict[str, tuple[dict[str, str], int]] = {
        "offset_page_1": ({**base, "page": "1"}, 1),
        "offset_page_deep": ({**base, "page": str(deep)}, deep),
        "keyset_deep": ({**base, **({"cursor": cursor} if cursor else {})}, deep),
        "q_offset_page_1": ({**base, "q": QUERY, "page": "1"}, 1),
        "q_offset_page_deep": ({**base, "q": QUERY, "page": str(q_deep)}, q_deep),
        "q_keyset_deep": ({**base, "q": QUERY, **({"cursor": q_cursor} if q_cursor else {})},
                          q_deep),
        "contains_offset_page_1": ({**base, "q": CONTAINS_COMMON, "search": "contains",
                                    "page": "1"}, 1),
        "contains_keyset_deep": ({**base, "q": CONTAINS_COMMON, "search": "contains",
                                  **({"cursor": q_cursor} if q_cursor else {})}, q_deep),
        "contains_rare_page_1": ({**base, "q": CONTAINS_RARE, "search": "contains",
                                  "page": "1"}, 1),
    }  # fmt: skip
    settings = load_settings(
        database_url=db.url, data_dir=db.work_dir / "b3-data", secret_key=SECRET
    )
    app = create_app(settings, db.url)
    settle_process()  # as ``discovery serve`` runs it
    forms: dict[str, Any] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):
        engine = app.state.engine
        for name, (params, page) in cases.items():
            log(f"B3: timing {name} (page {page}, {calls} calls)")
            with captured_sql(engine) as statements:
                warm = await client.get(PATH, params=params, headers=headers)
            if warm.status_code != 200:
                raise RuntimeError(f"GET /assets {params}: {warm.status_code} {warm.text[:300]}")
            seconds: list[float] = []
            for _ in range(calls):
                started = time.perf_counter()
                response = await client.get(PATH, params=params, headers=headers)
                seconds.append(time.perf_counter() - started)
                response.raise_for_status()
            body = response.json()
            plans: list[str] = []
            async with engine.connect() as connection:
                # The request's tenant (row-level security) first, in this transaction, so
                # that the plans are those of the request's statements.
                for statement, parameters in statements:
                    if "set_config('discovery." in statement:
                        await connection.exec_driver_sql(statement, parameters)
                for statement, parameters in statements:
                    # The listing's own EXPLAIN (the estimated total) is not explained.
                    if (
                        "migration.assets" in statement
                        and not statement.lstrip().upper().startswith("EXPLAIN")
                    ):
                        plans.append(await explain(connection, statement, parameters))
                await connection.rollback()
            forms[name] = {
                **latency_figures(seconds),
                "page": page,
                "rows_returned": len(body["data"]),
                "total": body["pagination"]["total"],
                "explain": plans,
            }
    return {
        "tenant_assets": total,
        "q": QUERY,
        "q_matches": q_total,
        "page_size": PAGE_SIZE,
        "forms": forms,
    }
