"""Assets written by COPY read back exactly as given: every column type, awkward text."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.bulk import insert_assets
from discovery.assets.models import Asset
from tests.factories import Factory

AWKWARD_TAGS = ['a "quoted" tag', "back\\slash", "comma, brace {x}", "tab\there", "NULL", "", "é✓"]


async def test_every_column_type_round_trips(session: AsyncSession, factory: Factory) -> None:
    flow = await factory.flow()
    raw = await factory.raw_row(flow, 1)
    now = datetime(2026, 11, 26, 5, 30, 1, 123456, tzinfo=UTC)
    full = {
        "id": uuid.uuid4(),
        **flow.tenant.keys(),
        "name": "web\t01\nline two \\N",
        "hostname": "web01",
        "asset_type": "virtual_machine",
        "cpu_cores": 8,
        "memory_gb": 15.5,
        "environment": "production",
        "tags": AWKWARD_TAGS,
        "depends_on": ["db01", "10.0.0.5"],
        "discovery_flow_id": flow.discovery_flow_id,
        "master_flow_id": flow.master_flow_id,
        "raw_import_records_id": raw.id,
        "discovery_timestamp": now,
        "confidence_score": 0.875,
        "custom_attributes": {"Rack": "R1\tU2", "Quote": 'say "hi"', "Slash": "a\\b"},
        "tech_debt_flags": [{"kind": "os_end_of_support", "date": "2020-01-14"}],
        "os_end_of_support": date(2020, 1, 14),
    }
    sparse = {"id": uuid.uuid4(), **flow.tenant.keys(), "name": "bare", "asset_type": "other"}

    await insert_assets(session, [full, sparse])

    rows = {
        row.id: row
        for row in (
            await session.execute(select(Asset).where(Asset.id.in_([full["id"], sparse["id"]])))
        ).scalars()
    }
    stored = rows[full["id"]]
    for key, value in full.items():
        assert getattr(stored, key) == value, key
    bare = rows[sparse["id"]]
    assert (bare.name, bare.tags, bare.depends_on, bare.custom_attributes) == ("bare", [], [], {})
    assert bare.tech_debt_flags == []
    assert bare.cpu_cores is None and bare.discovery_timestamp is None
    assert bare.created_at is not None and bare.updated_at is not None


async def test_many_assets_are_written_in_blocks(session: AsyncSession, factory: Factory) -> None:
    flow = await factory.flow()
    padding = "x" * 400  # about 2 MB in all: several COPY blocks
    assets = [
        {"id": uuid.uuid4(), **flow.tenant.keys(), "name": f"h{n}", "asset_type": "server",
         "custom_attributes": {"pad": padding}}
        for n in range(5000)
    ]  # fmt: skip
    await insert_assets(session, assets)
    query = select(Asset.name).where(Asset.client_account_id == flow.tenant.client_account_id)
    names = set((await session.execute(query)).scalars())
    assert names == {f"h{n}" for n in range(5000)}
