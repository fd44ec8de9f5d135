"""Several columns for one field: ``import_field_mappings.priority``.

A nullable ``integer``: None for a target's only column, 1 for its primary column, 2, 3, …
for its fallbacks. Adding a nullable column without a default only changes the catalogue.
Its check (``priority >= 1``) is added ``NOT VALID`` (no scan under the lock); revision
0017 validates it in a transaction of its own, which reads the table without blocking
writes (every existing row is NULL).

Revision ID: 0016
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "import_field_mappings"
CHECK = "ck_import_field_mappings_priority_positive"


def upgrade() -> None:
    set_timeouts()
    op.add_column(
        TABLE, sa.Column("priority", sa.Integer(), nullable=True), schema=SCHEMA,
        if_not_exists=True,
    )  # fmt: skip
    op.execute(
        f"ALTER TABLE {SCHEMA}.{TABLE} ADD CONSTRAINT {CHECK} "
        "CHECK (priority IS NULL OR priority >= 1) NOT VALID"
    )


def downgrade() -> None:
    set_timeouts()
    op.execute(f"ALTER TABLE {SCHEMA}.{TABLE} DROP CONSTRAINT IF EXISTS {CHECK}")
    op.drop_column(TABLE, "priority", schema=SCHEMA)
