"""Capturing the SQL a piece of code runs, and EXPLAINing it as it ran."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# The seed plan's four wiring indexes (v3.3 §3).
SEED_INDEXES = (
    "idx_assets_tenant_discovery",
    "idx_assets_tenant_raw_import",
    "idx_raw_import_tenant_processed",
    "idx_raw_import_tenant_id",
)

Captured = list[tuple[str, Any]]


@contextlib.contextmanager
def captured_sql(engine: AsyncEngine) -> Iterator[Captured]:
    """Every statement (with its parameters) that ``engine`` sends inside the block."""
    seen: Captured = []

    def listener(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def explain(
    connection: AsyncConnection, statement: str, parameters: Any, *, analyze: bool = True
) -> str:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    result = await connection.exec_driver_sql(prefix + statement, parameters)
    return "\n".join(str(row[0]) for row in result)


def indexes_in(plan: str, names: tuple[str, ...] = SEED_INDEXES) -> list[str]:
    return [name for name in names if re.search(rf"\b{re.escape(name)}\b", plan)]
