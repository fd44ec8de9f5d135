"""The asset listing: offset pages or keyset pages, in one stable order (created_at, id).

A keyset cursor is the (created_at, id) of the last row of a page, URL-safe base64 JSON;
the next page is the rows after it, found by the (tenant, created_at, id) index however
deep the page is. Offset pages and keyset pages return the same rows in the same order.

Offset pages may also be sorted by a column (``sort=name``, ``sort=-name`` descending);
empty values come last, and the id breaks ties so that pages never overlap. Names, host
names and operating systems sort without regard to case (``app01``, ``DB01``, ``Web03``);
the name order is read from the (tenant, name_key, id) index (``name_key`` is the stored
``lower(name)``; host names are lower-case as stored).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    Numeric,
    Row,
    Select,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.types import NullType

from discovery.assets.filters import AssetFilter
from discovery.assets.models import ASSET_TABLE_COLUMNS, Asset
from discovery.core.models import SCHEMA
from discovery.tenancy.row_security import entered_tenant


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
        """Parse a cursor, checking every part: anything but what :meth:`encode` writes
        is an ``InvalidCursorError`` that says what is wrong, never another error."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursorError("not a cursor this API returned (bad base64)") from None
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise InvalidCursorError("not a cursor this API returned (bad JSON)") from None
        if not isinstance(data, dict) or set(data) != {"t", "i"}:
            raise InvalidCursorError("not a cursor this API returned (wrong fields)")
        stamp, identifier = data["t"], data["i"]
        if not isinstance(stamp, str) or not isinstance(identifier, str):
            raise InvalidCursorError("not a cursor this API returned (wrong types)")
        try:
            created_at = datetime.fromisoformat(stamp)
            # Within PostgreSQL's and Python's range once in UTC (year 1 at -14:00 is not).
            created_at.astimezone(UTC)
            cursor_id = uuid.UUID(identifier)
        except (ValueError, OverflowError):
            raise InvalidCursorError("not a cursor this API returned (bad values)") from None
        if created_at.tzinfo is None:
            raise InvalidCursorError("not a cursor this API returned (no time zone)")
        return cls(created_at, cursor_id)


SORTABLE: dict[str, Any] = {
    "name": Asset.name_key,
    "hostname": Asset.hostname,
    "ip_address": Asset.ip_address,
    "asset_type": Asset.asset_type,
    "environment": Asset.environment,
    "operating_system": func.lower(Asset.operating_system),
    "created_at": Asset.created_at,
}
SORT_PATTERN = rf"^-?({'|'.join(SORTABLE)})$"


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> Sort:
        """``name`` or ``-name``; raises ``ValueError`` for a column that cannot be sorted."""
        column = text.removeprefix("-")
        if column not in SORTABLE:
            raise ValueError(f"cannot sort by {column!r}; use one of {', '.join(SORTABLE)}")
        return cls(column, text.startswith("-"))

    def __str__(self) -> str:
        return f"-{self.column}" if self.descending else self.column


# Counting every match on every page read the whole tenant (33-47 ms at 400,000 assets,
# 200-400 ms with a broad search: most of a page's time). So the count stops here; above
# it, the total is the planner's estimate and says so (``total_exact``).
COUNT_LIMIT = 10_000
# With a search (``q``) each counted row is a heap row found through the search indexes,
# not an index entry: 10,000 of them took 40 ms at 400,000 assets, twice a whole page. So
# a search counts to 1,000 (about 4 ms) and estimates above.
SEARCH_COUNT_LIMIT = 1_000
# A contains-search of the service (row-level security) finds its assets through the
# owner's function of migration 0030, which the trigram index serves (``LIKE`` is not
# leakproof, so under the policies no index can serve it): all of them when there are at
# most SEARCH_COUNT_LIMIT, else the page's (default order, up to this many rows deep).
# Beyond that, or sorted or narrowed by other filters, a common match reads the
# engagement's assets in the page's order until the page is full.
CONTAINS_PAGE_LIMIT = 10_000
_CONTAINING = text(
    f"SELECT id FROM {SCHEMA}.assets_containing("  # noqa: S608 (the schema constant)
    ":pattern, CAST(:after_created_at AS timestamptz), CAST(:after_id AS uuid), :max_rows) AS id"
)


def _as_read(column: KeyedColumnElement[Any]) -> Any:
    """``column`` in a page's select list as the driver reads it: psycopg already gives
    each value its Python type (uuid, datetime, list, dict); a number column is read as
    a float by PostgreSQL (``float8``, the same value as ``float(Decimal)``), so that
    SQLAlchemy need not convert values one by one (about 1 ms of the 5-6 ms that reading
    a page of 200 rows took)."""
    expression: Any = column
    if isinstance(column.type, Numeric) and not column.type.asdecimal:
        expression = cast(column, DOUBLE_PRECISION)
    return type_coerce(expression, NullType()).label(column.key)


#: A page selects the asset table's columns (rows, not ORM objects: see ``_as_read``) and
#: the value of its sort expression under this name, for the next page's cursor.
ASSET_COLUMNS: Final = tuple(_as_read(column) for column in ASSET_TABLE_COLUMNS)
SORT_VALUE: Final = "sort_value"
#: One asset of a page: its columns by name (``row.name``, ``row._mapping``), then the
#: sort value.
AssetRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True)
class SortedCursor:
    """Where a keyset page of a sorted listing ends: the sort, the last row's sort value
    (lower-cased where the sort ignores case; None for an empty value) and its id.

    The web inventory's "next" link carries one, so that a page deep in the name order is
    read from the (tenant, name_key, id) index, never skipped over with an offset.
    """

    sort: Sort
    value: str | None
    id: uuid.UUID

    def encode(self) -> str:
        payload = json.dumps({"s": str(self.sort), "v": self.value, "i": str(self.id)})
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> SortedCursor:
        """Parse a cursor :meth:`encode` wrote; anything else is an ``InvalidCursorError``."""
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
            raise InvalidCursorError("not a cursor of this page") from None
        if not isinstance(data, dict) or set(data) != {"s", "v", "i"}:
            raise InvalidCursorError("not a cursor of this page (wrong fields)")
        sort, value, identifier = data["s"], data["v"], data["i"]
        if not isinstance(sort, str) or not isinstance(identifier, str):
            raise InvalidCursorError("not a cursor of this page (wrong types)")
        if value is not None and not isinstance(value, str):
            raise InvalidCursorError("not a cursor of this page (wrong types)")
        try:
            parsed = Sort.parse(sort)
            cursor_id = uuid.UUID(identifier)
            if value is not None and parsed.column == "created_at":
                datetime.fromisoformat(value).astimezone(UTC)
        except (ValueError, OverflowError):
            raise InvalidCursorError("not a cursor of this page (bad values)") from None
        return cls(parsed, value, cursor_id)

    def sql_value(self) -> Any:
        if self.value is not None and self.sort.column == "created_at":
            return datetime.fromisoformat(self.value)
        return self.value


@dataclass(frozen=True)
class AssetPage:
    #: The page's assets as table rows (every column, by name), not ORM objects: a page
    #: of 200 loaded as entities cost as much as the rest of the request together.
    assets: list[AssetRow]
    total: int
    next_cursor: str | None
    total_exact: bool = True
    #: With a sort: the keyset cursor of the next page in that order (web "next" links).
    next_sorted_cursor: str | None = None


async def _estimate(session: AsyncSession, statement: Select[Any]) -> int:
    """The planner's estimate of the rows ``statement`` returns."""
    connection = await session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    result = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
    plan = result.scalar_one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])


async def count_assets(
    session: AsyncSession, conditions: list[Any], limit: int | None = None
) -> tuple[int, bool]:
    """(total, exact): exact up to ``limit`` (COUNT_LIMIT), else an estimate above it."""
    limit = COUNT_LIMIT if limit is None else limit
    matching = select(Asset.id).where(*conditions)
    capped = select(func.count()).select_from(matching.limit(limit + 1).subquery())
    counted = int(await session.scalar(capped) or 0)
    if counted <= limit:
        return counted, True
    return max(await _estimate(session, matching), counted), False


async def _count_prefix_search(
    session: AsyncSession, where: AssetFilter, ranges: list[Any]
) -> tuple[int, bool]:
    """(total, exact) of a prefix search narrowed by nothing else, whose per-column
    ``ranges`` are ``where.prefix_ranges(bounded=True)``: read from the four prefix
    indexes rather than from the assets.

    Counting the union of the four ranges up to SEARCH_COUNT_LIMIT read the engagement's
    rows in whatever order the planner chose (a sequential scan of 5,000 rows for 1,001
    matches at 400,000 assets, and more for a tenant stored late in the table). Here each
    range is first counted alone, from its index only, up to the limit; PostgreSQL stops
    at the first range over it (then so is the union, and the total is an estimate).
    Otherwise every range holds at most the limit, and their union (up to four times the
    limit) is counted exactly.
    """
    tenant = where.without_search().conditions()
    limit = SEARCH_COUNT_LIMIT

    def capped(condition: Any) -> Any:
        matching = select(literal(1)).where(*tenant, condition).limit(limit + 1).subquery()
        return select(func.count()).select_from(matching).scalar_subquery()

    union = union_all(*(select(Asset.id).where(*tenant, r) for r in ranges)).subquery()
    distinct_ids = select(func.count(func.distinct(union.c.id))).scalar_subquery()
    over = or_(*(capped(r) > limit for r in ranges))
    counted = int(await session.scalar(select(case((over, -1), else_=distinct_ids))) or 0)
    if counted >= 0:
        return counted, True
    estimate = await _estimate(session, select(Asset.id).where(*where.conditions()))
    return max(estimate, limit + 1), False


async def list_assets(
    session: AsyncSession,
    where: AssetFilter,
    *,
    page_size: int,
    page: int = 1,
    after: Cursor | None = None,
    sort: Sort | None = None,
    after_sorted: SortedCursor | None = None,
) -> AssetPage:
    if sort is not None and after is not None:
        raise ValueError("keyset pages follow the default order; sort with page numbers")
    conditions, counted = where.conditions(), None
    if where.contains_search is not None and entered_tenant(session) is not None:
        in_order = sort is None and after_sorted is None
        reach = (0 if after is not None else (page - 1) * page_size) + page_size + 1
        conditions, counted = await _contains_conditions(
            session, where, after, reach if in_order else None
        )
    ranges = None if counted is not None or where.narrowed else where.prefix_ranges(bounded=True)
    if ranges is not None:
        counted = await _count_prefix_search(session, where, ranges)
    total, exact = counted or await count_assets(
        session, conditions, min(SEARCH_COUNT_LIMIT, COUNT_LIMIT) if where.q else COUNT_LIMIT
    )
    if after_sorted is not None:
        sort = after_sorted.sort
        rows = await _sorted_keyset(session, conditions, after_sorted, page_size + 1)
        return _page_of(rows, page_size, total, exact, sort)
    order: list[Any]
    if sort is None:
        order = [Asset.created_at, Asset.id]
    else:
        column = SORTABLE[sort.column]
        key = column.desc().nulls_last() if sort.descending else column.asc().nulls_last()
        order = [key, Asset.id.desc() if sort.descending else Asset.id]
    # With a sort, the database's own value of the sort expression comes along, for the
    # next page's cursor (the name as PostgreSQL folds it, not as Python would).
    sort_value = SORTABLE[sort.column] if sort is not None else literal(None)
    statement = (
        select(*ASSET_COLUMNS, sort_value.label(SORT_VALUE)).where(*conditions).order_by(*order)
    )
    if after is not None:
        statement = statement.where(
            tuple_(Asset.created_at, Asset.id) > (after.created_at, after.id)
        )
    else:
        statement = statement.offset((page - 1) * page_size)
    result = await (await session.connection()).execute(statement.limit(page_size + 1))
    return _page_of(list(result.all()), page_size, total, exact, sort)


async def _containing(
    session: AsyncSession, pattern: str, after: Cursor | None, max_rows: int
) -> list[uuid.UUID]:
    """The ids of the first ``max_rows`` assets of the session's tenant (after ``after``)
    in the default order whose search text is LIKE ``pattern``."""
    parameters = {
        "pattern": pattern,
        "after_created_at": after.created_at if after else None,
        "after_id": after.id if after else None,
        "max_rows": max_rows,
    }
    return list((await session.execute(_CONTAINING, parameters)).scalars())


def _among(ids: list[uuid.UUID]) -> Any:
    """``id = ANY(ids)``: primary-key look-ups, leakproof (so index-served under RLS)."""
    return Asset.id == any_(bindparam(None, ids, type_=ARRAY(UUID(as_uuid=True))))


async def _contains_conditions(
    session: AsyncSession, where: AssetFilter, after: Cursor | None, reach: int | None
) -> tuple[list[Any], tuple[int, bool] | None]:
    """The conditions of a contains-search for the service, and its (total, exact) where
    that is known already. ``reach``: how many rows of the default order (after ``after``)
    the page needs, None for a page in another order."""
    pattern = where.contains_search
    assert pattern is not None
    unsearched = where.without_search().conditions()
    probe = await _containing(session, pattern, None, SEARCH_COUNT_LIMIT + 1)
    if len(probe) <= SEARCH_COUNT_LIMIT:
        return [*unsearched, _among(probe)], None  # every match: any sort, filter or page
    searched = where.conditions()
    if reach is None or where.narrowed or reach > CONTAINS_PAGE_LIMIT:
        return searched, None
    if after is None and reach <= len(probe):
        ids = probe[:reach]  # the page lies within the first matches
    else:
        ids = await _containing(session, pattern, after, reach)
    estimate = await _estimate(session, select(Asset.id).where(*searched))
    return [*unsearched, _among(ids)], (max(estimate, len(probe)), False)


def _page_of(
    rows: list[AssetRow], page_size: int, total: int, exact: bool, sort: Sort | None
) -> AssetPage:
    """The page of ``rows`` (each asset's columns and its sort value), which hold one row
    more than the page when there is a next page."""
    assets = rows[:page_size]
    more = len(rows) > page_size
    next_cursor = Cursor(assets[-1].created_at, assets[-1].id).encode() if more else None
    next_sorted = None
    if more and sort is not None:
        value = getattr(rows[page_size - 1], SORT_VALUE)
        text = value.isoformat() if isinstance(value, datetime) else value
        next_sorted = SortedCursor(sort, None if text is None else str(text), assets[-1].id)
    return AssetPage(
        assets, total, next_cursor, exact, next_sorted.encode() if next_sorted else None
    )


async def _sorted_keyset(
    session: AsyncSession, conditions: list[Any], after: SortedCursor, limit: int
) -> list[AssetRow]:
    """The ``limit`` rows after the cursor in its sort (empty values last, ids break ties):
    first those with a value beyond the cursor's, then, if the page is not full yet, those
    without a value. Each part is one ordered range of the sort's index."""
    column = SORTABLE[after.sort.column]
    descending = after.sort.descending
    key = column.desc() if descending else column.asc()
    ident = Asset.id.desc() if descending else Asset.id.asc()
    rows: list[AssetRow] = []
    connection = await session.connection()
    if after.value is not None:
        bound = (column, Asset.id)
        beyond = (
            tuple_(*bound) < (after.sql_value(), after.id)
            if descending
            else tuple_(*bound) > (after.sql_value(), after.id)
        )
        statement = (
            select(*ASSET_COLUMNS, column.label(SORT_VALUE))
            .where(*conditions, beyond)
            .order_by(key, ident)
            .limit(limit)
        )
        rows = list((await connection.execute(statement)).all())
    if len(rows) < limit:
        empty = [column.is_(None)]
        if after.value is None:
            empty.append(Asset.id < after.id if descending else Asset.id > after.id)
        statement = (
            select(*ASSET_COLUMNS, column.label(SORT_VALUE))
            .where(*conditions, *empty)
            .order_by(ident)
            .limit(limit - len(rows))
        )
        rows += list((await connection.execute(statement)).all())
    return rows
