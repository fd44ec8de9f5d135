"""Validate the lower-case checks of ``hostname``, ``fqdn`` and ``ip_address`` (0025).

``VALIDATE CONSTRAINT`` scans under a SHARE UPDATE EXCLUSIVE lock, so reads and writes
go on. Cleansing writes the three lower-case; a value written otherwise (by hand, in the
database) fails the validation: lower-case it first. The downgrade returns the checks to
NOT VALID.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOWER_CASE_COLUMNS = ("hostname", "fqdn", "ip_address")


def upgrade() -> None:
    set_timeouts()
    for column in LOWER_CASE_COLUMNS:
        op.execute(f"ALTER TABLE {SCHEMA}.assets VALIDATE CONSTRAINT ck_assets_{column}_lower_case")


def downgrade() -> None:
    set_timeouts()
    for column in reversed(LOWER_CASE_COLUMNS):
        op.execute(f"ALTER TABLE {SCHEMA}.assets DROP CONSTRAINT ck_assets_{column}_lower_case")
        op.execute(
            f"ALTER TABLE {SCHEMA}.assets ADD CONSTRAINT ck_assets_{column}_lower_case"
            f" CHECK ({column} = lower({column})) NOT VALID"
        )
