"""Planner aids found by the benchmarks: three indexes and extended statistics.

- ``ix_raw_import_records_pending``: the rows of an import still waiting for the
  inventory (valid, not processed, not linked), in row order. The inventory finds its
  next chunk there; without it the planner, trusting statistics from another moment of
  the import, walked the ``asset_id`` index over every linked row (60-950 ms a chunk).
- ``ix_assets_missing_master_flow``: assets without a master flow, per tenant; the
  health metric ``assets_missing_master_flow_id`` scanned the tenant's assets.
- ``ix_asset_imports_import_asset`` (data_import_id, asset_id) replaces the index on
  data_import_id alone: the dependency phase walks an import's assets in id order, and
  with the old index every batch joined all of the import's assets again (quadratic:
  73 s of a 1,000,000-row flow).
- ``CREATE STATISTICS (dependencies)`` on (client_account_id, engagement_id) of assets
  and raw rows: an engagement belongs to one client account, and without this the
  planner multiplies the two selectivities and underestimates a tenant's rows by about
  the number of client accounts (148,000 estimated for 400,000).

The indexes are built CONCURRENTLY; statistics objects take no lock that blocks writes
and are filled by the next ANALYZE.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import (
    SCHEMA,
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_INDEX = "ix_raw_import_records_pending"
PENDING_WHERE = "is_valid IS TRUE AND is_processed IS FALSE AND asset_id IS NULL"
MISSING_MASTER_INDEX = "ix_assets_missing_master_flow"
IMPORT_ASSET_INDEX = "ix_asset_imports_import_asset"
OLD_IMPORT_INDEX = "ix_asset_imports_data_import_id"
STATISTICS = {
    "st_assets_tenant": "assets",
    "st_raw_import_records_tenant": "raw_import_records",
}


def upgrade() -> None:
    set_timeouts()
    for name, table in STATISTICS.items():
        op.execute(
            f"CREATE STATISTICS IF NOT EXISTS {SCHEMA}.{name} (dependencies) "
            f"ON client_account_id, engagement_id FROM {SCHEMA}.{table}"
        )
    with op.get_context().autocommit_block():
        create_index_concurrently(
            PENDING_INDEX, "raw_import_records", ("data_import_id", "row_number"),
            where=PENDING_WHERE,
        )  # fmt: skip
        create_index_concurrently(
            MISSING_MASTER_INDEX, "assets", ("client_account_id", "engagement_id"),
            where="master_flow_id IS NULL",
        )  # fmt: skip
        create_index_concurrently(
            IMPORT_ASSET_INDEX, "asset_imports", ("data_import_id", "asset_id")
        )
        drop_index_concurrently(OLD_IMPORT_INDEX)


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        create_index_concurrently(OLD_IMPORT_INDEX, "asset_imports", ("data_import_id",))
        drop_index_concurrently(IMPORT_ASSET_INDEX)
        drop_index_concurrently(MISSING_MASTER_INDEX)
        drop_index_concurrently(PENDING_INDEX)
    for name in reversed(STATISTICS):
        op.execute(f"DROP STATISTICS IF EXISTS {SCHEMA}.{name}")
