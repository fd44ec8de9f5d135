"""The import phase's read-and-COPY loop alone, both read paths, against its COPY floor.

``python -m bench.import_copy --rows 100000`` (``DATABASE_URL`` names the server; a scratch
database is created and dropped) writes the B1 file, then times, back to back:

* **floor**: the COPY text the phase sends, built beforehand (not timed) and streamed from
  a file into an unlogged table of the raw-rows shape (the same prefix columns, a row
  number, a ``jsonb`` row and a ``migration.uuid_v7()`` key): the server's share alone;
* **row_by_row** and **columnar**: ``CopyBlocks`` (the worker thread and bounded queue the
  phase uses) into the same table, the first with the columnar path turned off, as it
  reads every file Polars does not take.

It prints rows per second and each path's ratio to the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from bench.common import bench_database
from bench.data import write_cmdb_csv
from discovery.core import copy_format
from discovery.imports import columnar_csv, copy_blocks
from discovery.imports.readers import ReadLimits
from discovery.imports.readers.table import ReadBudget

TABLE = """
CREATE UNLOGGED TABLE raw_rows (
    id uuid PRIMARY KEY DEFAULT migration.uuid_v7(),
    data_import_id uuid NOT NULL, client_account_id uuid NOT NULL, engagement_id uuid NOT NULL,
    master_flow_id uuid, row_number integer NOT NULL, raw_data jsonb NOT NULL
)"""
COPY_SQL = (
    "COPY raw_rows (data_import_id, client_account_id, engagement_id, master_flow_id,"
    " row_number, raw_data) FROM STDIN"
)


async def through_copy_blocks(url: str, path: Path, prefix: str) -> float:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute("TRUNCATE raw_rows")
        start = time.perf_counter()
        async with (
            copy_blocks.CopyBlocks(
                path, file_name=path.name, sheet=None, limits=ReadLimits(), prefix=prefix
            ) as blocks,
            connection.cursor() as cursor,
            cursor.copy(COPY_SQL) as copy,
        ):
            async for block in blocks:
                await copy.write(block.data)
        return time.perf_counter() - start


def floor(url: str, payload: Path) -> float:
    """COPY of the phase's own COPY text, built beforehand: the server's share alone."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("TRUNCATE raw_rows")
        start = time.perf_counter()
        with connection.cursor().copy(COPY_SQL) as copy, payload.open("rb") as stream:
            while chunk := stream.read(4 * 1024 * 1024):
                copy.write(chunk)
        return time.perf_counter() - start


def write_payload(path: Path, prefix: str, payload: Path) -> None:
    limits = ReadLimits()
    budget = ReadBudget(limits)
    plan = columnar_csv.plan_csv(path, limits, budget)
    if plan is None:
        raise SystemExit("the columnar path did not take the bench file")
    with payload.open("wb") as out:
        for data, _rows in columnar_csv.copy_blocks(plan, prefix, budget):
            out.write(data)


async def run(url: str, rows: int, repeat: int) -> dict[str, Any]:
    prefix = "\t".join(copy_format.text_field(uuid.uuid4()) for _ in range(4))
    with tempfile.TemporaryDirectory() as folder:
        path = write_cmdb_csv(Path(folder) / "cmdb.csv", rows)
        payload = Path(folder) / "payload.copy"
        write_payload(path, prefix, payload)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(TABLE)
        figures: dict[str, Any] = {"rows": rows}
        figures["floor"] = min(floor(url, payload) for _ in range(repeat))
        plan_csv = columnar_csv.plan_csv
        columnar_csv.plan_csv = lambda *_args: None  # type: ignore[assignment]
        try:
            figures["row_by_row"] = min(
                [await through_copy_blocks(url, path, prefix) for _ in range(repeat)]
            )
        finally:
            columnar_csv.plan_csv = plan_csv
        figures["columnar"] = min(
            [await through_copy_blocks(url, path, prefix) for _ in range(repeat)]
        )
    for name in ("floor", "row_by_row", "columnar"):
        figures[f"{name}_rows_per_second"] = round(rows / figures[name])
        figures[name] = round(figures[name], 2)
    for name in ("row_by_row", "columnar"):
        figures[f"{name}_to_floor"] = round(figures[name] / figures["floor"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with bench_database() as db:
        print(json.dumps(asyncio.run(run(db.url, args.rows, args.repeat))))


if __name__ == "__main__":
    main()
