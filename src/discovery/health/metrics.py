"""Wiring-health metrics: proof, per tenant, that nothing is orphaned or lost.

Every metric counts problems, so a healthy tenant has every metric at 0. A metric whose
problem a constraint of the schema rules out (an orphaned or cross-tenant link, a broken
back-link: ``discovery.core.wiring``) is *proven* rather than counted: when each of its
constraints exists, is validated and has its triggers enabled, the metric is 0 by the
database's own guarantee, read from the catalogue in O(1). When one is missing (dropped
for a rollback with ``discovery db drop-wiring-constraints``, left NOT VALID, or its
triggers disabled), the metric is counted as before. The report says for each metric
how it was established (``proven_by``: the constraints' names, or ``counted``).

Counted metrics are scoped to one client account and engagement and written with
correlated ``EXISTS`` (seed §2), which PostgreSQL runs as anti/semi-joins on the wiring
indexes; those about rare problem rows read partial indexes that hold only such rows
(0020). All counts are taken in one statement (one round trip, one snapshot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from discovery.assets.models import Asset, AssetDependency, AssetKeyCount, FailedAssetChunk
from discovery.core.revisions import SCHEMA
from discovery.core.wiring import NO_REASON_SQL, WIRING_FOREIGN_KEYS
from discovery.flows.models import DiscoveryFlow, FlowStatus
from discovery.imports.models import RawImportRecord
from discovery.tenancy.context import Tenant

__all__ = [
    "COUNTED",
    "METRICS",
    "METRIC_NAMES",
    "HealthReport",
    "Tenant",
    "how_established",
    "standing_constraints",
    "wiring_health",
]

SAMPLE_SIZE = 5
IN_PROGRESS = (
    FlowStatus.INITIALIZED.value,
    FlowStatus.RUNNING.value,
    FlowStatus.WAITING_FOR_APPROVAL.value,
    FlowStatus.PAUSED.value,
)


def _assets(t: Tenant) -> list[ColumnElement[bool]]:
    return [Asset.client_account_id == t.client_account_id, Asset.engagement_id == t.engagement_id]


def _raw(t: Tenant) -> list[ColumnElement[bool]]:
    return [
        RawImportRecord.client_account_id == t.client_account_id,
        RawImportRecord.engagement_id == t.engagement_id,
    ]


def _in_dead_letter() -> ColumnElement[bool]:
    return exists(
        select(literal(1)).where(
            FailedAssetChunk.reprocessed_at.is_(None),
            FailedAssetChunk.discovery_flow_id == DiscoveryFlow.id,
            DiscoveryFlow.data_import_id == RawImportRecord.data_import_id,
            RawImportRecord.row_number.between(
                FailedAssetChunk.first_row_number, FailedAssetChunk.last_row_number
            ),
        )
    )


@dataclass(frozen=True)
class Metric:
    name: str
    entity: Any  # Asset, RawImportRecord or FailedAssetChunk
    where: Callable[[Tenant], list[ColumnElement[bool]]]
    #: The constraints that, standing together, rule the metric's problem out.
    proven_by: tuple[str, ...] = ()
    #: A cheaper count, from a summary the database keeps: valid while the triggers
    #: ``maintained_by`` that keep it are enabled (else ``where`` counts).
    where_maintained: Callable[[Tenant], list[ColumnElement[bool]]] | None = None
    maintained_by: tuple[str, ...] = ()

    def conditions(self, tenant: Tenant, standing: frozenset[str]) -> list[ColumnElement[bool]]:
        """The rows to count: from the summary while its triggers stand, else by ``where``."""
        if self.where_maintained is not None and standing.issuperset(self.maintained_by):
            return self.where_maintained(tenant)
        return self.where(tenant)


def _asset_metric(
    name: str,
    where: Callable[[Tenant], list[ColumnElement[bool]]],
    proven_by: tuple[str, ...] = (),
) -> Metric:
    return Metric(name, Asset, lambda t: [*_assets(t), *where(t)], proven_by)


def _raw_metric(
    name: str,
    where: Callable[[Tenant], list[ColumnElement[bool]]],
    proven_by: tuple[str, ...] = (),
) -> Metric:
    return Metric(name, RawImportRecord, lambda t: [*_raw(t), *where(t)], proven_by)


def _key(name: str) -> str:
    """A wiring key's name, checked against the definitions (a rename fails at import)."""
    if name not in {fk.name for fk in WIRING_FOREIGN_KEYS}:
        raise LookupError(f"{name} is not a wiring key")
    return name


BACKLINK = _key("fk_assets_raw_import_records_backlink")
RAW_TO_ASSET = _key("fk_raw_import_records_tenant_asset")
ASSET_TO_FLOW = _key("fk_assets_tenant_discovery_flow")
EDGE_KEYS = (
    _key("fk_asset_dependencies_tenant_asset"),
    _key("fk_asset_dependencies_tenant_depends_on"),
)
# Written as literals so that the statement's predicate is the partial index's own
# (0020); a bound '' would not match it.
_NO_REASON: ColumnElement[bool] = literal_column(NO_REASON_SQL)


def _duplicates(column: Any) -> Callable[[Tenant], list[ColumnElement[bool]]]:
    """Assets that share ``column``'s value with an older asset of the engagement."""
    other = aliased(Asset)

    def where(t: Tenant) -> list[ColumnElement[bool]]:
        return [
            column.is_not(None),
            exists(
                select(literal(1)).where(
                    other.client_account_id == t.client_account_id,
                    other.engagement_id == t.engagement_id,
                    getattr(other, column.key) == column,
                    or_(
                        other.created_at < Asset.created_at,
                        and_(other.created_at == Asset.created_at, other.id < Asset.id),
                    ),
                )
            ),
        ]

    return where


DUPLICATE_KEYS = ("external_id", "serial_number", "hostname")


#: The triggers that keep ``asset_key_counts`` (0029).
KEY_COUNT_TRIGGERS = (
    "assets_key_counts_inserted",
    "assets_key_counts_deleted",
    "assets_key_counts_updated",
)


def _repeated_values(t: Tenant, key: str, maintained: bool) -> Any:
    """The values of ``key`` that more than one of the tenant's assets hold."""
    if maintained:
        # The counts the triggers keep, from the partial index of repeated values.
        return select(AssetKeyCount.value).where(
            AssetKeyCount.client_account_id == t.client_account_id,
            AssetKeyCount.engagement_id == t.engagement_id,
            AssetKeyCount.key == key,
            AssetKeyCount.assets > 1,
        )
    column = getattr(Asset, key)
    # An index-only scan of the key's match index grouped by value (no heap, no sort);
    # materialized: computed once, whatever the planner guesses of its size (a guess of
    # 100,000s of values made it run the grouping in every parallel worker).
    return (
        select(column.label("value"))
        .where(*_assets(t), column.is_not(None))
        .group_by(column)
        .having(func.count() > 1)
        .cte(f"repeated_{key}")
        .prefix_with("MATERIALIZED", dialect="postgresql")
        .select()
    )


def _duplicate_asset_ids(t: Tenant, maintained: bool = False) -> Any:
    """Ids of the tenant's assets that share a key's value with an older asset.

    Per key, the values held more than once come first: from ``asset_key_counts`` while
    its triggers stand (``maintained``; a partial index holds only repeated values), else
    by grouping the key's match index (400,000 entries per key at the benchmark's largest
    tenant). Only assets with such a value are then looked at. On a healthy tenant that
    list is empty.
    """
    parts = []
    for key in DUPLICATE_KEYS:
        column = getattr(Asset, key)
        parts.append(
            select(Asset.id).where(
                *_assets(t),
                column.in_(_repeated_values(t, key, maintained)),
                *_duplicates(column)(t),
            )
        )
    return union(*parts)


_TARGET = aliased(Asset, name="dependency_target")


def _raw_of_asset() -> Any:
    return RawImportRecord.id == Asset.raw_import_records_id


def _cross_tenant_asset_ids(t: Tenant) -> Any:
    """Ids of the tenant's assets with a link to another tenant's row, flow or asset.

    A UNION of four joins rather than four EXISTS joined by OR: the OR kept PostgreSQL
    from turning them into semi-joins and cost 3.8 s at 60,000 assets.
    """

    def differs(other: Any) -> ColumnElement[bool]:
        return or_(
            other.client_account_id != Asset.client_account_id,
            other.engagement_id != Asset.engagement_id,
        )

    mine = _assets(t)
    return union(
        select(Asset.id)
        .join(RawImportRecord, _raw_of_asset())
        .where(*mine, differs(RawImportRecord)),
        select(Asset.id)
        .join(RawImportRecord, RawImportRecord.asset_id == Asset.id)
        .where(*mine, differs(RawImportRecord)),
        select(Asset.id)
        .join(DiscoveryFlow, DiscoveryFlow.id == Asset.discovery_flow_id)
        .where(*mine, differs(DiscoveryFlow)),
        select(Asset.id)
        .join(AssetDependency, AssetDependency.asset_id == Asset.id)
        .join(_TARGET, AssetDependency.depends_on_asset_id == _TARGET.id)
        .where(*mine, differs(_TARGET)),
    )


METRICS: tuple[Metric, ...] = (
    _asset_metric(
        "flow_based_assets_missing_discovery_flow_id",
        lambda t: [Asset.discovery_method == "flow_based", Asset.discovery_flow_id.is_(None)],
    ),
    _asset_metric(
        "all_assets_missing_discovery_flow_id", lambda t: [Asset.discovery_flow_id.is_(None)]
    ),
    _asset_metric("assets_missing_master_flow_id", lambda t: [Asset.master_flow_id.is_(None)]),
    _asset_metric(
        "assets_with_orphan_raw_import_ref",
        lambda t: [
            Asset.raw_import_records_id.is_not(None),
            ~exists(select(literal(1)).where(_raw_of_asset(), *_raw(t))),
        ],
        (BACKLINK,),
    ),
    _raw_metric(
        "raw_records_with_orphan_asset_ref",
        lambda t: [
            RawImportRecord.asset_id.is_not(None),
            ~exists(select(literal(1)).where(Asset.id == RawImportRecord.asset_id, *_assets(t))),
        ],
        (RAW_TO_ASSET,),
    ),
    _raw_metric(
        "unprocessed_raw_records",
        lambda t: [
            RawImportRecord.is_processed.is_(False),
            exists(
                select(literal(1)).where(
                    DiscoveryFlow.data_import_id == RawImportRecord.data_import_id,
                    DiscoveryFlow.status.not_in(IN_PROGRESS),
                )
            ),
            ~_in_dead_letter(),
        ],
    ),
    _asset_metric(
        "assets_with_broken_backlink",
        lambda t: [
            Asset.raw_import_records_id.is_not(None),
            exists(
                select(literal(1)).where(
                    _raw_of_asset(),
                    *_raw(t),
                    or_(RawImportRecord.asset_id.is_(None), RawImportRecord.asset_id != Asset.id),
                )
            ),
        ],
        (BACKLINK,),
    ),
    _raw_metric(
        "processed_raw_records_without_asset_or_reason",
        lambda t: [
            RawImportRecord.is_processed.is_(True),
            RawImportRecord.asset_id.is_(None),
            _NO_REASON,
        ],
    ),
    Metric(
        "dead_letter_chunks_pending",
        FailedAssetChunk,
        lambda t: [
            FailedAssetChunk.client_account_id == t.client_account_id,
            FailedAssetChunk.engagement_id == t.engagement_id,
            FailedAssetChunk.reprocessed_at.is_(None),
        ],
    ),
    Metric(
        "duplicate_assets",
        Asset,
        lambda t: [*_assets(t), Asset.id.in_(_duplicate_asset_ids(t))],
        where_maintained=lambda t: [*_assets(t), Asset.id.in_(_duplicate_asset_ids(t, True))],
        maintained_by=KEY_COUNT_TRIGGERS,
    ),
    _asset_metric(
        "cross_tenant_links",
        lambda t: [Asset.id.in_(_cross_tenant_asset_ids(t))],
        (BACKLINK, RAW_TO_ASSET, ASSET_TO_FLOW, *EDGE_KEYS),
    ),
)

METRIC_NAMES = tuple(metric.name for metric in METRICS)


# The anti-joins hash a tenant's rows; at 400,000 assets the default 4 MB of work_mem
# made them spill to disk (measured in the benchmarks). Only for this transaction.
HEALTH_WORK_MEM = "32MB"


COUNTED = "counted"

_STANDING = text(
    """
    SELECT c.conname
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = :schema
       AND c.conname = ANY(:names)
       AND c.contype = 'f'
       AND c.convalidated
       AND NOT EXISTS (
             SELECT 1 FROM pg_trigger t WHERE t.tgconstraint = c.oid AND t.tgenabled = 'D')
    UNION ALL
    SELECT t.tgname
      FROM pg_trigger t
     WHERE t.tgrelid = to_regclass(:assets) AND t.tgname = ANY(:triggers)
       AND t.tgenabled <> 'D'
    """
)


async def standing_constraints(session: AsyncSession) -> frozenset[str]:
    """The wiring keys that hold for every row now (present, validated, their triggers
    enabled), and the enabled triggers that keep the metrics' summaries."""
    names = sorted({name for metric in METRICS for name in metric.proven_by})
    triggers = sorted({name for metric in METRICS for name in metric.maintained_by})
    result = await session.execute(
        _STANDING,
        {"schema": SCHEMA, "names": names, "triggers": triggers, "assets": f"{SCHEMA}.assets"},
    )
    return frozenset(result.scalars())


def how_established(standing: frozenset[str]) -> dict[str, str]:
    """Per metric: the constraints that prove it (all standing), or ``counted``."""
    return {
        metric.name: (
            ", ".join(metric.proven_by)
            if metric.proven_by and standing.issuperset(metric.proven_by)
            else COUNTED
        )
        for metric in METRICS
    }


async def wiring_metrics(
    session: AsyncSession, tenant: Tenant, standing: frozenset[str] | None = None
) -> dict[str, int]:
    """Every metric for one tenant: the proven ones 0, the others counted in one statement."""
    if standing is None:
        standing = await standing_constraints(session)
    proven_by = how_established(standing)
    counted = [metric for metric in METRICS if proven_by[metric.name] == COUNTED]
    values = dict.fromkeys(METRIC_NAMES, 0)
    if counted:
        await session.execute(text(f"SET LOCAL work_mem = '{HEALTH_WORK_MEM}'"))
        # psycopg prepares a statement it has run five times, and PostgreSQL may then keep
        # a generic plan, made without the tenant's values: for this statement 200 ms
        # against 15 ms (B2, 1M assets). Planning it each time costs about 3 ms.
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        counts = [
            select(func.count()).select_from(metric.entity)
            .where(*metric.conditions(tenant, standing))
            .scalar_subquery().label(metric.name)
            for metric in counted
        ]  # fmt: skip
        row = (await session.execute(select(*counts))).one()
        values.update({metric.name: int(value) for metric, value in zip(counted, row, strict=True)})
    return values


async def samples(
    session: AsyncSession, tenant: Tenant, metrics: dict[str, int], standing: frozenset[str]
) -> dict[str, list[dict[str, Any]]]:
    """Up to five examples (id, name, created_at) of each non-zero metric."""
    found: dict[str, list[dict[str, Any]]] = {}
    for metric in METRICS:
        if not metrics.get(metric.name):
            continue
        entity = metric.entity
        if entity is Asset:
            label: Any = Asset.name
        elif entity is RawImportRecord:
            label = func.concat("row ", RawImportRecord.row_number)
        else:
            label = func.concat("chunk ", FailedAssetChunk.chunk_number)
        rows = await session.execute(
            select(entity.id, label, entity.created_at)
            .where(*metric.conditions(tenant, standing))
            .order_by(entity.created_at, entity.id)
            .limit(SAMPLE_SIZE)
        )
        found[metric.name] = [
            {"id": str(row_id), "name": name, "created_at": created.isoformat()}
            for row_id, name, created in rows
        ]
    return found


@dataclass(frozen=True)
class HealthReport:
    metrics: dict[str, int]
    samples: dict[str, list[dict[str, Any]]] | None
    tenant: Tenant
    proven_by: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(value == 0 for value in self.metrics.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "health_status": "healthy" if self.healthy else "unhealthy",
            "tenant": {
                "client_account_id": str(self.tenant.client_account_id),
                "engagement_id": str(self.tenant.engagement_id),
            },
            "samples": self.samples,
            "proven_by": self.proven_by,
        }


async def wiring_health(
    session: AsyncSession, tenant: Tenant, *, detail: bool = False
) -> HealthReport:
    standing = await standing_constraints(session)
    metrics = await wiring_metrics(session, tenant, standing)
    found = await samples(session, tenant, metrics, standing) if detail else None
    return HealthReport(metrics, found, tenant, how_established(standing))
