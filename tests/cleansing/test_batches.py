"""The cleansing phase reads its rows in windows of row numbers: every row is cleansed
once, however the row numbers are spread and whatever an earlier run already did."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.cleansing import phase as cleansing_phase
from discovery.cleansing.batch_io import copy_payload, read_batch, write_batch
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.core.settings import load_settings
from discovery.flows.models import DiscoveryFlow, Phase
from discovery.flows.phase_contract import PhaseContext
from discovery.imports.models import RawImportRecord
from tests.factories import Factory

# Gaps wider than a window (blank rows are numbered but not stored), and a run of rows.
ROW_NUMBERS = [1, 2, 3, 9, 10, 40, 41, 42, 43, 44]
ALREADY_CLEANSED = 2  # as a resumed phase finds it: its data is kept as it is


async def test_windows_cleanse_every_row_once_across_gaps_and_a_resume(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleansing_phase, "BATCH_SIZE", 4)
    engine = create_engine(database_url)
    try:
        factory = create_session_factory(engine)
        async with unit_of_work(factory) as session:
            made = Factory(session)
            flow = await made.flow()
            for number in ROW_NUMBERS:
                row = await made.raw_row(flow, number, Name=f" Host{number:02d} ")
                if number == ALREADY_CLEANSED:
                    row.cleansed_data = {"name": "kept"}
                    row.validation_errors = []
                    row.is_valid = True
            discovery = await session.get(DiscoveryFlow, flow.discovery_flow_id)
            assert discovery is not None
            discovery.field_mappings = {
                "mappings": [{"source_field": "Name", "target_field": "name"}]
            }
        async with unit_of_work(factory) as session:
            discovery = await session.get(DiscoveryFlow, flow.discovery_flow_id)
            assert discovery is not None
        context = PhaseContext.of_flow(
            factory,
            load_settings(database_url=database_url, data_dir=tmp_path),
            discovery,
            Phase.DATA_CLEANSING,
        )
        outcome = await cleansing_phase.run_data_cleansing(context)
        async with unit_of_work(factory) as session:
            rows = (
                await session.execute(
                    select(RawImportRecord.row_number, RawImportRecord.cleansed_data)
                    .where(RawImportRecord.data_import_id == flow.data_import_id)
                    .order_by(RawImportRecord.row_number)
                )
            ).all()
    finally:
        await engine.dispose()
    assert outcome.result["valid_rows"] == len(ROW_NUMBERS)
    assert [number for number, _ in rows] == ROW_NUMBERS
    for number, cleansed in rows:
        expected = "kept" if number == ALREADY_CLEANSED else f"Host{number:02d}"
        assert cleansed is not None and cleansed["name"] == expected, (number, cleansed)


async def test_a_batch_written_back_reads_only_its_window_of_raw_rows(
    session: AsyncSession, factory: Factory
) -> None:
    """Joined by id alone, the write-back read every raw row of the tenant for each batch
    (cleansing grew with the square of the rows); bounded by the batch's window of row
    numbers it reads only those."""
    flow = await factory.flow()
    await session.execute(
        text(
            "INSERT INTO migration.raw_import_records (client_account_id, engagement_id,"
            " data_import_id, master_flow_id, row_number, raw_data)"
            " SELECT :client, :engagement, :import_id, :master, n, jsonb_build_object('Name', n)"
            " FROM generate_series(1, 20000) AS n"
        ),
        {"import_id": flow.data_import_id, "master": flow.master_flow_id,
         "client": flow.tenant.client_account_id, "engagement": flow.tenant.engagement_id},
    )  # fmt: skip
    await session.execute(text("ANALYZE migration.raw_import_records"))
    frame = await read_batch(session, flow.data_import_id, 5000, ["Name"], 100)
    results = pl.DataFrame(
        {
            "cleansed": ['{"name": "x"}'] * frame.height,
            "errors": ["[]"] * frame.height,
            "valid": [True] * frame.height,
            "note": [None] * frame.height,
        },
        schema={"cleansed": pl.String, "errors": pl.String, "valid": pl.Boolean,
                "note": pl.String},
    )  # fmt: skip
    read = text(
        "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM"
        " pg_stat_xact_user_tables WHERE relid = 'migration.raw_import_records'::regclass"
    )
    before = await session.scalar(read)

    await write_batch(session, copy_payload(frame["id"], results), flow.data_import_id, 5000, 100)

    rows_read = (await session.scalar(read)) - before
    cleansed = await session.scalar(
        select(func.count()).where(
            RawImportRecord.data_import_id == flow.data_import_id,
            RawImportRecord.cleansed_data.is_not(None),
        )
    )
    assert (frame.height, cleansed) == (100, 100)
    assert rows_read < 1_000, rows_read
