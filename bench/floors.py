"""Each phase's own floor: the least work PostgreSQL must do for that phase's rows.

Measured on the same CSV and server as the run, so that every phase's distance to its
limit is visible as a ratio:

- ``data_import``: COPY of every row as one ``jsonb`` document into a logged table keyed
  by a time-ordered UUID (what the import phase must write);
- ``data_cleansing``: one set-based ``UPDATE`` that writes a ``jsonb`` document into
  every row of that table (what the cleansing write-back must do);
- ``asset_inventory``: ``INSERT … SELECT`` of one asset per row (the mapped columns as
  text) plus the ``UPDATE`` that links every row back to its asset.

The rows are encoded before the clock starts: the floors time the server, not Python.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import log

_ASSET_COLUMNS = ("name", "hostname", "fqdn", "ip_address", "serial_number", "external_id",
                  "operating_system", "os_version", "environment", "criticality")  # fmt: skip
_SOURCE = ("Name", "Hostname", "FQDN", "IP Address", "Serial Number", "CI ID",
           "Operating System", "OS Version", "Environment", "Criticality")  # fmt: skip


def _copy_text(path: Path, target: Path) -> int:
    """The CSV's rows as COPY text lines ``row_number <TAB> json``; returns the row count."""
    count = 0
    with path.open(newline="", encoding="utf-8") as source, target.open("w") as out:
        for count, row in enumerate(csv.DictReader(source), start=1):
            document = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            escaped = document.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            out.write(f"{count}\t{escaped}\n")
    return count


def phase_floors(url: str, path: Path, work_dir: Path) -> dict[str, Any]:
    encoded = work_dir / f"{path.stem}.copy"
    rows = _copy_text(path, encoded)
    selects = ", ".join(f"raw ->> '{source}'" for source in _SOURCE)
    floors: dict[str, Any] = {"rows": rows}
    columns = ", ".join(_ASSET_COLUMNS)
    insert = f"INSERT INTO public.bench_floor_assets (raw_id, {columns}) SELECT id, {selects} "
    insert += "FROM public.bench_floor_raw"  # built from the constants above
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS public.bench_floor_assets")
        connection.execute("DROP TABLE IF EXISTS public.bench_floor_raw")
        connection.execute(
            "CREATE TABLE public.bench_floor_raw (id uuid PRIMARY KEY DEFAULT "
            "migration.uuid_v7(), row_number integer NOT NULL, raw jsonb NOT NULL, "
            "cleansed jsonb, asset_id uuid)"
        )
        connection.execute(
            "CREATE TABLE public.bench_floor_assets (id uuid PRIMARY KEY DEFAULT "
            "migration.uuid_v7(), raw_id uuid NOT NULL, "
            + ", ".join(f"{c} text" for c in _ASSET_COLUMNS)
            + ")"
        )
        try:
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy("COPY public.bench_floor_raw (row_number, raw) FROM STDIN") as copy,
                encoded.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            floors["data_import"] = time.perf_counter() - started
            started = time.perf_counter()
            connection.execute("UPDATE public.bench_floor_raw SET cleansed = raw")
            floors["data_cleansing"] = time.perf_counter() - started
            started = time.perf_counter()
            with connection.transaction():
                connection.execute(insert)
                connection.execute(
                    "UPDATE public.bench_floor_raw r SET asset_id = a.id "
                    "FROM public.bench_floor_assets a WHERE a.raw_id = r.id"
                )
            floors["asset_inventory"] = time.perf_counter() - started
        finally:
            connection.execute("DROP TABLE IF EXISTS public.bench_floor_assets")
            connection.execute("DROP TABLE IF EXISTS public.bench_floor_raw")
            encoded.unlink(missing_ok=True)
    log(
        f"B1: phase floors: import {floors['data_import']:.2f} s, cleansing "
        f"{floors['data_cleansing']:.2f} s, inventory {floors['asset_inventory']:.2f} s"
    )
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in floors.items()}


def schema_write_floor(url: str, data_import_id: str) -> dict[str, float]:
    """What the real schema costs to write the run's assets once more, in one statement.

    Every asset the run made, copied with a new id and keys of its own (so that nothing
    would merge) and no raw row, is inserted into ``migration.assets`` by one ``INSERT …
    SELECT`` as the owner: all its indexes, foreign keys and triggers, none of the
    pipeline's work. Then again with the key-count trigger (0029) disabled. Both are
    rolled back. The copy is made before the clock starts.
    """
    copy = (
        "CREATE TEMPORARY TABLE bench_schema_floor ON COMMIT DROP AS"
        " SELECT a.* FROM migration.assets a JOIN migration.asset_imports i"
        " ON i.asset_id = a.id WHERE i.data_import_id = %s"
    )
    fresh = (
        "UPDATE bench_schema_floor SET id = migration.uuid_v7(), raw_import_records_id = NULL,"
        " name = name || '~', hostname = hostname || '~', external_id = external_id || '~',"
        " serial_number = serial_number || '~'"
    )
    figures: dict[str, float] = {}
    with psycopg.connect(url) as connection:
        for label, trigger_off in (("assets_insert", False), ("without_key_counts", True)):
            with connection.transaction(force_rollback=True):
                connection.execute("SET LOCAL jit = off")
                connection.execute(copy, (data_import_id,))
                connection.execute(fresh)
                if trigger_off:
                    connection.execute(
                        "ALTER TABLE migration.assets DISABLE TRIGGER assets_key_counts_inserted"
                    )
                started = time.perf_counter()
                connection.execute("INSERT INTO migration.assets SELECT * FROM bench_schema_floor")
                figures[label] = round(time.perf_counter() - started, 3)
    log(
        f"B1: the schema's write floor: {figures['assets_insert']:.2f} s for the run's assets"
        f" ({figures['without_key_counts']:.2f} s without the key counts)"
    )
    return figures
