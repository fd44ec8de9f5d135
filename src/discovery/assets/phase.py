"""The ``asset_inventory`` phase handler."""

from __future__ import annotations

from sqlalchemy import func, select

from discovery.assets.inventory import ChunkPolicy, build_plan, persist_assets
from discovery.core.database import unit_of_work
from discovery.core.statistics import analyze
from discovery.flows import service as flows
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports.models import DataImport, RawImportRecord
from discovery.imports.service import analyze_raw_rows

# The assets table can grow by a million rows in one phase. Reconciliation looks assets
# up by match keys; with statistics from when the table was small the planner scans the
# tenant's whole asset list for every chunk (measured: 102 ms per chunk at 53,000 assets,
# 1.8 ms after ANALYZE). So statistics are refreshed each time the phase has doubled the
# rows it has processed (from 1,000 on): about 10 ANALYZEs for a million rows.
FIRST_ANALYZE_AT = 1_000


# Only the columns reconciliation filters on: a full ANALYZE also samples the JSON and
# expression-index columns (measured at 40,000 assets: 918 ms, against 157 ms for these).
_MATCH_COLUMNS = ("client_account_id", "engagement_id", "external_id", "serial_number",
                  "fqdn", "hostname", "ip_address", "name_key")  # fmt: skip


async def _analyze_assets(context: PhaseContext) -> None:
    async with unit_of_work(context.factory) as session:
        await analyze(session, "assets", _MATCH_COLUMNS)


def chunk_policy(context: PhaseContext) -> ChunkPolicy:
    settings = context.settings
    return ChunkPolicy(
        policy=settings.asset_chunk_retry_policy,
        max_retries=settings.asset_chunk_max_retries,
        base_delay_seconds=settings.asset_chunk_retry_base_delay_seconds,
    )


async def run_asset_inventory(context: PhaseContext) -> PhaseOutcome:
    async with unit_of_work(context.factory) as session:
        flow = await flows.load_flow(session, context.discovery_flow_id)
        try:
            plan = await build_plan(session, flow)
        except ValueError as exc:
            raise PhaseError(str(exc)) from None
        total = int(
            await session.scalar(
                select(func.count())
                .select_from(RawImportRecord)
                .where(
                    RawImportRecord.data_import_id == plan.data_import_id,
                    RawImportRecord.is_valid.is_(True),
                )
            )
            or 0
        )

    await _analyze_assets(context)
    next_analyze = FIRST_ANALYZE_AT

    async def progress(done: int) -> None:
        nonlocal next_analyze
        await context.progress(done, total)
        if done >= next_analyze:
            next_analyze = 2 * done
            await _analyze_assets(context)

    run = await persist_assets(
        context.factory,
        plan,
        chunk_size=context.settings.asset_batch_chunk_size,
        policy=chunk_policy(context),
        progress=progress,
    )
    async with unit_of_work(context.factory) as session:
        processed = int(
            await session.scalar(
                select(func.count())
                .select_from(RawImportRecord)
                .where(
                    RawImportRecord.data_import_id == plan.data_import_id,
                    RawImportRecord.is_processed.is_(True),
                )
            )
            or 0
        )
        data_import = await session.get(DataImport, plan.data_import_id)
        if data_import is not None:
            data_import.processed_rows = processed
        # The phase flipped is_processed and asset_id on every row: without fresh
        # statistics the planner still believes the rows unprocessed, and the health
        # check's unprocessed_raw_records scans the tenant's rows instead of finding
        # none in the index (measured at 100,000 rows: 57 ms).
        await analyze_raw_rows(session)
        # The dependency and tech-debt phases walk the import's assets through
        # asset_imports in id order. With the statistics of before the phase (no rows of
        # this import) the planner expected a few hundred rows and read and sorted all of
        # them for each slice of 20,000 (97 ms per slice at 100,000 assets, an index-only
        # scan of 9 ms after ANALYZE).
        await analyze(session, "asset_imports")
    if run.failure is not None:
        raise PhaseError(str(run.failure))
    counters = run.counters.as_dict()
    return PhaseOutcome(result=counters, with_errors=run.counters.dead_lettered_chunks > 0)
