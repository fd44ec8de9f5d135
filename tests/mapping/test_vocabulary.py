"""Header vocabulary from many tools and hand-made sheets, one column at a time.

Each header comes with values of the kind a real column under it holds; the expected
target is what a migration consultant would pick (``None``: keep as custom attribute).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from discovery.mapping.engine import suggest_mappings

_rng = random.Random(5)


def _ips() -> list[str]:
    return [
        f"10.{_rng.randrange(255)}.{_rng.randrange(255)}.{_rng.randrange(1, 254)}"
        for _ in range(20)
    ]


VALUES: dict[str, Callable[[], list[str]]] = {
    "ip": _ips,
    "host": lambda: [f"srv-{i:03d}" for i in range(20)],
    "fqdn": lambda: [f"srv-{i:03d}.corp.com" for i in range(20)],
    "os": lambda: ["Windows Server 2019", "RHEL 8", "Ubuntu 22.04"] * 7,
    "int": lambda: [str(_rng.choice([2, 4, 8])) for _ in range(20)],
    "mem_mb": lambda: [str(_rng.choice([4096, 8192])) for _ in range(20)],
    "gb": lambda: [str(_rng.choice([100, 250, 500])) for _ in range(20)],
    "pct": lambda: [f"{_rng.uniform(1, 99):.1f}" for _ in range(20)],
    "env": lambda: ["Production", "Development", "Test"] * 7,
    "text": lambda: ["Finance", "HR", "Sales"] * 7,
    "type": lambda: ["Virtual Machine", "Physical Server", "Appliance"] * 7,
    "person": lambda: ["Jane Doe", "John Smith"] * 10,
    "date": lambda: ["2024-01-02", "2023-05-06"] * 10,
    "mac": lambda: [f"00:50:56:aa:bb:{i:02x}" for i in range(20)],
    "uuid": lambda: [f"4231a5b2-1111-2222-3333-44445555{i:04d}" for i in range(20)],
    "power": lambda: ["PoweredOn", "PoweredOff"] * 10,
    "hv": lambda: ["VMware", "Hyper-V", "Physical"] * 7,
    "yn": lambda: ["Yes", "No"] * 10,
    "ver": lambda: ["10.0.17763", "8.6", "22.04"] * 7,
    "crit": lambda: ["High", "Medium", "Low"] * 7,
    "tags": lambda: ["env:prod,app:crm", "team:ops"] * 10,
    "db": lambda: ["Oracle", "SQL Server", "MySQL"] * 7,
    "model": lambda: ["PowerEdge R740", "ProLiant DL380"] * 10,
    "site": lambda: ["London", "Paris"] * 10,
    "cluster": lambda: ["CL01", "CL02"] * 10,
    "hostlist": lambda: ["srv-001;srv-002", "srv-003"] * 10,
}

CASES: list[tuple[str, str, str | None]] = [
    ("VM Name", "host", "name"), ("Guest Hostname", "host", "hostname"),
    ("Machine Name", "host", "name"), ("Asset Name", "host", "name"),
    ("Instance Name", "host", "name"), ("DNS Hostname", "fqdn", "fqdn"),
    ("Full Computer Name", "fqdn", "fqdn"), ("IPv4", "ip", "ip_address"),
    ("IP Addr", "ip", "ip_address"), ("Management IP", "ip", "ip_address"),
    ("Server IP Address", "ip", "ip_address"), ("IP Address 1", "ip", "ip_address"),
    ("NIC MAC", "mac", "mac_address"), ("Physical Address", "mac", "mac_address"),
    ("Service Tag", "text", "serial_number"), ("BIOS UUID", "uuid", "serial_number"),
    ("CMDB ID", "uuid", "external_id"), ("Instance UUID", "uuid", "external_id"),
    ("CI Class", "type", "asset_type"), ("Server Type", "type", "asset_type"),
    ("Guest OS", "os", "operating_system"), ("OS Full Name", "os", "operating_system"),
    ("OS Release", "ver", "os_version"), ("Kernel Version", "ver", None),
    ("# vCPU", "int", "cpu_cores"), ("Logical Processors", "int", "cpu_cores"),
    ("Num Sockets", "int", "cpu_sockets"), ("Allocated Memory (MB)", "mem_mb", "memory_gb"),
    ("RAM Size", "mem_mb", "memory_gb"), ("vRAM", "mem_mb", "memory_gb"),
    ("Provisioned Storage (GB)", "gb", "storage_gb"), ("HDD (GB)", "gb", "storage_gb"),
    ("Used Storage (GB)", "gb", "storage_used_gb"), ("Free Space (GB)", "gb", None),
    ("Number of Disks", "int", "disk_count"), ("# NICs", "int", "nic_count"),
    ("Hypervisor Type", "hv", "virtualization_platform"), ("VM State", "power", "power_state"),
    ("Vendor", "text", "manufacturer"), ("Hardware Model", "model", "model"),
    ("DB Engine", "db", "database_type"), ("Database Version", "ver", "database_version"),
    ("Peak CPU %", "pct", "cpu_utilization_percent_max"),
    ("Max Memory Utilization", "pct", "memory_utilization_percent_max"),
    ("RAM Usage %", "pct", "memory_utilization_percent_max"),
    ("Lifecycle", "env", "environment"), ("Data Center", "site", "datacenter"),
    ("City", "site", "location"), ("ESX Cluster", "cluster", "cluster"),
    ("Hyper-V Host", "host", "host"), ("Business Service", "text", "application_name"),
    ("System Owner", "person", "business_owner"), ("Technical Contact", "person", "technical_owner"),
    ("Line of Business", "text", "business_unit"), ("Importance", "crit", "criticality"),
    ("Labels", "tags", "tags"), ("Upstream", "hostlist", "depends_on"),
    ("Comments", "text", None), ("Purchase Date", "date", None), ("Patch Group", "text", None),
    ("Monitored", "yn", None), ("Domain", "text", None), ("Gateway", "ip", None),
    ("iLO IP", "ip", None), ("DNS Server", "ip", None), ("Cost Center", "text", None),
    ("Migration Wave", "text", None), ("Cores per Socket", "int", None),
    ("CPU Speed", "int", None), ("CPU Model", "text", None),
]  # fmt: skip


@pytest.mark.parametrize(("header", "kind", "target"), CASES, ids=[c[0] for c in CASES])
def test_single_column(header: str, kind: str, target: str | None) -> None:
    rows = [{header: v} for v in VALUES[kind]()]
    suggestion = suggest_mappings([header], rows).suggestions[0]
    assert suggestion.target_field == target, suggestion.reason


def test_awkward_input_still_gives_one_suggestion_per_column() -> None:
    headers = ["IP", "IP", "", "   ", "Memory"]
    rows: list[dict[str, object]] = [
        {"IP": "10.0.0.1", "": "x", "Memory": 16384},
        {"IP": None, "Memory": 8192.0},
        {},
    ]
    result = suggest_mappings(headers, rows)  # type: ignore[arg-type]
    assert [s.source_field for s in result.suggestions] == headers
    assert [s.target_field for s in result.suggestions] == [
        "ip_address", None, None, None, "memory_gb",
    ]  # fmt: skip
    assert result.suggestions[1].alternatives[0].target_field == "ip_address"
    assert result.suggestions[4].unit == "MB"
