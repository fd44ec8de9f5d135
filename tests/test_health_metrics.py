"""Wiring-health metrics: zero for a wired tenant, each problem counted, tenants apart."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, FailedAssetChunk
from discovery.core.wiring import WIRING_FOREIGN_KEYS
from discovery.flows.models import DiscoveryFlow
from discovery.health.constraints import drop_wiring_constraints
from discovery.health.metrics import (
    COUNTED,
    KEY_COUNT_TRIGGERS,
    METRIC_NAMES,
    METRICS,
    Tenant,
    standing_constraints,
    wiring_health,
)
from discovery.imports.models import RawImportRecord
from tests.factories import Factory, Flow


def _tenant(flow: Flow) -> Tenant:
    return Tenant(flow.tenant.client_account_id, flow.tenant.engagement_id)


async def _completed(session: AsyncSession, flow: Flow) -> None:
    await session.execute(
        update(DiscoveryFlow)
        .where(DiscoveryFlow.id == flow.discovery_flow_id)
        .values(status="completed")
    )


async def test_a_wired_tenant_is_healthy(session: AsyncSession, factory: Factory) -> None:
    flow = await factory.flow()
    for row in range(1, 4):
        await factory.wired_asset(flow, row)
    await _completed(session, flow)
    report = await wiring_health(session, _tenant(flow), detail=True)
    assert set(report.metrics) == set(METRIC_NAMES)
    assert report.metrics == dict.fromkeys(METRIC_NAMES, 0)
    assert report.as_dict()["health_status"] == "healthy"
    assert report.samples == {}


async def _without_wiring_constraints(session: AsyncSession) -> None:
    """Drop every wiring key inside the test's transaction, as a rollback would."""
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # no pending checks left
    assert await drop_wiring_constraints(session)


async def test_each_problem_is_counted_and_sampled(session: AsyncSession, factory: Factory) -> None:
    # With the wiring keys in place most of these breaks cannot be made; this is the state
    # after `discovery db drop-wiring-constraints`, where every metric is counted.
    await _without_wiring_constraints(session)
    flow = await factory.flow()
    await _completed(session, flow)
    no_flow, _ = await factory.wired_asset(flow, 1)
    await session.execute(
        update(Asset).where(Asset.id == no_flow.id).values(discovery_flow_id=None)
    )
    no_master, _ = await factory.wired_asset(flow, 2)
    await session.execute(update(Asset).where(Asset.id == no_master.id).values(master_flow_id=None))
    await factory.raw_row(flow, 3)  # never processed
    processed_silently = await factory.raw_row(flow, 4)
    await session.execute(
        update(RawImportRecord)
        .where(RawImportRecord.id == processed_silently.id)
        .values(is_processed=True)
    )
    _broken, broken_raw = await factory.wired_asset(flow, 5)
    await session.execute(
        update(RawImportRecord)
        .where(RawImportRecord.id == broken_raw.id)
        .values(asset_id=None, processing_notes="x")
    )
    first, _ = await factory.wired_asset(flow, 6)
    second, _ = await factory.wired_asset(flow, 7)
    await session.execute(
        update(Asset).where(Asset.id.in_([first.id, second.id])).values(hostname="dup01")
    )
    session.add(
        FailedAssetChunk(
            **flow.tenant.keys(), discovery_flow_id=flow.discovery_flow_id, chunk_number=1,
            first_row_number=100, last_row_number=120, error="boom", attempts=1,
        )
    )  # fmt: skip
    orphan_ref, _ = await factory.wired_asset(flow, 8)
    await session.execute(
        update(Asset).where(Asset.id == orphan_ref.id).values(raw_import_records_id=uuid.uuid4())
    )
    dangling = await factory.raw_row(flow, 9, asset_id=uuid.uuid4())
    await session.execute(
        update(RawImportRecord)
        .where(RawImportRecord.id == dangling.id)
        .values(processing_notes="x")
    )
    other = await factory.flow()
    cross, _ = await factory.wired_asset(other, 1)
    await session.execute(
        update(Asset).where(Asset.id == cross.id).values(raw_import_records_id=broken_raw.id)
    )
    await session.flush()

    report = await wiring_health(session, _tenant(flow), detail=True)
    metrics = report.metrics
    assert metrics["all_assets_missing_discovery_flow_id"] == 1
    assert metrics["flow_based_assets_missing_discovery_flow_id"] == 1
    assert metrics["assets_missing_master_flow_id"] == 1
    assert metrics["unprocessed_raw_records"] == 1
    assert metrics["processed_raw_records_without_asset_or_reason"] == 1
    assert metrics["assets_with_broken_backlink"] == 1
    assert metrics["duplicate_assets"] == 1
    assert metrics["dead_letter_chunks_pending"] == 1
    assert metrics["assets_with_orphan_raw_import_ref"] == 1
    assert metrics["raw_records_with_orphan_asset_ref"] == 1
    assert metrics["cross_tenant_links"] == 0  # the stray link is the other tenant's asset
    assert report.as_dict()["health_status"] == "unhealthy"
    assert report.proven_by == dict.fromkeys(METRIC_NAMES, COUNTED)
    assert report.samples is not None
    assert [s["id"] for s in report.samples["assets_missing_master_flow_id"]] == [str(no_master.id)]
    assert set(report.samples) == {name for name, value in metrics.items() if value}

    theirs = await wiring_health(session, _tenant(other))
    assert theirs.metrics["cross_tenant_links"] == 1
    assert theirs.metrics["unprocessed_raw_records"] == 0


async def test_rows_of_flows_in_progress_are_not_unprocessed_yet(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await factory.raw_row(flow, 1)
    report = await wiring_health(session, _tenant(flow))
    assert report.metrics["unprocessed_raw_records"] == 0
    await _completed(session, flow)
    report = await wiring_health(session, _tenant(flow))
    assert report.metrics["unprocessed_raw_records"] == 1


PROVEN = {metric.name: metric.proven_by for metric in METRICS if metric.proven_by}


async def test_what_the_constraints_rule_out_is_proven_not_counted(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await factory.wired_asset(flow, 1)
    report = await wiring_health(session, _tenant(flow))
    assert set(PROVEN) == {
        "assets_with_orphan_raw_import_ref",
        "raw_records_with_orphan_asset_ref",
        "assets_with_broken_backlink",
        "cross_tenant_links",
    }
    for name in METRIC_NAMES:
        expected = ", ".join(PROVEN[name]) if name in PROVEN else COUNTED
        assert report.proven_by[name] == expected, name
    assert report.as_dict()["proven_by"] == report.proven_by
    names = {fk.name for fk in WIRING_FOREIGN_KEYS}
    assert all(set(keys) <= names for keys in PROVEN.values())


async def _plant(session: AsyncSession, factory: Factory, metric: str) -> Tenant:
    """One break of the kind ``metric`` counts, in a tenant of its own; returns the tenant."""
    flow = await factory.flow()
    asset, raw = await factory.wired_asset(flow, 1)
    if metric == "assets_with_orphan_raw_import_ref":
        change = (
            update(Asset).where(Asset.id == asset.id).values(raw_import_records_id=uuid.uuid4())
        )
    elif metric == "raw_records_with_orphan_asset_ref":
        change = (
            update(RawImportRecord)
            .where(RawImportRecord.id == raw.id)
            .values(asset_id=uuid.uuid4())
        )
    elif metric == "assets_with_broken_backlink":
        change = (
            update(RawImportRecord)
            .where(RawImportRecord.id == raw.id)
            .values(asset_id=None, processing_notes="x")
        )
    else:
        other = await factory.flow()
        change = (
            update(Asset)
            .where(Asset.id == asset.id)
            .values(discovery_flow_id=other.discovery_flow_id)
        )
    await session.execute(change)
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    return _tenant(flow)


@pytest.mark.parametrize("metric", sorted(PROVEN))
async def test_the_database_rejects_each_break_it_proves_absent(
    session: AsyncSession, factory: Factory, metric: str
) -> None:
    """A cross-tenant link, an orphan, a broken back-link: refused, at the latest at commit."""
    savepoint = await session.begin_nested()
    with pytest.raises(IntegrityError) as raised:
        await _plant(session, factory, metric)
    await savepoint.rollback()
    assert any(name in str(raised.value.orig) for name in PROVEN[metric]), raised.value


#: The key that rejects the break ``_plant`` makes for each metric.
REJECTED_BY = {
    "assets_with_orphan_raw_import_ref": "fk_assets_raw_import_records_backlink",
    "raw_records_with_orphan_asset_ref": "fk_raw_import_records_tenant_asset",
    "assets_with_broken_backlink": "fk_assets_raw_import_records_backlink",
    "cross_tenant_links": "fk_assets_tenant_discovery_flow",
}


@pytest.mark.parametrize("metric", sorted(PROVEN))
async def test_a_dropped_constraint_makes_its_metric_counted_again(
    session: AsyncSession, factory: Factory, metric: str
) -> None:
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    # The orphaned raw-row links break the back-link too, so it goes in every case.
    dropped = {REJECTED_BY[metric], "fk_assets_raw_import_records_backlink"}
    for fk in WIRING_FOREIGN_KEYS:
        if fk.name in dropped:
            await session.execute(text(fk.drop_sql()))
    tenant = await _plant(session, factory, metric)
    report = await wiring_health(session, tenant, detail=True)
    assert report.proven_by[metric] == COUNTED
    assert report.metrics[metric] == 1
    assert report.samples is not None and len(report.samples[metric]) == 1
    # A metric stays proven exactly while every one of its keys stands.
    for name, keys in PROVEN.items():
        assert (report.proven_by[name] == COUNTED) is bool(dropped & set(keys)), name


async def test_disabled_triggers_make_a_metric_counted(
    session: AsyncSession, factory: Factory
) -> None:
    """A constraint whose triggers are disabled checks nothing: its metrics are counted."""
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    await session.execute(text("ALTER TABLE migration.raw_import_records DISABLE TRIGGER ALL"))
    flow = await factory.flow()
    await factory.raw_row(flow, 1, asset_id=uuid.uuid4())
    report = await wiring_health(session, _tenant(flow))
    assert report.proven_by["raw_records_with_orphan_asset_ref"] == COUNTED
    assert report.metrics["raw_records_with_orphan_asset_ref"] == 1


async def test_duplicates_are_counted_once_per_asset_whatever_the_key(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    first = await factory.asset(flow, hostname="h1", external_id="X", serial_number="S")
    await factory.asset(flow, hostname="h1", external_id="X")  # twice a duplicate: once
    await factory.asset(flow, serial_number="S")
    await factory.asset(flow, hostname="h2", external_id="Y")  # shares nothing
    other = await factory.flow()
    await factory.asset(other, hostname="h1", external_id="X")  # another tenant's
    report = await wiring_health(session, _tenant(flow), detail=True)
    assert report.metrics["duplicate_assets"] == 2
    assert report.samples is not None
    assert str(first.id) not in {s["id"] for s in report.samples["duplicate_assets"]}
    assert (await wiring_health(session, _tenant(other))).metrics["duplicate_assets"] == 0


_TRUE_COUNTS = text(
    "SELECT k.key, k.value, count(*) FROM migration.assets AS a"
    " CROSS JOIN LATERAL (VALUES ('external_id', a.external_id),"
    "  ('serial_number', a.serial_number), ('hostname', a.hostname)) AS k(key, value)"
    " WHERE a.engagement_id = :e AND k.value IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
)
_KEPT_COUNTS = text(
    "SELECT key, value, assets FROM migration.asset_key_counts"
    " WHERE engagement_id = :e ORDER BY 1, 2"
)


async def _counts(session: AsyncSession, flow: Flow) -> tuple[list[Any], list[Any]]:
    e = {"e": flow.tenant.engagement_id}
    true = [tuple(r) for r in await session.execute(_TRUE_COUNTS, e)]
    kept = [tuple(r) for r in await session.execute(_KEPT_COUNTS, e)]
    return true, kept


async def test_the_key_counts_follow_every_insert_update_and_delete(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    first = await factory.asset(flow, hostname="h1", external_id="X", serial_number="S")
    second = await factory.asset(flow, hostname="h1", external_id="X")
    await factory.asset(flow, serial_number="S", name="no hostname")
    true, kept = await _counts(session, flow)
    assert kept == true
    assert ("hostname", "h1", 2) in kept
    # A bulk statement (one trigger call for its rows), a key changed, one cleared.
    await session.execute(
        text(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, hostname,"
            " asset_type) SELECT :c, :e, 'bulk', 'h' || (n % 3), 'server'"
            " FROM generate_series(1, 30) AS n"
        ),
        {"c": flow.tenant.client_account_id, "e": flow.tenant.engagement_id},
    )
    await session.execute(update(Asset).where(Asset.id == second.id).values(hostname="h9"))
    await session.execute(update(Asset).where(Asset.id == first.id).values(external_id=None))
    true, kept = await _counts(session, flow)
    assert kept == true
    assert ("external_id", "X", 1) in kept
    await session.execute(text("DELETE FROM migration.assets WHERE name = 'bulk'"))
    await session.execute(text("DELETE FROM migration.assets WHERE id = :i"), {"i": second.id})
    true, kept = await _counts(session, flow)
    assert kept == true
    assert ("hostname", "h9") not in {row[:2] for row in kept}  # none left: no row kept


async def test_an_engagement_or_account_deleted_takes_its_key_counts_with_it(
    session: AsyncSession, factory: Factory
) -> None:
    """The counts have no keys to the tenant tables (0031): the cascade deletes the assets,
    and the assets' delete trigger their counts."""
    kept, gone_engagement, gone_account = [await factory.flow() for _ in range(3)]
    for flow in (kept, gone_engagement, gone_account):
        await factory.asset(flow, hostname="h1", external_id="X", serial_number="S")
        await factory.asset(flow, hostname="h1")
    counts = text("SELECT engagement_id, count(*) FROM migration.asset_key_counts GROUP BY 1")
    engagements = [f.tenant.engagement_id for f in (kept, gone_engagement, gone_account)]
    before = {e: n for e, n in await session.execute(counts) if e in engagements}
    assert set(before.values()) == {3}

    await session.execute(
        text("DELETE FROM migration.engagements WHERE id = :e"),
        {"e": gone_engagement.tenant.engagement_id},
    )
    await session.execute(
        text("DELETE FROM migration.client_accounts WHERE id = :c"),
        {"c": gone_account.tenant.client_account_id},
    )

    after = {e: n for e, n in await session.execute(counts) if e in engagements}
    assert after == {kept.tenant.engagement_id: 3}
    assert (await _counts(session, kept))[0] == (await _counts(session, kept))[1]


@pytest.mark.parametrize("trigger", KEY_COUNT_TRIGGERS)
async def test_duplicates_are_counted_from_the_assets_while_a_count_trigger_is_off(
    session: AsyncSession, factory: Factory, trigger: str
) -> None:
    flow = await factory.flow()
    assert trigger in await standing_constraints(session)
    # The inserts' trigger off too, so that the rows below are not counted: only the
    # fallback can see them.
    for off in {trigger, "assets_key_counts_inserted"}:
        await session.execute(text(f"ALTER TABLE migration.assets DISABLE TRIGGER {off}"))
    assert trigger not in await standing_constraints(session)
    for _ in range(2):
        await factory.asset(flow, hostname="h1")
        await factory.asset(flow, serial_number="S")
    assert (await _counts(session, flow))[1] == []
    report = await wiring_health(session, _tenant(flow))
    assert report.metrics["duplicate_assets"] == 2
