"""A page of assets written straight from its rows is the JSON the response model gives."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.listing import list_assets
from discovery.assets.schemas import (
    AssetOut,
    AssetPageOut,
    PageMetadata,
    Pagination,
    asset_page_json,
)
from tests.factories import Factory

VARIED: list[dict[str, Any]] = [
    {"name": "web01", "memory_gb": 16.0, "cpu_cores": 8, "tags": ["prod", "eu"]},
    {
        "name": "Ωmega-ünïcode 🚀",
        "hostname": "tab\tand\x1fseparator",
        "memory_gb": 0.1 + 0.2,
        "storage_gb": 1e-05,
        "storage_used_gb": 1e20,
        "cpu_utilization_percent_max": 99.5,
        "confidence_score": 0.8500000000000001,
        "quality_score": 1 / 3,
        "custom_attributes": {
            "Owner ✓": "Zoë",
            "nested": {"list": [1, 2.5, None, True, "x"], "empty": {}},
            'quote"and\\slash': "line\nbreak",
        },
        "tech_debt_flags": [{"flag": "os_end_of_life", "severity": "high"}],
        "os_end_of_support": date(2020, 1, 14),
        "discovery_timestamp": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    },
    {
        "name": None,
        "hostname": None,
        "depends_on": ["db01", "10.0.0.1"],
        "discovery_timestamp": datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
    },
]


def _pagination() -> tuple[Pagination, PageMetadata]:
    pagination = Pagination(
        page=1, page_size=10, total=3, total_exact=True, total_pages=1, next_cursor=None
    )
    return pagination, PageMetadata(page_size_capped=False, max_page_size=1000)


def _through_models(rows: list[Any], pagination: Pagination, metadata: PageMetadata) -> bytes:
    data = [AssetOut.model_validate(row) for row in rows]
    page = AssetPageOut(data=data, pagination=pagination, metadata=metadata)
    return page.model_dump_json().encode()


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
async def test_rows_written_directly_match_the_response_model_byte_for_byte(
    session: AsyncSession, factory: Factory, zone: str
) -> None:
    await session.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
    flow = await factory.flow()
    for fields in VARIED:
        await factory.asset(flow, **fields)
    where = AssetFilter(client_account_id=flow.tenant.client_account_id,
                        engagement_id=flow.tenant.engagement_id)  # fmt: skip
    rows = (await list_assets(session, where, page_size=10)).assets
    assert len(rows) == len(VARIED)
    pagination, metadata = _pagination()

    direct = asset_page_json([row._mapping for row in rows], pagination, metadata)

    assert direct == _through_models(rows, pagination, metadata)
    body = json.loads(direct)
    assert [asset["name"] for asset in body["data"]] == ["web01", "Ωmega-ünïcode 🚀", None]
    assert body["data"][1]["storage_gb"] == 1e-05
    if zone == "Europe/Paris":  # the session's zone comes through as an offset
        assert body["data"][1]["discovery_timestamp"] == "2026-01-02T04:04:05+01:00"


async def test_a_value_json_cannot_hold_natively_goes_through_the_models(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    await factory.asset(flow, custom_attributes={"huge": 2**70, "n": 1})
    where = AssetFilter(client_account_id=flow.tenant.client_account_id,
                        engagement_id=flow.tenant.engagement_id)  # fmt: skip
    rows = (await list_assets(session, where, page_size=10)).assets
    pagination, metadata = _pagination()

    direct = asset_page_json([row._mapping for row in rows], pagination, metadata)

    assert direct == _through_models(rows, pagination, metadata)
    assert json.loads(direct)["data"][0]["custom_attributes"]["huge"] == 2**70


def test_times_in_other_zones_keep_their_offset() -> None:
    """A timestamp the driver gives with a non-UTC offset is written with that offset, as
    the model writes it (only UTC becomes ``Z``)."""
    paris = timezone(timedelta(hours=1))
    row = {field: None for field in AssetOut.model_fields} | {
        "id": "6f0b0c3e-8d0b-4c4e-9a57-6b1f6a8f0c11",
        "asset_type": "server",
        "tags": [],
        "depends_on": [],
        "custom_attributes": {},
        "tech_debt_flags": [],
        "created_at": datetime(2026, 3, 1, 12, 0, tzinfo=paris),
        "updated_at": datetime(2026, 3, 1, 11, 0, 0, 1, tzinfo=UTC),
    }
    pagination, metadata = _pagination()
    direct = json.loads(asset_page_json([row], pagination, metadata))
    assert direct["data"][0]["created_at"] == "2026-03-01T12:00:00+01:00"
    assert direct["data"][0]["updated_at"] == "2026-03-01T11:00:00.000001Z"
