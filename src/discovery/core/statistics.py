"""Refreshing the planner's statistics after a bulk change, as any role.

Only a table's owner may ANALYZE it; the service runs as ``discovery_service`` (see
``discovery.tenancy.row_security``), so it asks the owner's function ``analyze_table``
(migration 0028), which analyses a table of this schema, optionally only some columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.revisions import SCHEMA

_ANALYZE = text(f"SELECT {SCHEMA}.analyze_table(:table, CAST(:columns AS text[]))")


async def analyze(session: AsyncSession, table: str, columns: Sequence[str] = ()) -> None:
    """ANALYZE ``table`` (of the schema): only ``columns`` when given, else all."""
    await session.execute(_ANALYZE, {"table": table, "columns": list(columns)})
