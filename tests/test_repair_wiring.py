"""``repair-wiring``: fills derivable links, only within a tenant, idempotent, dry run safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset, AssetDependency
from discovery.core.wiring import WIRING_FOREIGN_KEYS
from discovery.health.constraints import drop_wiring_constraints
from discovery.health.repair import REPAIRS, repair_wiring
from discovery.imports.models import RawImportRecord
from tests.factories import Factory

NOTHING = dict.fromkeys((name for name, _ in REPAIRS), 0)


async def _without_wiring_keys(session: AsyncSession) -> None:
    """The rollback state, in which the breaks below can be made (inside the test)."""
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    await drop_wiring_constraints(session)


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
        **NOTHING,
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
    await _without_wiring_keys(session)
    ours = await factory.flow()
    theirs = await factory.flow()
    raw = await factory.raw_row(theirs, 1)
    their_asset = await factory.asset(theirs)
    # An asset of one tenant pointing at another tenant's raw row and master flow, a raw
    # row naming another tenant's asset, and an edge between tenants.
    stray = await factory.asset(
        ours, raw, discovery_flow_id=None, master_flow_id=theirs.master_flow_id
    )
    our_raw = await factory.raw_row(ours, 1, asset_id=their_asset.id)
    session.add(
        AssetDependency(**ours.tenant.keys(), asset_id=stray.id, depends_on_asset_id=their_asset.id)
    )
    await session.flush()
    report = await repair_wiring(session, dry_run=False)
    # Nothing is linked across tenants; the links the tenant keys reject are cleared.
    assert report.counts == {
        **NOTHING,
        "raw_import_records_asset_id_cleared": 1,
        "assets_raw_import_records_id_cleared": 1,
        "assets_flow_links_cleared": 1,
        "asset_dependencies_across_tenants_deleted": 1,
    }
    assert await _links(session, stray, raw) == (None, None, None, False)
    assert (
        await session.scalar(
            select(RawImportRecord.asset_id).where(RawImportRecord.id == our_raw.id)
        )
        is None
    )
    for fk in WIRING_FOREIGN_KEYS:  # the keys validate again
        await session.execute(text(fk.add_not_valid_sql()))
        await session.execute(text(fk.validate_sql()))


async def test_a_raw_row_claimed_by_two_assets_goes_to_the_first(
    session: AsyncSession, factory: Factory
) -> None:
    await _without_wiring_keys(session)
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
    # The later asset loses its reference: the back-link key allows one asset per row.
    assert report.counts["assets_raw_import_records_id_cleared"] == 1


async def test_key_counts_left_wrong_while_their_triggers_were_off_are_recounted(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await factory.asset(flow, hostname="h1")
    gone = await factory.asset(flow, hostname="h2", serial_number="S2")
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # no pending checks
    for trigger in ("assets_key_counts_inserted", "assets_key_counts_deleted"):
        await session.execute(text(f"ALTER TABLE migration.assets DISABLE TRIGGER {trigger}"))
    await factory.asset(flow, hostname="h1")  # not counted: h1 held twice, counted once
    await session.execute(text("DELETE FROM migration.assets WHERE id = :i"), {"i": gone.id})
    report = await repair_wiring(session, dry_run=False)
    assert report.counts["asset_key_counts_removed"] == 2  # h2 and S2 are held by none
    assert report.counts["asset_key_counts_corrected"] == 1  # h1: 1 -> 2
    kept = await session.execute(
        text("SELECT key, value, assets FROM migration.asset_key_counts WHERE engagement_id = :e"),
        {"e": flow.tenant.engagement_id},
    )
    assert sorted(tuple(row) for row in kept) == [("hostname", "h1", 2)]
    again = await repair_wiring(session, dry_run=False)
    assert again.counts == NOTHING
