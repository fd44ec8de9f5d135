"""The cleansing phase reads its rows in windows of row numbers: every row is cleansed
once, however the row numbers are spread and whatever an earlier run already did."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from discovery.cleansing import phase as cleansing_phase
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
