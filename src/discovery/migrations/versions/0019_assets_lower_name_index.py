"""An index for the inventory's default order: by name, whatever its case.

The inventory page lists assets by ``lower(name)`` (``app01``, ``DB01``, ``Web03``), with
the id to break ties; this index serves that order within a tenant so a page reads only
its own rows. Built CONCURRENTLY.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_assets_tenant_lower_name_id"


def upgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        create_index_concurrently(
            INDEX,
            "assets",
            ["client_account_id", "engagement_id", text("lower(name)"), "id"],
        )


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        drop_index_concurrently(INDEX)
