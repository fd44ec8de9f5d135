"""Helpers shared by migration scripts, and the definition of the wiring foreign keys.

The wiring foreign keys are defined once here: the migrations add and validate them, and
``discovery db drop-wiring-constraints`` / ``restore-wiring-constraints`` use the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alembic import context, op
from sqlalchemy import TextClause, text

SCHEMA = "migration"
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30min"


@dataclass(frozen=True)
class WiringForeignKey:
    name: str
    table: str
    column: str
    referred_table: str
    referred_column: str
    on_delete: str

    def add_not_valid_sql(self) -> str:
        return (
            f"ALTER TABLE {SCHEMA}.{self.table} ADD CONSTRAINT {self.name} "
            f"FOREIGN KEY ({self.column}) "
            f"REFERENCES {SCHEMA}.{self.referred_table} ({self.referred_column}) "
            f"ON DELETE {self.on_delete} NOT VALID"
        )

    def validate_sql(self) -> str:
        return f"ALTER TABLE {SCHEMA}.{self.table} VALIDATE CONSTRAINT {self.name}"

    def drop_sql(self) -> str:
        return f"ALTER TABLE {SCHEMA}.{self.table} DROP CONSTRAINT IF EXISTS {self.name}"


WIRING_FOREIGN_KEYS: tuple[WiringForeignKey, ...] = (
    WiringForeignKey(
        "fk_assets_discovery_flow_id", "assets", "discovery_flow_id",
        "discovery_flows", "id", "SET NULL",
    ),
    WiringForeignKey(
        "fk_assets_master_flow_id", "assets", "master_flow_id",
        "crewai_flow_state_extensions", "flow_id", "SET NULL",
    ),
    WiringForeignKey(
        "fk_assets_raw_import_records_id", "assets", "raw_import_records_id",
        "raw_import_records", "id", "SET NULL",
    ),
    WiringForeignKey(
        "fk_raw_import_records_asset_id", "raw_import_records", "asset_id",
        "assets", "id", "SET NULL",
    ),
)  # fmt: skip


def set_timeouts() -> None:
    """Called first in every migration, up and down.

    ``lock_timeout``: fail fast instead of queueing behind a long lock while every other
    query queues behind us. ``statement_timeout``: a ceiling for the slow steps (index
    builds, validation scans). Session-level (not ``SET LOCAL``), so both also hold
    inside autocommit blocks.
    """
    op.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    op.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")


def _index_is_invalid(name: str) -> bool:
    if context.is_offline_mode():
        return False
    row = (
        op.get_bind()
        .execute(
            text(
                "SELECT NOT i.indisvalid FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relname = :name"
            ),
            {"schema": SCHEMA, "name": name},
        )
        .first()
    )
    return bool(row and row[0])


def create_index_concurrently(
    name: str,
    table: str,
    columns: Sequence[str | TextClause],
    *,
    unique: bool = False,
    where: str | None = None,
    using: str = "btree",
) -> None:
    """Build an index without blocking writes; call inside an autocommit block.

    ``columns`` may hold expressions (``text("lower(name) text_pattern_ops")``); ``where``
    makes it a partial index; ``using`` names the access method (``gin``).
    """
    if _index_is_invalid(name):
        drop_index_concurrently(name)
    op.create_index(
        name,
        table,
        list(columns),
        schema=SCHEMA,
        unique=unique,
        postgresql_using=using,
        postgresql_concurrently=True,
        postgresql_where=text(where) if where else None,
        if_not_exists=True,
    )


def drop_index_concurrently(name: str) -> None:
    """Drop an index without blocking writes; call inside an autocommit block."""
    op.drop_index(name, schema=SCHEMA, postgresql_concurrently=True, if_exists=True)
