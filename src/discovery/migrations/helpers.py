"""Helpers shared by migration scripts.

The wiring's keys are defined in ``discovery.core.wiring`` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import TextClause, text

from discovery.core.revisions import SCHEMA as SCHEMA
from discovery.core.wiring import HEALTH_INDEXES as HEALTH_INDEXES
from discovery.core.wiring import SINGLE_COLUMN_TENANT_LINKS as SINGLE_COLUMN_TENANT_LINKS
from discovery.core.wiring import (
    SINGLE_COLUMN_WIRING_FOREIGN_KEYS as SINGLE_COLUMN_WIRING_FOREIGN_KEYS,
)
from discovery.core.wiring import TENANT_KEYS as TENANT_KEYS
from discovery.core.wiring import WIRING_FOREIGN_KEYS as WIRING_FOREIGN_KEYS
from discovery.core.wiring import WiringForeignKey as WiringForeignKey

LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30min"


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
