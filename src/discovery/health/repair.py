"""``discovery db repair-wiring``: restore links that can be derived from the other side.

Three repairs, each a single set-based UPDATE that only fills an empty link and only
links rows of the same tenant (client account and engagement):

1. an asset without ``discovery_flow_id`` whose master flow has a discovery flow;
2. a raw row without ``asset_id`` that an asset points to (``assets.raw_import_records_id``);
3. an asset without ``raw_import_records_id`` that a raw row points to (``asset_id``).

Running it twice changes nothing the second time. A dry run performs the same updates
in a savepoint and rolls it back, so the counts it reports are exactly what a real run would do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

REPAIRS: tuple[tuple[str, str], ...] = (
    (
        "assets_discovery_flow_id",
        """
        UPDATE migration.assets AS a
           SET discovery_flow_id = df.id, updated_at = now()
          FROM migration.discovery_flows AS df
         WHERE a.discovery_flow_id IS NULL
           AND a.master_flow_id IS NOT NULL
           AND df.master_flow_id = a.master_flow_id
           AND df.client_account_id = a.client_account_id
           AND df.engagement_id = a.engagement_id
        """,
    ),
    (
        "raw_import_records_asset_id",
        """
        UPDATE migration.raw_import_records AS r
           SET asset_id = a.id,
               is_processed = true,
               processed_at = coalesce(r.processed_at, now()),
               processing_notes = 'linked by repair-wiring'
          FROM (
                SELECT DISTINCT ON (raw_import_records_id)
                       raw_import_records_id, id, client_account_id, engagement_id
                  FROM migration.assets
                 WHERE raw_import_records_id IS NOT NULL
                 ORDER BY raw_import_records_id, created_at, id
               ) AS a
         WHERE r.asset_id IS NULL
           AND a.raw_import_records_id = r.id
           AND a.client_account_id = r.client_account_id
           AND a.engagement_id = r.engagement_id
        """,
    ),
    (
        "assets_raw_import_records_id",
        """
        UPDATE migration.assets AS a
           SET raw_import_records_id = r.id, updated_at = now()
          FROM (
                SELECT DISTINCT ON (asset_id)
                       asset_id, id, client_account_id, engagement_id
                  FROM migration.raw_import_records
                 WHERE asset_id IS NOT NULL
                 ORDER BY asset_id, created_at, row_number, id
               ) AS r
         WHERE a.raw_import_records_id IS NULL
           AND r.asset_id = a.id
           AND r.client_account_id = a.client_account_id
           AND r.engagement_id = a.engagement_id
        """,
    ),
)


@dataclass(frozen=True)
class RepairReport:
    counts: dict[str, int]
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def repair_wiring(session: AsyncSession, *, dry_run: bool) -> RepairReport:
    """Apply every repair inside the caller's transaction.

    With ``dry_run`` the repairs run in a savepoint that is rolled back: the counts are
    exactly what a real run would change, and nothing is changed.
    """
    counts: dict[str, int] = {}
    savepoint = await session.begin_nested()
    try:
        for name, statement in REPAIRS:
            result = await session.execute(text(statement))
            counts[name] = int(getattr(result, "rowcount", 0))
    except BaseException:
        await savepoint.rollback()
        raise
    if dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    return RepairReport(counts=counts, dry_run=dry_run)
