"""Per-field rules, table-driven: good values, edge cases and bad values with their reason."""

from __future__ import annotations

import pytest

from discovery.cleansing import CANONICAL_FIELDS

from .helpers import clean

NULL_MARKERS = [
    "-",
    "--",
    "n/a",
    "N/A",
    "NA",
    "na",
    "none",
    "None",
    "NULL",
    "null",
    "unknown",
    "Unknown",
    "UNKNOWN",
    "?",
    "TBD",
    "tbd",
    "#N/A",
    "(null)",
    "(blank)",
]
BLANKS = ["", " ", "   ", "\t", "\n", "\u00a0", " \u00a0 ", "\u200b", "\ufeff "]


@pytest.mark.parametrize("field", CANONICAL_FIELDS)
@pytest.mark.parametrize("raw", NULL_MARKERS + BLANKS + [" n/a ", "\u00a0TBD\u00a0"])
def test_empty_and_null_markers_are_absent_without_error(field: str, raw: str) -> None:
    assert clean(field, raw) == (None, [])


GOOD = [
    # name: trimmed, white space collapsed, case kept
    ("name", "  My   Server\u00a001 ", "My Server 01"),
    ("name", "SAP\tERP\nPRD", "SAP ERP PRD"),
    ("name", "\ufeffWEB01", "WEB01"),
    ("name", "Zürich\u200b", "Zürich"),
    ("name", "0", "0"),
    # hostname: lower-case, domain stripped, UNC and DOMAIN\host unwrapped
    ("hostname", "WEB01", "web01"),
    ("hostname", "WEB01.corp.local", "web01"),
    ("hostname", "web01.corp.local.", "web01"),
    ("hostname", "\\\\WEB01", "web01"),
    ("hostname", "\\\\FILESRV01\\share$", "filesrv01"),
    ("hostname", "CORP\\Web01", "web01"),
    ("hostname", "sql_prod_01", "sql_prod_01"),
    ("hostname", "db-01-a", "db-01-a"),
    ("hostname", "123", "123"),
    ("hostname", "a" * 63, "a" * 63),
    # fqdn: lower-case, trailing dot stripped
    ("fqdn", "WEB01.Corp.Local", "web01.corp.local"),
    ("fqdn", "web01.corp.local.", "web01.corp.local"),
    ("fqdn", "ip-10-0-0-5.eu-west-1.compute.internal", "ip-10-0-0-5.eu-west-1.compute.internal"),
    ("fqdn", "sql_01.corp.local", "sql_01.corp.local"),
    # ip_address
    ("ip_address", "10.0.0.5", "10.0.0.5"),
    ("ip_address", "0.0.0.0", "0.0.0.0"),
    ("ip_address", "255.255.255.255", "255.255.255.255"),
    ("ip_address", "10.0.0.5/24", "10.0.0.5"),
    ("ip_address", "10.0.0.5/255.255.255.0", "10.0.0.5"),
    ("ip_address", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("ip_address", "2001:db8::1/64", "2001:db8::1"),
    ("ip_address", "10.0.0.5, 10.0.0.6", "10.0.0.5"),
    ("ip_address", "fe80::1; 10.0.0.6", "10.0.0.6"),
    ("ip_address", "fe80::1\n192.168.1.20", "192.168.1.20"),
    ("ip_address", "fe80::1 2001:db8::2", "fe80::1"),
    ("ip_address", "garbage, 10.0.0.7", "10.0.0.7"),
    ("ip_address", "fe80::1, 10.0.0.8/24", "10.0.0.8"),
    ("ip_address", "010.0.0.1, 10.0.0.9", "10.0.0.9"),
    ("ip_address", '["10.0.0.4","10.0.0.5"]', "10.0.0.4"),
    ("ip_address", "[2001:db8::5]", "2001:db8::5"),
    # mac_address
    ("mac_address", "AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"),
    ("mac_address", "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff"),
    ("mac_address", "aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff"),
    ("mac_address", "AABBCCDDEEFF", "aa:bb:cc:dd:ee:ff"),
    ("mac_address", "0:1a:2b:3:4:5", "00:1a:2b:03:04:05"),
    ("mac_address", "00:50:56:aa:bb:01, 00:50:56:aa:bb:02", "00:50:56:aa:bb:01"),
    ("mac_address", "junk; 00-50-56-AA-BB-03", "00:50:56:aa:bb:03"),
    # plain text fields
    ("serial_number", " VMware-42 1c  8a ", "VMware-42 1c 8a"),
    ("external_id", "vm-1234", "vm-1234"),
    (
        "operating_system",
        "Microsoft  Windows Server 2016 (64-bit)",
        "Microsoft Windows Server 2016 (64-bit)",
    ),
    ("os_version", "10.0.14393", "10.0.14393"),
    ("manufacturer", "Dell Inc.", "Dell Inc."),
    ("model", "PowerEdge  R740", "PowerEdge R740"),
    ("database_type", "SQL Server", "SQL Server"),
    ("database_version", "19c", "19c"),
    ("datacenter", "DC  Frankfurt", "DC Frankfurt"),
    ("location", "Frankfurt am Main", "Frankfurt am Main"),
    ("cluster", "CL-PROD-01", "CL-PROD-01"),
    ("application_name", "Payroll", "Payroll"),
    ("business_owner", "Jane  Doe", "Jane Doe"),
    ("technical_owner", "ops@example.com", "ops@example.com"),
    ("business_unit", "Finance", "Finance"),
    # host: lower-cased when a host name / FQDN, kept otherwise
    ("host", "ESX01.Corp.Local", "esx01.corp.local"),
    ("host", "ESX01", "esx01"),
    ("host", "esx01.corp.local.", "esx01.corp.local"),
    ("host", "10.0.0.10", "10.0.0.10"),
    ("host", "Rack 5  Blade 3", "Rack 5 Blade 3"),
    # virtualization_platform
    ("virtualization_platform", "vmware", "VMware"),
    ("virtualization_platform", "ESXi", "VMware"),
    ("virtualization_platform", "VMware ESXi 7.0.3", "VMware"),
    ("virtualization_platform", "vSphere", "VMware"),
    ("virtualization_platform", "hyperv", "Hyper-V"),
    ("virtualization_platform", "Microsoft Hyper-V", "Hyper-V"),
    ("virtualization_platform", "HYPER-V 2019", "Hyper-V"),
    ("virtualization_platform", "kvm", "KVM"),
    ("virtualization_platform", "AHV", "Nutanix AHV"),
    ("virtualization_platform", "Nutanix", "Nutanix AHV"),
    ("virtualization_platform", "Citrix", "Xen"),
    ("virtualization_platform", "xen", "Xen"),
    ("virtualization_platform", "Bare Metal", "physical"),
    ("virtualization_platform", "bare-metal", "physical"),
    ("virtualization_platform", "Physical", "physical"),
    ("virtualization_platform", "Proxmox  VE", "Proxmox VE"),
    ("virtualization_platform", "OpenStack 2023", "OpenStack 2023"),
    # counts
    ("cpu_cores", "4", 4),
    ("cpu_cores", "4.0", 4),
    ("cpu_cores", "4.00", 4),
    ("cpu_cores", "4 vCPU", 4),
    ("cpu_cores", "8 vCPUs", 8),
    ("cpu_cores", "2 cores", 2),
    ("cpu_cores", "+2", 2),
    ("cpu_cores", "1,024", 1024),
    ("cpu_cores", "0004", 4),
    ("cpu_cores", "2147483647", 2147483647),
    ("cpu_sockets", "2", 2),
    ("cpu_sockets", "2 sockets", 2),
    ("disk_count", "0", 0),
    ("disk_count", "3 disks", 3),
    ("nic_count", "0", 0),
    ("nic_count", "2 NICs", 2),
    ("nic_count", "1,000,000", 1_000_000),
    # sizes (no unit on the mapping: GB unless the value says otherwise)
    ("memory_gb", "16", 16.0),
    ("memory_gb", "16 GB", 16.0),
    ("memory_gb", "16GB", 16.0),
    ("memory_gb", "16 gb", 16.0),
    ("memory_gb", "8G", 8.0),
    ("memory_gb", "512MB", 0.5),
    ("memory_gb", "512 M", 0.5),
    ("memory_gb", "1.5 TB", 1536.0),
    ("memory_gb", "2T", 2048.0),
    ("memory_gb", "16384 MiB", 16.0),
    ("memory_gb", "16 GiB", 16.0),
    ("memory_gb", "1 TiB", 1024.0),
    ("memory_gb", "1048576 KB", 1.0),
    ("memory_gb", "1048576 KiB", 1.0),
    ("memory_gb", "1073741824 bytes", 1.0),
    ("memory_gb", "1073741824 B", 1.0),
    ("memory_gb", "1,5 GB", 1.5),
    ("memory_gb", "0,5", 0.5),
    ("memory_gb", "1,024 MB", 1.0),
    ("memory_gb", "1.536,0 MB", 1.5),
    ("memory_gb", "1.048.576 KB", 1.0),
    ("memory_gb", "1.5e3 MB", 1.465),
    ("memory_gb", "0", 0.0),
    ("memory_gb", "1000 MB", 0.977),
    ("memory_gb", "1 B", 0.0),
    ("storage_gb", "100 GB", 100.0),
    ("storage_gb", "2.5TB", 2560.0),
    ("storage_used_gb", "80.1234", 80.123),
    ("storage_used_gb", "1 PB", 1048576.0),
    # percentages
    ("cpu_utilization_percent_max", "45", 45.0),
    ("cpu_utilization_percent_max", "45%", 45.0),
    ("cpu_utilization_percent_max", "45.5 %", 45.5),
    ("cpu_utilization_percent_max", "0", 0.0),
    ("cpu_utilization_percent_max", "100", 100.0),
    ("cpu_utilization_percent_max", "0.45", 0.45),  # a fraction is kept, never scaled
    ("cpu_utilization_percent_max", "1", 1.0),
    ("memory_utilization_percent_max", "87,5%", 87.5),
    ("memory_utilization_percent_max", "99.9", 99.9),
    # lists
    ("tags", "pci, backup", ["pci", "backup"]),
    ("tags", "a;b|c\nd\r\ne", ["a", "b", "c", "d", "e"]),
    ("tags", "sap, prod, sap", ["sap", "prod"]),
    ("tags", " , ;pci;; |", ["pci"]),
    ("tags", "env:prod, owner=ops team", ["env:prod", "owner=ops team"]),
    ("tags", "Prod, prod", ["Prod", "prod"]),
    ("tags", "pci, n/a, -", ["pci"]),
    ("tags", '["pci", "backup"]', ["pci", "backup"]),
    ("depends_on", "db01, db02", ["db01", "db02"]),
    ("depends_on", "db01;DB02\nweb03", ["db01", "DB02", "web03"]),
    ("depends_on", "web01 web02 10.0.0.5", ["web01", "web02", "10.0.0.5"]),
    ("depends_on", "db01.corp.local  fe80::1", ["db01.corp.local", "fe80::1"]),
    ("depends_on", "Payroll App", ["Payroll App"]),
    ("depends_on", "Payroll App, db01 db02", ["Payroll App", "db01", "db02"]),
    ("depends_on", "web01 Payroll", ["web01 Payroll"]),
    ("depends_on", "DB01, db01, DB01", ["DB01", "db01"]),
    ("depends_on", '["db01","db02"]', ["db01", "db02"]),
]


@pytest.mark.parametrize(("field", "raw", "expected"), GOOD)
def test_good_values(field: str, raw: str, expected: object) -> None:
    value, reasons = clean(field, raw)
    assert reasons == []
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("unit", "raw", "expected"),
    [
        ("MB", "16384", 16.0),
        ("mb", "16384", 16.0),
        ("MiB", "16384", 16.0),
        ("KB", "1048576", 1.0),
        ("KiB", "1048576", 1.0),
        ("B", "1073741824", 1.0),
        ("bytes", "1073741824", 1.0),
        ("GB", "16", 16.0),
        ("GiB", "16", 16.0),
        ("TB", "2", 2048.0),
        ("TiB", "1.5", 1536.0),
        ("MB", "1,024", 1.0),
        ("MB", "16 GB", 16.0),  # the value's suffix wins over the mapping's unit
        ("TB", "512 MB", 0.5),
        ("MB", "3000", 2.93),
        (None, "3000", 3000.0),
        ("", "3", 3.0),
    ],
)
def test_size_unit_from_mapping(unit: str | None, raw: str, expected: float) -> None:
    assert clean("memory_gb", raw, unit) == (expected, [])


BAD = [
    ("hostname", "web 01", "not a valid host name"),
    ("hostname", "-web01", "not a valid host name"),
    ("hostname", "web01-", "not a valid host name"),
    ("hostname", "web01..corp", "not a valid host name"),
    ("hostname", ".corp.local", "not a valid host name"),
    ("hostname", "web01:8080", "not a valid host name"),
    ("hostname", "wéb01", "not a valid host name"),
    ("hostname", "a" * 64, "not a valid host name"),
    ("hostname", "\\\\", "not a valid host name"),
    ("hostname", "CORP\\", "not a valid host name"),
    ("hostname", "10.0.0.300", "not a valid host name"),
    ("hostname", "10.0.0.5", "an IP address, not a host name"),
    ("hostname", "10.0.0.5.", "an IP address, not a host name"),
    ("hostname", "fe80::1", "an IP address, not a host name"),
    ("fqdn", "web01", "not a fully-qualified name"),
    ("fqdn", "WEB01.", "not a fully-qualified name"),
    ("fqdn", "web01..corp.local", "not a valid DNS name"),
    ("fqdn", "web 01.corp.local", "not a valid DNS name"),
    ("fqdn", "web01.-corp.local", "not a valid DNS name"),
    ("fqdn", "10.0.0.5", "an IP address, not a host name"),
    ("fqdn", "a." + "b" * 64 + ".com", "not a valid DNS name"),
    ("fqdn", ("a" * 60 + ".") * 5 + "com", "not a valid DNS name"),
    ("ip_address", "10.0.0.300", "not a valid IP address"),
    ("ip_address", "010.001.002.003", "not a valid IP address"),
    ("ip_address", "10.0.0", "not a valid IP address"),
    ("ip_address", "10.0.0.5/33", "not a valid IP address"),
    ("ip_address", "10.0.0.5:443", "not a valid IP address"),
    ("ip_address", "web01", "not a valid IP address"),
    ("ip_address", "2001:db8::g", "not a valid IP address"),
    ("ip_address", "bad; worse, 999.1.1.1", "not a valid IP address"),
    ("ip_address", "\u0661\u0660.0.0.1", "not a valid IP address"),  # Arabic-Indic digits
    ("mac_address", "zz:bb:cc:dd:ee:ff", "not a valid MAC address"),
    ("mac_address", "aa:bb:cc:dd:ee", "not a valid MAC address"),
    ("mac_address", "aa:bb-cc:dd:ee:ff", "not a valid MAC address"),
    ("mac_address", "aabbccddeef", "not a valid MAC address"),
    ("mac_address", "aa:bb:cc:dd:ee:ff:00", "not a valid MAC address"),
    ("cpu_cores", "2.5", "not a whole number"),
    ("cpu_cores", "-4", "not a whole number"),
    ("cpu_cores", "four", "not a whole number"),
    ("cpu_cores", "4 GB", "not a whole number"),
    ("cpu_cores", "1,5", "not a whole number"),
    ("cpu_cores", "1,02", "not a whole number"),
    ("cpu_cores", "12,34,567", "not a whole number"),
    ("cpu_cores", "4²", "not a whole number"),
    ("cpu_cores", "0", "must be at least 1"),
    ("cpu_cores", "0.0", "must be at least 1"),
    ("cpu_sockets", "0", "must be at least 1"),
    ("cpu_cores", "2147483648", "number too large"),
    ("disk_count", "9" * 5000, "number too large"),
    ("nic_count", "1,000,000,000,000", "number too large"),
    ("disk_count", "-1", "not a whole number"),
    ("memory_gb", "-1", "must not be negative"),
    ("memory_gb", "-16 GB", "must not be negative"),
    ("memory_gb", "lots", "not a size"),
    ("memory_gb", "16 GB RAM", "not a size"),
    ("memory_gb", "16 XB", "not a size"),
    ("memory_gb", "1.2.3", "not a size"),
    ("memory_gb", "nan", "not a size"),
    ("memory_gb", "inf", "not a size"),
    ("memory_gb", "1e400", "number too large"),
    ("storage_gb", "9" * 400, "number too large"),
    ("cpu_utilization_percent_max", "101", "must be between 0 and 100"),
    ("cpu_utilization_percent_max", "-1", "must be between 0 and 100"),
    ("cpu_utilization_percent_max", "100.01%", "must be between 0 and 100"),
    ("memory_utilization_percent_max", "high", "not a number"),
    ("memory_utilization_percent_max", "%", "not a number"),
    ("memory_utilization_percent_max", "nan", "not a number"),
    ("environment", "foo", 'unknown environment "foo"'),
    ("environment", "Non-Prod", 'unknown environment "Non-Prod"'),
    ("environment", "x" * 100, 'unknown environment "' + "x" * 39 + '…"'),
    ("criticality", "super", 'unknown criticality "super"'),
    ("criticality", "1 - High", 'unknown criticality "1 - High"'),
    ("criticality", "5", 'unknown criticality "5"'),
    ("power_state", "exploded", 'unknown power state "exploded"'),
    ("power_state", "terminated", 'unknown power state "terminated"'),
]


@pytest.mark.parametrize(("field", "raw", "reason"), BAD)
def test_bad_values_are_nulled_with_a_reason(field: str, raw: str, reason: str) -> None:
    assert clean(field, raw) == (None, [reason])


@pytest.mark.parametrize(
    "raw", ["widget", "Refrigerator", "cmdb_ci_something_new", "42", "cmdb_ci_dbx"]
)
def test_unknown_asset_type_is_absent_without_error(raw: str) -> None:
    assert clean("asset_type", raw) == (None, [])


@pytest.mark.parametrize("raw", ["1 - Most Critical", "Tier-1", "T1", "P1"])
def test_enum_values_are_matched_regardless_of_case_and_separators(raw: str) -> None:
    assert clean("criticality", raw) == ("critical", [])


@pytest.mark.parametrize("field", ["tags", "depends_on"])
def test_list_cells_that_look_like_json_but_are_not_usable_json(field: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # json.loads raises RecursionError on this
    value, reasons = clean(field, deep)
    assert reasons == []
    assert value == [deep]
    assert clean(field, '[{"a": 1}, 2]') == (['[{"a": 1}', "2]"], [])
    assert clean(field, "[1, null, true]") == (["1", "true"], [])
