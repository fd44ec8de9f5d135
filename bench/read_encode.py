"""Reading and encoding alone: the synthetic CMDB CSV into COPY text, no database.

``python -m bench.read_encode --rows 100000`` writes the B1 file (:mod:`bench.data`, not
timed), then times, best of ``--repeat``, the two read paths of the import phase side by
side on it: the row-by-row reader (``open_table`` and ``copy_format.json_field`` per row,
what ``CopyBlocks`` does for files Polars does not take) and the columnar path
(``columnar_csv``: its checking pass, then Polars batches). It prints rows per second and
checks that both produce the same rows.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.data import write_cmdb_csv
from discovery.core import copy_format
from discovery.imports import columnar_csv
from discovery.imports.readers import ReadLimits, open_table
from discovery.imports.readers.table import ReadBudget

PREFIX = "00000000-0000-0000-0000-000000000001\t00000000-0000-0000-0000-000000000002"


def row_by_row(path: Path) -> tuple[int, int]:
    rows = size = 0
    with open_table(path, file_name=path.name, limits=ReadLimits()) as table:
        lines: list[str] = []
        for row_number, values in table.rows:
            lines.append(f"{PREFIX}\t{row_number}\t{copy_format.json_field(values)}\n")
            if len(lines) >= 2000:
                size += len("".join(lines).encode())
                rows += len(lines)
                lines = []
        size += len("".join(lines).encode())
        rows += len(lines)
    return rows, size


def columnar(path: Path) -> tuple[int, int]:
    limits = ReadLimits()
    budget = ReadBudget(limits)
    plan = columnar_csv.plan_csv(path, limits, budget)
    if plan is None:
        raise SystemExit("the columnar path did not take the bench file")
    rows = size = 0
    for data, count in columnar_csv.copy_blocks(plan, PREFIX, budget):
        rows += count
        size += len(data)
    return rows, size


def best(run: Callable[[Path], tuple[int, int]], path: Path, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows, _size = run(path)
        times.append(time.perf_counter() - start)
    return min(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_cmdb_csv(Path(folder) / "cmdb.csv", args.rows)
        megabytes = path.stat().st_size / 1e6
        figures = {}
        for name, run in (("row_by_row", row_by_row), ("columnar", columnar)):
            seconds, rows = best(run, path, args.repeat)
            figures[name] = {"seconds": round(seconds, 3), "rows": rows,
                             "rows_per_second": round(rows / seconds)}  # fmt: skip
        if figures["row_by_row"]["rows"] != figures["columnar"]["rows"]:
            raise SystemExit(f"the paths disagree on the row count: {figures}")
        speedup = figures["row_by_row"]["seconds"] / figures["columnar"]["seconds"]
        print(json.dumps({"rows": args.rows, "file_mb": round(megabytes, 1), **figures,
                          "speedup": round(speedup, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
