"""Tenant keys for the wiring, and partial indexes that hold only the problem rows.

Unique indexes on ``(client_account_id, engagement_id, id)`` of every table a tenant
link refers to (and ``…, id, asset_id`` of the raw rows, for the back-link key); the
foreign keys of 0021 refer to them. Partial indexes for the health metrics that no
constraint can rule out: assets without a discovery flow, raw rows marked processed
with neither an asset nor a reason, and pending dead-letter chunks. Each is empty on a
healthy tenant, so counting it costs nothing. Everything is built CONCURRENTLY.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import (
    HEALTH_INDEXES,
    TENANT_KEYS,
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for key in TENANT_KEYS:
            create_index_concurrently(key.name, key.table, list(key.columns), unique=True)
        for index in HEALTH_INDEXES:
            create_index_concurrently(
                index.name, index.table, list(index.columns), where=index.where
            )


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for index in reversed(HEALTH_INDEXES):
            drop_index_concurrently(index.name)
        for key in reversed(TENANT_KEYS):
            drop_index_concurrently(key.name)
