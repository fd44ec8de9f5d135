"""Asset reconciliation and tech debt: match-key indexes, import lineage, EOS flags.

Reconciliation looks existing assets up by external id, serial number, host name, FQDN,
IP address and name within an engagement; those indexes on the (possibly large) assets
table are built CONCURRENTLY. ``asset_imports`` records every import that created or
updated an asset.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = ("client_account_id", "engagement_id")
MATCH_INDEXES = (
    ("ix_assets_match_external_id", "external_id"),
    ("ix_assets_match_serial_number", "serial_number"),
    ("ix_assets_match_hostname", "hostname"),
    ("ix_assets_match_fqdn", "fqdn"),
    ("ix_assets_match_ip_address", "ip_address"),
    ("ix_assets_tenant_name", "name"),
)


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        "asset_imports",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("asset_id", sa.UUID(), nullable=False),
        sa.Column("data_import_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('created', 'updated')", name=op.f("ck_asset_imports_action_known")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["migration.assets.id"],
            name=op.f("fk_asset_imports_asset_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_import_id"],
            ["migration.data_imports.id"],
            name=op.f("fk_asset_imports_data_import_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_imports")),
        sa.UniqueConstraint(
            "asset_id", "data_import_id", name=op.f("uq_asset_imports_asset_id_data_import_id")
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_asset_imports_data_import_id"),
        "asset_imports",
        ["data_import_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.add_column(
        "assets",
        sa.Column(
            "tech_debt_flags",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.add_column(
        "assets",
        sa.Column("os_end_of_support", sa.Date(), nullable=True),
        schema="migration",
        if_not_exists=True,
    )
    with op.get_context().autocommit_block():
        for name, column in MATCH_INDEXES:
            create_index_concurrently(name, "assets", (*TENANT, column))


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for name, _column in reversed(MATCH_INDEXES):
            drop_index_concurrently(name)
    op.drop_column("assets", "os_end_of_support", schema="migration")
    op.drop_column("assets", "tech_debt_flags", schema="migration")
    op.drop_index(
        op.f("ix_asset_imports_data_import_id"), table_name="asset_imports", schema="migration"
    )
    op.drop_table("asset_imports", schema="migration")
