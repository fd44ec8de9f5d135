"""Row-level security on every tenant table, for the role the service runs as.

Creates the role ``discovery_service`` (NOLOGIN, NOBYPASSRLS: the service connects as
``DATABASE_URL``'s user and switches to it) unless the cluster has it, lets the migrating
user switch to it, and grants it the data privileges on the two schemas (and, by
default privileges, on the tables later migrations create). Then enables row-level
security with one policy per tenant table: the service sees and writes only rows of the
tenant that the transaction's settings ``discovery.client_account_id`` and
``discovery.engagement_id`` name, and nothing when they are not set. The owner (who
migrates, and runs the CLI's commands) is not subject to the policies.

* Engagement tables: both settings. ``learned_field_mappings`` (learned per client
  account): the client account's. ``asset_imports`` carries no tenant: the rows of the
  tenant's own imports.
* Three functions run as the owner for the service: ``discovery_flow_tenant(flow)``, the
  tenant of a flow (by its id or its master flow's), for a job that knows only that id; and
  ``analyze_table(table, columns)`` (a table of this schema), since only the owner may
  ANALYZE and the phases refresh statistics after bulk changes; and
  ``client_import_origins(client, imports)``, the engagement and file of the imports a
  client account's learned mappings came from, which may be other engagements'.

Catalogue changes only; the policies apply from the next transaction. The downgrade
drops the policies, functions and grants; it leaves the role, which belongs to the
cluster and may serve other databases.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "discovery_service"
JOB_SCHEMA = "procrastinate"
_CLIENT = "nullif(current_setting('discovery.client_account_id', true), '')::uuid"
_ENGAGEMENT = "nullif(current_setting('discovery.engagement_id', true), '')::uuid"
_IN_ENGAGEMENT = f"client_account_id = {_CLIENT} AND engagement_id = {_ENGAGEMENT}"
TABLES = {
    "data_imports": _IN_ENGAGEMENT,
    "raw_import_records": _IN_ENGAGEMENT,
    "import_field_mappings": _IN_ENGAGEMENT,
    "crewai_flow_state_extensions": _IN_ENGAGEMENT,
    "discovery_flows": _IN_ENGAGEMENT,
    "assets": _IN_ENGAGEMENT,
    "asset_alternate_ids": _IN_ENGAGEMENT,
    "asset_dependencies": _IN_ENGAGEMENT,
    "failed_asset_chunks": _IN_ENGAGEMENT,
    "asset_imports": f"data_import_id IN (SELECT id FROM {SCHEMA}.data_imports)",  # noqa: S608
    "learned_field_mappings": f"client_account_id = {_CLIENT}",
}

FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.discovery_flow_tenant(flow uuid)
    RETURNS TABLE (client_account_id uuid, engagement_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT f.client_account_id, f.engagement_id
        FROM {SCHEMA}.discovery_flows AS f WHERE f.id = flow OR f.master_flow_id = flow
       LIMIT 1
    $$
    """,  # noqa: S608 (the schema constant)
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.analyze_table(table_name text, columns text[])
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      EXECUTE format('ANALYZE %I.%I', '{SCHEMA}', table_name)
        || CASE WHEN cardinality(columns) > 0
                THEN ' (' || (SELECT string_agg(format('%I', c), ', ') FROM unnest(columns) AS c)
                     || ')'
                ELSE '' END;
    END
    $$
    """,  # noqa: S608 (the schema constant)
    # Learned mappings belong to the client account; where each was learned is an import
    # of one of its engagements, which the engagement's policy hides from the others.
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.client_import_origins(client uuid, imports uuid[])
    RETURNS TABLE (id uuid, engagement_id uuid, file_name text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT d.id, d.engagement_id, d.file_name
        FROM {SCHEMA}.data_imports AS d
       WHERE d.id = ANY(imports) AND d.client_account_id = client
         AND client = coalesce({_CLIENT}, client)
    $$
    """,  # noqa: S608 (constants)
)
FUNCTION_SIGNATURES = (
    "discovery_flow_tenant(uuid)",
    "analyze_table(text, text[])",
    "client_import_origins(uuid, uuid[])",
)


def upgrade() -> None:
    set_timeouts()
    op.execute(
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{ROLE}') THEN
            CREATE ROLE {ROLE} NOLOGIN NOBYPASSRLS;
          END IF;
        END
        $$
        """
    )
    op.execute(f"GRANT {ROLE} TO CURRENT_USER")
    for schema in (SCHEMA, JOB_SCHEMA):
        op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {ROLE}")
        op.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {ROLE}"
        )
        op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {ROLE}")
        op.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {ROLE}")
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}"
        )
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {ROLE}"
        )
    for statement in FUNCTIONS:
        op.execute(statement)
    for signature in FUNCTION_SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {SCHEMA}.{signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{signature} TO {ROLE}")
    for table, condition in TABLES.items():
        op.execute(f"ALTER TABLE {SCHEMA}.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {SCHEMA}.{table} TO {ROLE}"
            f" USING ({condition}) WITH CHECK ({condition})"
        )


def downgrade() -> None:
    set_timeouts()
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {SCHEMA}.{table}")
        op.execute(f"ALTER TABLE {SCHEMA}.{table} DISABLE ROW LEVEL SECURITY")
    for signature in reversed(FUNCTION_SIGNATURES):
        op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.{signature}")
    for schema in (JOB_SCHEMA, SCHEMA):
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {ROLE}"
        )
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {ROLE}"
        )
        op.execute(f"REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} FROM {ROLE}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {ROLE}")
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ROLE}")
        op.execute(f"REVOKE USAGE ON SCHEMA {schema} FROM {ROLE}")
