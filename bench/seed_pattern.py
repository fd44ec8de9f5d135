"""B1's baseline: the seed plan's persistence pattern, written here from its description.

Per chunk of 500 cleansed rows, in one transaction (the plan's chunk loop):

1. one ORM ``Asset`` object per row, ``session.add``-ed;
2. ``flush()``, then ``refresh()`` of each asset (one SELECT per asset);
3. the link-back of each raw row with a Core ``UPDATE … WHERE id = :rid AND asset_id IS
   NULL``, executed once per parameter set (executemany).

The asset values come from the same function as ours (:func:`incoming_asset`), so both
sides do the same conversion work; the baseline creates one asset per valid row (the
pattern has no reconciliation, so in-file duplicates become extra assets).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.assets.bulk import ASSET_COLUMNS
from discovery.assets.inventory import InventoryPlan
from discovery.assets.models import Asset
from discovery.assets.preview import incoming_asset
from discovery.imports.models import RawImportRecord

CHUNK_SIZE = 500
_RAW: Table = RawImportRecord.__table__  # type: ignore[assignment]

# Core (not ORM-enabled) so that a list of parameter sets is an executemany.
LINK_BACK = (
    update(_RAW)
    .where(_RAW.c.id == bindparam("rid"), _RAW.c.asset_id.is_(None))
    .values(
        asset_id=bindparam("aid"),
        is_processed=True,
        processed_at=bindparam("at"),
        processing_notes=bindparam("note"),
    )
)


async def _chunk(session: AsyncSession, plan: InventoryPlan, after: int) -> int | None:
    rows = (
        await session.execute(
            select(
                RawImportRecord.id,
                RawImportRecord.row_number,
                RawImportRecord.raw_data,
                RawImportRecord.cleansed_data,
                RawImportRecord.validation_errors,
            )
            .where(
                RawImportRecord.data_import_id == plan.data_import_id,
                RawImportRecord.is_valid.is_(True),
                RawImportRecord.asset_id.is_(None),
                RawImportRecord.row_number > after,
            )
            .order_by(RawImportRecord.row_number)
            .limit(CHUNK_SIZE)
        )
    ).all()
    if not rows:
        return None
    now = datetime.now(UTC)
    shape = plan.shape
    assets: list[Asset] = []
    for row in rows:
        data = incoming_asset(shape, row.cleansed_data, row.raw_data, row.validation_errors)
        values: dict[str, Any] = {k: v for k, v in data.items() if k in ASSET_COLUMNS}
        asset = Asset(
            **values,
            client_account_id=plan.client_account_id,
            engagement_id=plan.engagement_id,
            discovery_flow_id=plan.discovery_flow_id,
            master_flow_id=plan.master_flow_id,
            raw_import_records_id=row.id,
            field_mappings_used=plan.mappings_hash,
            source_phase="asset_inventory",
            current_phase="asset_inventory",
            discovery_method="flow_based",
            discovery_source=plan.discovery_source,
            discovery_timestamp=now,
        )
        session.add(asset)
        assets.append(asset)
    await session.flush()
    for asset in assets:
        await session.refresh(asset)
    parameters = [
        {"rid": row.id, "aid": asset.id, "at": now, "note": f"Linked to: {asset.name}"}
        for row, asset in zip(rows, assets, strict=True)
    ]
    connection = await session.connection()
    await connection.execute(LINK_BACK, parameters)
    return int(rows[-1].row_number)


async def seed_pattern_inventory(
    factory: async_sessionmaker[AsyncSession], plan: InventoryPlan
) -> None:
    """Persist every valid, unlinked row of the plan's import the seed's way."""
    after = 0
    while True:
        async with factory() as session, session.begin():
            last = await _chunk(session, plan, after)
        if last is None:
            return
        after = last
