"""Row-level security: the database keeps tenants apart even where a query forgets to.

The service's sessions act as the role ``discovery_service`` (``SET LOCAL ROLE`` here,
inside the test's own transaction, so the rows the test made are visible to it as to a
service connection after a commit); the owner, who made them, is not restricted.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, AssetDependency, AssetImport, FailedAssetChunk
from discovery.core import migrations
from discovery.core.database import create_engine, libpq_url
from discovery.core.models import SCHEMA
from discovery.core.registry import metadata
from discovery.core.statistics import analyze
from discovery.mapping.models import ImportFieldMapping, LearnedFieldMapping
from discovery.tenancy import context as tenancy
from discovery.tenancy.row_security import SERVICE_ROLE, enter_tenant, flow_tenant
from tests.cli_runner import cli_env, discovery
from tests.factories import Factory, Flow

#: Tables of the tenancy itself: read before a tenant is known (who may act where).
NOT_TENANT_DATA = {"client_accounts", "engagements", "client_account_memberships",
                   "user_tenant_preferences"}  # fmt: skip


def _tenant_tables() -> set[str]:
    """Every table that holds a tenant's data: those with a client account column, and
    asset_imports, which links two of them."""
    tables = {
        table.name
        for table in metadata.tables.values()
        if "client_account_id" in table.columns and table.name not in NOT_TENANT_DATA
    }
    return tables | {"asset_imports"}


async def _populated(factory: Factory) -> Flow:
    """A flow with a row in every tenant table."""
    flow = await factory.flow()
    session = factory.session
    asset, _raw = await factory.wired_asset(flow, 1)
    other = await factory.asset(
        flow, hostname="web01", custom_attributes={"alternate_ids": "serial_number=S1"}
    )
    session.add_all(
        [
            AssetDependency(**flow.tenant.keys(), asset_id=asset.id, depends_on_asset_id=other.id),
            AssetImport(asset_id=asset.id, data_import_id=flow.data_import_id, action="created"),
            FailedAssetChunk(**flow.tenant.keys(), discovery_flow_id=flow.discovery_flow_id,
                             chunk_number=1, first_row_number=1, last_row_number=1, error="x"),
            ImportFieldMapping(**flow.tenant.keys(), data_import_id=flow.data_import_id,
                               source_field="Name", target_field="name"),
            LearnedFieldMapping(client_account_id=flow.tenant.client_account_id,
                                header_key="name", source_field="Name", target_field="name"),
        ]
    )  # fmt: skip
    await session.flush()
    return flow


async def _count(session: AsyncSession, table: str) -> int:
    statement = text(f"SELECT count(*) FROM {SCHEMA}.{table}")  # noqa: S608 (test constants)
    return int((await session.execute(statement)).scalar_one())


async def _act_as_service(session: AsyncSession) -> None:
    await session.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))


def _tenant(flow: Flow) -> tenancy.Tenant:
    return tenancy.Tenant(flow.tenant.client_account_id, flow.tenant.engagement_id)


async def test_every_tenant_table_has_row_level_security_and_a_policy_for_the_service(
    session: AsyncSession,
) -> None:
    rows = (
        await session.execute(
            text(
                "SELECT c.relname, c.relrowsecurity,"
                " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid"
                "   AND (SELECT oid FROM pg_roles WHERE rolname = :role) = ANY(p.polroles))"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :schema AND c.relkind = 'r'"
            ),
            {"schema": SCHEMA, "role": SERVICE_ROLE},
        )
    ).all()
    guarded = {name for name, enabled, policies in rows if enabled and policies == 1}
    assert _tenant_tables() <= guarded
    assert len(_tenant_tables()) == 12


async def test_the_service_role_owns_nothing_and_does_not_bypass_row_security(
    session: AsyncSession,
) -> None:
    role = (
        await session.execute(
            text(
                "SELECT rolsuper, rolbypassrls, rolcanlogin,"
                " (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
                " FROM pg_roles r WHERE rolname = :role"
            ),
            {"role": SERVICE_ROLE},
        )
    ).one()
    assert tuple(role) == (False, False, False, 0)


async def test_the_service_engine_acts_as_the_service_role(database_url: str) -> None:
    engine = create_engine(database_url, role=SERVICE_ROLE)
    try:
        async with engine.connect() as connection:
            current = (await connection.execute(text("SELECT current_user"))).scalar_one()
            jit = (await connection.execute(text("SHOW jit"))).scalar_one()
    finally:
        await engine.dispose()
    assert (current, jit) == (SERVICE_ROLE, "off")


async def test_with_no_tenant_set_the_service_sees_no_row_of_any_tenant_table(
    session: AsyncSession, factory: Factory
) -> None:
    await _populated(factory)
    tables = sorted(_tenant_tables())
    assert all([await _count(session, table) > 0 for table in tables])
    await _act_as_service(session)
    assert {table: await _count(session, table) for table in tables} == dict.fromkeys(tables, 0)


async def test_with_another_tenant_set_an_unfiltered_query_returns_none_of_this_tenant(
    session: AsyncSession, factory: Factory
) -> None:
    mine = await _populated(factory)
    theirs = await _populated(factory)
    mine_ids = set((await session.scalars(select(Asset.id).where(
        Asset.engagement_id == mine.tenant.engagement_id))).all())  # fmt: skip
    await _act_as_service(session)
    await enter_tenant(session, _tenant(theirs))
    # No tenant condition at all: only the policy decides.
    seen = set((await session.scalars(select(Asset.id))).all())
    assert seen and not seen & mine_ids
    assert {await _count(session, table) > 0 for table in _tenant_tables()} == {True}
    assert await session.scalar(select(func.count()).where(Asset.id.in_(mine_ids))) == 0
    await enter_tenant(session, _tenant(mine))
    assert set((await session.scalars(select(Asset.id))).all()) == mine_ids


async def test_the_tenant_holds_for_the_session_s_later_transactions(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _populated(factory)
    await _act_as_service(session)
    await enter_tenant(session, _tenant(flow))
    async with session.begin_nested():  # a new (sub)transaction: the setting still holds
        assert await _count(session, "assets") == 2
    settings = await session.execute(
        text("SELECT current_setting('discovery.engagement_id', true)")
    )
    assert settings.scalar_one() == str(flow.tenant.engagement_id)


async def test_the_database_refuses_a_row_for_another_tenant(
    session: AsyncSession, factory: Factory
) -> None:
    mine = await factory.flow()
    theirs = await factory.flow()
    await _act_as_service(session)
    await enter_tenant(session, _tenant(mine))
    with pytest.raises(DBAPIError, match="row-level security"):
        async with session.begin_nested():
            session.add(Asset(**theirs.tenant.keys(), name="intruder", asset_type="server"))
            await session.flush()


async def test_a_job_finds_its_flow_s_tenant_before_it_can_see_the_flow(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await _act_as_service(session)
    assert await _count(session, "discovery_flows") == 0
    expected = _tenant(flow)
    assert await flow_tenant(session, flow.discovery_flow_id) == expected
    assert await flow_tenant(session, flow.master_flow_id) == expected
    assert await flow_tenant(session, uuid.uuid4()) is None


async def _analyze_count(session: AsyncSession, table: str) -> int:
    await session.execute(text("SELECT pg_stat_clear_snapshot()"))
    count = await session.scalar(
        text("SELECT analyze_count FROM pg_stat_all_tables WHERE schemaname = :s AND relname = :t"),
        {"s": SCHEMA, "t": table},
    )
    return int(count or 0)


async def test_the_service_refreshes_statistics_through_the_owner(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await _populated(factory)
    await _act_as_service(session)
    await enter_tenant(session, _tenant(flow))
    before = await _analyze_count(session, "asset_imports")
    await session.execute(text(f"ANALYZE {SCHEMA}.asset_imports"))  # skipped: not the owner
    assert await _analyze_count(session, "asset_imports") == before
    await analyze(session, "asset_imports")
    assert await _analyze_count(session, "asset_imports") == before + 1
    with pytest.raises(DBAPIError, match="does not exist"):
        async with session.begin_nested():
            await analyze(session, "no_such_table")


def test_the_cli_shows_the_role_and_every_guarded_table(env: dict[str, str]) -> None:
    result = discovery("db", "row-security", env=env)
    assert result.returncode == 0, result.stderr
    assert f"role {SERVICE_ROLE}: present, NOBYPASSRLS" in result.stdout
    assert "tenant tables guarded: 12 of 12" in result.stdout
    assert "  assets: tenant_isolation" in result.stdout


def test_the_cli_fails_and_names_a_table_left_unguarded(
    scratch_database_url: str, tmp_path: Path
) -> None:
    migrations.upgrade(scratch_database_url)
    with psycopg.connect(libpq_url(scratch_database_url), autocommit=True) as connection:
        connection.execute(f"ALTER TABLE {SCHEMA}.assets DISABLE ROW LEVEL SECURITY")
    env = cli_env(DATABASE_URL=scratch_database_url, DISCOVERY_DATA_DIR=str(tmp_path / "d"))
    result = discovery("db", "row-security", env=env)
    assert result.returncode == 1
    assert "  assets: NOT GUARDED" in result.stdout
    assert "no row-level security policy on: assets" in result.stderr
