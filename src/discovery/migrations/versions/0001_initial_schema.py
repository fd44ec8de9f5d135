"""Initial schema: tenancy, flows, imports, field mappings, assets and dead letter.

The seed's four wiring indexes and the four wiring foreign keys come in the next
revisions, the way they reach a live database: indexes built CONCURRENTLY, foreign
keys added NOT VALID and validated afterwards.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 02:42:53.137669
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from discovery.migrations.helpers import set_timeouts

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        "client_accounts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_client_accounts_name")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column(
            "is_platform_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "client_account_memberships",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'analyst', 'admin')",
            name=op.f("ck_client_account_memberships_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_client_account_memberships_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["migration.users.id"],
            name=op.f("fk_client_account_memberships_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_account_memberships")),
        sa.UniqueConstraint(
            "user_id",
            "client_account_id",
            name=op.f("uq_client_account_memberships_user_id_client_account_id"),
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_client_account_memberships_client_account_id"),
        "client_account_memberships",
        ["client_account_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
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
            name=op.f("fk_engagements_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint(
            "client_account_id", "name", name=op.f("uq_engagements_client_account_id_name")
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "crewai_flow_state_extensions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("flow_id", sa.UUID(), nullable=False),
        sa.Column("flow_type", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("flow_name", sa.Text(), nullable=True),
        sa.Column("flow_status", sa.Text(), server_default="initialized", nullable=False),
        sa.Column(
            "flow_configuration",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "flow_persistence_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "phase_execution_times",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "error_history",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
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
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "flow_status IN ('initialized', 'running', 'waiting_for_approval', 'paused', 'completed', 'completed_with_errors', 'failed', 'cancelled')",
            name=op.f("ck_crewai_flow_state_extensions_flow_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_crewai_flow_state_extensions_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_crewai_flow_state_extensions_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["migration.users.id"],
            name=op.f("fk_crewai_flow_state_extensions_user_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crewai_flow_state_extensions")),
        sa.UniqueConstraint("flow_id", name=op.f("uq_crewai_flow_state_extensions_flow_id")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        "ix_master_flows_tenant_status",
        "crewai_flow_state_extensions",
        ["client_account_id", "engagement_id", "flow_status"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "data_imports",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("imported_by", sa.UUID(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column("file_format", sa.Text(), nullable=True),
        sa.Column("sheet_name", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("column_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("blank_rows_skipped", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("valid_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("invalid_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("processed_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "file_format IS NULL OR file_format IN ('csv', 'xlsx', 'json')",
            name=op.f("ck_data_imports_file_format_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'importing', 'completed', 'failed')",
            name=op.f("ck_data_imports_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_data_imports_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_data_imports_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["migration.users.id"],
            name=op.f("fk_data_imports_imported_by"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_imports")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        "ix_data_imports_tenant_created_at",
        "data_imports",
        ["client_account_id", "engagement_id", "created_at"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "discovery_flows",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("flow_id", sa.UUID(), nullable=False),
        sa.Column("master_flow_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("data_import_id", sa.UUID(), nullable=True),
        sa.Column("flow_name", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="initialized", nullable=False),
        sa.Column("current_phase", sa.Text(), nullable=True),
        sa.Column("progress_percentage", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "data_import_completed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "field_mapping_completed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "data_cleansing_completed",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "asset_inventory_completed",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "dependency_analysis_completed",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "tech_debt_assessment_completed",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "field_mappings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "phase_state",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_phase", sa.Text(), nullable=True),
        sa.Column("error_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
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
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "current_phase IS NULL OR current_phase IN ('data_import', 'field_mapping', 'data_cleansing', 'asset_inventory', 'dependency_analysis', 'tech_debt_assessment')",
            name=op.f("ck_discovery_flows_current_phase_known"),
        ),
        sa.CheckConstraint(
            "status IN ('initialized', 'running', 'waiting_for_approval', 'paused', 'completed', 'completed_with_errors', 'failed', 'cancelled')",
            name=op.f("ck_discovery_flows_status_known"),
        ),
        sa.CheckConstraint(
            "flow_id = master_flow_id", name=op.f("ck_discovery_flows_flow_id_is_master_flow_id")
        ),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100",
            name=op.f("ck_discovery_flows_progress_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_discovery_flows_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_import_id"],
            ["migration.data_imports.id"],
            name=op.f("fk_discovery_flows_data_import_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_discovery_flows_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["master_flow_id"],
            ["migration.crewai_flow_state_extensions.flow_id"],
            name=op.f("fk_discovery_flows_master_flow_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["migration.users.id"],
            name=op.f("fk_discovery_flows_user_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_flows")),
        sa.UniqueConstraint("flow_id", name=op.f("uq_discovery_flows_flow_id")),
        sa.UniqueConstraint("master_flow_id", name=op.f("uq_discovery_flows_master_flow_id")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_discovery_flows_data_import_id"),
        "discovery_flows",
        ["data_import_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        "ix_discovery_flows_tenant_status",
        "discovery_flows",
        ["client_account_id", "engagement_id", "status"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "import_field_mappings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("data_import_id", sa.UUID(), nullable=False),
        sa.Column("source_field", sa.Text(), nullable=False),
        sa.Column("target_field", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("match_type", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("alternatives", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.Text(), server_default="suggested", nullable=False),
        sa.Column("approved_by", sa.UUID(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "match_type IS NULL OR match_type IN ('exact', 'synonym', 'fuzzy', 'value_pattern', 'format', 'learned', 'manual')",
            name=op.f("ck_import_field_mappings_match_type_known"),
        ),
        sa.CheckConstraint(
            "status IN ('suggested', 'approved', 'rejected')",
            name=op.f("ck_import_field_mappings_status_known"),
        ),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_import_field_mappings_confidence_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["migration.users.id"],
            name=op.f("fk_import_field_mappings_approved_by"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_import_field_mappings_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_import_id"],
            ["migration.data_imports.id"],
            name=op.f("fk_import_field_mappings_data_import_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_import_field_mappings_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_field_mappings")),
        sa.UniqueConstraint(
            "data_import_id",
            "source_field",
            name=op.f("uq_import_field_mappings_data_import_id_source_field"),
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "raw_import_records",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("data_import_id", sa.UUID(), nullable=False),
        sa.Column("master_flow_id", sa.UUID(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw_data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cleansed_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_valid", sa.Boolean(), nullable=True),
        sa.Column("validation_errors", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_processed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processing_notes", sa.Text(), nullable=True),
        sa.Column("asset_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "row_number >= 1", name=op.f("ck_raw_import_records_row_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_raw_import_records_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["data_import_id"],
            ["migration.data_imports.id"],
            name=op.f("fk_raw_import_records_data_import_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_raw_import_records_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_import_records")),
        sa.UniqueConstraint(
            "data_import_id",
            "row_number",
            name=op.f("uq_raw_import_records_data_import_id_row_number"),
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_raw_import_records_asset_id"),
        "raw_import_records",
        ["asset_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("hostname", sa.Text(), nullable=True),
        sa.Column("fqdn", sa.Text(), nullable=True),
        sa.Column("ip_address", sa.Text(), nullable=True),
        sa.Column("mac_address", sa.Text(), nullable=True),
        sa.Column("serial_number", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("asset_type", sa.Text(), server_default="other", nullable=False),
        sa.Column("operating_system", sa.Text(), nullable=True),
        sa.Column("os_version", sa.Text(), nullable=True),
        sa.Column("cpu_cores", sa.Integer(), nullable=True),
        sa.Column("cpu_sockets", sa.Integer(), nullable=True),
        sa.Column("memory_gb", sa.Numeric(asdecimal=False), nullable=True),
        sa.Column("storage_gb", sa.Numeric(asdecimal=False), nullable=True),
        sa.Column("storage_used_gb", sa.Numeric(asdecimal=False), nullable=True),
        sa.Column("disk_count", sa.Integer(), nullable=True),
        sa.Column("nic_count", sa.Integer(), nullable=True),
        sa.Column("virtualization_platform", sa.Text(), nullable=True),
        sa.Column("power_state", sa.Text(), nullable=True),
        sa.Column("manufacturer", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("database_type", sa.Text(), nullable=True),
        sa.Column("database_version", sa.Text(), nullable=True),
        sa.Column("cpu_utilization_percent_max", sa.Numeric(asdecimal=False), nullable=True),
        sa.Column("memory_utilization_percent_max", sa.Numeric(asdecimal=False), nullable=True),
        sa.Column("environment", sa.Text(), nullable=True),
        sa.Column("datacenter", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("cluster", sa.Text(), nullable=True),
        sa.Column("host", sa.Text(), nullable=True),
        sa.Column("application_name", sa.Text(), nullable=True),
        sa.Column("business_owner", sa.Text(), nullable=True),
        sa.Column("technical_owner", sa.Text(), nullable=True),
        sa.Column("business_unit", sa.Text(), nullable=True),
        sa.Column("criticality", sa.Text(), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "depends_on",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("discovery_flow_id", sa.UUID(), nullable=True),
        sa.Column("master_flow_id", sa.UUID(), nullable=True),
        sa.Column("raw_import_records_id", sa.UUID(), nullable=True),
        sa.Column("field_mappings_used", sa.Text(), nullable=True),
        sa.Column("source_phase", sa.Text(), nullable=True),
        sa.Column("current_phase", sa.Text(), nullable=True),
        sa.Column("discovery_method", sa.Text(), nullable=True),
        sa.Column("discovery_source", sa.Text(), nullable=True),
        sa.Column("discovery_timestamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence_score", sa.Double(), nullable=True),
        sa.Column("quality_score", sa.Double(), nullable=True),
        sa.Column("completeness_score", sa.Double(), nullable=True),
        sa.Column(
            "custom_attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
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
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "asset_type IN ('server', 'virtual_machine', 'database', 'application', 'network', 'load_balancer', 'storage', 'security_group', 'container', 'other')",
            name=op.f("ck_assets_asset_type_known"),
        ),
        sa.CheckConstraint(
            "criticality IS NULL OR criticality IN ('low', 'medium', 'high', 'critical')",
            name=op.f("ck_assets_criticality_known"),
        ),
        sa.CheckConstraint(
            "environment IS NULL OR environment IN ('production', 'staging', 'test', 'development', 'dr')",
            name=op.f("ck_assets_environment_known"),
        ),
        sa.CheckConstraint(
            "power_state IS NULL OR power_state IN ('on', 'off', 'suspended')",
            name=op.f("ck_assets_power_state_known"),
        ),
        sa.CheckConstraint(
            "completeness_score IS NULL OR (completeness_score >= 0 AND completeness_score <= 1)",
            name=op.f("ck_assets_completeness_score_in_range"),
        ),
        sa.CheckConstraint(
            "confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)",
            name=op.f("ck_assets_confidence_score_in_range"),
        ),
        sa.CheckConstraint(
            "cpu_utilization_percent_max IS NULL OR (cpu_utilization_percent_max >= 0 AND cpu_utilization_percent_max <= 100)",
            name=op.f("ck_assets_cpu_utilization_in_range"),
        ),
        sa.CheckConstraint(
            "memory_utilization_percent_max IS NULL OR (memory_utilization_percent_max >= 0 AND memory_utilization_percent_max <= 100)",
            name=op.f("ck_assets_memory_utilization_in_range"),
        ),
        sa.CheckConstraint(
            "quality_score IS NULL OR (quality_score >= 0 AND quality_score <= 1)",
            name=op.f("ck_assets_quality_score_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_assets_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_assets_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "failed_asset_chunks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("discovery_flow_id", sa.UUID(), nullable=False),
        sa.Column("chunk_number", sa.Integer(), nullable=False),
        sa.Column("first_row_number", sa.Integer(), nullable=False),
        sa.Column("last_row_number", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("reprocessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "first_row_number <= last_row_number",
            name=op.f("ck_failed_asset_chunks_row_range_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_failed_asset_chunks_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["discovery_flow_id"],
            ["migration.discovery_flows.id"],
            name=op.f("fk_failed_asset_chunks_discovery_flow_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_failed_asset_chunks_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_asset_chunks")),
        sa.UniqueConstraint(
            "discovery_flow_id",
            "chunk_number",
            name=op.f("uq_failed_asset_chunks_discovery_flow_id_chunk_number"),
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_table(
        "asset_dependencies",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("asset_id", sa.UUID(), nullable=False),
        sa.Column("depends_on_asset_id", sa.UUID(), nullable=False),
        sa.Column("dependency_type", sa.Text(), server_default="depends_on", nullable=False),
        sa.Column("source_flow_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("client_account_id", sa.UUID(), nullable=False),
        sa.Column("engagement_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "asset_id <> depends_on_asset_id", name=op.f("ck_asset_dependencies_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["migration.assets.id"],
            name=op.f("fk_asset_dependencies_asset_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            ["migration.client_accounts.id"],
            name=op.f("fk_asset_dependencies_client_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["depends_on_asset_id"],
            ["migration.assets.id"],
            name=op.f("fk_asset_dependencies_depends_on_asset_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["migration.engagements.id"],
            name=op.f("fk_asset_dependencies_engagement_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_flow_id"],
            ["migration.discovery_flows.id"],
            name=op.f("fk_asset_dependencies_source_flow_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_dependencies")),
        sa.UniqueConstraint(
            "asset_id", "depends_on_asset_id", "dependency_type", name="uq_asset_dependencies_edge"
        ),
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_asset_dependencies_depends_on_asset_id"),
        "asset_dependencies",
        ["depends_on_asset_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_asset_dependencies_source_flow_id"),
        "asset_dependencies",
        ["source_flow_id"],
        unique=False,
        schema="migration",
        if_not_exists=True,
    )


def downgrade() -> None:
    set_timeouts()
    op.drop_index(
        op.f("ix_asset_dependencies_source_flow_id"),
        table_name="asset_dependencies",
        schema="migration",
    )
    op.drop_index(
        op.f("ix_asset_dependencies_depends_on_asset_id"),
        table_name="asset_dependencies",
        schema="migration",
    )
    op.drop_table("asset_dependencies", schema="migration")
    op.drop_table("failed_asset_chunks", schema="migration")
    op.drop_table("assets", schema="migration")
    op.drop_index(
        op.f("ix_raw_import_records_asset_id"), table_name="raw_import_records", schema="migration"
    )
    op.drop_table("raw_import_records", schema="migration")
    op.drop_table("import_field_mappings", schema="migration")
    op.drop_index(
        "ix_discovery_flows_tenant_status", table_name="discovery_flows", schema="migration"
    )
    op.drop_index(
        op.f("ix_discovery_flows_data_import_id"), table_name="discovery_flows", schema="migration"
    )
    op.drop_table("discovery_flows", schema="migration")
    op.drop_index(
        "ix_data_imports_tenant_created_at", table_name="data_imports", schema="migration"
    )
    op.drop_table("data_imports", schema="migration")
    op.drop_index(
        "ix_master_flows_tenant_status",
        table_name="crewai_flow_state_extensions",
        schema="migration",
    )
    op.drop_table("crewai_flow_state_extensions", schema="migration")
    op.drop_table("engagements", schema="migration")
    op.drop_index(
        op.f("ix_client_account_memberships_client_account_id"),
        table_name="client_account_memberships",
        schema="migration",
    )
    op.drop_table("client_account_memberships", schema="migration")
    op.drop_table("users", schema="migration")
    op.drop_table("client_accounts", schema="migration")
