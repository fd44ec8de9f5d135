"""The asset-inventory phase: cleansed rows become wired assets, one chunk at a time.

A chunk is one transaction that creates or updates its assets *and* links their raw rows
(the seed's lesson: linkage written anywhere else gets lost). The link-back only fills
empty links (``WHERE asset_id IS NULL``), set-based with ``RETURNING``, so the phase knows
exactly which rows it linked; a row found already linked is counted and logged, never
overwritten.

A failing chunk is an infrastructure failure (a bad *row* is marked invalid by
cleansing and never reaches this phase). What happens next is the chunk retry policy:

- ``stop``: the phase fails; committed chunks stay; resuming continues with the first
  row not yet linked;
- ``skip``: the chunk goes to the dead-letter table and the phase goes on; the flow ends
  ``completed_with_errors``;
- ``retry``: up to ``ASSET_CHUNK_MAX_RETRIES`` retries with exponential backoff, then the
  chunk is dead-lettered and the phase fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Text,
    Uuid,
    cast,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.assets import columnar as columnar_chunk
from discovery.assets import reconcile
from discovery.assets.bulk import insert_assets
from discovery.assets.end_of_support import assessment as tech_debt_assessment
from discovery.assets.export import reimported_lineage
from discovery.assets.models import (
    ASSET_TABLE_COLUMNS,
    Asset,
    AssetImport,
    FailedAssetChunk,
)
from discovery.assets.preview import AssetShape, Reconciler, incoming_asset
from discovery.assets.sieve import decide_chunk
from discovery.core.database import unit_of_work
from discovery.core.ids import uuid7
from discovery.core.models import SCHEMA
from discovery.flows.models import DiscoveryFlow, Phase
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.raw_rows import awaiting_inventory, awaiting_inventory_sql, linked_to

logger = logging.getLogger(__name__)

DISCOVERY_METHOD = "flow_based"

ChunkHook = Callable[[int], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class InventoryPlan:
    """Everything a chunk needs to know about its flow, computed once per run."""

    discovery_flow_id: uuid.UUID
    master_flow_id: uuid.UUID
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    data_import_id: uuid.UUID
    mapped_sources: frozenset[str]
    confidence_by_target: dict[str, float | None]
    mappings_hash: str
    match_order: tuple[str, ...]
    detected_format: str | None
    discovery_source: str
    ignored_sources: frozenset[str] = frozenset()

    @property
    def chunk_shape(self) -> columnar_chunk.ChunkShape:
        return columnar_chunk.ChunkShape(
            data_import_id=self.data_import_id,
            excluded_sources=self.mapped_sources | self.ignored_sources,
            confidence_by_target=self.confidence_by_target,
            detected_format=self.detected_format,
        )

    @property
    def shape(self) -> AssetShape:
        return AssetShape(
            mapped_sources=self.mapped_sources,
            confidence_by_target=self.confidence_by_target,
            detected_format=self.detected_format,
            ignored_sources=self.ignored_sources,
        )


@dataclass
class InventoryCounters:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged_duplicates: int = 0
    linked: int = 0
    already_linked: int = 0
    chunks: int = 0
    dead_lettered_chunks: int = 0
    dead_lettered_rows: int = 0

    def add(self, other: InventoryCounters) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class ChunkFailure(Exception):
    chunk_number: int
    first_row: int
    last_row: int
    attempts: int
    error: str

    def __str__(self) -> str:
        return (
            f"asset chunk {self.chunk_number} (rows {self.first_row}-{self.last_row}) failed "
            f"after {self.attempts} attempt(s): {self.error}"
        )


def mappings_hash(master_flow_id: uuid.UUID, mappings: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the flow id and the approved mappings, as normalised JSON."""
    normalised = sorted(
        (
            {"source_field": m["source_field"], "target_field": m["target_field"],
             "unit": m.get("unit"), "priority": m.get("priority")}
            for m in mappings
        ),
        key=lambda m: (m["target_field"], m["source_field"]),
    )  # fmt: skip
    payload = json.dumps(
        {"flow_id": str(master_flow_id), "mappings": normalised},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


async def build_plan(session: AsyncSession, flow: DiscoveryFlow) -> InventoryPlan:
    from discovery.flows.service import get_master_flow_id

    if flow.data_import_id is None:
        raise ValueError("the flow has no import")
    master_flow_id = await get_master_flow_id(session, flow.id)
    if master_flow_id is None:
        raise ValueError(f"the master flow of discovery flow {flow.id} is missing")
    data_import = await session.get(DataImport, flow.data_import_id)
    if data_import is None:
        raise ValueError("the flow's import no longer exists")
    mappings = list(flow.field_mappings.get("mappings", []))
    detected = flow.phase_state.get(Phase.FIELD_MAPPING.value, {}).get("detected_format")
    order = reconcile.validate_match_order(data_import.options.get("match_keys"))
    ignored = reimported_lineage(data_import.read_details.get("headers", []))
    return InventoryPlan(
        discovery_flow_id=flow.id,
        master_flow_id=master_flow_id,
        client_account_id=flow.client_account_id,
        engagement_id=flow.engagement_id,
        data_import_id=data_import.id,
        mapped_sources=frozenset(m["source_field"] for m in mappings),
        confidence_by_target={  # each field's primary column
            m["target_field"]: m.get("confidence")
            for m in mappings
            if (m.get("priority") or 1) == 1
        },
        mappings_hash=mappings_hash(master_flow_id, mappings),
        match_order=order,
        detected_format=detected,
        discovery_source=f"{data_import.file_format or 'file'} import: {data_import.file_name}",
        ignored_sources=ignored,
    )


def _lineage(plan: InventoryPlan, raw_id: uuid.UUID | None, now: datetime) -> dict[str, Any]:
    return {
        "client_account_id": plan.client_account_id,
        "engagement_id": plan.engagement_id,
        "discovery_flow_id": plan.discovery_flow_id,
        "master_flow_id": plan.master_flow_id,
        "raw_import_records_id": raw_id,
        "field_mappings_used": plan.mappings_hash,
        "source_phase": Phase.ASSET_INVENTORY.value,
        "current_phase": Phase.ASSET_INVENTORY.value,
        "discovery_method": DISCOVERY_METHOD,
        "discovery_source": plan.discovery_source,
        "discovery_timestamp": now,
    }


_ROWS_OF_CHUNK = f"""
    SELECT r.row_number FROM {SCHEMA}.raw_import_records r
     WHERE r.data_import_id = :import_id AND {awaiting_inventory_sql()}
       AND r.row_number > :after
       AND NOT EXISTS (
           SELECT 1 FROM {SCHEMA}.failed_asset_chunks f
            WHERE f.discovery_flow_id = :flow_id AND f.reprocessed_at IS NULL
              AND r.row_number BETWEEN f.first_row_number AND f.last_row_number)
     ORDER BY r.row_number LIMIT :size
"""  # noqa: S608 (the schema constant)

_LINK_BACK = text(
    f"""
    UPDATE {SCHEMA}.raw_import_records AS r
       SET {linked_to("v.asset_id", "v.note")}
      FROM unnest(CAST(:raw_ids AS uuid[]), CAST(:asset_ids AS uuid[]),
                  CAST(:notes AS text[])) AS v(raw_id, asset_id, note)
     WHERE r.id = v.raw_id AND r.asset_id IS NULL
    RETURNING r.id
    """  # noqa: S608 (the schema constant)
)

# Which imports touched each asset (a statement of constant text, so it is compiled once).
_RECORD_IMPORTS = text(
    f"""
    INSERT INTO {SCHEMA}.asset_imports (id, asset_id, data_import_id, action)
    SELECT {SCHEMA}.uuid_v7(), v.asset_id, :import_id, v.action
      FROM unnest(CAST(:asset_ids AS uuid[]), CAST(:actions AS text[])) AS v(asset_id, action)
        ON CONFLICT (asset_id, data_import_id) DO NOTHING
    """  # noqa: S608 (the schema constant)
)


async def _next_range(
    session: AsyncSession, plan: InventoryPlan, after: int, size: int
) -> tuple[int, int] | None:
    numbers = list(
        (
            await session.execute(
                text(_ROWS_OF_CHUNK),
                {"import_id": plan.data_import_id, "flow_id": plan.discovery_flow_id,
                 "after": after, "size": size},
            )
        ).scalars()
    )  # fmt: skip
    return (numbers[0], numbers[-1]) if numbers else None


# The engagement's assets that share a match key with a chunk: one index lookup per key,
# their ids united, then the assets by primary key. A single ``OR`` of the ``= ANY()``
# conditions was planned as a scan of the engagement's assets for every chunk (300 ms
# at 20,000 assets, growing with the table): ``lower(name)`` has no statistics (the
# phase's ANALYZE skips expression indexes), so the planner took it to match most of
# them. Names are looked up one by one through the ``name_key`` index (LATERAL, kept a
# subquery by ``OFFSET 0``); alternates through ``asset_alternate_ids``. Every condition
# is leakproof, so each stays an index probe under row-level security.
# The statement's text is constant, so it is prepared once.
_ASSET_COLUMNS = list(ASSET_TABLE_COLUMNS)
# (asset column, parameter) of each key looked up with ``= ANY()``, in match order.
_KEY_LOOKUPS = (
    ("external_id", "external_ids"),
    ("serial_number", "serials"),
    ("fqdn", "fqdns"),
    ("hostname", "hosts"),
    ("ip_address", "ips"),
)
_IN_ENGAGEMENT = "client_account_id = :client_account_id AND engagement_id = :engagement_id"
_EXISTING_ASSETS = text(
    "WITH hits AS ("  # noqa: S608 (constants and the model's own column names)
    + " UNION ".join(
        f"SELECT id FROM {SCHEMA}.assets WHERE {_IN_ENGAGEMENT}"  # noqa: S608 (constants)
        f" AND {column} = ANY(CAST(:{parameter} AS text[]))"
        for column, parameter in _KEY_LOOKUPS
    )
    + f"""
        UNION
        SELECT named.id FROM unnest(CAST(:names AS text[])) AS n(name)
         CROSS JOIN LATERAL (
            SELECT id FROM {SCHEMA}.assets
             WHERE {_IN_ENGAGEMENT} AND name_key = n.name
            OFFSET 0) AS named
        UNION
        SELECT asset_id FROM {SCHEMA}.asset_alternate_ids
         WHERE {_IN_ENGAGEMENT} AND alternate_id = ANY(CAST(:alternates AS text[]))
    )
    SELECT {", ".join(column.name for column in _ASSET_COLUMNS)} FROM {SCHEMA}.assets
     WHERE id = ANY(ARRAY(SELECT id FROM hits))
     ORDER BY created_at, id
    """  # noqa: S608 (constants and the model's own column names)
).columns(*_ASSET_COLUMNS)  # typed results, as from select(Asset.__table__)


@dataclass(frozen=True)
class KeyColumns:
    """The identifiers of a chunk's incoming assets, one list per field (``None`` where a
    row has none): what the known assets are looked up by."""

    external_id: Sequence[str | None]
    serial_number: Sequence[str | None]
    fqdn: Sequence[str | None]
    hostname: Sequence[str | None]
    ip_address: Sequence[str | None]
    name: Sequence[str | None]

    @classmethod
    def of(cls, incoming: Sequence[Mapping[str, Any]]) -> KeyColumns:
        def column(field_name: str) -> list[str | None]:
            return [str(d[field_name]) if d.get(field_name) else None for d in incoming]

        return cls(*(column(name) for name in reconcile.KEY_FIELDS))


async def existing_assets(
    session: AsyncSession,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    incoming: Sequence[dict[str, Any]],
    order: Sequence[str] = reconcile.DEFAULT_MATCH_ORDER,
) -> list[dict[str, Any]]:
    """The engagement's assets that share a match key with any of ``incoming``.

    Also those whose ``alternate_ids`` hold one of the incoming identifiers and, when the
    match order uses the name alone, those of the same name (any case).
    """
    return await existing_assets_of(
        session, client_account_id, engagement_id, KeyColumns.of(incoming), order
    )


async def existing_assets_of(
    session: AsyncSession,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    keys: KeyColumns,
    order: Sequence[str] = reconcile.DEFAULT_MATCH_ORDER,
) -> list[dict[str, Any]]:
    """:func:`existing_assets` of incoming assets given by their identifier columns."""

    def values(column: Sequence[str | None]) -> list[str]:
        return sorted({value for value in column if value})

    hosts = {value for value in keys.hostname if value}
    hosts |= {value.split(".")[0] for value in keys.fqdn if value}
    names: list[str] = []
    if "name" in order:
        names = sorted({value.lower() for value in keys.name if value})
    result = await session.execute(
        _EXISTING_ASSETS,
        {
            "client_account_id": client_account_id,
            "engagement_id": engagement_id,
            "external_ids": values(keys.external_id),
            "serials": values(keys.serial_number),
            "fqdns": values(keys.fqdn),
            "hosts": sorted(hosts),
            "ips": values(keys.ip_address),
            "names": names,
            "alternates": reconcile.alternate_lookup_columns(
                keys.external_id, keys.serial_number, keys.fqdn, keys.hostname
            ),
        },
    )
    return [dict(row._mapping) for row in result]


async def _chunk_rows(
    session: AsyncSession,
    plan: InventoryPlan,
    first_row: int,
    last_row: int,
    ids: Sequence[uuid.UUID] | None,
) -> list[Any]:
    """The chunk's rows still to be inventoried (of ``ids`` only, when given), in order."""
    statement = (
        select(
            RawImportRecord.id,
            RawImportRecord.row_number,
            # Only the unmapped columns (custom attributes) are needed from the raw row;
            # dropping the rest in the database halves the JSON to decode.
            RawImportRecord.raw_data.op("-")(cast(sorted(plan.mapped_sources), ARRAY(Text))).label(
                "unmapped"
            ),
            RawImportRecord.cleansed_data,
            RawImportRecord.validation_errors,
        )
        .where(
            RawImportRecord.data_import_id == plan.data_import_id,
            RawImportRecord.row_number.between(first_row, last_row),
            awaiting_inventory(),
        )
        .order_by(RawImportRecord.row_number)
    )
    if ids is not None:
        statement = statement.where(RawImportRecord.id == func.any(cast(ids, ARRAY(Uuid))))
    return list((await session.execute(statement)).all())


async def process_chunk(
    session: AsyncSession,
    plan: InventoryPlan,
    first_row: int,
    last_row: int,
    *,
    chunk_number: int = 0,
    hook: ChunkHook | None = None,
    columnar: bool = True,
    prepared: columnar_chunk.Prepared | None = None,
) -> InventoryCounters:
    """Create or update the assets of rows ``first_row..last_row`` and link the rows.

    ``columnar`` (the default) creates the plain rows in the database
    (:mod:`.columnar`) and gives the Reconciler only the others; without it every row
    goes through Python, as the dry run does (the tests compare the two). ``prepared``
    is the chunk as read and derived ahead of time by :func:`persist_assets`.
    """
    counters = InventoryCounters(chunks=1)
    # Reconciliation reads then writes: chunks of one engagement must not interleave.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"inventory:{plan.engagement_id}"},
    )
    # The chunk's statements touch a few thousand rows by index; the planner's estimates
    # for the key lookups (no statistics on lower(name)) pass jit_above_cost, and JIT
    # compilation then costs more than the statement (measured: 800 ms of 1.5 s).
    await session.execute(text("SET LOCAL jit = off"))
    now = datetime.now(UTC)
    today = now.date()
    staged = 0
    reserved: dict[uuid.UUID, uuid.UUID] = {}
    if columnar:
        if prepared is None or (prepared.first_row, prepared.last_row, prepared.today) != (
            first_row,
            last_row,
            today,
        ):
            prepared = await columnar_chunk.prepare(
                session, plan.chunk_shape, first_row, last_row, today
            )
        frame = prepared.frame
        existing = await existing_assets_of(
            session,
            plan.client_account_id,
            plan.engagement_id,
            KeyColumns(**columnar_chunk.lookup_columns(frame)),
            plan.match_order,
        )
        chunk = columnar_chunk.decide(frame, existing)
        payload, staged = columnar_chunk.stage_payload(chunk, prepared.derived)
        if staged:
            await columnar_chunk.create_staged(
                session, payload, plan.chunk_shape, _lineage(plan, None, now)
            )
        reserved = chunk.reconciled()
        rows = (
            await _chunk_rows(session, plan, first_row, last_row, list(reserved))
            if reserved
            else []
        )
    else:
        rows = await _chunk_rows(session, plan, first_row, last_row, None)
    shape = plan.shape
    incoming = [
        incoming_asset(shape, row.cleansed_data, row.unmapped, row.validation_errors)
        for row in rows
    ]
    if not columnar:
        existing = await existing_assets(
            session, plan.client_account_id, plan.engagement_id, incoming, plan.match_order
        )

    def new_id(position: int) -> uuid.UUID:
        return reserved.get(rows[position].id) or uuid7()

    touched = await _imports_touching(session, plan, [a["id"] for a in existing])
    reconciler = Reconciler(existing, plan.match_order, in_import=touched)
    created: list[dict[str, Any]] = []
    changes: dict[uuid.UUID, dict[str, Any]] = {}
    links: list[tuple[uuid.UUID, uuid.UUID, str]] = []
    actions: dict[uuid.UUID, str] = {}
    for position, decision in decide_chunk(
        reconciler,
        incoming,
        existing,
        lambda position: {**_lineage(plan, rows[position].id, now), "id": new_id(position)},
        sieved=columnar,
    ):
        row, data = rows[position], incoming[position]
        asset = decision.asset
        if decision.action == "create":
            asset.update(tech_debt_assessment(asset, today))
            created.append(asset)
            actions[asset["id"]] = "created"
            note = f"created asset from row {row.row_number}"
        else:
            kind, delta = decision.matched_by, decision.changes
            if delta and actions.get(asset["id"]) != "created":
                changes.setdefault(asset["id"], {}).update(delta)
            if reconcile.is_shadow(data):
                counters.merged_duplicates += 1
                note = (
                    f"SRM placeholder (shadow row) merged into asset {asset['name']!r}"
                    f" (matched by {kind})"
                )
            elif actions.get(asset["id"]) == "created" or touched.get(asset["id"]) == "created":
                counters.merged_duplicates += 1
                note = f"duplicate row merged into asset {asset['name']!r} (matched by {kind})"
            else:
                actions.setdefault(asset["id"], "updated")
                note = f"updated existing asset {asset['name']!r} (matched by {kind})"
        links.append((row.id, asset["id"], note))
    counters.created = len(created) + staged
    updated_ids = {i for i, a in actions.items() if a == "updated"}
    counters.updated = len(updated_ids & set(changes))
    counters.unchanged = len(updated_ids - set(changes))
    if created:
        await insert_assets(session, created)
    created_ids = {a["id"] for a in created}
    pending_updates = [
        {"id": asset_id, **delta, "updated_at": now, "current_phase": Phase.ASSET_INVENTORY.value}
        for asset_id, delta in changes.items()
        if asset_id not in created_ids
    ]
    if pending_updates:
        await session.execute(update(Asset), pending_updates)
    if actions:
        await session.execute(
            _RECORD_IMPORTS,
            {
                "import_id": plan.data_import_id,
                "asset_ids": [str(asset_id) for asset_id in actions],
                "actions": list(actions.values()),
            },
        )
    if hook is not None:
        await hook(chunk_number)
    linked = staged and await columnar_chunk.link_staged(session)
    if links:
        linked += len(
            (
                await session.execute(
                    _LINK_BACK,
                    {
                        "raw_ids": [str(raw_id) for raw_id, _, _ in links],
                        "asset_ids": [str(asset_id) for _, asset_id, _ in links],
                        "notes": [note for _, _, note in links],
                    },
                )
            ).all()
        )
    counters.linked = linked
    counters.already_linked = len(links) + staged - linked
    if counters.already_linked:
        logger.warning(
            "flow %s: %d raw row(s) were already linked and were left as they were",
            plan.discovery_flow_id,
            counters.already_linked,
        )
    return counters


async def _imports_touching(
    session: AsyncSession, plan: InventoryPlan, asset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not asset_ids:
        return {}
    result = await session.execute(
        select(AssetImport.asset_id, AssetImport.action).where(
            AssetImport.data_import_id == plan.data_import_id,
            AssetImport.asset_id.in_(asset_ids),
        )
    )
    return {asset_id: action for asset_id, action in result.all()}


@dataclass
class ChunkPolicy:
    policy: str
    max_retries: int
    base_delay_seconds: float
    sleep: Sleep = asyncio.sleep
    hook: ChunkHook | None = None


@dataclass
class InventoryRun:
    counters: InventoryCounters = field(default_factory=InventoryCounters)
    failure: ChunkFailure | None = None


async def _dead_letter(
    factory: async_sessionmaker[AsyncSession], plan: InventoryPlan, failure: ChunkFailure
) -> None:
    async with unit_of_work(factory) as session:
        statement = pg_insert(FailedAssetChunk).values(
            client_account_id=plan.client_account_id,
            engagement_id=plan.engagement_id,
            discovery_flow_id=plan.discovery_flow_id,
            chunk_number=failure.chunk_number,
            first_row_number=failure.first_row,
            last_row_number=failure.last_row,
            error=failure.error[:4000],
            attempts=failure.attempts,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["discovery_flow_id", "chunk_number"],
                set_={
                    "first_row_number": statement.excluded.first_row_number,
                    "last_row_number": statement.excluded.last_row_number,
                    "error": statement.excluded.error,
                    "attempts": statement.excluded.attempts,
                    "reprocessed_at": None,
                },
            )
        )


async def _chunk_offset(session: AsyncSession, flow_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.max(FailedAssetChunk.chunk_number), 0)).where(
                FailedAssetChunk.discovery_flow_id == flow_id
            )
        )
        or 0
    )


async def persist_assets(
    factory: async_sessionmaker[AsyncSession],
    plan: InventoryPlan,
    *,
    chunk_size: int,
    policy: ChunkPolicy,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> InventoryRun:
    """Run every pending chunk under the retry policy; returns counters and any failure.

    Each chunk's successor is read and derived (:func:`columnar_chunk.prepare`, in its
    own read-only transaction) while the chunk is written, so that the worker's Python
    and PostgreSQL work at the same time; within a chunk they take turns. The successor's
    rows are untouched by the chunk being written (chunks are disjoint ranges of rows).
    """
    run = InventoryRun()
    async with unit_of_work(factory) as session:
        chunk_number = await _chunk_offset(session, plan.discovery_flow_id)

    async def ahead(after: int) -> tuple[int, int, columnar_chunk.Prepared | None] | None:
        async with unit_of_work(factory) as session:
            bounds = await _next_range(session, plan, after, chunk_size)
        if bounds is None:
            return None
        ready: columnar_chunk.Prepared | None = None
        try:
            async with unit_of_work(factory) as session:
                today = datetime.now(UTC).date()
                ready = await columnar_chunk.prepare(session, plan.chunk_shape, *bounds, today)
        except Exception as exc:  # the chunk reads again itself, under the retry policy
            logger.info("reading chunk rows %d-%d ahead failed: %s", *bounds, exc)
        return bounds[0], bounds[1], ready

    upcoming = asyncio.ensure_future(ahead(0))
    try:
        while True:
            following = await upcoming
            if following is None:
                return run
            first_row, last_row, prepared = following
            upcoming = asyncio.ensure_future(ahead(last_row))
            chunk_number += 1
            attempts = 0
            while True:
                attempts += 1
                try:
                    async with unit_of_work(factory) as session:
                        counters = await process_chunk(
                            session,
                            plan,
                            first_row,
                            last_row,
                            chunk_number=chunk_number,
                            hook=policy.hook,
                            prepared=prepared if attempts == 1 else None,
                        )
                    run.counters.add(counters)
                    break
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    logger.warning("chunk %d attempt %d failed: %s", chunk_number, attempts, error)
                    if policy.policy == "retry" and attempts <= policy.max_retries:
                        await policy.sleep(policy.base_delay_seconds * 2 ** (attempts - 1))
                        continue
                    failure = ChunkFailure(chunk_number, first_row, last_row, attempts, error)
                    if policy.policy == "stop":
                        run.failure = failure
                        return run
                    await _dead_letter(factory, plan, failure)
                    run.counters.dead_lettered_chunks += 1
                    run.counters.dead_lettered_rows += last_row - first_row + 1
                    if policy.policy == "retry":
                        run.failure = failure
                        return run
                    break
            if progress is not None:
                await progress(run.counters.linked + run.counters.dead_lettered_rows)
    finally:
        if not upcoming.done():
            upcoming.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await upcoming  # its transaction ends before the run does


async def reprocess_dead_letters(
    factory: async_sessionmaker[AsyncSession], plan: InventoryPlan
) -> tuple[InventoryCounters, list[ChunkFailure]]:
    """Process the flow's pending dead-lettered chunks again (``flows retry-failed``)."""
    total = InventoryCounters()
    failures: list[ChunkFailure] = []
    async with unit_of_work(factory) as session:
        pending = (
            (
                await session.execute(
                    select(FailedAssetChunk)
                    .where(
                        FailedAssetChunk.discovery_flow_id == plan.discovery_flow_id,
                        FailedAssetChunk.reprocessed_at.is_(None),
                    )
                    .order_by(FailedAssetChunk.chunk_number)
                )
            )
            .scalars()
            .all()
        )
    for chunk in pending:
        try:
            async with unit_of_work(factory) as session:
                counters = await process_chunk(
                    session, plan, chunk.first_row_number, chunk.last_row_number
                )
                await session.execute(
                    update(FailedAssetChunk)
                    .where(FailedAssetChunk.id == chunk.id)
                    .values(reprocessed_at=datetime.now(UTC))
                )
            total.add(counters)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            failure = ChunkFailure(
                chunk.chunk_number, chunk.first_row_number, chunk.last_row_number,
                chunk.attempts + 1, error,
            )  # fmt: skip
            await _dead_letter(factory, plan, failure)
            failures.append(failure)
    return total, failures
