"""Hand-made inventory spreadsheets: messy headers, mixed units, meaningless columns."""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.mapping.fixtures import _APPS, _PEOPLE, Fixture, _hostnames, _ip, _mac


def _server_list(rng: random.Random) -> Fixture:
    """A client's own list: short headers, GB columns, an unnamed column of IPs."""
    expected: dict[str, str | None] = {
        "Server Name": "name",
        "O/S": "operating_system",
        "vCPU": "cpu_cores",
        "RAM (GB)": "memory_gb",
        "Disk GB": "storage_gb",
        "Env": "environment",
        "App": "application_name",
        "Owner": "business_owner",
        "Criticality": "criticality",
        "DC": "datacenter",
        "Notes": None,
        "Depends On": "depends_on",
        "Column7": "ip_address",
    }
    hosts = _hostnames(rng, 30, upper=True)
    rows: list[dict[str, str]] = []
    for host in hosts:
        deps = rng.sample([h for h in hosts if h != host], rng.choice([0, 1, 2, 3]))
        rows.append(
            {
                "Server Name": host,
                "O/S": rng.choice(
                    ["Windows 2016", "Win2019", "RHEL 7.9", "RHEL 8", "Ubuntu 20.04"]
                ),
                "vCPU": str(rng.choice([2, 4, 8])),
                "RAM (GB)": str(rng.choice([4, 8, 16, 32])),
                "Disk GB": str(rng.choice([60, 100, 250, 500, 1000])),
                "Env": rng.choice(["PROD", "Prod", "DEV", "UAT", "QA", "DR"]),
                "App": rng.choice(_APPS),
                "Owner": rng.choice(_PEOPLE),
                "Criticality": rng.choice(["High", "Medium", "Low", "Critical"]),
                "DC": rng.choice(["AMS1", "FRA2"]),
                "Notes": rng.choice(
                    ["", "", "migrate with DB", "legacy - check licence", "EOL 2025"]
                ),
                "Depends On": "; ".join(deps),
                "Column7": _ip(rng, "10.10"),
            }
        )
    units = {"RAM (GB)": "GB", "Disk GB": "GB"}
    return Fixture("handmade_server_list", list(expected), rows, expected, units, None)


def _camel_case(rng: random.Random) -> Fixture:
    """A scripted export with camelCase keys."""
    expected: dict[str, str | None] = {
        "serverName": "name",
        "hostName": "hostname",
        "ipAddress": "ip_address",
        "osName": "operating_system",
        "osVersion": "os_version",
        "cpuCount": "cpu_cores",
        "memoryMB": "memory_gb",
        "diskSizeGB": "storage_gb",
        "usedDiskGB": "storage_used_gb",
        "powerState": "power_state",
        "environment": "environment",
        "appName": "application_name",
        "techOwner": "technical_owner",
        "businessOwner": "business_owner",
        "dataCenter": "datacenter",
        "clusterName": "cluster",
        "esxHost": "host",
        "serialNo": "serial_number",
        "macAddr": "mac_address",
        "lastSeen": None,
        "tags": "tags",
        "cpuUtilMax": "cpu_utilization_percent_max",
        "memUtilPct": "memory_utilization_percent_max",
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 24):
        size = rng.choice([80, 120, 200, 400])
        rows.append(
            {
                "serverName": host.upper(),
                "hostName": host,
                "ipAddress": _ip(rng, "192.168"),
                "osName": rng.choice(["Windows Server 2019 Standard", "Rocky Linux", "Debian"]),
                "osVersion": rng.choice(["1809", "8.7", "11"]),
                "cpuCount": str(rng.choice([2, 4, 8])),
                "memoryMB": str(rng.choice([4096, 8192, 16384])),
                "diskSizeGB": str(size),
                "usedDiskGB": str(int(size * rng.uniform(0.2, 0.9))),
                "powerState": rng.choice(["running", "running", "stopped"]),
                "environment": rng.choice(["production", "staging", "development"]),
                "appName": rng.choice(_APPS),
                "techOwner": rng.choice(["ops-team@acme.io", "dba@acme.io"]),
                "businessOwner": rng.choice(_PEOPLE),
                "dataCenter": rng.choice(["eu-dc1", "eu-dc2"]),
                "clusterName": rng.choice(["prod-cl01", "prod-cl02"]),
                "esxHost": f"esx-{rng.randrange(1, 6):02d}",
                "serialNo": f"VMware-56 4d {rng.randrange(10, 99)} 8a",
                "macAddr": _mac(rng),
                "lastSeen": f"2024-02-{rng.randrange(10, 28)}T08:15:00Z",
                "tags": rng.choice(["env:prod;team:hr", "env:stg", "pci:yes;team:finance"]),
                "cpuUtilMax": f"{rng.uniform(10, 99):.1f}",
                "memUtilPct": f"{rng.uniform(20, 95):.1f}",
            }
        )
    units = {"memoryMB": "MB", "diskSizeGB": "GB", "usedDiskGB": "GB"}
    return Fixture("handmade_camel_case", list(expected), rows, expected, units, None)


def _german(rng: random.Random) -> Fixture:
    """German and abbreviated headers, TB storage, an unnamed column of FQDNs."""
    expected: dict[str, str | None] = {
        "Srv": "name",
        "IP-Adr.": "ip_address",
        "Betriebssystem": "operating_system",
        "CPU": "cpu_cores",
        "Mem MB": "memory_gb",
        "Stg TB": "storage_gb",
        "Umgebung": "environment",
        "Standort": "location",
        "Rechenzentrum": "datacenter",
        "Anwendung": "application_name",
        "Betreuer": "technical_owner",
        "Kritikalität": "criticality",
        "Status": "power_state",
        "Bemerkung": None,
        "Field1": "fqdn",
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 20):
        rows.append(
            {
                "Srv": host,
                "IP-Adr.": _ip(rng, "10.77"),
                "Betriebssystem": rng.choice(["Windows Server 2019", "SLES 15 SP4", "RHEL 8.6"]),
                "CPU": str(rng.choice([2, 4, 8, 12])),
                "Mem MB": str(rng.choice([8192, 16384, 32768])),
                "Stg TB": rng.choice(["0.5", "1", "1.5", "2", "0.25"]),
                "Umgebung": rng.choice(["Produktion", "Test", "Entwicklung"]),
                "Standort": rng.choice(["München", "Frankfurt", "Berlin"]),
                "Rechenzentrum": rng.choice(["RZ Nord", "RZ Süd"]),
                "Anwendung": rng.choice(["SAP HR", "DMS", "Zeiterfassung"]),
                "Betreuer": rng.choice(["K. Müller", "S. Wagner", "Team Linux"]),
                "Kritikalität": rng.choice(["hoch", "mittel", "niedrig"]),
                "Status": rng.choice(["Running", "Running", "Stopped"]),
                "Bemerkung": rng.choice(["", "Migration Q3", "Altsystem"]),
                "Field1": f"{host}.intern.example.de",
            }
        )
    units = {"Mem MB": "MB", "Stg TB": "TB"}
    return Fixture("handmade_german", list(expected), rows, expected, units, None)


def _consultant_workbook(rng: random.Random) -> Fixture:
    """A discovery workbook: two IPs, unit suffixes in values, ambiguous words."""
    expected: dict[str, str | None] = {
        "Hostname": "hostname",
        "FQDN": "fqdn",
        "Primary IP": "ip_address",
        "Secondary IP": None,
        "Operating System": "operating_system",
        "OS Ver": "os_version",
        "Cores": "cpu_cores",
        "Sockets": "cpu_sockets",
        "Memory": "memory_gb",
        "Total Disk": "storage_gb",
        "Used Disk": "storage_used_gb",
        "Type": "asset_type",
        "Platform": "virtualization_platform",
        "Make": "manufacturer",
        "Model": "model",
        "Serial": "serial_number",
        "Tier": "criticality",
        "Business Unit": "business_unit",
        "App Owner": "business_owner",
        "Support Team": "technical_owner",
        "Site": "location",
        "Database": "database_type",
        "DB Version": "database_version",
        "CPU Peak %": "cpu_utilization_percent_max",
        "Decom Date": None,
        "Virtual": None,
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 36):
        virtual = rng.random() < 0.75
        total = rng.choice([100, 250, 500, 750])
        db = rng.choice(["", "", "Oracle", "SQL Server", "PostgreSQL"])
        rows.append(
            {
                "Hostname": host,
                "FQDN": f"{host}.acme.net",
                "Primary IP": _ip(rng, "10.1"),
                "Secondary IP": rng.choice(["", _ip(rng, "10.250")]),
                "Operating System": rng.choice(
                    ["Windows Server 2016 Standard", "Oracle Linux 7.9", "AIX 7.2"]
                ),
                "OS Ver": rng.choice(["10.0.14393", "7.9", "7.2 TL5"]),
                "Cores": str(rng.choice([2, 4, 8, 16])),
                "Sockets": str(rng.choice([1, 2])),
                "Memory": f"{rng.choice([8, 16, 32, 64])} GB",
                "Total Disk": f"{total} GB" if rng.random() < 0.8 else "1.5 TB",
                "Used Disk": f"{int(total * rng.uniform(0.2, 0.9))} GB",
                "Type": "Virtual" if virtual else "Physical",
                "Platform": rng.choice(["VMware", "Hyper-V"]) if virtual else "Physical",
                "Make": "VMware, Inc." if virtual else rng.choice(["Dell Inc.", "HPE", "IBM"]),
                "Model": "VMware Virtual Platform"
                if virtual
                else rng.choice(["PowerEdge R640", "Power S922"]),
                "Serial": f"SN{rng.randrange(10**7, 10**8)}",
                "Tier": rng.choice(["Tier 1", "Tier 2", "Tier 3"]),
                "Business Unit": rng.choice(["Retail", "Corporate", "Logistics"]),
                "App Owner": rng.choice(_PEOPLE),
                "Support Team": rng.choice(["Wintel", "Unix Ops", "DBA Team"]),
                "Site": rng.choice(["Chicago", "Dallas"]),
                "Database": db,
                "DB Version": {"Oracle": "19c", "SQL Server": "2017", "PostgreSQL": "12.4"}.get(
                    db, ""
                ),
                "CPU Peak %": f"{rng.uniform(5, 100):.0f}%",
                "Decom Date": rng.choice(["", "2025-03-31", "31/12/2024"]),
                "Virtual": "Yes" if virtual else "No",
            }
        )
    units = {"Memory": "GB", "Total Disk": "GB", "Used Disk": "GB"}
    return Fixture("handmade_consultant_workbook", list(expected), rows, expected, units, None)


def _no_headers(rng: random.Random) -> Fixture:
    """Headers lost on export: only the values tell what the columns are."""
    expected: dict[str, str | None] = {
        "Column1": "name",
        "Column2": "ip_address",
        "Column3": "operating_system",
        "Column4": "mac_address",
        "Column5": "memory_gb",
        "Column6": "environment",
        "Column7": "power_state",
        "Column8": None,
        "Column9": None,
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 30):
        rows.append(
            {
                "Column1": host,
                "Column2": _ip(rng, "172.20"),
                "Column3": rng.choice(["Windows Server 2022", "Ubuntu 22.04 LTS", "CentOS 7.9"]),
                "Column4": _mac(rng, "00-0C-29").replace(":", "-"),
                "Column5": f"{rng.choice([4, 8, 16, 32])} GB",
                "Column6": rng.choice(["Production", "Test", "Development"]),
                "Column7": rng.choice(["On", "On", "Off"]),
                "Column8": rng.choice(["patched in March", "", "ticket INC0012 open", "ok"]),
                "Column9": f"2023-1{rng.randrange(0, 3)}-0{rng.randrange(1, 9)}",
            }
        )
    return Fixture("handmade_no_headers", list(expected), rows, expected, {"Column5": "GB"}, None)


def _dcim_export(rng: random.Random) -> Fixture:
    """A DCIM/CMDB tool export the engine has no signature for."""
    expected: dict[str, str | None] = {
        "Device Name": "name",
        "Device Type": "asset_type",
        "Serial #": "serial_number",
        "Asset #": None,
        "OS Name": "operating_system",
        "OS Version": "os_version",
        # "Cores per CPU" beside it: the CPU count is the number of sockets.
        "CPU Count": "cpu_sockets",
        "Cores per CPU": None,
        "RAM": "memory_gb",
        "Hardware Model": "model",
        "Manufacturer": "manufacturer",
        # This tool's "service level" holds Production/Development/QA.
        "Service Level": "environment",
        "Customer": None,
        "Building": "location",
        "Room": None,
        "Rack": None,
        "IP Addresses": "ip_address",
        "MAC Addresses": "mac_address",
        "In Service": None,
        "Virtual Host": "host",
        "Tags": "tags",
        "Last Updated": None,
    }
    rows: list[dict[str, str]] = []
    for i, host in enumerate(_hostnames(rng, 28)):
        virtual = rng.random() < 0.7
        rows.append(
            {
                "Device Name": host,
                "Device Type": "virtual" if virtual else rng.choice(["physical", "blade"]),
                "Serial #": f"{rng.choice(['CZ', 'MX', 'SG'])}{rng.randrange(10**7, 10**8)}",
                "Asset #": f"A-{20000 + i}",
                "OS Name": rng.choice(
                    ["Windows Server 2016", "Red Hat Enterprise Linux", "Ubuntu"]
                ),
                "OS Version": rng.choice(["1607", "8.8", "22.04"]),
                "CPU Count": str(rng.choice([1, 2, 2, 4])),
                "Cores per CPU": str(rng.choice([4, 8, 12, 16])),
                "RAM": str(rng.choice([8192, 16384, 32768, 131072])),
                "Hardware Model": "VMware Virtual Platform" if virtual else "ProLiant BL460c Gen9",
                "Manufacturer": "VMware" if virtual else "HPE",
                "Service Level": rng.choice(["Production", "Production", "Development", "QA"]),
                "Customer": rng.choice(["Retail Banking", "Group IT", "Insurance"]),
                "Building": rng.choice(["Leeds North", "Leeds South"]),
                "Room": rng.choice(["Hall A", "Hall B"]),
                "Rack": f"R{rng.randrange(1, 40):02d}",
                "IP Addresses": _ip(rng, "10.60"),
                "MAC Addresses": _mac(rng),
                "In Service": rng.choice(["yes", "yes", "no"]),
                "Virtual Host": f"esxi-{rng.randrange(1, 12):02d}" if virtual else "",
                "Tags": rng.choice(["pci", "pci,backup-gold", "", "dmz"]),
                "Last Updated": f"{rng.randrange(1, 28):02d}/0{rng.randrange(1, 9)}/2024",
            }
        )
    return Fixture("unseen_dcim_export", list(expected), rows, expected, {"RAM": "MB"}, None)


def _powercli_get_vm(rng: random.Random) -> Fixture:
    """``Get-VM | Export-Csv`` from VMware PowerCLI."""
    expected: dict[str, str | None] = {
        "Name": "name",
        "PowerState": "power_state",
        # vSphere's NumCpu is the total vCPU count, whatever the cores per socket.
        "NumCpu": "cpu_cores",
        "CoresPerSocket": None,
        "MemoryGB": "memory_gb",
        "ProvisionedSpaceGB": "storage_gb",
        "UsedSpaceGB": "storage_used_gb",
        "VMHost": "host",
        "Folder": None,
        "ResourcePool": None,
        # The VM hardware version (v13), not an OS version.
        "Version": None,
        "Notes": None,
        "GuestId": "operating_system",
        "Id": "external_id",
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 22):
        provisioned = rng.uniform(40, 900)
        rows.append(
            {
                "Name": host,
                "PowerState": rng.choice(["PoweredOn", "PoweredOn", "PoweredOff"]),
                "NumCpu": str(rng.choice([2, 4, 8])),
                "CoresPerSocket": str(rng.choice([1, 2])),
                "MemoryGB": str(rng.choice([4, 8, 16, 32])),
                "ProvisionedSpaceGB": f"{provisioned:.4f}",
                "UsedSpaceGB": f"{provisioned * rng.uniform(0.2, 0.9):.4f}",
                "VMHost": f"esx{rng.randrange(1, 9):02d}.lab.local",
                "Folder": rng.choice(["vm", "Production", "Templates"]),
                "ResourcePool": "Resources",
                "Version": rng.choice(["v13", "v14", "v19"]),
                "Notes": rng.choice(["", "", "Created by Terraform"]),
                "GuestId": rng.choice(
                    ["windows9Server64Guest", "rhel8_64Guest", "centos7_64Guest"]
                ),
                "Id": f"VirtualMachine-vm-{rng.randrange(1000, 9999)}",
            }
        )
    units = {"MemoryGB": "GB", "ProvisionedSpaceGB": "GB", "UsedSpaceGB": "GB"}
    return Fixture("unseen_powercli_get_vm", list(expected), rows, expected, units, None)


def _software_inventory(rng: random.Random) -> Fixture:
    """A software-asset-management inventory export (processors and cores both given)."""
    expected: dict[str, str | None] = {
        "Computer Name": "name",
        "Domain": None,
        "Operating System": "operating_system",
        "Service Pack": None,
        # Physical processors next to a core count: sockets.
        "Number of Processors": "cpu_sockets",
        "Number of Cores": "cpu_cores",
        "Processor Type": None,
        "Total Memory (MB)": "memory_gb",
        "Serial No": "serial_number",
        "Manufacturer": "manufacturer",
        "Model": "model",
        "IP Address": "ip_address",
        "Location": "location",
        "Department": "business_unit",
        "Assigned User": None,
        "Last Inventory Date": None,
        "Is Virtual": None,
        "Virtual Host Name": "host",
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 26, upper=True):
        virtual = rng.random() < 0.6
        sockets = rng.choice([1, 2])
        rows.append(
            {
                "Computer Name": host,
                "Domain": "CORP",
                "Operating System": rng.choice(
                    [
                        "Microsoft Windows Server 2012 R2 Standard",
                        "Microsoft Windows Server 2019 Datacenter",
                    ]
                ),
                "Service Pack": rng.choice(["", "Service Pack 1"]),
                "Number of Processors": str(sockets),
                "Number of Cores": str(sockets * rng.choice([4, 6, 8])),
                "Processor Type": "Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz",
                "Total Memory (MB)": str(rng.choice([8191, 16383, 32767])),
                "Serial No": f"VMware-42 1c {rng.randrange(10, 99)} 9f"
                if virtual
                else f"CZJ{rng.randrange(10**6, 10**7)}",
                "Manufacturer": "VMware, Inc." if virtual else "HP",
                "Model": "VMware Virtual Platform" if virtual else "ProLiant DL360 Gen9",
                "IP Address": _ip(rng, "10.5"),
                "Location": rng.choice(["Zurich", "Basel"]),
                "Department": rng.choice(["Finance", "Treasury", "IT"]),
                "Assigned User": rng.choice(["CORP\\svc_sql", "CORP\\jdoe", ""]),
                "Last Inventory Date": f"2024-0{rng.randrange(1, 9)}-0{rng.randrange(1, 9)}",
                "Is Virtual": "True" if virtual else "False",
                "Virtual Host Name": f"esx{rng.randrange(1, 6):02d}.corp.ch" if virtual else "",
            }
        )
    return Fixture(
        "unseen_software_inventory",
        list(expected),
        rows,
        expected,
        {"Total Memory (MB)": "MB"},
        None,
    )


def _sccm_query(rng: random.Random) -> Fixture:
    """A SCCM/ConfigMgr SQL query export (v_GS_* view columns end in 0)."""
    expected: dict[str, str | None] = {
        "Name0": "name",
        "Operating_System_Name_and0": "operating_system",
        "Resource_Domain_OR_Workgr0": None,
        "Manufacturer0": "manufacturer",
        "Model0": "model",
        "SystemType0": None,
        "TotalPhysicalMemory0": "memory_gb",
        "SerialNumber0": "serial_number",
        "IPAddress0": "ip_address",
        "MACAddress0": "mac_address",
        "UserName0": None,
        "LastHWScan": None,
    }
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 30, upper=True):
        rows.append(
            {
                "Name0": host,
                "Operating_System_Name_and0": rng.choice(
                    ["Microsoft Windows NT Server 10.0", "Microsoft Windows NT Advanced Server 6.3"]
                ),
                "Resource_Domain_OR_Workgr0": "CONTOSO",
                "Manufacturer0": rng.choice(["VMware, Inc.", "Dell Inc."]),
                "Model0": rng.choice(["VMware7,1", "PowerEdge R730"]),
                "SystemType0": "x64-based PC",
                "TotalPhysicalMemory0": str(rng.choice([8388148, 16776692, 33553844])),
                "SerialNumber0": f"{rng.choice(['VMware-', 'JX'])}{rng.randrange(10**6, 10**7)}",
                "IPAddress0": _ip(rng, "10.200"),
                "MACAddress0": _mac(rng).upper(),
                "UserName0": rng.choice(["", "CONTOSO\\admin"]),
                "LastHWScan": f"2024-03-{rng.randrange(10, 28)} 04:1{rng.randrange(0, 9)}:00.000",
            }
        )
    return Fixture(
        "unseen_sccm_query", list(expected), rows, expected, {"TotalPhysicalMemory0": "KB"}, None
    )


HANDMADE_BUILDERS: list[Callable[[random.Random], Fixture]] = [
    _server_list,
    _camel_case,
    _german,
    _consultant_workbook,
    _no_headers,
    _dcim_export,
    _powercli_get_vm,
    _software_inventory,
    _sccm_query,
]
