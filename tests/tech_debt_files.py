"""A small servers export with known findings: a merged duplicate, an unresolved
dependency, an invalid row, and operating systems past and near their end of support."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from discovery.assets.end_of_support import flags_for

# Two rows of web01 (one asset, one merged duplicate), a dependency on a server the file
# does not hold (ghost01), and a row with neither name nor address (invalid: no asset).
SERVERS = [
    ("web01", "10.0.0.11", "Microsoft Windows Server 2008 R2", "4", "db01"),
    ("web02", "10.0.0.12", "Microsoft Windows Server 2016", "4", "ghost01"),
    ("db01", "10.0.0.21", "Red Hat Enterprise Linux 9", "8", ""),
    ("web01", "10.0.0.11", "Microsoft Windows Server 2008 R2", "4", "db01"),
    ("app01", "10.0.0.31", "Ubuntu 22.04", "2", "db01"),
    ("", "", "Microsoft Windows Server 2008 R2", "2", ""),
]


def write_servers(path: Path) -> Path:
    lines = ["Server Name,IP Address,Operating System,vCPU,Environment,Depends On"]
    lines += [f"{n},{ip},{os},{cpu},Production,{dep}" for n, ip, os, cpu, dep in SERVERS]
    path.write_text("\n".join(lines) + "\n")
    return path


def expected_end_of_support() -> tuple[int, int]:
    """Past / within a year, from the lifecycle tables on today's date (one per asset)."""
    today = datetime.now(UTC).date()
    severities = {}
    for name, _, system, _, _ in SERVERS:
        if not name:
            continue
        flags, _ = flags_for(system, None, today)
        severities[name] = {flag["severity"] for flag in flags}
    ended = sum(1 for found in severities.values() if "high" in found)
    ending = sum(1 for found in severities.values() if found and "high" not in found)
    return ended, ending
