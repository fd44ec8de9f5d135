"""``discovery db repair-wiring``: restore links that can be derived from the other side.

Three repairs fill links, each a single set-based UPDATE that only fills an empty link
and only links rows of the same tenant (client account and engagement):

1. an asset without ``discovery_flow_id`` whose master flow has a discovery flow;
2. a raw row without ``asset_id`` that an asset points to (``assets.raw_import_records_id``);
3. an asset without ``raw_import_records_id`` that a raw row points to (``asset_id``).

Before each fill, the links that the tenant wiring keys (``discovery.core.wiring``)
reject are cleared, so that ``restore-wiring-constraints`` can validate them after a
rollback: a link to a missing row or to another tenant's, an asset whose raw row names
another asset, and a dependency edge between tenants (deleted). With the keys in place
none of these can exist and every repair counts 0.

Running it twice changes nothing the second time. A dry run performs the same updates
in a savepoint and rolls it back, so the counts it reports are exactly what a real run would do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.models import SCHEMA

_CLEAR_RAW_ASSET = (
    "raw_import_records_asset_id_cleared",
    f"""
    UPDATE {SCHEMA}.raw_import_records AS r
       SET asset_id = NULL,
           processing_notes = 'unlinked by repair-wiring: asset missing or another tenant''s'
     WHERE r.asset_id IS NOT NULL
       AND NOT EXISTS (
             SELECT 1 FROM {SCHEMA}.assets a
              WHERE a.id = r.asset_id
                AND a.client_account_id = r.client_account_id
                AND a.engagement_id = r.engagement_id)
    """,  # noqa: S608 (the schema constant)
)

_FILL_RAW_ASSET = (
    "raw_import_records_asset_id",
    f"""
    UPDATE {SCHEMA}.raw_import_records AS r
       SET asset_id = a.id,
           is_processed = true,
           processed_at = coalesce(r.processed_at, now()),
           processing_notes = 'linked by repair-wiring'
      FROM (
            SELECT DISTINCT ON (raw_import_records_id)
                   raw_import_records_id, id, client_account_id, engagement_id
              FROM {SCHEMA}.assets
             WHERE raw_import_records_id IS NOT NULL
             ORDER BY raw_import_records_id, created_at, id
           ) AS a
     WHERE r.asset_id IS NULL
       AND a.raw_import_records_id = r.id
       AND a.client_account_id = r.client_account_id
       AND a.engagement_id = r.engagement_id
    """,  # noqa: S608 (the schema constant)
)

# After the fill above, an asset whose row is missing, another tenant's, or names another
# asset (it lost the row to an earlier asset) cannot keep that reference: the back-link
# key rejects it. The next repair gives it a row that names it, where one exists.
_CLEAR_ASSET_RAW = (
    "assets_raw_import_records_id_cleared",
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET raw_import_records_id = NULL, updated_at = now()
     WHERE a.raw_import_records_id IS NOT NULL
       AND NOT EXISTS (
             SELECT 1 FROM {SCHEMA}.raw_import_records r
              WHERE r.id = a.raw_import_records_id
                AND r.client_account_id = a.client_account_id
                AND r.engagement_id = a.engagement_id
                AND r.asset_id = a.id)
    """,  # noqa: S608 (the schema constant)
)

_FILL_ASSET_RAW = (
    "assets_raw_import_records_id",
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET raw_import_records_id = r.id, updated_at = now()
      FROM (
            SELECT DISTINCT ON (asset_id)
                   asset_id, id, client_account_id, engagement_id
              FROM {SCHEMA}.raw_import_records
             WHERE asset_id IS NOT NULL
             ORDER BY asset_id, created_at, row_number, id
           ) AS r
     WHERE a.raw_import_records_id IS NULL
       AND r.asset_id = a.id
       AND r.client_account_id = a.client_account_id
       AND r.engagement_id = a.engagement_id
    """,  # noqa: S608 (the schema constant)
)

_CLEAR_ASSET_FLOWS = (
    "assets_flow_links_cleared",
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET discovery_flow_id = CASE WHEN EXISTS (
                 SELECT 1 FROM {SCHEMA}.discovery_flows df
                  WHERE df.id = a.discovery_flow_id
                    AND df.client_account_id = a.client_account_id
                    AND df.engagement_id = a.engagement_id)
               THEN a.discovery_flow_id END,
           master_flow_id = CASE WHEN EXISTS (
                 SELECT 1 FROM {SCHEMA}.crewai_flow_state_extensions m
                  WHERE m.flow_id = a.master_flow_id
                    AND m.client_account_id = a.client_account_id
                    AND m.engagement_id = a.engagement_id)
               THEN a.master_flow_id END,
           updated_at = now()
     WHERE (a.discovery_flow_id IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM {SCHEMA}.discovery_flows df
                  WHERE df.id = a.discovery_flow_id
                    AND df.client_account_id = a.client_account_id
                    AND df.engagement_id = a.engagement_id))
        OR (a.master_flow_id IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM {SCHEMA}.crewai_flow_state_extensions m
                  WHERE m.flow_id = a.master_flow_id
                    AND m.client_account_id = a.client_account_id
                    AND m.engagement_id = a.engagement_id))
    """,  # noqa: S608 (the schema constant)
)

_FILL_ASSET_FLOW = (
    "assets_discovery_flow_id",
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET discovery_flow_id = df.id, updated_at = now()
      FROM {SCHEMA}.discovery_flows AS df
     WHERE a.discovery_flow_id IS NULL
       AND a.master_flow_id IS NOT NULL
       AND df.master_flow_id = a.master_flow_id
       AND df.client_account_id = a.client_account_id
       AND df.engagement_id = a.engagement_id
    """,  # noqa: S608 (the schema constant)
)

_DELETE_CROSS_TENANT_EDGES = (
    "asset_dependencies_across_tenants_deleted",
    f"""
    DELETE FROM {SCHEMA}.asset_dependencies AS d
     WHERE NOT EXISTS (
             SELECT 1 FROM {SCHEMA}.assets a
              WHERE a.id = d.asset_id
                AND a.client_account_id = d.client_account_id
                AND a.engagement_id = d.engagement_id)
        OR NOT EXISTS (
             SELECT 1 FROM {SCHEMA}.assets a
              WHERE a.id = d.depends_on_asset_id
                AND a.client_account_id = d.client_account_id
                AND a.engagement_id = d.engagement_id)
    """,  # noqa: S608 (the schema constant)
)

# The key counts of duplicate_assets (0029), kept by triggers on assets: wrong only if
# those triggers were disabled while assets changed. Recounted from the assets.
_KEY_VALUES = (
    "CROSS JOIN LATERAL (VALUES ('external_id', a.external_id),"
    " ('serial_number', a.serial_number), ('hostname', a.hostname)) AS k(key, value)"
)
_REMOVE_STALE_KEY_COUNTS = (
    "asset_key_counts_removed",
    f"""
    DELETE FROM {SCHEMA}.asset_key_counts AS c
     WHERE NOT EXISTS (
             SELECT 1 FROM {SCHEMA}.assets AS a {_KEY_VALUES}
              WHERE a.client_account_id = c.client_account_id
                AND a.engagement_id = c.engagement_id
                AND k.key = c.key AND k.value = c.value)
    """,  # noqa: S608 (constants)
)
_CORRECT_KEY_COUNTS = (
    "asset_key_counts_corrected",
    f"""
    INSERT INTO {SCHEMA}.asset_key_counts AS c
           (client_account_id, engagement_id, key, value, assets)
    SELECT a.client_account_id, a.engagement_id, k.key, k.value, count(*)::int
      FROM {SCHEMA}.assets AS a {_KEY_VALUES}
     WHERE k.value IS NOT NULL
     GROUP BY 1, 2, 3, 4
    ON CONFLICT (client_account_id, engagement_id, key, value)
    DO UPDATE SET assets = excluded.assets WHERE c.assets <> excluded.assets
    """,  # noqa: S608 (constants)
)

#: In this order: each clearing makes room for the fill after it.
REPAIRS: tuple[tuple[str, str], ...] = (
    _CLEAR_RAW_ASSET,
    _FILL_RAW_ASSET,
    _CLEAR_ASSET_RAW,
    _FILL_ASSET_RAW,
    _CLEAR_ASSET_FLOWS,
    _FILL_ASSET_FLOW,
    _DELETE_CROSS_TENANT_EDGES,
    _REMOVE_STALE_KEY_COUNTS,
    _CORRECT_KEY_COUNTS,
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
