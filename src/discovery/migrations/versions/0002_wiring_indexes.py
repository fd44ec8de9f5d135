"""The seed's four wiring indexes, built CONCURRENTLY so writes are never blocked.

``CREATE INDEX CONCURRENTLY`` cannot run inside a transaction, hence the autocommit
block. An interrupted build leaves an INVALID index behind that ``IF NOT EXISTS`` would
happily keep; such a leftover is dropped first so that a re-run builds a valid index.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    (
        "idx_assets_tenant_discovery",
        "assets",
        ("client_account_id", "engagement_id", "discovery_method", "discovery_flow_id"),
    ),
    (
        "idx_assets_tenant_raw_import",
        "assets",
        ("client_account_id", "engagement_id", "raw_import_records_id"),
    ),
    (
        "idx_raw_import_tenant_processed",
        "raw_import_records",
        ("client_account_id", "engagement_id", "is_processed", "asset_id"),
    ),
    (
        "idx_raw_import_tenant_id",
        "raw_import_records",
        ("client_account_id", "engagement_id", "id"),
    ),
)


def upgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for name, table, columns in INDEXES:
            create_index_concurrently(name, table, columns)


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for name, _table, _columns in reversed(INDEXES):
            drop_index_concurrently(name)
