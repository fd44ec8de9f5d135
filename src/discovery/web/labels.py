"""Words for people: each canonical field's label and what it holds, phase names.

The field names stay the contract (API, exports); pages show these beside them.
"""

from __future__ import annotations

from typing import Final

from discovery.flows.models import Phase

FIELD_TEXT: Final[dict[str, tuple[str, str]]] = {
    "name": ("Name", "The asset's display name (VM, CI or server name); the hostname if absent."),
    "hostname": ("Hostname", "The machine's own short host name, lower-case, without domain."),
    "fqdn": ("FQDN", "The fully-qualified DNS name, when the source has one."),
    "ip_address": ("IP address", "The primary IPv4 or IPv6 address."),
    "mac_address": ("MAC address", "The network card's hardware address."),
    "serial_number": ("Serial number", "The hardware or VM serial."),
    "external_id": ("Source system ID", "The source tool's own key (sys_id, MoRef, UUID…)."),
    "asset_type": ("Asset type", "Server, virtual machine, database, network device…"),
    "operating_system": ("Operating system", "The OS name as reported."),
    "os_version": ("OS version", "The OS version, when given in its own column."),
    "cpu_cores": ("CPU cores", "Total cores or vCPUs."),
    "cpu_sockets": ("CPU sockets", "Physical processor sockets."),
    "memory_gb": ("Memory (GB)", "RAM, converted to GB from the column's unit."),
    "storage_gb": ("Storage (GB)", "Provisioned or total storage, in GB."),
    "storage_used_gb": ("Storage used (GB)", "Storage in use, in GB."),
    "disk_count": ("Disk count", "Number of disks."),
    "nic_count": ("Network card count", "Number of network interfaces."),
    "virtualization_platform": ("Virtualization", "VMware, Hyper-V, KVM, Nutanix, physical…"),
    "power_state": ("Power state", "On, off or suspended."),
    "manufacturer": ("Manufacturer", "Hardware vendor."),
    "model": ("Model", "Hardware model."),
    "database_type": ("Database type", "Oracle, SQL Server, PostgreSQL, MySQL…"),
    "database_version": ("Database version", "The database engine's version."),
    "cpu_utilization_percent_max": ("Peak CPU use (%)", "Highest CPU utilisation, 0 to 100."),
    "memory_utilization_percent_max": ("Peak memory use (%)", "Highest memory use, 0 to 100."),
    "environment": ("Environment", "Production, staging, test, development or DR."),
    "datacenter": ("Data centre", "The data centre the asset runs in."),
    "location": ("Location", "Site, city or region."),
    "cluster": ("Cluster", "The hypervisor or database cluster."),
    "host": ("Hypervisor host", "The physical host a VM runs on (not the VM's own hostname)."),
    "application_name": ("Application", "The application(s) the asset serves."),
    "business_owner": ("Business owner", "Who owns the asset on the business side."),
    "technical_owner": ("Technical owner", "Who runs the asset day to day."),
    "business_unit": ("Business unit", "The business unit or department."),
    "criticality": ("Criticality", "Low, medium, high or critical."),
    "tags": ("Tags", "Free labels, as a list."),
    "depends_on": ("Depends on", "Names, hostnames or IPs this asset depends on."),
}

PHASE_NAMES: Final[dict[str, str]] = {
    Phase.DATA_IMPORT.value: "Data import",
    Phase.FIELD_MAPPING.value: "Field mapping",
    Phase.DATA_CLEANSING.value: "Data cleansing",
    Phase.ASSET_INVENTORY.value: "Asset inventory",
    Phase.DEPENDENCY_ANALYSIS.value: "Dependency analysis",
    Phase.TECH_DEBT_ASSESSMENT.value: "Tech-debt assessment",
}


#: The import counters of the flow page (``flows.summary.COUNTERS``), in words.
COUNTER_LABELS: Final[dict[str, str]] = {
    "total_rows": "Rows in the file",
    "blank_rows_skipped": "Blank rows skipped",
    "valid_rows": "Valid rows",
    "invalid_rows": "Invalid rows",
    "processed_rows": "Rows processed",
    "column_count": "Columns",
    "file_size_bytes": "File size",
}


def counter_label(name: str) -> str:
    """``blank_rows_skipped`` -> ``Blank rows skipped``."""
    return COUNTER_LABELS.get(name, name.replace("_", " ").capitalize())


def file_size(size: int | None) -> str:
    """``421`` -> ``421 bytes``, ``1536`` -> ``1.5 KB``, ``5242880`` -> ``5.0 MB``."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size:,} byte{'s' if size != 1 else ''}"
    shown = float(size)
    for unit in ("KB", "MB", "GB"):
        shown /= 1024
        if shown < 1024 or unit == "GB":
            break
    return f"{shown:,.1f} {unit}"


def counter_value(name: str, value: int | None) -> str:
    """A counter as the flow page shows it: sizes in KB/MB, counts with thousands separators."""
    if value is None:
        return ""
    return file_size(value) if name == "file_size_bytes" else f"{value:,}"


def field_label(field: str) -> str:
    """``operating_system`` -> ``Operating system``; an unknown name is shown as it is."""
    known = FIELD_TEXT.get(field)
    return known[0] if known else field


def field_description(field: str) -> str:
    known = FIELD_TEXT.get(field)
    return known[1] if known else ""


def phase_name(phase: str | None) -> str:
    """``data_import`` -> ``Data import``."""
    if not phase:
        return ""
    return PHASE_NAMES.get(phase, phase.replace("_", " ").capitalize())
