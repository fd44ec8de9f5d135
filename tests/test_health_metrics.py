"""Wiring-health metrics: zero for a wired tenant, each problem counted, tenants apart."""

from __future__ import annotations

import uuid

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, FailedAssetChunk
from discovery.flows.models import DiscoveryFlow
from discovery.health.metrics import METRIC_NAMES, Tenant, wiring_health
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


async def test_each_problem_is_counted_and_sampled(session: AsyncSession, factory: Factory) -> None:
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
    # Orphans need the foreign keys out of the way (dropped inside this test's transaction).
    await session.execute(
        text("ALTER TABLE migration.assets DROP CONSTRAINT fk_assets_raw_import_records_id")
    )
    await session.execute(
        text(
            "ALTER TABLE migration.raw_import_records DROP CONSTRAINT fk_raw_import_records_asset_id"
        )
    )
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
