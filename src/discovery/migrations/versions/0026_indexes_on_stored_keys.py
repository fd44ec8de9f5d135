"""Indexes on the stored match keys of 0025, replacing the expression indexes.

Fills ``name_key`` and ``asset_alternate_ids`` for the existing assets (``name_key`` in
batches of 10,000, each its own transaction; both safe to run again), then builds
CONCURRENTLY:

* ``(tenant, name_key, id)``: the inventory's name order and the name look-ups, in place
  of ``(tenant, lower(name), id)`` (0019);
* ``(tenant, key text_pattern_ops)`` for each searched column: prefix search, in place
  of the ``lower(col) text_pattern_ops`` indexes of 0007;

then drops those and the GIN index of alternate ids (0014), which
``asset_alternate_ids`` replaces. The downgrade builds the old indexes again first.

Revision ID: 0026
Revises: 0025
"""

import uuid
from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import text

from discovery.migrations.helpers import (
    SCHEMA,
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = ["client_account_id", "engagement_id"]
BATCH = 10_000
SEARCH_KEYS = {
    "name": "name_key",
    "hostname": "hostname",
    "fqdn": "fqdn",
    "ip_address": "ip_address",
}


def _fill_name_keys() -> None:
    """``name_key`` of the existing assets, ``BATCH`` rows at a time in key order, each
    batch its own transaction (inside an autocommit block): a large table is never
    locked or rewritten as a whole."""
    if context.is_offline_mode():
        op.execute(f"UPDATE {SCHEMA}.assets SET name_key = lower(name) WHERE name IS NOT NULL")  # noqa: S608
        return
    bind = op.get_bind()
    after = uuid.UUID(int=0)
    while True:
        last = bind.execute(
            text(
                f"WITH batch AS (SELECT id FROM {SCHEMA}.assets"  # noqa: S608 (constants)
                " WHERE id > CAST(:after AS uuid)"
                f" ORDER BY id LIMIT {BATCH}),"
                f" filled AS (UPDATE {SCHEMA}.assets AS a SET name_key = lower(a.name)"
                "  FROM batch WHERE a.id = batch.id AND a.name IS NOT NULL)"
                " SELECT id FROM batch ORDER BY id DESC LIMIT 1"
            ),
            {"after": after},
        ).scalar()
        if last is None:
            return
        after = last


def _new_indexes() -> None:
    create_index_concurrently("ix_assets_tenant_name_key_id", "assets", [*TENANT, "name_key", "id"])
    for column, key in SEARCH_KEYS.items():
        create_index_concurrently(
            f"ix_assets_prefix_{column}", "assets", [*TENANT, text(f"{key} text_pattern_ops")]
        )


def _old_indexes() -> None:
    create_index_concurrently(
        "ix_assets_tenant_lower_name_id", "assets", [*TENANT, text("lower(name)"), "id"]
    )
    for column in SEARCH_KEYS:
        create_index_concurrently(
            f"ix_assets_search_{column}",
            "assets",
            [*TENANT, text(f"lower({column}) text_pattern_ops")],
        )
    create_index_concurrently(
        "ix_assets_alternate_ids",
        "assets",
        [text("string_to_array(custom_attributes ->> 'alternate_ids', '; ')")],
        where="custom_attributes ? 'alternate_ids'",
        using="gin",
    )


def upgrade() -> None:
    set_timeouts()
    # Few assets have alternates (a duplicate row's other identifiers): one statement.
    op.execute(
        f"INSERT INTO {SCHEMA}.asset_alternate_ids"  # noqa: S608 (constants)
        " (client_account_id, engagement_id, asset_id, alternate_id)"
        " SELECT DISTINCT a.client_account_id, a.engagement_id, a.id, value"
        f" FROM {SCHEMA}.assets AS a"
        " CROSS JOIN LATERAL unnest("
        "  string_to_array(a.custom_attributes ->> 'alternate_ids', '; ')) AS value"
        " WHERE a.custom_attributes ? 'alternate_ids' AND value <> ''"
        " ON CONFLICT DO NOTHING"
    )
    with op.get_context().autocommit_block():
        _fill_name_keys()
        _new_indexes()
        drop_index_concurrently("ix_assets_tenant_lower_name_id")
        for column in SEARCH_KEYS:
            drop_index_concurrently(f"ix_assets_search_{column}")
        drop_index_concurrently("ix_assets_alternate_ids")


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        _old_indexes()
        for column in reversed(SEARCH_KEYS):
            drop_index_concurrently(f"ix_assets_prefix_{column}")
        drop_index_concurrently("ix_assets_tenant_name_key_id")
