"""The wiring's keys, defined once: the tenant keys, the foreign keys between tenant
tables, and the partial indexes of the health metrics.

The migrations build them (``discovery.migrations.helpers`` re-exports them), the models
declare them (:func:`table_args`, so ``alembic check`` compares like with like),
``discovery db drop-wiring-constraints`` / ``restore-wiring-constraints`` drop and
restore them, and the health check reads from the catalogue which of them stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, text

from discovery.core.revisions import SCHEMA

TENANT_COLUMNS = ("client_account_id", "engagement_id")


@dataclass(frozen=True)
class WiringForeignKey:
    """A foreign key of the wiring: ``columns`` of ``table`` name a row of ``referred_table``.

    ``on_delete`` is the SQL action (``SET NULL (col)`` nulls only that column, so the
    tenant columns of a composite key stay as they are); ``deferrable`` keys are checked
    at commit (``DEFERRABLE INITIALLY DEFERRED``).
    """

    name: str
    table: str
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str
    deferrable: bool = False

    @property
    def link_column(self) -> str:
        """The column that holds the link (the first one that is not a tenant key)."""
        return next(column for column in self.columns if column not in TENANT_COLUMNS)

    def add_not_valid_sql(self) -> str:
        deferred = " DEFERRABLE INITIALLY DEFERRED" if self.deferrable else ""
        return (
            f"ALTER TABLE {SCHEMA}.{self.table} ADD CONSTRAINT {self.name} "
            f"FOREIGN KEY ({', '.join(self.columns)}) "
            f"REFERENCES {SCHEMA}.{self.referred_table} ({', '.join(self.referred_columns)}) "
            f"ON DELETE {self.on_delete}{deferred} NOT VALID"
        )

    def validate_sql(self) -> str:
        return f"ALTER TABLE {SCHEMA}.{self.table} VALIDATE CONSTRAINT {self.name}"

    def drop_sql(self) -> str:
        return f"ALTER TABLE {SCHEMA}.{self.table} DROP CONSTRAINT IF EXISTS {self.name}"


def _link(
    name: str, table: str, column: str, referred: str, on_delete: str, *, tenant: bool = True
) -> WiringForeignKey:
    """``table.column`` → ``referred`` (``table`` or ``table.column``, ``id`` by default);
    a tenant link carries the tenant columns on both sides, and its SET NULL nulls only
    ``column``."""
    referred_table, _, referred_column = referred.partition(".")
    carried = TENANT_COLUMNS if tenant else ()
    action = f"SET NULL ({column})" if tenant and on_delete == "SET NULL" else on_delete
    return WiringForeignKey(
        name,
        table,
        (*carried, column),
        referred_table,
        (*carried, referred_column or "id"),
        action,
    )


def _single(name: str, table: str, column: str, referred: str, on_delete: str) -> WiringForeignKey:
    return _link(name, table, column, referred, on_delete, tenant=False)


#: The four single-column wiring keys of 0003/0004, which 0023 replaced by the tenant
#: keys below (its downgrade puts them back).
SINGLE_COLUMN_WIRING_FOREIGN_KEYS: tuple[WiringForeignKey, ...] = (
    _single("fk_assets_discovery_flow_id", "assets", "discovery_flow_id",
            "discovery_flows", "SET NULL"),
    _single("fk_assets_master_flow_id", "assets", "master_flow_id",
            "crewai_flow_state_extensions.flow_id", "SET NULL"),
    _single("fk_assets_raw_import_records_id", "assets", "raw_import_records_id",
            "raw_import_records", "SET NULL"),
    _single("fk_raw_import_records_asset_id", "raw_import_records", "asset_id",
            "assets", "SET NULL"),
)  # fmt: skip

#: The other single-column links between tenant tables that 0023 replaced (from 0001).
SINGLE_COLUMN_TENANT_LINKS: tuple[WiringForeignKey, ...] = (
    _single("fk_raw_import_records_data_import_id", "raw_import_records", "data_import_id",
            "data_imports", "CASCADE"),
    _single("fk_asset_dependencies_asset_id", "asset_dependencies", "asset_id",
            "assets", "CASCADE"),
    _single("fk_asset_dependencies_depends_on_asset_id", "asset_dependencies",
            "depends_on_asset_id", "assets", "CASCADE"),
    _single("fk_failed_asset_chunks_discovery_flow_id", "failed_asset_chunks",
            "discovery_flow_id", "discovery_flows", "CASCADE"),
)  # fmt: skip


@dataclass(frozen=True)
class TenantKey:
    """A unique index on the tenant columns and a row's key: what a tenant link refers to."""

    name: str
    table: str
    columns: tuple[str, ...]


TENANT_KEYS: tuple[TenantKey, ...] = (
    TenantKey("uq_assets_tenant_id", "assets", (*TENANT_COLUMNS, "id")),
    # With asset_id: the back-link key below refers to a row *and* the asset it names.
    TenantKey(
        "uq_raw_import_records_tenant_id_asset_id",
        "raw_import_records",
        (*TENANT_COLUMNS, "id", "asset_id"),
    ),
    TenantKey("uq_data_imports_tenant_id", "data_imports", (*TENANT_COLUMNS, "id")),
    TenantKey("uq_discovery_flows_tenant_id", "discovery_flows", (*TENANT_COLUMNS, "id")),
    TenantKey(
        "uq_crewai_flow_state_extensions_tenant_flow_id",
        "crewai_flow_state_extensions",
        (*TENANT_COLUMNS, "flow_id"),
    ),
)


#: A processed raw row's note is empty: the predicate the health metric and its partial
#: index share (written out, so that the planner matches the one to the other).
NO_REASON_SQL = "coalesce(btrim(processing_notes), '') = ''"


@dataclass(frozen=True)
class PartialIndex:
    name: str
    table: str
    columns: tuple[str, ...]
    where: str


#: Partial indexes that hold only the rows a health metric counts: empty when healthy.
HEALTH_INDEXES: tuple[PartialIndex, ...] = (
    PartialIndex(
        "ix_assets_missing_discovery_flow",
        "assets",
        (*TENANT_COLUMNS, "discovery_method"),
        "discovery_flow_id IS NULL",
    ),
    PartialIndex(
        "ix_raw_import_records_processed_silently",
        "raw_import_records",
        TENANT_COLUMNS,
        f"is_processed IS TRUE AND asset_id IS NULL AND {NO_REASON_SQL}",
    ),
    PartialIndex(
        "ix_failed_asset_chunks_pending",
        "failed_asset_chunks",
        TENANT_COLUMNS,
        "reprocessed_at IS NULL",
    ),
)


#: The wiring: every link between tenant tables carries the tenant, so a link to another
#: tenant's row cannot exist. The first is the back-link: the raw row an asset names
#: must name that asset in return (checked at commit, since a chunk inserts its assets
#: before it links their rows back).
WIRING_FOREIGN_KEYS: tuple[WiringForeignKey, ...] = (
    WiringForeignKey(
        "fk_assets_raw_import_records_backlink", "assets",
        (*TENANT_COLUMNS, "raw_import_records_id", "id"), "raw_import_records",
        (*TENANT_COLUMNS, "id", "asset_id"), "SET NULL (raw_import_records_id)", deferrable=True,
    ),
    _link("fk_raw_import_records_tenant_asset", "raw_import_records", "asset_id",
                 "assets", "SET NULL"),
    _link("fk_raw_import_records_tenant_import", "raw_import_records", "data_import_id",
                 "data_imports", "CASCADE"),
    _link("fk_assets_tenant_discovery_flow", "assets", "discovery_flow_id",
                 "discovery_flows", "SET NULL"),
    _link("fk_assets_tenant_master_flow", "assets", "master_flow_id",
                 "crewai_flow_state_extensions.flow_id", "SET NULL"),
    _link("fk_asset_dependencies_tenant_asset", "asset_dependencies", "asset_id",
                 "assets", "CASCADE"),
    _link("fk_asset_dependencies_tenant_depends_on", "asset_dependencies",
                 "depends_on_asset_id", "assets", "CASCADE"),
    _link("fk_failed_asset_chunks_tenant_flow", "failed_asset_chunks",
                 "discovery_flow_id", "discovery_flows", "CASCADE"),
)  # fmt: skip


def table_args(table: str) -> tuple[Any, ...]:
    """The tenant keys, wiring foreign keys and health indexes of ``table``, for its model."""
    args: list[Any] = [
        Index(key.name, *key.columns, unique=True) for key in TENANT_KEYS if key.table == table
    ]
    args += [
        Index(index.name, *index.columns, postgresql_where=text(index.where))
        for index in HEALTH_INDEXES
        if index.table == table
    ]
    args += [
        ForeignKeyConstraint(
            list(fk.columns),
            [f"{SCHEMA}.{fk.referred_table}.{column}" for column in fk.referred_columns],
            name=fk.name,
            ondelete=fk.on_delete,
            deferrable=fk.deferrable or None,
            initially="DEFERRED" if fk.deferrable else None,
            use_alter=fk.table == "raw_import_records" and fk.referred_table == "assets",
        )
        for fk in WIRING_FOREIGN_KEYS
        if fk.table == table
    ]
    return tuple(args)
