"""Keyset pages in a sort (the web inventory's "next" links) hold the offset pages' rows."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.listing import (
    SORTABLE,
    InvalidCursorError,
    Sort,
    SortedCursor,
    list_assets,
)
from tests.factories import Factory

NAMES = ["web01", "DB01", None, "app01", "Web03", "db01", None, "app01", "Mq1", "web02"]


@pytest.mark.parametrize("sort", [Sort(c, d) for c in SORTABLE for d in (False, True)], ids=str)
async def test_keyset_pages_match_the_offset_pages_in_every_sort(
    session: AsyncSession, factory: Factory, sort: Sort
) -> None:
    flow = await factory.flow()
    for number, name in enumerate(NAMES):
        await factory.asset(
            flow,
            name=name,
            # Host names are stored lower-case (cleansing writes them so; a check holds it).
            hostname=None if number % 3 == 0 else (name or "h").lower(),
            environment=None if number % 2 else "production",
            ip_address=None if number % 4 == 0 else f"10.0.0.{number}",
        )
    where = AssetFilter(client_account_id=flow.tenant.client_account_id,
                        engagement_id=flow.tenant.engagement_id)  # fmt: skip
    size = 3
    by_offset = []
    for page in range(1, 5):
        result = await list_assets(session, where, page_size=size, page=page, sort=sort)
        by_offset += [asset.id for asset in result.assets]
    assert len(by_offset) == len(NAMES)

    by_keyset = []
    result = await list_assets(session, where, page_size=size, sort=sort)
    by_keyset += [asset.id for asset in result.assets]
    while result.next_sorted_cursor is not None:
        after = SortedCursor.decode(result.next_sorted_cursor)
        assert after.sort == sort
        result = await list_assets(session, where, page_size=size, sort=sort, after_sorted=after)
        by_keyset += [asset.id for asset in result.assets]
    assert by_keyset == by_offset


def _encoded(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BROKEN = [
    "",
    "e30",  # {}
    "bm90LWEtY3Vyc29y",  # not JSON
    _encoded({"s": "password", "v": "x", "i": str(uuid.uuid4())}),  # not a sort
    _encoded({"s": "name", "v": 3, "i": str(uuid.uuid4())}),  # not a text value
    _encoded({"s": "name", "v": "x", "i": "not-a-uuid"}),
    _encoded({"s": "created_at", "v": "yesterday", "i": str(uuid.uuid4())}),
    _encoded({"t": "2026-01-01T00:00:00+00:00", "i": str(uuid.uuid4())}),  # the API's cursor
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_broken_sorted_cursor_is_refused(text: str) -> None:
    with pytest.raises(InvalidCursorError):
        SortedCursor.decode(text)
