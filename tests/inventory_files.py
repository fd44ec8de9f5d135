"""Realistic inventory files written by the tests themselves (deterministic)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from openpyxl import Workbook

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


VINFO_HEADER = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "CPUs",
    "Memory", "Total disk capacity MiB", "Primary IP Address", "Provisioned MiB",
    "In Use MiB", "Host", "OS according to the configuration file",
    "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID",
]  # fmt: skip
#: VMs whose OS or storage is in one column only (see ``vinfo_rows``)
TOOLS_OS_EMPTY = "crm-off01"
CONFIG_OS_EMPTY = "crm-tools01"


def vinfo_rows(count: int = 8) -> list[dict[str, str]]:
    """An RVTools vInfo sheet: ``count`` VMs with both OS columns filled, then a powered-off
    VM without a Tools OS (nor a provisioned size) and one whose configuration-file OS is
    empty."""
    rows = []
    for number in range(1, count + 3):
        name = f"crm-app{number:02d}"
        on = True
        config_os = tools_os = "Red Hat Enterprise Linux 8 (64-bit)"
        provisioned, capacity = str(40960 * number), str(40000 * number)
        if number == count + 1:
            name, on, tools_os, provisioned = TOOLS_OS_EMPTY, False, "", ""
            config_os = "Microsoft Windows Server 2016 (64-bit)"
        elif number == count + 2:
            name, config_os = CONFIG_OS_EMPTY, ""
            tools_os = "Ubuntu Linux (64-bit)"
        rows.append(
            {
                "VM": name,
                "Powerstate": "poweredOn" if on else "poweredOff",
                "Template": "False",
                "SRM Placeholder": "False",
                "Config status": "green",
                "DNS Name": f"{name}.corp.local" if on else "",
                "CPUs": "2",
                "Memory": "8192",
                "Total disk capacity MiB": capacity,
                "Primary IP Address": f"10.1.0.{number}" if on else "",
                "Provisioned MiB": provisioned,
                "In Use MiB": str(20480 * number),
                "Host": "esx01.corp.local",
                "OS according to the configuration file": config_os,
                "OS according to the VMware Tools": tools_os,
                "VM ID": f"vm-{1000 + number}",
                "VM UUID": f"4210{number:04d}-aaaa-bbbb-cccc-{number:012d}",
                "VI SDK Server": "vcenter01.corp.local",
                "VI SDK UUID": "6d3c1e0a-1111-2222-3333-444455556666",
            }
        )
    return rows


def write_vinfo_xlsx(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "vInfo"
    sheet.append(VINFO_HEADER)
    for row in rows if rows is not None else vinfo_rows():
        sheet.append([row[h] for h in VINFO_HEADER])
    workbook.save(path)
    return path


def write_vinfo_csv(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, VINFO_HEADER)
        writer.writeheader()
        writer.writerows(rows if rows is not None else vinfo_rows())
    return path
