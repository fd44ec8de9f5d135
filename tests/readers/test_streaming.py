"""Large files stream: memory stays bounded well below the size of the file.

Each test writes a file larger than the memory bound, then reads every row under
``tracemalloc``; reading the file whole (or collecting its rows) would exceed the bound.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from discovery.imports.readers import open_table

MEMORY_BOUND = 20 * 1024 * 1024


def _read_counting_under_tracemalloc(path: Path) -> tuple[int, int, int]:
    """``(rows, last row number, peak traced bytes)`` for reading every row of ``path``."""
    tracemalloc.start()
    try:
        count = last = 0
        with open_table(path) as table:
            for number, _row in table.rows:
                count += 1
                last = number
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, last, peak


def test_large_csv_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    notes = "migrate in wave 3; owner: infrastructure team; depends on the db cluster"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,IP,OS,CPU,Memory MB,Notes\r\n")
        for n in range(200_000):
            out.write(
                f'vm-{n:07d},10.{n // 65536}.{n // 256 % 256}.{n % 256},linux,4,8192,"{notes}"\r\n'
            )
    assert path.stat().st_size > MEMORY_BOUND

    count, last, peak = _read_counting_under_tracemalloc(path)

    print(f"\nCSV {path.stat().st_size / 2**20:.1f} MiB, {count} rows: peak {peak / 2**20:.2f} MiB")
    assert (count, last) == (200_000, 200_000)
    assert peak < MEMORY_BOUND


def test_large_json_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    notes = "migrate in wave 3 with the billing stack; owner: infrastructure; " * 2
    with path.open("w", encoding="utf-8") as out:
        out.write('{"exported": "2024-05-01", "records": [')
        for n in range(100_000):
            record = {
                "name": f"vm-{n:07d}",
                "ip": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}",
                "os": "Windows Server 2019 Datacenter",
                "cpu": 4,
                "notes": notes,
                "tags": {"env": "prod"},
            }
            out.write(("," if n else "") + json.dumps(record))
        out.write("]}")
    assert path.stat().st_size > MEMORY_BOUND

    count, last, peak = _read_counting_under_tracemalloc(path)

    print(
        f"\nJSON {path.stat().st_size / 2**20:.1f} MiB, {count} rows: peak {peak / 2**20:.2f} MiB"
    )
    assert (count, last) == (100_000, 100_000)
    assert peak < MEMORY_BOUND
