"""Which assets a listing or an export covers: one tenant, optionally narrowed.

``q`` is a case-insensitive search over name, host name, FQDN and IP address. ``prefix``
(the default) matches the start of any of them: ``starts_with()`` on their stored
lower-case values (``SEARCH_KEYS``), an index range scan on their ``text_pattern_ops``
indexes, and one under row-level security too (``starts_with`` is leakproof, ``LIKE``
is not). ``contains`` matches anywhere in them: one ``LIKE '%…%'``, which the trigram
index of migration 0024 (where the server has pg_trgm) serves for the owner (the CLI's exports).
Under row-level security no index can serve ``LIKE`` (it is not leakproof), so the
service's listing finds the matches through the owner's function of migration 0030
(``discovery.assets.listing``); other readers (the export) read the engagement's assets,
as on a server without pg_trgm.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import ColumnElement, and_, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from discovery.assets.models import (
    SEARCH_KEYS,
    SEARCH_SEPARATOR,
    SEARCH_TEXT_SQL,
    Asset,
    AssetImport,
)
from discovery.flows.models import DiscoveryFlow

SearchMode = Literal["prefix", "contains"]
#: any: assets with a tech-debt flag; high: past end of support; medium: ending within a year.
TechDebtFilter = Literal["any", "high", "medium"]
TECH_DEBT_FILTERS: tuple[TechDebtFilter, ...] = ("any", "high", "medium")
LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """``text`` lower-cased with LIKE's wildcards escaped, as an infix pattern (prefix
    search uses ``starts_with``, which has no wildcards)."""
    escaped = (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def prefix_successor(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix``, in code point
    order (which is ``text_pattern_ops``' byte order of UTF-8); None if there is none."""
    for end in range(len(prefix) - 1, -1, -1):
        point = ord(prefix[end]) + 1
        if point == 0xD800:  # surrogates are not characters
            point = 0xE000
        if point <= 0x10FFFF:
            return prefix[:end] + chr(point)
    return None


@dataclass(frozen=True)
class AssetFilter:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    master_flow_id: uuid.UUID | None = None
    asset_type: str | None = None
    environment: str | None = None
    q: str | None = None
    search: SearchMode = "prefix"
    tech_debt: TechDebtFilter | None = None

    @property
    def contains_search(self) -> str | None:
        """The LIKE pattern of a contains-search, or None for none."""
        if self.q and self.search == "contains":
            # Over the joined columns: a separator a search cannot hold lies between them.
            return contains_pattern(self.q.replace(SEARCH_SEPARATOR, ""))
        return None

    @property
    def narrowed(self) -> bool:
        """Whether anything but the tenant and ``q`` narrows the assets."""
        optional = (self.master_flow_id, self.asset_type, self.environment, self.tech_debt)
        return any(value is not None for value in optional)

    def without_search(self) -> AssetFilter:
        return replace(self, q=None)

    def conditions(self) -> list[ColumnElement[bool]]:
        where = [
            Asset.client_account_id == self.client_account_id,
            Asset.engagement_id == self.engagement_id,
        ]
        if self.master_flow_id is not None:
            # Assets the flow's import created or updated (as the export's --flow).
            touched = (
                select(AssetImport.asset_id)
                .join(DiscoveryFlow, DiscoveryFlow.data_import_id == AssetImport.data_import_id)
                .where(DiscoveryFlow.master_flow_id == self.master_flow_id)
            )
            where.append(Asset.id.in_(touched))
        if self.asset_type is not None:
            where.append(Asset.asset_type == self.asset_type)
        if self.environment is not None:
            where.append(Asset.environment == self.environment)
        if self.tech_debt == "any":
            where.append(Asset.tech_debt_flags != cast([], JSONB))
        elif self.tech_debt is not None:
            flagged = cast([{"severity": self.tech_debt}], JSONB)
            where.append(Asset.tech_debt_flags.contains(flagged))
        if (pattern := self.contains_search) is not None:
            # One LIKE: the expression of the trigram index where the server has one.
            where.append(literal_column(SEARCH_TEXT_SQL).like(pattern, escape=LIKE_ESCAPE))
        elif (ranges := self.prefix_ranges()) is not None:
            where.append(or_(*ranges))
        return where

    def prefix_ranges(self, *, bounded: bool = False) -> list[ColumnElement[bool]] | None:
        """A prefix search's one condition per search key (``q`` matches where any
        holds), each a range of that key's prefix index; None for no prefix search.

        The planner reads the range from ``starts_with`` only when it plans for the
        value. ``bounded`` adds the range itself (``~>=~``/``~<~``, leakproof like
        ``starts_with``), so that a prepared statement's generic plan scans it too.
        """
        if not self.q or self.search != "prefix":
            return None
        prefix = self.q.lower()
        ranges: list[ColumnElement[bool]] = []
        for key in SEARCH_KEYS.values():
            column = getattr(Asset, key)
            condition: ColumnElement[bool] = func.starts_with(column, prefix)
            if bounded:
                condition = and_(column.op("~>=~")(prefix), condition)
                if (beyond := prefix_successor(prefix)) is not None:
                    condition = and_(column.op("~<~")(beyond), condition)
            ranges.append(condition)
        return ranges
