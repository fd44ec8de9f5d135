"""The web UI: each user's chosen client account and engagement.

``user_tenant_preferences`` is a new table (one row per user), so creating it and its
indexes blocks nothing that already exists.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import set_timeouts

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "user_tenant_preferences"


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        TABLE,
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["migration.users.id"],
            name=op.f("fk_user_tenant_preferences_user_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_user_tenant_preferences_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_user_tenant_preferences_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_tenant_preferences")),
        schema="migration",
        if_not_exists=True,
    )
    for column in ("client_account_id", "engagement_id"):
        op.create_index(
            op.f(f"ix_user_tenant_preferences_{column}"),
            TABLE,
            [column],
            unique=False,
            schema="migration",
            if_not_exists=True,
        )


def downgrade() -> None:
    set_timeouts()
    for column in ("engagement_id", "client_account_id"):
        op.drop_index(
            op.f(f"ix_user_tenant_preferences_{column}"), table_name=TABLE, schema="migration"
        )
    op.drop_table(TABLE, schema="migration")
