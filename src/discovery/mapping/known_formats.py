"""Exports we know by heart: RVTools vInfo, AWS Migration Hub import, Azure Migrate
import, ServiceNow CMDB server/computer lists.

A file is recognised by its characteristic headers (several *distinctive* ones must be
present, plus a fair share of the whole catalogue), then each known column is mapped as
the tool documents it. Several columns may name the same field in order of preference
(``OS according to the configuration file``, then ``... the VMware Tools``): the best one
that is actually filled becomes the field's primary column and the others its fallbacks,
in the same order, which cleansing reads where the primary cell is empty (see
``fallbacks``). A column listed as a *stand-in* only replaces a column the file lacks
(AWS logical cores for cores): it never backs up an empty cell. Columns the catalogue does
not know (RVTools custom attributes, ServiceNow ``u_`` fields) are matched like any
hand-made sheet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from discovery.mapping.normalize import NormalizedHeader, normalize_header


@dataclass(frozen=True)
class FormatColumn:
    """What a known export's column means; ``target=None``: no canonical field."""

    target: str | None
    confidence: float = 0.98
    unit: str | None = None
    note: str | None = None
    #: may back up another column of the same field, cell by cell
    fallback: bool = True


@dataclass(frozen=True)
class KnownFormat:
    name: str
    label: str
    columns: dict[str, FormatColumn]
    patterns: tuple[tuple[re.Pattern[str], FormatColumn], ...]
    distinctive: frozenset[str]
    min_distinctive: int

    def lookup(self, header: NormalizedHeader) -> FormatColumn | None:
        found = self.columns.get(header.key)
        if found is not None:
            return found
        for pattern, column in self.patterns:
            if pattern.fullmatch(header.key):
                return column
        return None


_Row = tuple[str, str | None, float] | tuple[str, str | None, float, str | None, str | None]


def _key(header: str) -> str:
    return normalize_header(header).key


def _build(
    name: str,
    label: str,
    rows: Sequence[_Row],
    unmapped: str,
    patterns: Sequence[tuple[str, FormatColumn]],
    distinctive: str,
    min_distinctive: int,
    stand_ins: str = "",
) -> KnownFormat:
    standing_in = {_key(h) for h in stand_ins.split("|") if h}
    columns: dict[str, FormatColumn] = {}
    for row in rows:
        headers, target, confidence = row[0], row[1], row[2]
        unit = row[3] if len(row) > 3 else None
        note = row[4] if len(row) > 4 else None
        for header in headers.split("|"):
            key = _key(header)
            columns[key] = FormatColumn(target, confidence, unit, note, key not in standing_in)
    for header in unmapped.split("|"):
        columns.setdefault(_key(header), FormatColumn(None, 0.95))
    return KnownFormat(
        name=name,
        label=label,
        columns=columns,
        patterns=tuple((re.compile(p), c) for p, c in patterns),
        distinctive=frozenset(_key(h) for h in distinctive.split("|")),
        min_distinctive=min_distinctive,
    )


RVTOOLS_VINFO: Final = _build(
    "rvtools_vinfo",
    "RVTools vInfo",
    (
        ("VM", "name", 1.0),
        ("Powerstate", "power_state", 0.99),
        ("DNS Name", "fqdn", 0.98),
        ("CPUs", "cpu_cores", 0.99),
        ("Memory", "memory_gb", 0.99, "MB", None),
        ("NICs", "nic_count", 0.99),
        ("Disks", "disk_count", 0.99),
        ("Provisioned MiB|Provisioned MB", "storage_gb", 0.98, "MB", None),
        ("Total disk capacity MiB|Total disk capacity MB", "storage_gb", 0.96, "MB", None),
        ("In Use MiB|In Use MB", "storage_used_gb", 0.98, "MB", None),
        ("Primary IP Address", "ip_address", 0.99),
        ("Datacenter", "datacenter", 0.99),
        ("Cluster", "cluster", 0.99),
        ("Host", "host", 0.99),
        # The configuration file's OS is there for every VM; the Tools' one only while the
        # VM runs with VMware Tools: it backs up an empty configuration-file cell.
        ("OS according to the configuration file", "operating_system", 0.99),
        ("OS according to the VMware Tools", "operating_system", 0.96),
        ("VM UUID", "external_id", 0.98),
        ("VM ID", "external_id", 0.95),
        # The SMBIOS UUID is what the guest reads as its BIOS serial: the VM's serial.
        ("SMBIOS UUID", "serial_number", 0.95),
    ),
    "Template|SRM Placeholder|Config status|Connection state|Guest state|Heartbeat"
    "|Consolidation Needed|PowerOn|Suspended To Memory|Suspend time|Suspend Interval"
    "|Creation date|Change Version|Overall Cpu Readiness|Active Memory|Fixed Passthru HotPlug"
    "|min Required EVC Mode Key|Latency Sensitivity|Op Notification Timeout|EnableUUID|CBT"
    "|Num Monitors|Video Ram KiB|Resource pool|Folder ID|Folder|vApp|DAS protection|FT State"
    "|FT Role|FT Latency|FT Bandwidth|FT Sec. Latency|Vm Failover In Progress|Unshared MiB"
    "|Unshared MB|HA Restart Priority|HA Isolation Response|HA VM Monitoring|Cluster rule(s)"
    "|Cluster rule name(s)|Boot Required|Boot delay|Boot retry delay|Boot retry enabled"
    "|Boot BIOS setup|Reboot PowerOff|EFI Secure boot|Firmware|HW version|HW upgrade status"
    "|HW upgrade policy|HW target|Path|Log directory|Snapshot directory|Suspend directory"
    "|Annotation|Backup status|Last backup|ClusterInvariantVMMId|Customization Info"
    "|Guest Detailed Data|VI SDK Server type|VI SDK API Version|VI SDK Server|VI SDK UUID"
    "|VM Version|Tools|Tools Version|Guest OS|vInfoUUID",
    (
        (r"network num \d+", FormatColumn(None, 0.95)),
        (r"vi sdk .*", FormatColumn(None, 0.95)),
    ),
    "Powerstate|Template|SRM Placeholder|Config status|Connection state|Guest state|Heartbeat"
    "|Consolidation Needed|OS according to the VMware Tools"
    "|OS according to the configuration file|VI SDK Server|VI SDK UUID|Provisioned MiB"
    "|In Use MiB|Unshared MiB|Total disk capacity MiB|Resource pool|DAS protection|FT State"
    "|HA Restart Priority|HW version|Video Ram KiB|Active Memory|Overall Cpu Readiness"
    "|VM UUID|SMBIOS UUID|Primary IP Address|Change Version|Suspend Interval",
    3,
)

AWS_MIGRATION_HUB: Final = _build(
    "aws_migration_hub",
    "AWS Migration Hub import",
    (
        ("ExternalId", "external_id", 0.99),
        ("VMware.MoRefId", "external_id", 0.93),
        ("ServerId", "external_id", 0.9),
        ("SMBiosId", "serial_number", 0.95),
        ("IPAddress", "ip_address", 0.99),
        ("MACAddress", "mac_address", 0.99),
        ("HostName", "hostname", 0.98),
        ("VMware.VMName", "name", 0.99),
        ("CPU.NumberOfProcessors", "cpu_sockets", 0.97),
        ("CPU.NumberOfCores", "cpu_cores", 0.98),
        # Threads, not cores: only when the file has no core count.
        ("CPU.NumberOfLogicalCores", "cpu_cores", 0.9),
        ("OS.Name", "operating_system", 0.99),
        ("OS.Version", "os_version", 0.99),
        ("RAM.TotalSizeInMB", "memory_gb", 0.99, "MB", None),
        ("CPU.UsagePct.Max", "cpu_utilization_percent_max", 0.99),
        ("CPU.UsagePct.Avg", "cpu_utilization_percent_max", 0.6, None, "average, not peak"),
        ("Applications", "application_name", 0.98),
        ("Tags", "tags", 0.99),
        ("ServerType", "asset_type", 0.97),
    ),
    # RAM.UsedSizeInMB.* are megabytes in use, not a percentage: custom attributes.
    "VMware.VCenterId|RAM.UsedSizeInMB.Avg|RAM.UsedSizeInMB.Max|ApplicationWave"
    "|DiskReadsPerSecondInKB.Avg|DiskWritesPerSecondInKB.Avg|DiskReadsPerSecondInKB.Max"
    "|DiskWritesPerSecondInKB.Max|DiskReadsOpsPerSecond.Avg|DiskWritesOpsPerSecond.Avg"
    "|DiskReadsOpsPerSecond.Max|DiskWritesOpsPerSecond.Max|NetworkReadsPerSecondInKB.Avg"
    "|NetworkWritesPerSecondInKB.Avg|NetworkReadsPerSecondInKB.Max"
    "|NetworkWritesPerSecondInKB.Max",
    (),
    "VMware.MoRefId|VMware.VCenterId|VMware.VMName|CPU.NumberOfProcessors|CPU.NumberOfCores"
    "|CPU.NumberOfLogicalCores|RAM.TotalSizeInMB|RAM.UsedSizeInMB.Avg|RAM.UsedSizeInMB.Max"
    "|CPU.UsagePct.Avg|CPU.UsagePct.Max|DiskReadsPerSecondInKB.Avg|DiskWritesOpsPerSecond.Max"
    "|NetworkReadsPerSecondInKB.Avg|NetworkWritesPerSecondInKB.Max|ApplicationWave|SMBiosId",
    2,
    stand_ins="CPU.NumberOfLogicalCores|CPU.UsagePct.Avg",
)

AZURE_MIGRATE: Final = _build(
    "azure_migrate",
    "Azure Migrate import",
    (
        ("Server name", "name", 0.99),
        ("IP addresses|IP address", "ip_address", 0.99),
        ("Cores", "cpu_cores", 0.99),
        ("Memory (In MB)", "memory_gb", 0.99, "MB", None),
        ("OS name", "operating_system", 0.99),
        ("OS version", "os_version", 0.99),
        ("Number of disks", "disk_count", 0.98),
        # The template has no total: the first disk stands in, with lower confidence.
        ("Disk 1 size (In GB)", "storage_gb", 0.75, "GB", "first disk only"),
        ("Number of network adapters", "nic_count", 0.98),
        ("VM ID|Virtual machine ID", "external_id", 0.97),
        ("Custom server ID", "external_id", 0.9),
        ("VM host", "host", 0.98),
        ("MAC address", "mac_address", 0.99),
        # BIOS ID is the SMBIOS UUID: the machine's serial, not the import's key.
        ("BIOS ID", "serial_number", 0.95),
        ("FQDN", "fqdn", 0.99),
        ("CPU utilization percentage", "cpu_utilization_percent_max", 0.98),
        ("Memory utilization percentage", "memory_utilization_percent_max", 0.98),
        ("Server type", "asset_type", 0.97),
        ("Hypervisor", "virtualization_platform", 0.97),
        ("Business application name", "application_name", 0.95),
        ("Application 1 name", "application_name", 0.9),
        ("Business unit", "business_unit", 0.98),
        ("Business owner", "business_owner", 0.98),
        ("Location", "location", 0.95),
    ),
    "OS architecture|Network In throughput|Network Out throughput|Boot type|Firmware type"
    "|Hypervisor version number|Virtual machine manager ID|Total disks read ops"
    "|Total disks write ops|Total disks read throughput|Total disks write throughput"
    "|Groups|Server decommission date",
    (
        (r"disk \d+ size", FormatColumn(None, 0.95)),
        (r"disk \d+ (read|write) .*", FormatColumn(None, 0.95)),
        (r"application \d+ .*", FormatColumn(None, 0.95)),
    ),
    "Number of network adapters|Network In throughput|Network Out throughput"
    "|Virtual machine manager ID|Hypervisor version number|Memory utilization percentage"
    "|CPU utilization percentage|OS architecture|Boot type|BIOS ID|VM host|Number of disks"
    "|Disk 1 size (In GB)|Disk 1 read throughput (MB per second)|Custom server ID"
    "|Business application name|Server decommission date",
    3,
)

SERVICENOW_CMDB: Final = _build(
    "servicenow_cmdb",
    "ServiceNow CMDB",
    (
        ("Name|name", "name", 0.99),
        ("Class|sys_class_name", "asset_type", 0.98),
        ("Operating System|os", "operating_system", 0.98),
        ("OS Version|os_version", "os_version", 0.98),
        ("IP Address|ip_address", "ip_address", 0.99),
        ("MAC Address|mac_address", "mac_address", 0.99),
        ("Serial number|serial_number", "serial_number", 0.99),
        ("Manufacturer|manufacturer", "manufacturer", 0.98),
        ("Model ID|model_id", "model", 0.97),
        ("Model number|model_number", "model", 0.9),
        # cpu_count is the number of CPUs (sockets); cpu_core_count the cores of each CPU
        # (Discovery fills it from the OS's cores per socket), so cleansing multiplies.
        ("CPU count|cpu_count", "cpu_sockets", 0.95),
        ("CPU core count|cpu_core_count", "cpu_cores", 0.98, "per socket", None),
        ("RAM (MB)|ram", "memory_gb", 0.98, "MB", None),
        ("Disk space (GB)|disk_space", "storage_gb", 0.97, "GB", None),
        ("Location|location", "location", 0.97),
        ("Managed by|managed_by", "technical_owner", 0.95),
        # A team, not a person: stands in for a missing "Managed by" column only.
        ("Support group|support_group", "technical_owner", 0.9),
        ("Owned by|owned_by", "business_owner", 0.95),
        ("Environment|environment", "environment", 0.97),
        ("Used for|used_for", "environment", 0.95),
        ("Sys ID|sys_id", "external_id", 0.99),
        ("Fully qualified domain name|fqdn", "fqdn", 0.99),
        ("Host name|host_name", "hostname", 0.97),
        ("Business criticality|business_criticality", "criticality", 0.97),
        ("Department|department", "business_unit", 0.95),
    ),
    "OS Service Pack|os_service_pack|OS Address Width (bits)|os_address_width|OS Domain"
    "|os_domain|Asset tag|asset_tag|CPU core thread|cpu_core_thread|CPU speed (MHz)|cpu_speed"
    "|CPU type|cpu_type|CPU manufacturer|cpu_manufacturer|CPU name|cpu_name|Assigned to"
    "|assigned_to|Operational status|operational_status|Install Status|install_status"
    "|DNS Domain|dns_domain|Virtual|virtual|Company|company|Cost center|cost_center"
    "|Short description|short_description|Description|description|Comments|comments"
    "|Category|category|Subcategory|subcategory|Domain|sys_domain|Updated|sys_updated_on"
    "|Created|sys_created_on|Discovery source|discovery_source|Most recent discovery"
    "|last_discovered|Warranty expiration|warranty_expiration|Vendor|vendor|Firmware version"
    "|firmware_version|Chassis type|chassis_type|Form factor|form_factor|Default gateway"
    "|default_gateway|Monitor|monitor|Purchased|purchase_date|Asset|asset|Classification"
    "|classification|Attributes|attributes|Updated by|sys_updated_by|Created by"
    "|sys_created_by|Fault count|fault_count|Object ID|object_id|Correlation ID"
    "|correlation_id|Skip sync|skip_sync|Start date|start_date|Checked out|checked_out"
    "|Due|due|Order received|order_date|Lease contract|lease_id|Hardware status"
    "|hardware_status|Hardware substatus|hardware_substatus|Duplicate of|duplicate_of"
    "|Maintenance schedule|maintenance_schedule|Change control|change_control"
    "|Approval group|change_control",
    (),
    "Sys ID|sys_class_name|cpu_core_count|CPU core count|Install Status|Operational status"
    "|Used for|Managed by|Owned by|Model ID|DNS Domain|Short description|OS Service Pack"
    "|OS Address Width (bits)|Most recent discovery|Discovery source",
    3,
    stand_ins="Support group|support_group",
)

KNOWN_FORMATS: Final = (RVTOOLS_VINFO, AWS_MIGRATION_HUB, AZURE_MIGRATE, SERVICENOW_CMDB)


def detect_format(headers: Sequence[NormalizedHeader]) -> KnownFormat | None:
    """The known export these headers come from, if the signature is clear."""
    keys = [h.key for h in headers]
    best: tuple[int, int, KnownFormat] | None = None
    for fmt in KNOWN_FORMATS:
        distinctive = len({k for k in keys if k in fmt.distinctive})
        known = sum(1 for h in headers if fmt.lookup(h) is not None)
        if distinctive < fmt.min_distinctive or known < 0.3 * len(headers):
            continue
        if best is None or (distinctive, known) > (best[0], best[1]):
            best = (distinctive, known, fmt)
    return best[2] if best else None
