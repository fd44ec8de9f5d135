"""Drop the two tenant foreign keys of ``asset_key_counts`` (0029).

The counts are derived rows, written only by the assets' triggers: a count exists only
while assets of its engagement hold its value, and when an engagement or client account
goes, the cascade deletes its assets and the delete trigger removes their counts. So the
keys guarded nothing the triggers do not, and they cost the inventory most of a fifth of
its write time: three count rows per new asset, each checked against both tenant tables
(at 100,000 assets in 500-row chunks, 14.6 s with them and 11.0 s without, for the
assets' whole insert). The downgrade removes any count without its engagement, then
puts the keys back NOT VALID and validates them.

Revision ID: 0031
Revises: 0030
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_LINKS = (
    ("fk_asset_key_counts_client_account_id", "client_account_id", "client_accounts"),
    ("fk_asset_key_counts_engagement_id", "engagement_id", "engagements"),
)
# squawk's ban-drop-constraint warns that clients may rely on a dropped guarantee; the
# triggers of 0029 keep every count tied to live assets of its engagement.
IGNORE_DROP = "-- squawk-ignore ban-drop-constraint\n"


def upgrade() -> None:
    set_timeouts()
    for name, _column, _table in TENANT_LINKS:
        op.execute(
            IGNORE_DROP + f"ALTER TABLE {SCHEMA}.asset_key_counts DROP CONSTRAINT IF EXISTS {name}"
        )


def downgrade() -> None:
    set_timeouts()
    op.execute(
        f"DELETE FROM {SCHEMA}.asset_key_counts AS c WHERE NOT EXISTS"  # noqa: S608 (constants)
        f" (SELECT 1 FROM {SCHEMA}.engagements AS e WHERE e.id = c.engagement_id"
        " AND e.client_account_id = c.client_account_id)"
    )
    for name, column, table in TENANT_LINKS:
        op.execute(
            f"ALTER TABLE {SCHEMA}.asset_key_counts ADD CONSTRAINT {name} FOREIGN KEY ({column})"
            f" REFERENCES {SCHEMA}.{table} (id) ON DELETE CASCADE NOT VALID"
        )
    for name, _column, _table in TENANT_LINKS:
        op.execute(f"ALTER TABLE {SCHEMA}.asset_key_counts VALIDATE CONSTRAINT {name}")
