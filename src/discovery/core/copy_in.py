"""``COPY … FROM STDIN`` into a table that row-level security guards.

PostgreSQL refuses ``COPY FROM`` into a table with row-level security for a role the
policies apply to (the service's ``discovery_service``). So the rows go, a block at a
time, into a temporary table of the same columns (which no policy guards, and whose
writes are not WAL-logged), and one ``INSERT … SELECT`` per block moves them over; the
policies check each row there. A block's stage is emptied at once, so it stays within the
session's temporary buffers whatever the size of the whole load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import AsyncConnection, sql

from discovery.core.revisions import SCHEMA


class StagedCopy:
    """Write COPY text blocks (``write``) into ``table``'s ``columns``; in the caller's
    transaction, on ``connection`` (see ``discovery.core.database.psycopg_connection``)."""

    def __init__(self, connection: AsyncConnection[Any], table: str, columns: Sequence[str]):
        self._connection = connection
        self._stage = sql.Identifier(f"{table}_copy_stage")
        names = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        target = sql.Identifier(SCHEMA, table)
        # Every column of the table (no constraint, no default): one stage serves a
        # session's loads of any columns of the table.
        self._create = sql.SQL(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS"
            " SELECT * FROM {target} WITH NO DATA"
        ).format(stage=self._stage, target=target)
        self._copy = sql.SQL("COPY {stage} ({names}) FROM STDIN").format(
            stage=self._stage, names=names
        )
        self._move = sql.SQL("INSERT INTO {target} ({names}) SELECT {names} FROM {stage}").format(
            target=target, names=names, stage=self._stage
        )
        self._empty = sql.SQL("TRUNCATE {stage}").format(stage=self._stage)
        self._ready = False

    async def write(self, block: bytes) -> None:
        """Insert the rows of one block of COPY text (whole lines)."""
        async with self._connection.cursor() as cursor:
            if not self._ready:
                await cursor.execute(self._create)
                await cursor.execute(self._empty)
                self._ready = True
            async with cursor.copy(self._copy) as copy:
                await copy.write(block)
            await cursor.execute(self._move)
            await cursor.execute(self._empty)
