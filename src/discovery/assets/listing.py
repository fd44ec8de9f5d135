"""The asset listing: offset pages or keyset pages, in one stable order (created_at, id).

A keyset cursor is the (created_at, id) of the last row of a page, URL-safe base64 JSON;
the next page is the rows after it, found by the (tenant, created_at, id) index however
deep the page is. Offset pages and keyset pages return the same rows in the same order.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.filters import AssetFilter
from discovery.assets.models import Asset


class InvalidCursorError(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        payload = json.dumps({"t": self.created_at.isoformat(), "i": str(self.id)})
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
            created_at = datetime.fromisoformat(data["t"])
            if created_at.tzinfo is None:
                raise ValueError("naive timestamp")
            return cls(created_at, uuid.UUID(data["i"]))
        except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise InvalidCursorError("not a cursor this API returned") from None


@dataclass(frozen=True)
class AssetPage:
    assets: list[Asset]
    total: int
    next_cursor: str | None


async def list_assets(
    session: AsyncSession,
    where: AssetFilter,
    *,
    page_size: int,
    page: int = 1,
    after: Cursor | None = None,
) -> AssetPage:
    conditions = where.conditions()
    total = int(
        await session.scalar(select(func.count()).select_from(Asset).where(*conditions)) or 0
    )
    statement = select(Asset).where(*conditions).order_by(Asset.created_at, Asset.id)
    if after is not None:
        statement = statement.where(
            tuple_(Asset.created_at, Asset.id) > (after.created_at, after.id)
        )
    else:
        statement = statement.offset((page - 1) * page_size)
    rows = list(await session.scalars(statement.limit(page_size + 1)))
    assets = rows[:page_size]
    more = len(rows) > page_size
    next_cursor = Cursor(assets[-1].created_at, assets[-1].id).encode() if more else None
    return AssetPage(assets, total, next_cursor)
