"""Validate the check of ``import_field_mappings.priority`` added NOT VALID by 0016.

In a revision (and so a transaction) of its own, as for the wiring keys (0003/0004):
``VALIDATE CONSTRAINT`` reads the table under a lock that does not block writes.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "import_field_mappings"
CHECK = "ck_import_field_mappings_priority_positive"


def upgrade() -> None:
    set_timeouts()
    op.execute(f"ALTER TABLE {SCHEMA}.{TABLE} VALIDATE CONSTRAINT {CHECK}")


def downgrade() -> None:
    set_timeouts()
    # Back to the NOT VALID state 0016 leaves: drop and add again without validating.
    op.execute(f"ALTER TABLE {SCHEMA}.{TABLE} DROP CONSTRAINT IF EXISTS {CHECK}")
    op.execute(
        f"ALTER TABLE {SCHEMA}.{TABLE} ADD CONSTRAINT {CHECK} "
        "CHECK (priority IS NULL OR priority >= 1) NOT VALID"
    )
