"""B2: wiring-health latency at 1M assets / 1M raw rows, and the data B3 lists.

Data (set-based, ``INSERT … SELECT … FROM generate_series``): ``--assets N`` assets and N
raw rows over 5 tenants (40/20/15/15/10 %, so 400,000 of each in the largest at 1M),
each tenant with one import and one completed flow. Every asset is wired both ways
except about 0.1% planted broken links of each kind the health check counts:

- ``g % 1000 = 1``: the asset's raw-row reference points to another tenant's row;
- ``g % 1000 = 2``: the raw row's asset reference points to another tenant's asset;
- ``g % 1000 = 3``: a flow-based asset without ``discovery_flow_id``;
- ``g % 1000 = 4``: an asset without ``master_flow_id``;
- ``g % 1000 = 5``: a raw row left unprocessed and unlinked, which its asset still names
  (a broken back-link).

Breaks 1, 2 and 5 are what the wiring keys (``discovery.core.wiring``) rule out. The rows
are loaded with the keys dropped; then those breaks are undone (the asset of break 5
keeps no raw-row reference, its row stays unprocessed) and the keys are added NOT VALID
and validated, as ``discovery db restore-wiring-constraints`` does. Nothing is loaded
under ``session_replication_role = replica``.

Forms, timed for the largest tenant (the TTL cache is not involved: these are the
queries themselves), each ``calls`` times after one warm-up call:

- ``ours``: :func:`discovery.health.metrics.wiring_metrics` with every wiring key in
  place: the metrics the keys prove come from the catalogue, the rest are counted;
- then the keys are dropped and breaks 1, 2 and 5 planted again (the rollback state),
  and timed there:
- ``v3_1_not_in``: the two orphan-reference counts with ``NOT IN (subquery)``;
- ``v3_3_exists``: the same two counts with correlated ``NOT EXISTS`` as in v3.3 §2;
- ``ours_keys_dropped``: all eleven metrics counted, in one statement.

Afterwards the breaks are undone and the keys restored again (for B3).

The v3.1 plan's text is not at hand; its form is written from its description (``NOT IN``
over the tenant's ids). A call slower than the cap is cancelled
(``statement_timeout``) and the form stops there; its figures are then the cap, a lower
bound, flagged ``timed_out``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import exists, func, literal, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.common import BenchDatabase, latency_figures, log, vacuum_analyze
from bench.sql import captured_sql, explain, indexes_in
from discovery.assets.models import Asset
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.wiring import WIRING_FOREIGN_KEYS
from discovery.flows.models import CrewAIFlowStateExtensions, DiscoveryFlow
from discovery.health.metrics import wiring_metrics
from discovery.imports.models import DataImport, RawImportRecord
from discovery.tenancy import service as tenancy
from discovery.tenancy.context import Tenant
from discovery.tenancy.row_security import SERVICE_ROLE, enter_tenant

SHARES = (0.40, 0.20, 0.15, 0.15, 0.10)
ROLES = ("web", "app", "db", "batch", "mq")
CALL_CAP_SECONDS = 15.0


@dataclass(frozen=True)
class BenchTenant:
    tenant: Tenant
    data_import_id: uuid.UUID
    master_flow_id: uuid.UUID
    discovery_flow_id: uuid.UUID
    first: int  # the tenant's range of g (1-based over all tenants)
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def tenant_sizes(total: int) -> list[int]:
    sizes = [int(total * share) for share in SHARES]
    sizes[0] += total - sum(sizes)
    return sizes


async def _create_tenants(url: str, total: int) -> list[BenchTenant]:
    engine = create_engine(url)
    created: list[BenchTenant] = []
    first = 1
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            for number, size in enumerate(tenant_sizes(total), start=1):
                name = f"bench-b2-tenant-{number}-{uuid.uuid4().hex[:6]}"
                client = await tenancy.create_client_account(session, name)
                engagement = await tenancy.create_engagement(session, name, "wave 1")
                keys = {"client_account_id": client.id, "engagement_id": engagement.id}
                data_import = DataImport(
                    **keys,
                    file_name=f"{name}.csv",
                    file_size_bytes=1,
                    file_sha256="0" * 64,
                    file_format="csv",
                    status="completed",
                    total_rows=size,
                    valid_rows=size,
                )
                session.add(data_import)
                master_flow_id = uuid.uuid4()
                session.add(
                    CrewAIFlowStateExtensions(
                        **keys,
                        flow_id=master_flow_id,
                        flow_type="discovery",
                        flow_status="completed",
                    )
                )
                await session.flush()
                flow = DiscoveryFlow(
                    **keys,
                    flow_id=master_flow_id,
                    master_flow_id=master_flow_id,
                    data_import_id=data_import.id,
                    status="completed",
                    current_phase=None,
                    progress_percentage=100,
                    data_import_completed=True,
                    field_mapping_completed=True,
                    data_cleansing_completed=True,
                    asset_inventory_completed=True,
                    dependency_analysis_completed=True,
                    tech_debt_assessment_completed=True,
                )
                session.add(flow)
                await session.flush()
                created.append(
                    BenchTenant(
                        Tenant(client.id, engagement.id),
                        data_import.id,
                        master_flow_id,
                        flow.id,
                        first,
                        first + size - 1,
                    )
                )
                first += size
    finally:
        await engine.dispose()
    return created


NAME = "(ARRAY['web','app','db','batch','mq'])[mod(g, 5) + 1] || lpad(g::text, 7, '0')"
OTHER = "(mod(g + %(half)s::int, %(n)s::int) + 1)"  # the same position in another tenant
ASSET_OF_RAW = (
    f"CASE WHEN mod(g, 1000) = 5 THEN NULL WHEN mod(g, 1000) = 2 "
    f"THEN md5('a' || {OTHER})::uuid ELSE md5('a' || g)::uuid END"
)

RAW_INSERT = f"""
INSERT INTO migration.raw_import_records
  (id, client_account_id, engagement_id, data_import_id, master_flow_id, row_number,
   raw_data, cleansed_data, is_valid, validation_errors, is_processed, processed_at,
   processing_notes, asset_id, created_at)
SELECT md5('r' || g)::uuid, %(c)s, %(e)s, %(i)s, %(m)s, g - %(first)s::int + 1,
       jsonb_build_object('Name', {NAME}, 'IP', '10.0.0.1'),
       jsonb_build_object('name', {NAME}), true, '[]'::jsonb,
       mod(g, 1000) <> 5,
       CASE WHEN mod(g, 1000) <> 5 THEN now() END,
       CASE WHEN mod(g, 1000) <> 5 THEN 'created asset' END,
       {{asset_id}},
       now()
  FROM generate_series(%(first)s::int, %(last)s::int) AS g
"""  # noqa: S608

ASSET_INSERT = f"""
INSERT INTO migration.assets
  (id, client_account_id, engagement_id, name, hostname, fqdn, ip_address, asset_type,
   environment, operating_system, discovery_flow_id, master_flow_id, raw_import_records_id,
   field_mappings_used, source_phase, current_phase, discovery_method, discovery_source,
   discovery_timestamp, created_at, updated_at)
SELECT md5('a' || g)::uuid, %(c)s, %(e)s, nm, nm, nm || '.corp.example.com',
       '10.' || ((g >> 16) & 255) || '.' || ((g >> 8) & 255) || '.' || (g & 255),
       'server', 'production', 'Ubuntu 22.04',
       CASE WHEN mod(g, 1000) = 3 THEN NULL ELSE %(f)s::uuid END,
       CASE WHEN mod(g, 1000) = 4 THEN NULL ELSE %(m)s::uuid END,
       CASE WHEN mod(g, 1000) = 1 THEN md5('r' || {OTHER})::uuid ELSE md5('r' || g)::uuid END,
       'bench', 'asset_inventory', 'asset_inventory', 'flow_based', 'bench', now(),
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond',
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond'
  FROM (SELECT g, {NAME} AS nm FROM generate_series(%(first)s::int, %(last)s::int) AS g) AS s
"""  # noqa: S608

BACK_LINKS = f"""
UPDATE migration.raw_import_records AS r SET asset_id = {ASSET_OF_RAW}
  FROM (SELECT id, row_number + %(first)s::int - 1 AS g FROM migration.raw_import_records
         WHERE data_import_id = %(i)s) AS s
 WHERE r.id = s.id
"""  # noqa: S608


SECONDARY_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
 WHERE i.schemaname = 'migration' AND i.tablename IN ('assets', 'raw_import_records')
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conname = i.indexname AND c.connamespace = 'migration'::regnamespace)
   -- Nor an index that a key of another table refers to (asset_alternate_ids -> assets).
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.contype = 'f'
                      AND c.conindid = ('migration.' || quote_ident(i.indexname))::regclass)
"""


# The breaks that the wiring keys rule out (g % 1000 = 1, 2, 5): made with the keys
# dropped, undone before the keys are restored. ``{g}`` runs over every tenant's rows.
def _set(table: str, column: str, value: str, case: int) -> str:
    """``UPDATE`` the rows ``g`` with ``g % 1000 = case``: ``column := value``."""
    alias = "a" if table == "assets" else "r"
    return (
        f"UPDATE migration.{table} {alias} SET {column} = {value} "  # noqa: S608 - constants
        f"FROM generate_series(1, %(n)s::int) AS g "
        f"WHERE mod(g, 1000) = {case} AND {alias}.id = md5('{alias}' || g)::uuid"
    )


PLANT = (
    _set("assets", "raw_import_records_id", f"md5('r' || {OTHER})::uuid", 1),
    _set("raw_import_records", "asset_id", f"md5('a' || {OTHER})::uuid", 2),
    _set("assets", "raw_import_records_id", "md5('r' || g)::uuid", 5),
)
REPAIR = (
    _set("assets", "raw_import_records_id", "md5('r' || g)::uuid", 1),
    _set("raw_import_records", "asset_id", "md5('a' || g)::uuid", 2),
    _set("assets", "raw_import_records_id", "NULL", 5),
)


def _drop_wiring_keys(connection: psycopg.Connection[Any]) -> None:
    for foreign_key in WIRING_FOREIGN_KEYS:
        connection.execute(foreign_key.drop_sql())


def plant_forbidden_breaks(url: str, total: int) -> None:
    """Drop the wiring keys (the rollback state) and make the breaks they rule out."""
    with psycopg.connect(url) as connection:
        _drop_wiring_keys(connection)
        for statement in PLANT:
            connection.execute(statement, {"half": total // 2, "n": total})
        connection.commit()


def restore_wiring_keys(url: str, total: int) -> float:
    """Undo the forbidden breaks, then add every wiring key NOT VALID and VALIDATE it, as
    ``discovery db restore-wiring-constraints`` does; returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(url) as connection:
        for statement in REPAIR:
            connection.execute(statement, {"half": total // 2, "n": total})
        _drop_wiring_keys(connection)
        for foreign_key in WIRING_FOREIGN_KEYS:
            connection.execute(foreign_key.add_not_valid_sql())
        connection.commit()
        for foreign_key in WIRING_FOREIGN_KEYS:
            connection.execute(foreign_key.validate_sql())
        connection.commit()
    return time.perf_counter() - started


def _load(url: str, tenants: list[BenchTenant]) -> str:
    """Load the rows with the wiring keys and secondary indexes dropped, then build the
    indexes again (sorted builds are much faster than a million random inserts into
    each). The rows come with every planted break; the wiring keys are restored later."""
    total = tenants[-1].last
    with psycopg.connect(url) as connection:
        _drop_wiring_keys(connection)
        indexes = connection.execute(SECONDARY_INDEXES).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX migration."{name}"')
        for t in tenants:
            params = {
                "c": t.tenant.client_account_id, "e": t.tenant.engagement_id,
                "i": t.data_import_id, "m": t.master_flow_id, "f": t.discovery_flow_id,
                "first": t.first, "last": t.last, "half": total // 2, "n": total,
            }  # fmt: skip
            connection.execute(RAW_INSERT.replace("{asset_id}", ASSET_OF_RAW), params)
        for t in tenants:
            params = {
                "c": t.tenant.client_account_id, "e": t.tenant.engagement_id,
                "m": t.master_flow_id, "f": t.discovery_flow_id,
                "first": t.first, "last": t.last, "half": total // 2, "n": total,
            }  # fmt: skip
            connection.execute(ASSET_INSERT, params)
        for _, definition in indexes:
            connection.execute(definition)
        connection.commit()
    return (
        f"wiring keys dropped; {len(indexes)} secondary indexes dropped during the load and "
        "rebuilt; the breaks the keys rule out undone, then the keys added NOT VALID and "
        "validated"
    )


async def build_dataset(db: BenchDatabase, assets: int) -> tuple[list[BenchTenant], float, str]:
    log(f"B2: generating {assets:,} assets and {assets:,} raw rows over 5 tenants")
    tenants = await _create_tenants(db.url, assets)
    started = time.perf_counter()
    how = _load(db.url, tenants)
    vacuum_analyze(db.url, "raw_import_records", "assets", "discovery_flows", "data_imports")
    seconds = restore_wiring_keys(db.url, tenants[-1].last)
    log(f"B2: wiring keys restored and validated in {seconds:.1f} s")
    return tenants, time.perf_counter() - started, how


# --- the three forms -------------------------------------------------------------------------


def _asset_tenant(t: Tenant) -> list[Any]:
    return [Asset.client_account_id == t.client_account_id, Asset.engagement_id == t.engagement_id]


def _raw_tenant(t: Tenant) -> list[Any]:
    return [
        RawImportRecord.client_account_id == t.client_account_id,
        RawImportRecord.engagement_id == t.engagement_id,
    ]


async def v3_1_not_in(session: AsyncSession, t: Tenant) -> dict[str, int]:
    """Orphan references with ``NOT IN (subquery)`` over the tenant's ids."""
    assets = await session.scalar(
        select(func.count(Asset.id)).where(
            *_asset_tenant(t),
            Asset.raw_import_records_id.is_not(None),
            Asset.raw_import_records_id.not_in(select(RawImportRecord.id).where(*_raw_tenant(t))),
        )
    )
    raws = await session.scalar(
        select(func.count(RawImportRecord.id)).where(
            *_raw_tenant(t),
            RawImportRecord.asset_id.is_not(None),
            RawImportRecord.asset_id.not_in(select(Asset.id).where(*_asset_tenant(t))),
        )
    )
    return {
        "assets_with_orphan_raw_import_ref": int(assets or 0),
        "raw_records_with_orphan_asset_ref": int(raws or 0),
    }


async def v3_3_exists(session: AsyncSession, t: Tenant) -> dict[str, int]:
    """The same counts with correlated ``NOT EXISTS``, scoped as v3.3 §2 scopes them."""
    assets = await session.scalar(
        select(func.count(Asset.id)).where(
            *_asset_tenant(t),
            Asset.raw_import_records_id.is_not(None),
            ~exists(
                select(literal(1)).where(
                    RawImportRecord.id == Asset.raw_import_records_id,
                    RawImportRecord.client_account_id == t.client_account_id,
                )
            ),
        )
    )
    raws = await session.scalar(
        select(func.count(RawImportRecord.id)).where(
            *_raw_tenant(t),
            RawImportRecord.asset_id.is_not(None),
            ~exists(
                select(literal(1)).where(Asset.id == RawImportRecord.asset_id, *_asset_tenant(t))
            ),
        )
    )
    return {
        "assets_with_orphan_raw_import_ref": int(assets or 0),
        "raw_records_with_orphan_asset_ref": int(raws or 0),
    }


async def ours(session: AsyncSession, t: Tenant) -> dict[str, int]:
    """The service's health check as a request runs it: as the service's role (the engine
    of ``run_b2``), scoped to the tenant for row-level security."""
    await enter_tenant(session, t)
    return await wiring_metrics(session, t)


Form = Callable[[AsyncSession, Tenant], Awaitable[dict[str, int]]]
FORMS: dict[str, Form] = {"v3_1_not_in": v3_1_not_in, "v3_3_exists": v3_3_exists, "ours": ours}


async def _call(engine: AsyncEngine, form: Form, tenant: Tenant, cap: float) -> dict[str, int]:
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as session:
        await session.execute(
            select(func.set_config("statement_timeout", f"{int(cap * 1000)}", True))
        )
        return await form(session, tenant)


async def time_form(
    engine: AsyncEngine, name: str, form: Form, tenant: Tenant, calls: int, cap: float
) -> dict[str, Any]:
    timed_out = False
    result: dict[str, int] = {}
    with captured_sql(engine) as statements:
        try:
            result = await _call(engine, form, tenant, cap)  # warm-up, and the SQL to explain
        except DBAPIError:
            timed_out = True
    # Settings the form makes for its transaction (``SET LOCAL work_mem``, the tenant of
    # row-level security) are applied before each EXPLAIN, so the plans are the ones the
    # timed calls ran; the harness's own statement_timeout is not one of them.
    settings = [
        (s, p)
        for s, p in statements
        if s.lstrip().upper().startswith("SET ") or "set_config('discovery." in s
    ]
    sql = [(s, p) for s, p in statements if "set_config" not in s and (s, p) not in settings]
    seconds: list[float] = []
    while not timed_out and len(seconds) < calls:
        started = time.perf_counter()
        try:
            await _call(engine, form, tenant, cap)
        except DBAPIError:
            timed_out = True
            break
        seconds.append(time.perf_counter() - started)
    figures: dict[str, Any] = (
        latency_figures(seconds) if seconds else {"calls": 0, "min_ms": None, "max_ms": None}
    )
    if timed_out:
        figures.update(p50_ms=cap * 1000, p95_ms=cap * 1000, timed_out=True)
        log(f"B2: {name} was cancelled after {cap:.0f} s; its figures are that cap")
    else:
        figures["timed_out"] = False
    plans: list[str] = []
    async with engine.connect() as connection:
        for statement, parameters in sql:
            await connection.exec_driver_sql(f"SET statement_timeout = {int(cap * 1000)}")
            for setting, setting_parameters in settings:
                await connection.exec_driver_sql(setting, setting_parameters)
            try:
                plans.append(await explain(connection, statement, parameters))
            except DBAPIError:
                await connection.rollback()
                for setting, setting_parameters in settings:
                    await connection.exec_driver_sql(setting, setting_parameters)
                plain = await explain(connection, statement, parameters, analyze=False)
                plans.append(f"(EXPLAIN ANALYZE cancelled after {cap:.0f} s; plan only)\n{plain}")
            await connection.rollback()
    used = sorted({name for plan in plans for name in indexes_in(plan)})
    figures.update(
        statements=len(sql),
        seed_indexes_used=used,
        counts=result,
        explain=plans,
        sql=[statement for statement, _ in sql],
    )
    return figures


async def run_b2(
    db: BenchDatabase, tenants: list[BenchTenant], calls: int, cap: float = CALL_CAP_SECONDS
) -> dict[str, Any]:
    largest = tenants[0]
    total = tenants[-1].last
    engine = create_engine(db.url)
    # Ours as the service runs it: its role, under row-level security. The seed's forms
    # are the plans' own queries, run as the owner as before.
    service = create_engine(db.url, role=SERVICE_ROLE)
    forms: dict[str, Any] = {}
    try:
        log(f"B2: timing ours with every wiring key in place ({calls} calls)")
        forms["ours"] = await time_form(service, "ours", ours, largest.tenant, calls, cap)
        log("B2: dropping the wiring keys and planting the breaks they rule out")
        plant_forbidden_breaks(db.url, total)
        vacuum_analyze(db.url, "raw_import_records", "assets")
        rollback_forms = {**FORMS, "ours_keys_dropped": ours}
        del rollback_forms["ours"]
        for name, form in rollback_forms.items():
            log(f"B2: timing {name} with the wiring keys dropped ({calls} calls)")
            runner = service if form is ours else engine
            forms[name] = await time_form(runner, name, form, largest.tenant, calls, cap)
    finally:
        await engine.dispose()
        await service.dispose()
    restored = restore_wiring_keys(db.url, total)
    log(f"B2: wiring keys restored and validated in {restored:.1f} s")
    return {
        "tenant_assets": largest.size,
        "tenant_raw_rows": largest.size,
        "restore_wiring_keys_seconds": round(restored, 1),
        "forms": forms,
    }
