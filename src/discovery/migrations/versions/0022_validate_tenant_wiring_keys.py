"""Validate the tenant wiring keys.

``VALIDATE CONSTRAINT`` scans under a SHARE UPDATE EXCLUSIVE lock, so reads and writes
go on. It fails while a link crosses tenants, points nowhere, or an asset's raw row
names another asset: run ``discovery db repair-wiring`` first. The downgrade returns
the keys to NOT VALID.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import WIRING_FOREIGN_KEYS, set_timeouts

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    for foreign_key in WIRING_FOREIGN_KEYS:
        op.execute(foreign_key.validate_sql())


def downgrade() -> None:
    set_timeouts()
    for foreign_key in reversed(WIRING_FOREIGN_KEYS):
        op.execute(foreign_key.drop_sql())
        op.execute(foreign_key.add_not_valid_sql())
