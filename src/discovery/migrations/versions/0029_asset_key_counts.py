"""How many assets of an engagement hold each value of a duplicate key, kept by triggers.

The health metric ``duplicate_assets`` needs the values of ``external_id``,
``serial_number`` and ``hostname`` that more than one asset of the engagement holds. It
found them by grouping the whole key index of the engagement (400,000 entries per key at
the benchmark's largest tenant: most of the health check's time). ``asset_key_counts``
keeps the number of assets per (engagement, key, value), so the repeated values are read
from a partial index that holds only them:

* a statement trigger after INSERT adds the new assets' values (from the statement's
  transition table: one upsert per chunk, not per row);
* a statement trigger after DELETE subtracts the deleted ones';
* a row trigger after an UPDATE that changes one of the three moves the asset's values.

Created and filled in one transaction (the triggers' lock holds writes back meanwhile),
with the tenant policy of 0028. The downgrade drops the table and its triggers.

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "discovery_service"
KEYS = ("external_id", "serial_number", "hostname")
_CLIENT = "nullif(current_setting('discovery.client_account_id', true), '')::uuid"
_ENGAGEMENT = "nullif(current_setting('discovery.engagement_id', true), '')::uuid"
_IN_ENGAGEMENT = f"client_account_id = {_CLIENT} AND engagement_id = {_ENGAGEMENT}"


def _values_of(alias: str) -> str:
    """SQL: a FROM item with one (key, value) row per non-null key of the rows ``alias``."""
    listed = ", ".join(f"('{key}', {alias}.{key})" for key in KEYS)
    return f"CROSS JOIN LATERAL (VALUES {listed}) AS k(key, value)"


def _grouped(source: str, alias: str) -> str:
    """SQL: the (tenant, key, value, assets) counts of the rows of ``source``."""
    return (
        f"SELECT {alias}.client_account_id, {alias}.engagement_id, k.key, k.value,"  # noqa: S608 (constants)
        f" count(*)::int AS assets FROM {source} AS {alias} {_values_of(alias)}"
        " WHERE k.value IS NOT NULL GROUP BY 1, 2, 3, 4"
    )


_ADD = f"""
    INSERT INTO {SCHEMA}.asset_key_counts AS c
           (client_account_id, engagement_id, key, value, assets)
    {{grouped}}
    ON CONFLICT (client_account_id, engagement_id, key, value)
    DO UPDATE SET assets = c.assets + excluded.assets
"""
_MATCH = (
    "c.client_account_id = gone.client_account_id AND c.engagement_id = gone.engagement_id"
    " AND c.key = gone.key AND c.value = gone.value"
)
# Two statements: a row updated by one statement cannot be deleted by the same one.
_SUBTRACT = (
    f"UPDATE {SCHEMA}.asset_key_counts AS c SET assets = c.assets - gone.assets"  # noqa: S608 (constants)
    f" FROM ({{grouped}}) AS gone WHERE {_MATCH};"
    f" DELETE FROM {SCHEMA}.asset_key_counts AS c USING ({{grouped}}) AS gone"
    f" WHERE {_MATCH} AND c.assets <= 0"
)
_CHANGED = " OR ".join(f"OLD.{key} IS DISTINCT FROM NEW.{key}" for key in KEYS)

FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.asset_key_counts_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {_ADD.format(grouped=_grouped("inserted_assets", "a"))};
      RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.asset_key_counts_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {_SUBTRACT.format(grouped=_grouped("deleted_assets", "a"))};
      RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.asset_key_counts_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {_SUBTRACT.format(grouped=_grouped("(SELECT OLD.*)", "a"))};
      {_ADD.format(grouped=_grouped("(SELECT NEW.*)", "a"))};
      RETURN NULL;
    END
    $$
    """,
)
TRIGGERS = (
    f"""
    CREATE TRIGGER assets_key_counts_inserted AFTER INSERT ON {SCHEMA}.assets
    REFERENCING NEW TABLE AS inserted_assets
    FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.asset_key_counts_inserted()
    """,
    f"""
    CREATE TRIGGER assets_key_counts_deleted AFTER DELETE ON {SCHEMA}.assets
    REFERENCING OLD TABLE AS deleted_assets
    FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.asset_key_counts_deleted()
    """,
    f"""
    CREATE TRIGGER assets_key_counts_updated
    AFTER UPDATE OF {", ".join(KEYS)} ON {SCHEMA}.assets
    FOR EACH ROW WHEN ({_CHANGED})
    EXECUTE FUNCTION {SCHEMA}.asset_key_counts_updated()
    """,
)


def upgrade() -> None:
    set_timeouts()
    op.create_table(
        "asset_key_counts",
        sa.Column("client_account_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "key IN ('external_id', 'serial_number', 'hostname')",
            name="ck_asset_key_counts_key_known",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            [f"{SCHEMA}.client_accounts.id"],
            name="fk_asset_key_counts_client_account_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            [f"{SCHEMA}.engagements.id"],
            name="fk_asset_key_counts_engagement_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "client_account_id", "engagement_id", "key", "value", name="pk_asset_key_counts"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_asset_key_counts_repeated",
        "asset_key_counts",
        ["client_account_id", "engagement_id", "key", "value"],
        schema=SCHEMA,
        postgresql_where=sa.text("assets > 1"),
    )
    for statement in (*FUNCTIONS, *TRIGGERS):
        op.execute(statement)
    op.execute(
        f"INSERT INTO {SCHEMA}.asset_key_counts"
        f" (client_account_id, engagement_id, key, value, assets)"
        f" {_grouped(f'{SCHEMA}.assets', 'a')}"
    )
    op.execute(f"ALTER TABLE {SCHEMA}.asset_key_counts ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {SCHEMA}.asset_key_counts TO {ROLE}"
        f" USING ({_IN_ENGAGEMENT}) WITH CHECK ({_IN_ENGAGEMENT})"
    )


def downgrade() -> None:
    set_timeouts()
    for trigger in ("assets_key_counts_updated", "assets_key_counts_deleted",
                    "assets_key_counts_inserted"):  # fmt: skip
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {SCHEMA}.assets")
    for function in ("asset_key_counts_updated", "asset_key_counts_deleted",
                     "asset_key_counts_inserted"):  # fmt: skip
        op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.{function}()")
    op.drop_table("asset_key_counts", schema=SCHEMA)
