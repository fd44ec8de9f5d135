"""The HTTP API: personal API tokens, idempotent uploads, asset search and keyset paging.

- ``api_tokens``: personal API tokens, stored as SHA-256 hashes only;
- ``data_imports.idempotency_key`` (nullable, so adding it rewrites nothing) with a
  partial unique index per tenant: a retried upload finds its import;
- on ``assets``: ``lower(col) text_pattern_ops`` indexes for the listing's
  case-insensitive prefix search over name, hostname, FQDN and IP address, and
  (tenant, created_at, id) for its stable order and keyset paging.

The indexes on the existing tables are built CONCURRENTLY (an INVALID leftover of an
interrupted build is dropped and built again).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = ("client_account_id", "engagement_id")
SEARCH_COLUMNS = ("name", "hostname", "fqdn", "ip_address")
IDEMPOTENCY_INDEX = "uq_data_imports_tenant_idempotency_key"
KEYSET_INDEX = "ix_assets_tenant_created_at_id"


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("token_prefix", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["migration.users.id"],
            name=op.f("fk_api_tokens_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_api_tokens_user_id"),
        "api_tokens",
        ["user_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.add_column(
        "data_imports",
        sa.Column("idempotency_key", sa.Text(), nullable=True),
        schema="migration",
        if_not_exists=True,
    )
    with op.get_context().autocommit_block():
        create_index_concurrently(
            IDEMPOTENCY_INDEX,
            "data_imports",
            (*TENANT, "idempotency_key"),
            unique=True,
            where="idempotency_key IS NOT NULL",
        )
        create_index_concurrently(KEYSET_INDEX, "assets", (*TENANT, "created_at", "id"))
        for column in SEARCH_COLUMNS:
            create_index_concurrently(
                f"ix_assets_search_{column}",
                "assets",
                (*TENANT, sa.text(f"lower({column}) text_pattern_ops")),
            )


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for column in reversed(SEARCH_COLUMNS):
            drop_index_concurrently(f"ix_assets_search_{column}")
        drop_index_concurrently(KEYSET_INDEX)
        drop_index_concurrently(IDEMPOTENCY_INDEX)
    op.drop_column("data_imports", "idempotency_key", schema="migration")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens", schema="migration")
    op.drop_table("api_tokens", schema="migration")
