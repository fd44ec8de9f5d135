"""Validate the four wiring foreign keys.

``VALIDATE CONSTRAINT`` scans the table under a SHARE UPDATE EXCLUSIVE lock, so reads
and writes go on. It fails while orphaned references exist: run
``discovery db repair-wiring`` first. The downgrade returns the keys to NOT VALID.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SINGLE_COLUMN_WIRING_FOREIGN_KEYS, set_timeouts

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    for foreign_key in SINGLE_COLUMN_WIRING_FOREIGN_KEYS:
        op.execute(foreign_key.validate_sql())


def downgrade() -> None:
    set_timeouts()
    for foreign_key in reversed(SINGLE_COLUMN_WIRING_FOREIGN_KEYS):
        op.execute(foreign_key.drop_sql())
        op.execute(foreign_key.add_not_valid_sql())
