"""A partial GIN index of the assets' alternate identifiers.

An in-file duplicate row (another ServiceNow ``sys_id`` for the same host, an SRM
placeholder's own VM UUID) keeps its differing identifiers in
``custom_attributes.alternate_ids`` (``kind=value; …``), so that a later file carrying
either id finds the asset. Reconciliation looks them up per chunk with
``string_to_array(custom_attributes->>'alternate_ids', '; ') && :values``; the index
holds only the assets that have alternates, so it stays small. Built CONCURRENTLY.

Revision ID: 0014
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_assets_alternate_ids"


def upgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        create_index_concurrently(
            INDEX,
            "assets",
            [text("string_to_array(custom_attributes ->> 'alternate_ids', '; ')")],
            where="custom_attributes ? 'alternate_ids'",
            using="gin",
        )


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        drop_index_concurrently(INDEX)
