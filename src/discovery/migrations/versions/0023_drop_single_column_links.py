"""Drop the single-column links that the tenant wiring keys replaced.

With 0022 the tenant keys check everything these did, and more; each link is checked
once from here on. The downgrade puts them back NOT VALID and validates them, so that
0022 and before find the keys they were written against.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import (
    SINGLE_COLUMN_TENANT_LINKS,
    SINGLE_COLUMN_WIRING_FOREIGN_KEYS,
    set_timeouts,
)

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLACED = (*SINGLE_COLUMN_WIRING_FOREIGN_KEYS, *SINGLE_COLUMN_TENANT_LINKS)


# squawk's ban-drop-constraint warns that clients may rely on a dropped guarantee; the
# tenant keys validated in 0022 give every guarantee these gave.
IGNORE_DROP = "-- squawk-ignore ban-drop-constraint\n"


def upgrade() -> None:
    set_timeouts()
    for foreign_key in REPLACED:
        op.execute(IGNORE_DROP + foreign_key.drop_sql())


def downgrade() -> None:
    set_timeouts()
    for foreign_key in REPLACED:
        op.execute(foreign_key.drop_sql())
        op.execute(foreign_key.add_not_valid_sql())
    for foreign_key in REPLACED:
        op.execute(foreign_key.validate_sql())
