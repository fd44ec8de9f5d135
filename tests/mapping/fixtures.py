"""Realistic inventory exports with the mapping a migration consultant would choose.

Each fixture is a header list (in the tool's real order), 20-50 sample rows built with a
seeded generator (so they are the same every run), the expected target of EVERY column
(``None`` = custom attribute) and the expected source unit of the size columns.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fixture:
    name: str
    headers: list[str]
    rows: list[dict[str, str]]
    expected: dict[str, str | None]
    units: dict[str, str]
    detected_format: str | None
    #: the ranked columns: 1 for a primary that has fallbacks, 2, 3, … for its fallbacks
    priorities: dict[str, int] = field(default_factory=dict)


_WIN_OS = [
    "Microsoft Windows Server 2016 (64-bit)",
    "Microsoft Windows Server 2019 (64-bit)",
    "Microsoft Windows Server 2012 R2 (64-bit)",
]
_LINUX_OS = [
    "Red Hat Enterprise Linux 7 (64-bit)",
    "Red Hat Enterprise Linux 8 (64-bit)",
    "Ubuntu Linux (64-bit)",
    "SUSE Linux Enterprise 12 (64-bit)",
    "CentOS 7 (64-bit)",
]
_APPS = ["Payroll", "CRM", "SAP ERP", "Intranet", "Billing", "Data Warehouse", "E-Mail"]
_PEOPLE = ["Jane Doe", "John Smith", "Anna Berg", "Ravi Patel", "Maria Rossi", "Tom Becker"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _mac(rng: random.Random, prefix: str = "00:50:56") -> str:
    return prefix + "".join(f":{rng.randrange(256):02x}" for _ in range(3))


def _ip(rng: random.Random, net: str = "10.20") -> str:
    return f"{net}.{rng.randrange(1, 250)}.{rng.randrange(2, 254)}"


def _hostnames(rng: random.Random, count: int, upper: bool = False) -> list[str]:
    roles = ["web", "app", "db", "sql", "ad", "file", "mq", "etl", "rpt", "ftp", "jump", "mon"]
    envs = ["prd", "tst", "dev", "acc"]
    names: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(roles)}-{rng.choice(envs)}-{rng.randrange(1, 40):02d}"
        names.add(name.upper() if upper else name)
    return sorted(names, key=lambda _: rng.random())


def _rvtools(rng: random.Random) -> Fixture:
    headers = [
        "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name",
        "Connection state", "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn",
        "Suspended To Memory", "Suspend time", "Suspend Interval", "Creation date",
        "Change Version", "CPUs", "Overall Cpu Readiness", "Memory", "Active Memory", "NICs",
        "Disks", "Total disk capacity MiB", "Fixed Passthru HotPlug", "min Required EVC Mode Key",
        "Latency Sensitivity", "Op Notification Timeout", "EnableUUID", "CBT",
        "Primary IP Address", "Network #1", "Network #2", "Network #3", "Network #4",
        "Network #5", "Network #6", "Network #7", "Network #8", "Num Monitors", "Video Ram KiB",
        "Resource pool", "Folder ID", "Folder", "vApp", "DAS protection", "FT State", "FT Role",
        "FT Latency", "FT Bandwidth", "FT Sec. Latency", "Vm Failover In Progress",
        "Provisioned MiB", "In Use MiB", "Unshared MiB", "HA Restart Priority",
        "HA Isolation Response", "HA VM Monitoring", "Cluster rule(s)", "Cluster rule name(s)",
        "Boot Required", "Boot delay", "Boot retry delay", "Boot retry enabled",
        "Boot BIOS setup", "Reboot PowerOff", "EFI Secure boot", "Firmware", "HW version",
        "HW upgrade status", "HW upgrade policy", "HW target", "Path", "Log directory",
        "Snapshot directory", "Suspend directory", "Annotation", "Application", "Owner",
        "Backup Policy", "Backup status", "ClusterInvariantVMMId", "Last backup", "Datacenter",
        "Cluster", "Host", "OS according to the configuration file",
        "OS according to the VMware Tools", "Customization Info", "Guest Detailed Data",
        "VM ID", "SMBIOS UUID", "VM UUID", "VI SDK Server type", "VI SDK API Version",
        "VI SDK Server", "VI SDK UUID",
    ]  # fmt: skip
    expected: dict[str, str | None] = dict.fromkeys(headers)
    expected.update(
        {
            "VM": "name",
            "Powerstate": "power_state",
            "DNS Name": "fqdn",
            "CPUs": "cpu_cores",
            "Memory": "memory_gb",
            "NICs": "nic_count",
            "Disks": "disk_count",
            "Primary IP Address": "ip_address",
            "Provisioned MiB": "storage_gb",
            "Total disk capacity MiB": "storage_gb",
            "In Use MiB": "storage_used_gb",
            "Datacenter": "datacenter",
            "Cluster": "cluster",
            "Host": "host",
            "OS according to the configuration file": "operating_system",
            "OS according to the VMware Tools": "operating_system",
            "SMBIOS UUID": "serial_number",
            "VM UUID": "external_id",
            "VM ID": "external_id",
            "Application": "application_name",
            "Owner": "business_owner",
        }
    )
    rows: list[dict[str, str]] = []
    vcenter_uuid = _uuid(rng)
    for i, vm in enumerate(_hostnames(rng, 40)):
        on = rng.random() > 0.15
        os_name = rng.choice(_WIN_OS + _LINUX_OS)
        cpus = rng.choice([1, 2, 2, 4, 4, 8, 16])
        memory = rng.choice([2048, 4096, 8192, 8192, 16384, 32768, 65536])
        disks = rng.choice([1, 1, 2, 3])
        capacity = sum(rng.choice([40960, 61440, 102400, 204800, 512000]) for _ in range(disks))
        provisioned = capacity + memory + rng.randrange(0, 2048)
        in_use = int(provisioned * rng.uniform(0.3, 0.95))
        ip = _ip(rng) if on else ""
        row = dict.fromkeys(headers, "")
        row.update(
            {
                "VM": vm,
                "Powerstate": "poweredOn" if on else "poweredOff",
                "Template": "False",
                "SRM Placeholder": "False",
                "Config status": "green",
                "DNS Name": f"{vm}.corp.local" if on else "",
                "Connection state": "connected",
                "Guest state": "running" if on else "notRunning",
                "Heartbeat": "green" if on else "gray",
                "Consolidation Needed": "False",
                "PowerOn": f"2024/0{rng.randrange(1, 9)}/1{rng.randrange(0, 9)} 0{rng.randrange(0, 9)}:12:44"
                if on
                else "",
                "Suspended To Memory": "False",
                "Suspend Interval": "0",
                "Creation date": f"20{rng.randrange(15, 23)}/0{rng.randrange(1, 9)}/21 10:0{i % 10}:00",
                "Change Version": f"2024-03-0{rng.randrange(1, 9)}T11:{i:02d}:17.513285Z",
                "CPUs": str(cpus),
                "Overall Cpu Readiness": "0",
                "Memory": str(memory),
                "Active Memory": str(int(memory * rng.uniform(0.05, 0.6))) if on else "0",
                "NICs": str(rng.choice([1, 1, 2])),
                "Disks": str(disks),
                "Total disk capacity MiB": str(capacity),
                "Fixed Passthru HotPlug": "False",
                "min Required EVC Mode Key": rng.choice(["intel-broadwell", "intel-skylake"]),
                "Latency Sensitivity": "normal",
                "EnableUUID": rng.choice(["True", "False"]),
                "CBT": rng.choice(["True", "False"]),
                "Primary IP Address": ip,
                "Network #1": rng.choice(["VLAN120-Prod", "VLAN130-App", "VLAN140-DB"]),
                "Network #2": rng.choice(["", "", "", "VLAN900-Backup"]),
                "Num Monitors": "1",
                "Video Ram KiB": rng.choice(["4096", "8192", "16384"]),
                "Resource pool": "/Resources",
                "Folder ID": f"group-v{rng.randrange(100, 999)}",
                "Folder": rng.choice(["/Prod/Web", "/Prod/DB", "/Test", "/Infra"]),
                "FT State": "notConfigured",
                "FT Latency": "-1",
                "FT Bandwidth": "-1",
                "FT Sec. Latency": "-1",
                "Provisioned MiB": str(provisioned),
                "In Use MiB": str(in_use),
                "Unshared MiB": str(int(in_use * 0.97)),
                "HA Restart Priority": "clusterRestartPriority",
                "HA Isolation Response": "none",
                "HA VM Monitoring": "vmMonitoringDisabled",
                "Boot Required": "False",
                "Boot delay": "0",
                "Boot retry delay": "10000",
                "Boot retry enabled": "False",
                "Boot BIOS setup": "False",
                "Reboot PowerOff": "False",
                "EFI Secure boot": "False",
                "Firmware": rng.choice(["bios", "efi"]),
                "HW version": rng.choice(["vmx-13", "vmx-14", "vmx-19"]),
                "HW upgrade status": "none",
                "HW upgrade policy": "never",
                "Path": f"[DS0{i % 4}] {vm}/{vm}.vmx",
                "Log directory": f"[DS0{i % 4}] {vm}",
                "Snapshot directory": f"[DS0{i % 4}] {vm}",
                "Suspend directory": f"[DS0{i % 4}] {vm}",
                "Annotation": rng.choice(
                    ["", "", "Owner: J. Smith, CHG0031442", "do not power off"]
                ),
                "Application": rng.choice(_APPS),
                "Owner": rng.choice(_PEOPLE),
                "Backup Policy": rng.choice(["Gold-Daily", "Silver-Weekly", "None"]),
                "Datacenter": rng.choice(["DC-AMS", "DC-FRA"]),
                "Cluster": rng.choice(["CL-PROD-01", "CL-PROD-02", "CL-TEST-01"]),
                "Host": f"esx{rng.randrange(1, 9):02d}.corp.local",
                "OS according to the configuration file": os_name,
                "OS according to the VMware Tools": os_name if on else "",
                "Guest Detailed Data": "architecture='X86' bitness='64' cpeString='cpe:/o:microsoft:windows_server_2016'"
                if "Windows" in os_name and on
                else "",
                "VM ID": f"vm-{rng.randrange(1000, 99999)}",
                "SMBIOS UUID": _uuid(rng),
                "VM UUID": _uuid(rng),
                "VI SDK Server type": "VMware VirtualCenter Server",
                "VI SDK API Version": "7.0.3.0",
                "VI SDK Server": "vcenter01.corp.local",
                "VI SDK UUID": vcenter_uuid,
            }
        )
        rows.append(row)
    units = {
        "Memory": "MB",
        "Provisioned MiB": "MB",
        "Total disk capacity MiB": "MB",
        "In Use MiB": "MB",
    }
    priorities = {
        "OS according to the configuration file": 1,
        "OS according to the VMware Tools": 2,
        "Provisioned MiB": 1,
        "Total disk capacity MiB": 2,
        "VM UUID": 1,
        "VM ID": 2,
    }
    return Fixture("rvtools_vinfo", headers, rows, expected, units, "rvtools_vinfo", priorities)


def _aws(rng: random.Random) -> Fixture:
    headers = [
        "ExternalId", "SMBiosId", "IPAddress", "MACAddress", "HostName", "VMware.MoRefId",
        "VMware.VCenterId", "CPU.NumberOfProcessors", "CPU.NumberOfCores",
        "CPU.NumberOfLogicalCores", "OS.Name", "OS.Version", "VMware.VMName",
        "RAM.TotalSizeInMB", "RAM.UsedSizeInMB.Avg", "RAM.UsedSizeInMB.Max", "CPU.UsagePct.Avg",
        "CPU.UsagePct.Max", "DiskReadsPerSecondInKB.Avg", "DiskWritesPerSecondInKB.Avg",
        "DiskReadsPerSecondInKB.Max", "DiskWritesPerSecondInKB.Max", "DiskReadsOpsPerSecond.Avg",
        "DiskWritesOpsPerSecond.Avg", "DiskReadsOpsPerSecond.Max", "DiskWritesOpsPerSecond.Max",
        "NetworkReadsPerSecondInKB.Avg", "NetworkWritesPerSecondInKB.Avg",
        "NetworkReadsPerSecondInKB.Max", "NetworkWritesPerSecondInKB.Max", "Applications",
        "ApplicationWave", "Tags", "ServerId", "ServerType",
    ]  # fmt: skip
    expected: dict[str, str | None] = dict.fromkeys(headers)
    expected.update(
        {
            "ExternalId": "external_id",
            "VMware.MoRefId": "external_id",
            "ServerId": "external_id",
            "SMBiosId": "serial_number",
            "IPAddress": "ip_address",
            "MACAddress": "mac_address",
            "HostName": "hostname",
            "CPU.NumberOfProcessors": "cpu_sockets",
            "CPU.NumberOfCores": "cpu_cores",
            "OS.Name": "operating_system",
            "OS.Version": "os_version",
            "VMware.VMName": "name",
            "RAM.TotalSizeInMB": "memory_gb",
            "CPU.UsagePct.Max": "cpu_utilization_percent_max",
            "Applications": "application_name",
            "Tags": "tags",
            "ServerType": "asset_type",
        }
    )
    rows: list[dict[str, str]] = []
    vcenter = _uuid(rng)
    for i, host in enumerate(_hostnames(rng, 30)):
        windows = rng.random() < 0.5
        sockets = rng.choice([1, 2])
        cores = sockets * rng.choice([2, 4, 8])
        ram = rng.choice([4096, 8192, 16384, 32768])
        cpu_avg = round(rng.uniform(3, 45), 1)
        used_avg = int(ram * rng.uniform(0.2, 0.6))
        ips = _ip(rng, "172.16")
        if rng.random() < 0.2:
            ips = f"{ips}, {_ip(rng, '192.168')}"
        rows.append(
            {
                "ExternalId": f"INV-{10000 + i}",
                "SMBiosId": _uuid(rng),
                "IPAddress": ips,
                "MACAddress": _mac(rng),
                "HostName": f"{host}.example.com",
                "VMware.MoRefId": f"vm-{rng.randrange(100, 9999)}",
                "VMware.VCenterId": vcenter,
                "CPU.NumberOfProcessors": str(sockets),
                "CPU.NumberOfCores": str(cores),
                "CPU.NumberOfLogicalCores": str(cores * 2),
                "OS.Name": "Microsoft Windows Server 2019 Datacenter"
                if windows
                else "Red Hat Enterprise Linux",
                "OS.Version": "10.0.17763" if windows else rng.choice(["7.9", "8.6", "9.2"]),
                "VMware.VMName": host,
                "RAM.TotalSizeInMB": str(ram),
                "RAM.UsedSizeInMB.Avg": str(used_avg),
                "RAM.UsedSizeInMB.Max": str(min(ram, int(used_avg * 1.6))),
                "CPU.UsagePct.Avg": str(cpu_avg),
                "CPU.UsagePct.Max": str(min(100.0, round(cpu_avg * rng.uniform(1.5, 3), 1))),
                "DiskReadsPerSecondInKB.Avg": str(rng.randrange(100, 5000)),
                "DiskWritesPerSecondInKB.Avg": str(rng.randrange(50, 3000)),
                "DiskReadsPerSecondInKB.Max": str(rng.randrange(5000, 90000)),
                "DiskWritesPerSecondInKB.Max": str(rng.randrange(3000, 20000)),
                "DiskReadsOpsPerSecond.Avg": str(rng.randrange(5, 60)),
                "DiskWritesOpsPerSecond.Avg": str(rng.randrange(2, 30)),
                "DiskReadsOpsPerSecond.Max": str(rng.randrange(100, 1200)),
                "DiskWritesOpsPerSecond.Max": str(rng.randrange(50, 600)),
                "NetworkReadsPerSecondInKB.Avg": str(rng.randrange(10, 90)),
                "NetworkWritesPerSecondInKB.Avg": str(rng.randrange(5, 40)),
                "NetworkReadsPerSecondInKB.Max": str(rng.randrange(100, 1500)),
                "NetworkWritesPerSecondInKB.Max": str(rng.randrange(50, 700)),
                "Applications": rng.choice([*_APPS, "CRM, Billing"]),
                "ApplicationWave": f"Wave {rng.randrange(1, 5)}",
                "Tags": rng.choice(["zone:1, critical:yes", "zone:3, critical:no", "zone:2"]),
                "ServerId": "",
                "ServerType": rng.choice(["VM", "VM", "Physical"]),
            }
        )
        if rows[-1]["ServerType"] == "Physical":  # only VMware VMs have vCenter ids
            for column in ("VMware.MoRefId", "VMware.VCenterId", "VMware.VMName"):
                rows[-1][column] = ""
    return Fixture(
        "aws_migration_hub", headers, rows, expected, {"RAM.TotalSizeInMB": "MB"},
        "aws_migration_hub", {"ExternalId": 1, "VMware.MoRefId": 2, "ServerId": 3},
    )  # fmt: skip


def _azure(rng: random.Random) -> Fixture:
    disk_cols = [
        f"Disk {n} {what}"
        for n in (1, 2)
        for what in (
            "size (In GB)",
            "read throughput (MB per second)",
            "write throughput (MB per second)",
            "read ops (operations per second)",
            "write ops (operations per second)",
        )
    ]
    headers = [
        "Server name", "IP addresses", "Cores", "Memory (In MB)", "OS name", "OS version",
        "OS architecture", "Number of disks", *disk_cols, "Number of network adapters",
        "Network In throughput", "Network Out throughput", "Boot type", "VM ID", "VM host",
        "MAC address", "BIOS ID", "FQDN", "CPU utilization percentage",
        "Memory utilization percentage", "Server type", "Hypervisor",
        "Hypervisor version number", "Virtual machine manager ID", "Application 1 name",
        "Application 1 type", "Application 1 version", "Application 1 license expiry",
        "Business unit", "Business owner", "Business application name", "Location",
    ]  # fmt: skip
    expected: dict[str, str | None] = dict.fromkeys(headers)
    expected.update(
        {
            "Server name": "name",
            "IP addresses": "ip_address",
            "Cores": "cpu_cores",
            "Memory (In MB)": "memory_gb",
            "OS name": "operating_system",
            "OS version": "os_version",
            "Number of disks": "disk_count",
            "Disk 1 size (In GB)": "storage_gb",
            "Number of network adapters": "nic_count",
            "VM ID": "external_id",
            "VM host": "host",
            "MAC address": "mac_address",
            "BIOS ID": "serial_number",
            "FQDN": "fqdn",
            "CPU utilization percentage": "cpu_utilization_percent_max",
            "Memory utilization percentage": "memory_utilization_percent_max",
            "Server type": "asset_type",
            "Hypervisor": "virtualization_platform",
            "Business unit": "business_unit",
            "Business owner": "business_owner",
            "Business application name": "application_name",
            "Application 1 name": "application_name",
            "Location": "location",
        }
    )
    rows: list[dict[str, str]] = []
    for host in _hostnames(rng, 25, upper=True):
        virtual = rng.random() < 0.8
        windows = rng.random() < 0.6
        hypervisor = rng.choice(["VMware", "Hyper-V"]) if virtual else ""
        app = rng.choice([("SQL Server 2016", "Database", "13.0"), ("IIS", "Web server", "10.0"),
                          ("Apache Tomcat", "Web server", "9.0"), ("", "", "")])  # fmt: skip
        row = dict.fromkeys(headers, "")
        row.update(
            {
                "Server name": host,
                "IP addresses": _ip(rng, "10.0")
                + (f", {_ip(rng, '192.168')}" if rng.random() < 0.2 else ""),
                "Cores": str(rng.choice([2, 4, 8, 16])),
                "Memory (In MB)": str(rng.choice([4096, 8192, 16384, 32768])),
                "OS name": rng.choice(["Windows Server 2016 Datacenter", "Windows Server 2019"])
                if windows
                else rng.choice(["Red Hat Enterprise Linux 7", "Ubuntu Linux", "CentOS"]),
                "OS version": "10.0.14393" if windows else rng.choice(["7.9", "20.04", "7.6"]),
                "OS architecture": "x64",
                "Number of disks": "2",
                "Disk 1 size (In GB)": str(rng.choice([64, 127, 128, 256])),
                "Disk 1 read throughput (MB per second)": f"{rng.uniform(0.1, 30):.1f}",
                "Disk 1 write throughput (MB per second)": f"{rng.uniform(0.1, 12):.1f}",
                "Disk 1 read ops (operations per second)": str(rng.randrange(5, 400)),
                "Disk 1 write ops (operations per second)": str(rng.randrange(5, 200)),
                "Disk 2 size (In GB)": str(rng.choice([100, 256, 512, 1024])),
                "Disk 2 read throughput (MB per second)": f"{rng.uniform(0.1, 30):.1f}",
                "Disk 2 write throughput (MB per second)": f"{rng.uniform(0.1, 12):.1f}",
                "Disk 2 read ops (operations per second)": str(rng.randrange(5, 400)),
                "Disk 2 write ops (operations per second)": str(rng.randrange(5, 200)),
                "Number of network adapters": str(rng.choice([1, 1, 2])),
                "Network In throughput": f"{rng.uniform(0.01, 5):.2f}",
                "Network Out throughput": f"{rng.uniform(0.01, 5):.2f}",
                "Boot type": rng.choice(["BIOS", "UEFI"]),
                "VM ID": _uuid(rng) if virtual else "",
                "VM host": f"hv-host-{rng.randrange(1, 6):02d}.contoso.com" if virtual else "",
                "MAC address": _mac(rng, "00:15:5D"),
                "BIOS ID": _uuid(rng),
                "FQDN": f"{host.lower()}.contoso.com",
                "CPU utilization percentage": f"{rng.uniform(2, 95):.1f}",
                "Memory utilization percentage": f"{rng.uniform(10, 90):.1f}",
                "Server type": "Virtual" if virtual else "Physical",
                "Hypervisor": hypervisor,
                "Hypervisor version number": {"VMware": "6.7", "Hyper-V": "10.0"}.get(
                    hypervisor, ""
                ),
                "Virtual machine manager ID": _uuid(rng) if hypervisor == "VMware" else "",
                "Application 1 name": app[0],
                "Application 1 type": app[1],
                "Application 1 version": app[2],
                "Application 1 license expiry": "2026-06-30" if app[0] else "",
                "Business unit": rng.choice(["Finance", "HR", "Sales", "IT"]),
                "Business owner": rng.choice(["alice@contoso.com", "bob@contoso.com"]),
                "Business application name": rng.choice(_APPS),
                "Location": rng.choice(["Amsterdam DC1", "Dublin DC2"]),
            }
        )
        rows.append(row)
    units = {"Memory (In MB)": "MB", "Disk 1 size (In GB)": "GB"}
    priorities = {"Business application name": 1, "Application 1 name": 2}
    return Fixture("azure_migrate", headers, rows, expected, units, "azure_migrate", priorities)


_SN_CLASSES = ["Windows Server", "Linux Server", "Server", "Linux Server", "ESX Server"]
_SN_RAW_CLASSES = ["cmdb_ci_win_server", "cmdb_ci_linux_server", "cmdb_ci_server"]


def _servicenow_rows(rng: random.Random, raw: bool) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for i, host in enumerate(_hostnames(rng, 30)):
        windows = rng.random() < 0.5
        sockets = rng.choice([1, 2, 2, 4])
        used_for = rng.choice(["Production", "Production", "Development", "Test", "QA", "Staging"])
        rows.append(
            {
                "name": host,
                "class": rng.choice(_SN_RAW_CLASSES if raw else _SN_CLASSES),
                "os": rng.choice(["Windows 2016 Standard", "Windows 2019 Datacenter"])
                if windows
                else rng.choice(["Linux Red Hat", "Linux SuSE", "Linux CentOS"]),
                "os_version": "10.0.14393" if windows else rng.choice(["7.9", "12.5", "8.4"]),
                "os_service_pack": rng.choice(["", "SP1", ""]),
                "ip": _ip(rng, "10.44"),
                "mac": _mac(rng, "00:1b:21"),
                "serial": f"VMware-42 {rng.randrange(10, 99)} {rng.randrange(10, 99)} 7a 1b",
                "asset_tag": f"P{100000 + i}",
                "manufacturer": rng.choice(["VMware, Inc.", "Dell Inc.", "HPE"]),
                "model": rng.choice(
                    ["VMware Virtual Platform", "PowerEdge R740", "ProLiant DL380 Gen10"]
                ),
                "cpu_count": str(sockets),
                # Cores of each CPU, as ServiceNow Discovery records them.
                "cpu_core_count": str(rng.choice([4, 8, 12])),
                "cpu_speed": rng.choice(["2394", "2600", "3100"]),
                "cpu_type": rng.choice(
                    ["Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz", "GenuineIntel"]
                ),
                "ram": str(rng.choice([8192, 16384, 32768, 65536])),
                "disk_space": str(rng.choice([80, 120, 250, 500, 1200])),
                "location": rng.choice(["Amsterdam", "London", "New York"]),
                "assigned_to": rng.choice(_PEOPLE),
                "managed_by": rng.choice(_PEOPLE),
                "owned_by": rng.choice(_PEOPLE),
                "support_group": rng.choice(["Windows Server Support", "Linux Support"]),
                "environment": "",
                "used_for": used_for,
                "operational_status": ("1" if raw else "Operational")
                if i % 9
                else ("2" if raw else "Non-Operational"),
                "install_status": "1" if raw else "Installed",
                "sys_id": f"{rng.getrandbits(128):032x}",
                "fqdn": f"{host}.acme.com",
                "dns_domain": "acme.com",
                "business_criticality": rng.choice(
                    ["1 - most critical", "2 - somewhat critical", "3 - less critical"]
                ),
                "virtual": rng.choice(["true", "false"]),
                "department": rng.choice(["Finance", "IT Operations", "Sales"]),
                "company": "ACME North America",
                "short_description": rng.choice(["SAP application server", "", "File server"]),
                "updated": f"2024-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)} 10:22:13",
                "used_for_env": used_for.lower(),
            }
        )
        row = rows[-1]
        if row["class"] in ("ESX Server", "cmdb_ci_esx_server"):  # a hypervisor host
            row["virtual"] = "false"
        # Coherent hardware: a VM reports VMware's, a physical server its vendor's.
        if row["virtual"] == "true":
            row["manufacturer"], row["model"] = "VMware, Inc.", "VMware Virtual Platform"
        else:
            if row["model"] == "VMware Virtual Platform":
                row["manufacturer"], row["model"] = "Dell Inc.", "PowerEdge R740"
            row["serial"] = f"CZJ{row['asset_tag'][1:]}"
    return rows


def _servicenow_labels(rng: random.Random) -> Fixture:
    spec: list[tuple[str, str, str | None]] = [
        ("Name", "name", "name"),
        ("Class", "class", "asset_type"),
        ("Operating System", "os", "operating_system"),
        ("OS Version", "os_version", "os_version"),
        ("OS Service Pack", "os_service_pack", None),
        ("IP Address", "ip", "ip_address"),
        ("MAC Address", "mac", "mac_address"),
        ("Serial number", "serial", "serial_number"),
        ("Asset tag", "asset_tag", None),
        ("Manufacturer", "manufacturer", "manufacturer"),
        ("Model ID", "model", "model"),
        ("CPU count", "cpu_count", "cpu_sockets"),
        ("CPU core count", "cpu_core_count", "cpu_cores"),
        ("CPU speed (MHz)", "cpu_speed", None),
        ("CPU type", "cpu_type", None),
        ("RAM (MB)", "ram", "memory_gb"),
        ("Disk space (GB)", "disk_space", "storage_gb"),
        ("Location", "location", "location"),
        ("Assigned to", "assigned_to", None),
        ("Managed by", "managed_by", "technical_owner"),
        ("Owned by", "owned_by", "business_owner"),
        ("Support group", "support_group", None),
        # Mostly empty in real instances; "Used for" carries the environment, and the
        # "Environment" cells back it up.
        ("Environment", "environment", "environment"),
        ("Used for", "used_for", "environment"),
        ("Operational status", "operational_status", None),
        ("Install Status", "install_status", None),
        ("Sys ID", "sys_id", "external_id"),
        ("Fully qualified domain name", "fqdn", "fqdn"),
        ("DNS Domain", "dns_domain", None),
        ("Business criticality", "business_criticality", "criticality"),
        ("Virtual", "virtual", None),
        ("Department", "department", "business_unit"),
        ("Company", "company", None),
        ("Short description", "short_description", None),
        ("Updated", "updated", None),
    ]
    source = _servicenow_rows(rng, raw=False)
    rows = [{header: r[key] for header, key, _ in spec} for r in source]
    for i, row in enumerate(rows):
        if i % 6 == 0:
            row["Environment"] = source[i]["used_for"]
    expected = {header: target for header, _, target in spec}
    units = {"RAM (MB)": "MB", "Disk space (GB)": "GB", "CPU core count": "per socket"}
    return Fixture(
        "servicenow_labels", [h for h, _, _ in spec], rows, expected, units, "servicenow_cmdb",
        {"Used for": 1, "Environment": 2},
    )  # fmt: skip


def _servicenow_raw(rng: random.Random) -> Fixture:
    spec: list[tuple[str, str, str | None]] = [
        ("sys_id", "sys_id", "external_id"),
        ("name", "name", "name"),
        ("host_name", "name", "hostname"),
        ("sys_class_name", "class", "asset_type"),
        ("os", "os", "operating_system"),
        ("os_version", "os_version", "os_version"),
        ("ip_address", "ip", "ip_address"),
        ("mac_address", "mac", "mac_address"),
        ("serial_number", "serial", "serial_number"),
        ("manufacturer", "manufacturer", "manufacturer"),
        ("model_id", "model", "model"),
        ("cpu_count", "cpu_count", "cpu_sockets"),
        ("cpu_core_count", "cpu_core_count", "cpu_cores"),
        ("cpu_speed", "cpu_speed", None),
        ("ram", "ram", "memory_gb"),
        ("disk_space", "disk_space", "storage_gb"),
        ("location", "location", "location"),
        ("assigned_to", "assigned_to", None),
        ("managed_by", "managed_by", "technical_owner"),
        ("owned_by", "owned_by", "business_owner"),
        ("support_group", "support_group", None),
        # Both filled here: the field literally named environment wins; used_for backs it up.
        ("environment", "used_for_env", "environment"),
        ("used_for", "used_for", "environment"),
        ("operational_status", "operational_status", None),
        ("install_status", "install_status", None),
        ("fqdn", "fqdn", "fqdn"),
        ("dns_domain", "dns_domain", None),
        ("virtual", "virtual", None),
        ("department", "department", "business_unit"),
        ("company", "company", None),
        ("short_description", "short_description", None),
        ("u_application", "app", "application_name"),
        ("u_patch_group", "patch", None),
        ("sys_updated_on", "updated", None),
    ]
    source = _servicenow_rows(rng, raw=True)
    for r in source:
        r["app"] = rng.choice(_APPS)
        r["patch"] = rng.choice(["PG-Wed-Night", "PG-Sun-Early", "PG-Manual"])
    rows = [{header: r[key] for header, key, _ in spec} for r in source]
    expected = {header: target for header, _, target in spec}
    units = {"ram": "MB", "disk_space": "GB", "cpu_core_count": "per socket"}
    return Fixture(
        "servicenow_raw", [h for h, _, _ in spec], rows, expected, units, "servicenow_cmdb",
        {"environment": 1, "used_for": 2},
    )  # fmt: skip


FIXTURE_BUILDERS: list[Callable[[random.Random], Fixture]] = [
    _rvtools,
    _aws,
    _azure,
    _servicenow_labels,
    _servicenow_raw,
]
