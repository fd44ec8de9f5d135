"""The four wiring foreign keys, added NOT VALID.

``NOT VALID`` takes only a brief lock and does not scan existing rows, yet every new or
changed row is checked from this moment on. The next revision validates the existing
rows, which does not block writes.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SINGLE_COLUMN_WIRING_FOREIGN_KEYS, set_timeouts

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    for foreign_key in SINGLE_COLUMN_WIRING_FOREIGN_KEYS:
        op.execute(foreign_key.add_not_valid_sql())


def downgrade() -> None:
    set_timeouts()
    for foreign_key in reversed(SINGLE_COLUMN_WIRING_FOREIGN_KEYS):
        op.execute(foreign_key.drop_sql())
