"""``repair-wiring``: fills derivable links, only within a tenant, idempotent, dry run safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.health.repair import repair_wiring
from discovery.imports.models import RawImportRecord
from tests.factories import Factory

NOTHING = {
    "assets_discovery_flow_id": 0,
    "raw_import_records_asset_id": 0,
    "assets_raw_import_records_id": 0,
}


async def _links(session: AsyncSession, asset: Asset, raw: RawImportRecord) -> tuple[object, ...]:
    asset_row = (
        await session.execute(
            select(Asset.discovery_flow_id, Asset.raw_import_records_id).where(Asset.id == asset.id)
        )
    ).one()
    raw_row = (
        await session.execute(
            select(RawImportRecord.asset_id, RawImportRecord.is_processed).where(
                RawImportRecord.id == raw.id
            )
        )
    ).one()
    return (*asset_row, *raw_row)


async def test_each_kind_of_broken_link_is_repaired_once(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    broken_flow, broken_flow_raw = await factory.wired_asset(flow, 1)
    broken_back, broken_back_raw = await factory.wired_asset(flow, 2)
    broken_fwd, broken_fwd_raw = await factory.wired_asset(flow, 3)
    healthy, healthy_raw = await factory.wired_asset(flow, 4)
    await session.execute(
        update(Asset).where(Asset.id == broken_flow.id).values(discovery_flow_id=None)
    )
    await session.execute(
        update(RawImportRecord)
        .where(RawImportRecord.id == broken_back_raw.id)
        .values(asset_id=None, is_processed=False)
    )
    await session.execute(
        update(Asset).where(Asset.id == broken_fwd.id).values(raw_import_records_id=None)
    )
    before = [
        await _links(session, broken_flow, broken_flow_raw),
        await _links(session, broken_back, broken_back_raw),
        await _links(session, broken_fwd, broken_fwd_raw),
    ]

    dry = await repair_wiring(session, dry_run=True)
    assert dry.counts == {
        "assets_discovery_flow_id": 1,
        "raw_import_records_asset_id": 1,
        "assets_raw_import_records_id": 1,
    }
    assert dry.total == 3
    after_dry_run = [
        await _links(session, broken_flow, broken_flow_raw),
        await _links(session, broken_back, broken_back_raw),
        await _links(session, broken_fwd, broken_fwd_raw),
    ]
    assert after_dry_run == before

    real = await repair_wiring(session, dry_run=False)
    assert real.counts == dry.counts
    assert await _links(session, broken_flow, broken_flow_raw) == (
        flow.discovery_flow_id,
        broken_flow_raw.id,
        broken_flow.id,
        True,
    )
    assert await _links(session, broken_back, broken_back_raw) == (
        flow.discovery_flow_id,
        broken_back_raw.id,
        broken_back.id,
        True,
    )
    assert await _links(session, broken_fwd, broken_fwd_raw) == (
        flow.discovery_flow_id,
        broken_fwd_raw.id,
        broken_fwd.id,
        True,
    )
    assert await _links(session, healthy, healthy_raw) == (
        flow.discovery_flow_id,
        healthy_raw.id,
        healthy.id,
        True,
    )

    again = await repair_wiring(session, dry_run=False)
    assert again.counts == NOTHING


async def test_links_are_never_made_across_tenants(session: AsyncSession, factory: Factory) -> None:
    ours = await factory.flow()
    theirs = await factory.flow()
    raw = await factory.raw_row(theirs, 1)
    # An asset of one tenant pointing at another tenant's raw row and master flow.
    stray = await factory.asset(
        ours, raw, discovery_flow_id=None, master_flow_id=theirs.master_flow_id
    )
    report = await repair_wiring(session, dry_run=False)
    assert report.counts == NOTHING
    assert await _links(session, stray, raw) == (None, raw.id, None, False)


async def test_a_raw_row_claimed_by_two_assets_goes_to_the_first(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    raw = await factory.raw_row(flow, 1)
    first = await factory.asset(flow, raw)
    later = datetime.now(UTC) + timedelta(seconds=5)
    await factory.asset(flow, raw, created_at=later)
    earlier = datetime.now(UTC) - timedelta(seconds=5)
    await session.execute(update(Asset).where(Asset.id == first.id).values(created_at=earlier))
    report = await repair_wiring(session, dry_run=False)
    assert report.counts["raw_import_records_asset_id"] == 1
    linked = await session.scalar(
        select(RawImportRecord.asset_id).where(RawImportRecord.id == raw.id)
    )
    assert linked == first.id
