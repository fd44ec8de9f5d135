"""Sign-out that ends a session, and sign-in throttling.

- ``revoked_access_tokens``: the ids (``jti``) of access tokens ended by signing out,
  until they would have expired; every authenticated request looks its token up by
  primary key. ``expires_at`` is indexed for the purge of rows past it.
- ``sign_in_failures``: recent failed sign-ins per account (e-mail) and per client
  address, with the lockout they earned, shared by every process that serves the API.

Both are new tables, so creating them and their indexes blocks nothing that exists.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import set_timeouts

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVOKED = "revoked_access_tokens"
FAILURES = "sign_in_failures"


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        REVOKED,
        sa.Column("jti", sa.UUID(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "revoked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_access_tokens")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_revoked_access_tokens_expires_at"),
        REVOKED,
        ["expires_at"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        FAILURES,
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scope IN ('account', 'address')", name=op.f("ck_sign_in_failures_scope")
        ),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_sign_in_failures")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_sign_in_failures_last_failed_at"),
        FAILURES,
        ["last_failed_at"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )


def downgrade() -> None:
    set_timeouts()
    op.drop_index(
        op.f("ix_sign_in_failures_last_failed_at"), table_name=FAILURES, schema="migration"
    )
    op.drop_table(FAILURES, schema="migration")
    op.drop_index(
        op.f("ix_revoked_access_tokens_expires_at"), table_name=REVOKED, schema="migration"
    )
    op.drop_table(REVOKED, schema="migration")
