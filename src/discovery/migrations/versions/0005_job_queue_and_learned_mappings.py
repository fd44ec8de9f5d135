"""The job queue's schema, learned field mappings, and where an import's file is kept.

Phases run as procrastinate jobs on this same PostgreSQL. Procrastinate's own tables and
functions live in their own schema, ``procrastinate``, created here from the SQL the
installed library ships (pinned to one minor version in pyproject.toml, because a newer
procrastinate ships schema migrations that need a revision of their own). Every
procrastinate function gets a fixed ``search_path``, so it works the same whatever the
caller's search path is (our sessions enqueue jobs inside their own transactions).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql

from discovery.migrations.helpers import set_timeouts

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JOB_SCHEMA = "procrastinate"

# Offline (--sql) rendering marks the library's SQL so CI can tell it from ours.
VENDORED_BEGIN = "-- vendored: procrastinate schema begin"
VENDORED_END = "-- vendored: procrastinate schema end"


def _create_job_queue_schema() -> None:
    offline = context.is_offline_mode()
    if offline:
        op.execute(VENDORED_BEGIN)
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {JOB_SCHEMA}")
    op.execute(f"SET LOCAL search_path TO {JOB_SCHEMA}, pg_catalog")
    op.execute(SchemaManager.get_schema())
    op.execute(
        """
        DO $$
        DECLARE function regprocedure;
        BEGIN
            FOR function IN
                SELECT p.oid::regprocedure FROM pg_proc p
                 WHERE p.pronamespace = 'procrastinate'::regnamespace
            LOOP
                EXECUTE format(
                    'ALTER FUNCTION %s SET search_path = procrastinate, pg_catalog', function
                );
            END LOOP;
        END
        $$
        """
    )
    op.execute("SET LOCAL search_path TO DEFAULT")
    if offline:
        op.execute(VENDORED_END)


def upgrade() -> None:
    set_timeouts()
    _create_job_queue_schema()
    op.create_table(
        "learned_field_mappings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("header_key", sa.Text(), nullable=False),
        sa.Column("source_field", sa.Text(), nullable=False),
        sa.Column("target_field", sa.Text(), nullable=True),
        sa.Column("learned_from_import_id", sa.UUID(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_learned_field_mappings_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["migration.users.id"],
            name=op.f("fk_learned_field_mappings_created_by"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learned_from_import_id"],
            ["migration.data_imports.id"],
            name=op.f("fk_learned_field_mappings_learned_from_import_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_field_mappings")),
        sa.UniqueConstraint(
            "client_account_id",
            "header_key",
            name=op.f("uq_learned_field_mappings_client_account_id_header_key"),
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.add_column(
        "data_imports", sa.Column("stored_file_path", sa.Text(), nullable=True), schema="migration"
    )
    op.add_column(
        "data_imports",
        sa.Column(
            "read_details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        schema="migration",
    )
    op.add_column(
        "data_imports",
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        schema="migration",
    )


def downgrade() -> None:
    set_timeouts()
    op.drop_column("data_imports", "options", schema="migration")
    op.drop_column("data_imports", "read_details", schema="migration")
    op.drop_column("data_imports", "stored_file_path", schema="migration")
    op.drop_table("learned_field_mappings", schema="migration")
    op.execute(f"DROP SCHEMA IF EXISTS {JOB_SCHEMA} CASCADE")
