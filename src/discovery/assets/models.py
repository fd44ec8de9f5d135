"""Assets with every canonical field of ``asset-schema.md`` and their lineage.

The canonical field names and enum values are a contract shared with the API, exports
and the field-mapping engine; the key is always ``asset_type``, never ``type``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from discovery.canonical import (
    CANONICAL_FIELDS as CANONICAL_FIELDS,
)
from discovery.canonical import AssetType, Criticality, Environment, PowerState
from discovery.core.models import (
    Base,
    TenantScoped,
    created_at_column,
    fq,
    sql_in,
    time_ordered_pk,
    updated_at_column,
    uuid_pk,
)
from discovery.core.wiring import table_args

# Columns the asset listing's ``q`` searches (case-insensitive), each with its own index.
SEARCH_COLUMNS = ("name", "hostname", "fqdn", "ip_address")

#: The searched columns as one lower-cased text, joined by a unit separator (U+001F) that
#: a search never contains, so a match never spans two columns: ``contains`` searches
#: this. Where the server has pg_trgm, a trigram index on it (0024) serves those searches;
#: written as the index's own expression so that the planner matches it.
SEARCH_TEXT_SQL = (
    "lower(" + " || E'\\x1f' || ".join(f"coalesce({column}, '')" for column in SEARCH_COLUMNS) + ")"
)
SEARCH_SEPARATOR = "\x1f"
CONTAINS_INDEX = "ix_assets_search_contains"


def _optional_in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IS NULL OR {sql_in(column, values)}"


def _percent(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 100)"


def _score(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 1)"


class Asset(TenantScoped, Base):
    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint(sql_in("asset_type", AssetType), name="asset_type_known"),
        CheckConstraint(_optional_in("power_state", PowerState), name="power_state_known"),
        CheckConstraint(_optional_in("environment", Environment), name="environment_known"),
        CheckConstraint(_optional_in("criticality", Criticality), name="criticality_known"),
        CheckConstraint(_percent("cpu_utilization_percent_max"), name="cpu_utilization_in_range"),
        CheckConstraint(
            _percent("memory_utilization_percent_max"), name="memory_utilization_in_range"
        ),
        CheckConstraint(_score("confidence_score"), name="confidence_score_in_range"),
        CheckConstraint(_score("quality_score"), name="quality_score_in_range"),
        CheckConstraint(_score("completeness_score"), name="completeness_score_in_range"),
        # Cleansing writes these lower-case; searches and look-ups compare them as stored.
        *(
            CheckConstraint(f"{column} = lower({column})", name=f"{column}_lower_case")
            for column in ("hostname", "fqdn", "ip_address")
        ),
        Index(
            "idx_assets_tenant_discovery",
            "client_account_id",
            "engagement_id",
            "discovery_method",
            "discovery_flow_id",
        ),
        Index(
            "idx_assets_tenant_raw_import",
            "client_account_id",
            "engagement_id",
            "raw_import_records_id",
        ),
        # Reconciliation looks assets up by each match key within an engagement; host names
        # and IP addresses are also sort keys of the listing. An FQDN is found by equality
        # through its prefix index below (text_pattern_ops includes ``=``; 0032).
        Index("ix_assets_match_external_id", "client_account_id", "engagement_id", "external_id"),
        Index(
            "ix_assets_match_serial_number", "client_account_id", "engagement_id", "serial_number"
        ),
        Index("ix_assets_match_hostname", "client_account_id", "engagement_id", "hostname"),
        Index("ix_assets_match_ip_address", "client_account_id", "engagement_id", "ip_address"),
        # The health metric assets_missing_master_flow_id (0009).
        Index(
            "ix_assets_missing_master_flow",
            "client_account_id",
            "engagement_id",
            postgresql_where=text("master_flow_id IS NULL"),
        ),
        # The API's listing: keyset order, and case-insensitive prefix search (q).
        Index(
            "ix_assets_tenant_created_at_id",
            "client_account_id",
            "engagement_id",
            "created_at",
            "id",
        ),
        *table_args("assets"),
    )

    id: Mapped[uuid.UUID] = time_ordered_pk()

    # Canonical fields (asset-schema.md), in the contract's order.
    name: Mapped[str | None] = mapped_column(Text)
    hostname: Mapped[str | None] = mapped_column(Text)
    fqdn: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(Text)
    mac_address: Mapped[str | None] = mapped_column(Text)
    serial_number: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(Text)
    asset_type: Mapped[str] = mapped_column(Text, server_default=AssetType.OTHER.value)
    operating_system: Mapped[str | None] = mapped_column(Text)
    os_version: Mapped[str | None] = mapped_column(Text)
    cpu_cores: Mapped[int | None] = mapped_column(Integer)
    cpu_sockets: Mapped[int | None] = mapped_column(Integer)
    memory_gb: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    storage_gb: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    storage_used_gb: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    disk_count: Mapped[int | None] = mapped_column(Integer)
    nic_count: Mapped[int | None] = mapped_column(Integer)
    virtualization_platform: Mapped[str | None] = mapped_column(Text)
    power_state: Mapped[str | None] = mapped_column(Text)
    manufacturer: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    database_type: Mapped[str | None] = mapped_column(Text)
    database_version: Mapped[str | None] = mapped_column(Text)
    cpu_utilization_percent_max: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    memory_utilization_percent_max: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    environment: Mapped[str | None] = mapped_column(Text)
    datacenter: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    cluster: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(Text)
    application_name: Mapped[str | None] = mapped_column(Text)
    business_owner: Mapped[str | None] = mapped_column(Text)
    technical_owner: Mapped[str | None] = mapped_column(Text)
    business_unit: Mapped[str | None] = mapped_column(Text)
    criticality: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    depends_on: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))

    # Lineage (not mapped from sources).
    # Tenant wiring keys (discovery.core.wiring), declared in __table_args__.
    discovery_flow_id: Mapped[uuid.UUID | None] = mapped_column()
    master_flow_id: Mapped[uuid.UUID | None] = mapped_column()
    raw_import_records_id: Mapped[uuid.UUID | None] = mapped_column()
    field_mappings_used: Mapped[str | None] = mapped_column(Text)
    source_phase: Mapped[str | None] = mapped_column(Text)
    current_phase: Mapped[str | None] = mapped_column(Text)
    discovery_method: Mapped[str | None] = mapped_column(Text)
    discovery_source: Mapped[str | None] = mapped_column(Text)
    discovery_timestamp: Mapped[datetime | None] = mapped_column()
    confidence_score: Mapped[float | None] = mapped_column()
    quality_score: Mapped[float | None] = mapped_column()
    completeness_score: Mapped[float | None] = mapped_column()
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    #: ``lower(name)``, written by the database (trigger ``assets_name_key``, 0025) on every
    #: insert and update: how reconciliation and dependency analysis match a name and the
    #: inventory sorts it. A stored column rather than an expression index because under
    #: row-level security PostgreSQL uses only leakproof conditions as index conditions,
    #: and ``lower()`` is not leakproof. Not a canonical field; never shown.
    name_key: Mapped[str | None] = mapped_column(Text)

    # Tech-debt assessment.
    tech_debt_flags: Mapped[list[Any]] = mapped_column(server_default=text("'[]'"))
    os_end_of_support: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


#: Columns the database derives from others (triggers of 0025): never read into the
#: application's assets nor written from them.
DERIVED_COLUMNS = frozenset({"name_key"})
#: The asset table's own columns as the application reads and writes them.
ASSET_TABLE_COLUMNS = tuple(c for c in Asset.__table__.columns if c.key not in DERIVED_COLUMNS)

#: The inventory's name order (any case), and the name look-ups of reconciliation and
#: dependency analysis (0026; 0019 indexed ``lower(name)``).
Index(
    "ix_assets_tenant_name_key_id",
    Asset.client_account_id,
    Asset.engagement_id,
    Asset.name_key,
    Asset.id,
)

#: The stored lower-case column that ``q`` matches for each searched column: the name's
#: ``name_key``; host names, FQDNs and IP addresses are lower-case already (cleansing
#: writes them so, and a check of each holds them to it).
SEARCH_KEYS: dict[str, str] = {
    "name": "name_key",
    "hostname": "hostname",
    "fqdn": "fqdn",
    "ip_address": "ip_address",
}
for _column, _key in SEARCH_KEYS.items():
    # ``starts_with(key, 'prefix')`` is an index range scan with text_pattern_ops, and
    # stays one under row-level security (starts_with is leakproof; LIKE is not).
    Index(
        f"ix_assets_prefix_{_column}",
        Asset.client_account_id,
        Asset.engagement_id,
        getattr(Asset, _key),
        postgresql_ops={_key: "text_pattern_ops"},
    )


class AssetAlternateId(TenantScoped, Base):
    """One identifier of an asset's ``custom_attributes.alternate_ids`` (``kind=value``,
    see assets/reconcile.py): reconciliation finds an asset by a duplicate row's other
    identifier here. Kept by the database from the asset (triggers of 0025), never
    written by the application; a plain key, so that the look-up is an index probe under
    row-level security too (an array overlap is not leakproof)."""

    __tablename__ = "asset_alternate_ids"
    __table_args__ = (
        ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "asset_id"],
            [fq("assets", "client_account_id"), fq("assets", "engagement_id"), fq("assets")],
            name="fk_asset_alternate_ids_asset",
            ondelete="CASCADE",
        ),
        Index(
            "ix_asset_alternate_ids_lookup", "client_account_id", "engagement_id", "alternate_id"
        ),
    )

    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    alternate_id: Mapped[str] = mapped_column(Text, primary_key=True)


class AssetKeyCount(TenantScoped, Base):
    """How many assets of the engagement hold ``value`` as their ``key`` (``external_id``,
    ``serial_number`` or ``hostname``). Kept by the database from the assets (triggers of
    0029), never written by the application: the health check reads the repeated values
    (``assets > 1``) from a partial index instead of grouping the engagement's assets."""

    __tablename__ = "asset_key_counts"
    __table_args__ = (
        CheckConstraint("key IN ('external_id', 'serial_number', 'hostname')", name="key_known"),
        Index(
            "ix_asset_key_counts_repeated",
            "client_account_id",
            "engagement_id",
            "key",
            "value",
            postgresql_where=text("assets > 1"),
        ),
    )

    # No foreign keys to the tenant tables (0031): when an engagement goes, the cascade
    # deletes its assets and the delete trigger their counts.
    client_account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    engagement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    assets: Mapped[int] = mapped_column(Integer)


class AssetDependency(TenantScoped, Base):
    """``asset_id`` depends on ``depends_on_asset_id``, found by ``source_flow_id``."""

    __tablename__ = "asset_dependencies"
    __table_args__ = (
        UniqueConstraint(
            "asset_id", "depends_on_asset_id", "dependency_type", name="uq_asset_dependencies_edge"
        ),
        CheckConstraint("asset_id <> depends_on_asset_id", name="not_self"),
        *table_args("asset_dependencies"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    asset_id: Mapped[uuid.UUID] = mapped_column()
    depends_on_asset_id: Mapped[uuid.UUID] = mapped_column(index=True)
    dependency_type: Mapped[str] = mapped_column(Text, server_default="depends_on")
    source_flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("discovery_flows"), ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()


class FailedAssetChunk(TenantScoped, Base):
    """Dead letter: an inventory chunk that failed, kept until it is reprocessed."""

    __tablename__ = "failed_asset_chunks"
    __table_args__ = (
        UniqueConstraint("discovery_flow_id", "chunk_number"),
        CheckConstraint("first_row_number <= last_row_number", name="row_range_ordered"),
        *table_args("failed_asset_chunks"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    discovery_flow_id: Mapped[uuid.UUID] = mapped_column()
    chunk_number: Mapped[int] = mapped_column()
    first_row_number: Mapped[int] = mapped_column()
    last_row_number: Mapped[int] = mapped_column()
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[datetime] = created_at_column()
    reprocessed_at: Mapped[datetime | None] = mapped_column()


class AssetImport(Base):
    """Which imports touched an asset, and how: the import that created it, and every
    import whose rows updated it. Deleting an import keeps assets that others touched."""

    __tablename__ = "asset_imports"
    __table_args__ = (
        UniqueConstraint("asset_id", "data_import_id"),
        CheckConstraint("action IN ('created', 'updated')", name="action_known"),
        # An import's assets in id order: the later phases walk them in batches (0009).
        Index("ix_asset_imports_import_asset", "data_import_id", "asset_id"),
    )

    id: Mapped[uuid.UUID] = time_ordered_pk()
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(fq("assets"), ondelete="CASCADE"))
    data_import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("data_imports"), ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
