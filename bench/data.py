"""A deterministic synthetic CMDB export for B1.

20 columns the mapping engine maps to canonical fields, 5 it leaves unmapped (they become
custom attributes), about 5% messy values (unit suffixes, upper-case names, bad IPs,
environment spellings), 2% rows that repeat an earlier host (in-file duplicates the
inventory merges) and ``Depends On`` references to other hosts of the file.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

MAPPED_COLUMNS = (
    "Name",
    "Hostname",
    "FQDN",
    "IP Address",
    "MAC Address",
    "Serial Number",
    "CI ID",
    "Operating System",
    "OS Version",
    "CPU Cores",
    "Memory (MB)",
    "Storage (GB)",
    "Environment",
    "Criticality",
    "Datacenter",
    "Location",
    "Application",
    "Business Owner",
    "Technical Owner",
    "Depends On",
)
UNMAPPED_COLUMNS = ("Cost Center", "Purchase Order", "Rack Position", "Remarks", "Audit Ref")
COLUMNS = MAPPED_COLUMNS + UNMAPPED_COLUMNS

ROLES = ("web", "app", "db", "batch", "mq")
OSES = (
    ("Microsoft Windows Server 2019", "10.0.17763"),
    ("Red Hat Enterprise Linux", "8.6"),
    ("Ubuntu", "22.04"),
    ("Microsoft Windows Server 2012 R2", "6.3.9600"),
    ("CentOS", "7.9"),
)
ENVIRONMENTS = ("Production", "Staging", "Test", "Development", "DR")
MESSY_ENVIRONMENTS = ("PROD", "Prd", "UAT", "QA", "dev")
CRITICALITIES = ("Low", "Medium", "High", "Critical")
SITES = (("DC-EAST-1", "New York"), ("DC-WEST-2", "San Jose"), ("DC-EU-1", "Frankfurt"))
APPLICATIONS = ("Billing", "CRM", "Payroll", "Intranet", "Data Warehouse", "E-Commerce")
MESSY_SHARE = 0.05
DUPLICATE_SHARE = 0.02


def _host(index: int) -> str:
    return f"{ROLES[index % len(ROLES)]}{index:07d}"


def _row(rnd: random.Random, index: int) -> list[str]:
    host = _host(index)
    messy = rnd.random() < MESSY_SHARE
    kind = rnd.randrange(4) if messy else -1
    ip = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255 or 1}"
    if kind == 0:
        ip = f"10.{index % 250}.0.{300 + index % 50}"  # not an address
    memory = rnd.choice((4096, 8192, 16384, 32768))
    memory_text = f"{memory // 1024} GB" if kind == 1 else str(memory)
    environment = rnd.choice(MESSY_ENVIRONMENTS if kind == 2 else ENVIRONMENTS)
    name = host.upper() if kind == 3 else host
    os_name, os_version = OSES[index % len(OSES)]
    site, city = SITES[index % len(SITES)]
    depends = ""
    if index > 10 and rnd.random() < 0.3:
        targets = {_host(rnd.randrange(index)) for _ in range(rnd.randrange(1, 3))}
        depends = ", ".join(sorted(targets))
    return [
        name,
        host,
        f"{host}.corp.example.com",
        ip,
        ":".join(f"{(index >> shift) & 255:02x}" for shift in (40, 32, 24, 16, 8, 0)),
        f"SN-{index:09d}",
        f"ci-{index:09d}",
        os_name,
        os_version,
        str(rnd.choice((2, 4, 8, 16))),
        memory_text,
        str(rnd.choice((50, 100, 250, 500, 1000))),
        environment,
        rnd.choice(CRITICALITIES),
        site,
        city,
        APPLICATIONS[index % len(APPLICATIONS)],
        f"owner{index % 97}@example.com",
        f"tech{index % 89}@example.com",
        depends,
        f"CC-{index % 400:04d}",
        f"PO-{rnd.randrange(10**6):06d}",
        f"R{index % 40:02d}-U{index % 42:02d}",
        rnd.choice(("", "", "migrated from legacy CMDB", "check licence")),
        f"AUD-{index % 1000:04d}",
    ]


def write_cmdb_csv(path: Path, rows: int, *, seed: int = 20261126) -> Path:
    """Write ``rows`` data rows (plus a header) to ``path``; the same seed, the same file."""
    rnd = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(rows):
            if number > 50 and rnd.random() < DUPLICATE_SHARE:
                index = rnd.randrange(number - 1)  # an earlier host again
            else:
                index = number
            writer.writerow(_row(rnd, index))
    return path
