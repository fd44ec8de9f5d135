"""Realistic inventory files written by the tests themselves (deterministic)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADER = [
    "Server Name", "IP Address", "Operating System", "vCPU", "RAM (GB)", "Disk (GB)",
    "Environment", "Application", "Owner", "Depends On", "Rack Position", "Notes",
]  # fmt: skip

OPERATING_SYSTEMS = [
    "Microsoft Windows Server 2008 R2 (64-bit)",
    "Microsoft Windows Server 2019 (64-bit)",
    "Red Hat Enterprise Linux 6 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "Ubuntu Linux 22.04 LTS",
]
ENVIRONMENTS = ["Production", "PROD", "UAT", "Dev", "Staging"]


def write_servers_csv(path: Path, rows: int, *, seed: int = 7, duplicates: int = 0) -> Path:
    """``rows`` distinct servers (web0001…), then ``duplicates`` repeats of the first ones.

    Every 10th server depends on the previous one and on one host that does not exist.
    """
    rng = random.Random(seed)
    records = []
    for number in range(1, rows + 1):
        depends = ""
        if number % 10 == 0:
            depends = f"web{number - 1:04d}; ghost{number:04d}"
        records.append(
            [
                f"web{number:04d}",
                f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
                OPERATING_SYSTEMS[number % len(OPERATING_SYSTEMS)],
                str(rng.choice([2, 4, 8])),
                str(rng.choice([8, 16, 32])),
                str(rng.choice([100, 250, 500])),
                ENVIRONMENTS[number % len(ENVIRONMENTS)],
                f"App {number % 7}",
                f"owner{number % 5}@example.com",
                depends,
                f"R{number % 40}-U{number % 42}",
                "",
            ]
        )
    records.extend(records[index] for index in range(duplicates))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(records)
    return path
