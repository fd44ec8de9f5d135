"""The tenant wiring keys, added NOT VALID beside the single-column keys they replace.

Every link between tenant tables becomes a foreign key on ``(client_account_id,
engagement_id, <id>)`` to the tenant keys of 0020, so a link to another tenant's row is
rejected by the database; the back-link key makes an asset's raw row name that asset.
``NOT VALID`` takes a brief lock and checks new rows from now on; 0022 validates the
existing ones and 0023 drops the single-column keys.

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import WIRING_FOREIGN_KEYS, set_timeouts

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    for foreign_key in WIRING_FOREIGN_KEYS:
        op.execute(foreign_key.add_not_valid_sql())


def downgrade() -> None:
    set_timeouts()
    for foreign_key in reversed(WIRING_FOREIGN_KEYS):
        op.execute(foreign_key.drop_sql())
