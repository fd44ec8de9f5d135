"""Stored match keys: what queries compare must be usable by an index under row-level
security.

Under row-level security PostgreSQL uses a query's condition as an index condition only
if the condition is leakproof (it cannot reveal a row the policy hides through an error).
``=``, ``<``, ``starts_with`` on text and row comparisons are; ``lower()``, ``LIKE`` and
array overlap (``&&``) are not. So the values that reconciliation, dependency analysis and
the listing compare are stored as they are compared:

* ``assets.name_key``: ``lower(name)``, set by the trigger ``assets_name_key`` on every
  insert and update; existing rows are filled in batches.
* ``hostname``, ``fqdn`` and ``ip_address`` are lower-case already (cleansing writes them
  so); a check on each holds them to it, added NOT VALID here and validated in 0026.
* ``asset_alternate_ids``: one row per identifier of ``custom_attributes.alternate_ids``,
  kept by triggers on ``assets``.

One transaction of catalogue changes. 0026 fills both for the existing assets, builds the
indexes on them and drops the expression indexes they replace. The downgrade drops all
of it.

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOWER_CASE_COLUMNS = ("hostname", "fqdn", "ip_address")

# The identifiers of ``custom_attributes.alternate_ids`` (``kind=value; kind=value``).
_ALTERNATES_OF_NEW = (
    "SELECT DISTINCT NEW.client_account_id, NEW.engagement_id, NEW.id, value"
    " FROM unnest(string_to_array(NEW.custom_attributes ->> 'alternate_ids', '; ')) AS value"
    " WHERE value <> ''"
)

FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.assets_name_key() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.name_key := lower(NEW.name);
      RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION {SCHEMA}.assets_alternate_ids() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        DELETE FROM {SCHEMA}.asset_alternate_ids
         WHERE asset_id = OLD.id;
      END IF;
      INSERT INTO {SCHEMA}.asset_alternate_ids
             (client_account_id, engagement_id, asset_id, alternate_id)
      {_ALTERNATES_OF_NEW};
      RETURN NULL;
    END
    $$
    """,  # noqa: S608 (the schema constant)
)
TRIGGERS = (
    f"""
    CREATE TRIGGER assets_name_key BEFORE INSERT OR UPDATE ON {SCHEMA}.assets
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.assets_name_key()
    """,
    f"""
    CREATE TRIGGER assets_alternate_ids_inserted AFTER INSERT ON {SCHEMA}.assets
    FOR EACH ROW WHEN (NEW.custom_attributes ? 'alternate_ids')
    EXECUTE FUNCTION {SCHEMA}.assets_alternate_ids()
    """,
    f"""
    CREATE TRIGGER assets_alternate_ids_updated AFTER UPDATE OF custom_attributes
    ON {SCHEMA}.assets FOR EACH ROW
    WHEN ((OLD.custom_attributes -> 'alternate_ids')
          IS DISTINCT FROM (NEW.custom_attributes -> 'alternate_ids'))
    EXECUTE FUNCTION {SCHEMA}.assets_alternate_ids()
    """,
)


def upgrade() -> None:
    set_timeouts()
    op.add_column("assets", sa.Column("name_key", sa.Text()), schema=SCHEMA)
    op.create_table(
        "asset_alternate_ids",
        sa.Column("client_account_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("alternate_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_account_id"],
            [f"{SCHEMA}.client_accounts.id"],
            name="fk_asset_alternate_ids_client_account_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            [f"{SCHEMA}.engagements.id"],
            name="fk_asset_alternate_ids_engagement_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "asset_id"],
            [
                f"{SCHEMA}.assets.client_account_id",
                f"{SCHEMA}.assets.engagement_id",
                f"{SCHEMA}.assets.id",
            ],
            name="fk_asset_alternate_ids_asset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "alternate_id", name="pk_asset_alternate_ids"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_asset_alternate_ids_lookup",
        "asset_alternate_ids",
        ["client_account_id", "engagement_id", "alternate_id"],
        schema=SCHEMA,
    )
    for statement in (*FUNCTIONS, *TRIGGERS):
        op.execute(statement)
    for column in LOWER_CASE_COLUMNS:
        op.execute(
            f"ALTER TABLE {SCHEMA}.assets ADD CONSTRAINT ck_assets_{column}_lower_case"
            f" CHECK ({column} = lower({column})) NOT VALID"
        )


def downgrade() -> None:
    set_timeouts()
    for column in reversed(LOWER_CASE_COLUMNS):
        op.execute(
            f"ALTER TABLE {SCHEMA}.assets DROP CONSTRAINT IF EXISTS ck_assets_{column}_lower_case"
        )
    for trigger in ("assets_alternate_ids_updated", "assets_alternate_ids_inserted"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {SCHEMA}.assets")
    op.execute(f"DROP TRIGGER IF EXISTS assets_name_key ON {SCHEMA}.assets")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.assets_alternate_ids()")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.assets_name_key()")
    op.drop_table("asset_alternate_ids", schema=SCHEMA)
    op.drop_column("assets", "name_key", schema=SCHEMA)
