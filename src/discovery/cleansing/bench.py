"""Throughput of the row cleanser on synthetic inventory rows.

Run with ``python -m discovery.cleansing.bench [rows] [passes]``; prints rows per second of
the row cleanser and of the columnar cleanser (on batches as the phase reads them) for
each pass (a fresh cleanser each time) and the best pass, which is the figure to quote on
a shared, noisy machine.
Rows are generated up front (not timed) with a fixed seed: an RVTools/CMDB-like mix of
21 mapped columns, with blanks, null markers, unit suffixes, several addresses per cell
and a few bad values.
"""

from __future__ import annotations

import json
import random
import sys
import time

import polars as pl

from .columnar import compile_column_cleanser
from .datatypes import FieldMapping
from .row import compile_cleanser

MAPPINGS = (
    FieldMapping("VM", "name"),
    FieldMapping("DNS Name", "hostname"),
    FieldMapping("FQDN", "fqdn"),
    FieldMapping("Primary IP Address", "ip_address"),
    FieldMapping("MAC", "mac_address"),
    FieldMapping("Serial", "serial_number"),
    FieldMapping("VM UUID", "external_id"),
    FieldMapping("OS according to the VMware Tools", "operating_system"),
    FieldMapping("CPUs", "cpu_cores"),
    FieldMapping("Memory", "memory_gb", unit="MB"),
    FieldMapping("Provisioned MiB", "storage_gb", unit="MiB"),
    FieldMapping("In Use", "storage_used_gb"),
    FieldMapping("Disks", "disk_count"),
    FieldMapping("Powerstate", "power_state"),
    FieldMapping("Environment", "environment"),
    FieldMapping("Criticality", "criticality"),
    FieldMapping("Cluster", "cluster"),
    FieldMapping("Host", "host"),
    FieldMapping("Tags", "tags"),
    FieldMapping("Depends On", "depends_on"),
    FieldMapping("CPU Max %", "cpu_utilization_percent_max"),
)


def _row(rnd: random.Random, i: int) -> dict[str, str]:
    host = f"{rnd.choice(['web', 'app', 'db', 'sql', 'batch'])}{i:05d}"
    fqdn = f"{host.upper() if rnd.random() < 0.3 else host}.corp.example.com"
    ip = f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
    if rnd.random() < 0.1:
        ip = f"fe80::{rnd.randrange(65536):x}, {ip}"
    elif rnd.random() < 0.01:
        ip = "10.0.0.300"
    mac = ":".join(f"{rnd.randrange(256):02X}" for _ in range(6))
    return {
        "VM": f"  {host.upper()} ",
        "DNS Name": fqdn if rnd.random() < 0.5 else host,
        "FQDN": fqdn if rnd.random() < 0.8 else "",
        "Primary IP Address": ip,
        "MAC": mac if rnd.random() < 0.7 else mac.replace(":", "-"),
        "Serial": f"VMware-42 1c {rnd.randrange(16**8):08x}",
        "VM UUID": f"{rnd.getrandbits(128):032x}",
        "OS according to the VMware Tools": rnd.choice(
            ["Microsoft Windows Server 2019 (64-bit)", "Red Hat Enterprise Linux 8 (64-bit)", ""]
        ),
        "CPUs": str(rnd.choice([1, 2, 4, 8, 16])),
        "Memory": str(rnd.choice([2048, 4096, 8192, 16384, 32768])),
        "Provisioned MiB": f"{rnd.randrange(20_000, 2_000_000):,}",
        "In Use": rnd.choice(["120 GB", "1.5 TB", "512MB", "80", "n/a"]),
        "Disks": str(rnd.randrange(1, 6)),
        "Powerstate": rnd.choice(["poweredOn", "poweredOn", "poweredOff", "suspended"]),
        "Environment": rnd.choice(["PROD", "Prd", "UAT", "Dev", "Pre-prod", "DR", "-"]),
        "Criticality": rnd.choice(["Tier 1", "2 - somewhat critical", "Medium", "Low", ""]),
        "Cluster": rnd.choice(["CL-PROD-01", "CL-DEV-01"]),
        "Host": f"ESX{rnd.randrange(1, 40):02d}.corp.example.com",
        "Tags": rnd.choice(["pci; backup", "web|frontend", "", "sap, prod, sap"]),
        "Depends On": rnd.choice(["", "db00001, db00002", "app00003 app00004", "10.1.2.3"]),
        "CPU Max %": rnd.choice(["45%", "87.5", "0.3", ""]),
    }


def _one_pass(rows: list[dict[str, str]]) -> tuple[float, float, int, int]:
    cleanse = compile_cleanser(MAPPINGS)  # a fresh cleanser: its memo starts empty
    errors = invalid = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for row in rows:
        result = cleanse(row)
        errors += len(result.errors)
        invalid += not result.is_valid
    return time.perf_counter() - started, time.process_time() - cpu_started, errors, invalid


#: Rows per batch of the columnar cleanser, as the data_cleansing phase reads them.
COLUMNAR_BATCH = 25_000


def _as_batches(rows: list[dict[str, str]], sources: tuple[str, ...]) -> list[pl.DataFrame]:
    """The rows as the phase reads them: one JSON text column per source column."""
    return [
        pl.DataFrame(
            {
                source: [json.dumps(row[source]) if source in row else None for row in chunk]
                for source in sources
            },
            schema=dict.fromkeys(sources, pl.String),
        )
        for chunk in (
            rows[start : start + COLUMNAR_BATCH] for start in range(0, len(rows), COLUMNAR_BATCH)
        )
    ]


def _columnar_pass(batches: list[pl.DataFrame]) -> tuple[float, float, int]:
    cleanser = compile_column_cleanser(MAPPINGS, [m.source_field for m in MAPPINGS])
    invalid = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for batch in batches:
        invalid += batch.height - int(cleanser.cleanse(batch)["valid"].sum())
    return time.perf_counter() - started, time.process_time() - cpu_started, invalid


def main(argv: list[str] | None = None) -> None:
    """``python -m discovery.cleansing.bench [rows] [passes]`` (defaults: 200000 rows, 3)."""
    args = sys.argv[1:] if argv is None else argv
    count = int(args[0]) if args else 200_000
    passes = int(args[1]) if len(args) > 1 else 3
    rnd = random.Random(1234)
    rows = [_row(rnd, i) for i in range(count)]
    best = 0.0
    for number in range(1, passes + 1):
        elapsed, cpu, errors, invalid = _one_pass(rows)
        best = max(best, count / elapsed)
        print(
            f"pass {number}: {count} rows x {len(MAPPINGS)} mapped columns in {elapsed:.2f} s: "
            f"{count / elapsed:,.0f} rows/s ({count / cpu:,.0f} rows/s of CPU time); "
            f"{errors} field errors, {invalid} invalid rows"
        )
    print(f"best: {best:,.0f} rows/s")
    cleanser = compile_column_cleanser(MAPPINGS, [m.source_field for m in MAPPINGS])
    batches = _as_batches(rows, cleanser.sources)
    best = 0.0
    for number in range(1, passes + 1):
        elapsed, cpu, invalid = _columnar_pass(batches)
        best = max(best, count / elapsed)
        print(
            f"columnar pass {number}: {count} rows in {elapsed:.2f} s: "
            f"{count / elapsed:,.0f} rows/s ({count / cpu:,.0f} rows/s of CPU time); "
            f"{invalid} invalid rows"
        )
    print(f"columnar best: {best:,.0f} rows/s")


if __name__ == "__main__":
    main()
