"""The canonical field catalogue (asset-schema.md) and the words that name each field.

Weights are the confidence a header earns when it *is* that phrase (after normalisation).
Labels are the field's own name ("IP Address" for ``ip_address``): ``exact``. Everything
else is a synonym. Ambiguous words carry low weights and rely on the column's values to
confirm them (``Status`` is a power state only when its values are on/off).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from discovery.canonical import CANONICAL_FIELDS as CANONICAL_FIELDS
from discovery.mapping.normalize import normalize_header

FIELD_ORDER: Final[dict[str, int]] = {f: i for i, f in enumerate(CANONICAL_FIELDS)}


_LABELS: Final[dict[str, tuple[float, str]]] = {
    "name": (0.97, "name"),
    "hostname": (0.98, "hostname|host name"),
    "fqdn": (0.98, "fqdn"),
    "ip_address": (0.98, "ip address"),
    "mac_address": (0.98, "mac address"),
    "serial_number": (0.98, "serial number"),
    "external_id": (0.98, "external id"),
    "asset_type": (0.98, "asset type"),
    "operating_system": (0.98, "operating system"),
    "os_version": (0.98, "os version|operating system version"),
    "cpu_cores": (0.98, "cpu cores"),
    "cpu_sockets": (0.98, "cpu sockets"),
    "memory_gb": (0.97, "memory"),
    "storage_gb": (0.95, "storage"),
    "storage_used_gb": (0.97, "storage used"),
    "disk_count": (0.98, "disk count"),
    "nic_count": (0.98, "nic count"),
    "virtualization_platform": (0.98, "virtualization platform|virtualisation platform"),
    "power_state": (0.98, "power state"),
    "manufacturer": (0.98, "manufacturer"),
    "model": (0.96, "model"),
    "database_type": (0.98, "database type"),
    "database_version": (0.98, "database version"),
    "cpu_utilization_percent_max": (
        0.98,
        "cpu utilization percent max|cpu utilisation percent max",
    ),
    "memory_utilization_percent_max": (
        0.98,
        "memory utilization percent max|memory utilisation percent max",
    ),
    "environment": (0.98, "environment"),
    "datacenter": (0.98, "datacenter|data center"),
    "location": (0.97, "location"),
    "cluster": (0.97, "cluster"),
    # "Host" in a hand-made sheet is as often the server's own name as its hypervisor.
    "host": (0.9, "host"),
    "application_name": (0.98, "application name"),
    "business_owner": (0.98, "business owner"),
    "technical_owner": (0.98, "technical owner"),
    "business_unit": (0.98, "business unit"),
    "criticality": (0.98, "criticality"),
    "tags": (0.98, "tags"),
    "depends_on": (0.98, "depends on"),
}

_SYNONYMS: Final[dict[str, tuple[tuple[float, str], ...]]] = {
    "name": (
        (
            0.95,
            "server name|servername|vm name|vmname|virtual machine name|ci name|asset name"
            "|device name|machine name|display name|system name|node name|instance name"
            "|srv name|configuration item|configuration item name|object name|resource name"
            "|computer system name|name des servers",
        ),
        (0.9, "computer name|vm|virtual machine|ci|guest name|guest vm|vm guest"),
        (0.88, "server|srv|asset|device"),
        (0.8, "machine|system|node|computer|instance"),
    ),
    "hostname": (
        (
            0.95,
            "server hostname|computer hostname|guest hostname|vm hostname|short name"
            "|short hostname|netbios name|netbios|host name short|hostname short"
            "|machine hostname|os hostname|rechnername",
        ),
        (0.86, "computer name"),
        (0.8, "server|computer|dns hostname|dns host name"),
        (0.75, "host|dns name"),
    ),
    "fqdn": (
        (
            0.95,
            "fully qualified domain name|fully qualified name|fqdn name|hostname fqdn"
            "|host fqdn|full hostname|full host name|full qualified domain name"
            "|full computer name|dns fqdn",
        ),
        (0.9, "dns name|dns hostname|dns host name|guest dns name"),
    ),
    "ip_address": (
        (
            0.95,
            "ip|ip addr|ipaddr|ipv4|ipv4 address|primary ip|primary ip address|main ip"
            "|server ip|host ip|vm ip|mgmt ip|mgmt ip address|management ip"
            "|management ip address|ip adresse|ip adr|private ip|private ip address"
            "|internal ip|lan ip|primary ipv4|primary ipv4 address|guest ip|guest ip address"
            "|ip addresses|address ip",
        ),
        (0.85, "ipv6|ipv6 address|ip v6"),
        (0.75, "network address"),
        (0.6, "public ip|public ip address|address"),
    ),
    "mac_address": (
        (0.95, "mac|mac addr|macaddr|mac adresse|nic mac|primary mac|mac address primary"),
        (0.85, "hardware address|ethernet address|physical address"),
    ),
    "serial_number": (
        (
            0.95,
            "serial|serial no|serial num|serial nr|serialnumber|hardware serial|system serial"
            "|chassis serial|seriennummer|bios serial|bios serial number",
        ),
        # The SMBIOS UUID is what a VM reports as its hardware serial.
        (0.88, "bios uuid|smbios uuid|system uuid|bios id|smbios id|hardware uuid"),
        (0.9, "service tag|sn|s n|serial id"),
    ),
    "external_id": (
        (
            0.92,
            "sys id|sysid|ci id|cmdb id|cmdb ci id|asset id|record id|source id|inventory id"
            "|unique id|uid|uuid|vm uuid|instance uuid|moref|moref id|vm moref|vm id"
            "|object id|guid|system id|configuration item id|source key|source system id"
            "|correlation id|server id|device id|machine id|resource id|instance id",
        ),
        (0.85, "cmdb key"),
        (0.75, "id|key"),
        # An asset tag / number is an inventory label stuck on the box, not the source
        # system's own key: shown as an option, never picked on its own.
        (0.45, "asset tag|asset number|inventory number|asset no|inventory tag"),
    ),
    "asset_type": (
        (
            0.92,
            "ci type|ci class|sys class name|class name|device type|server type|machine type"
            "|system type|asset class|asset category|object type|resource type|server class"
            "|vm or physical|physical virtual|physical or virtual|virtual or physical"
            "|physical vm|vm physical|type of asset|node type|host type|ci category",
        ),
        (0.8, "type|class|category|asset kind"),
        (0.7, "kind|form factor"),
    ),
    "operating_system": (
        (
            0.93,
            "os|o s|os name|operating system name|guest os|guest operating system|os full name"
            "|os description|betriebssystem|server os|vm os|installed os|os caption"
            "|os product|guest os name|operating sys",
        ),
        # VMware's guestId ("rhel8_64Guest") identifies the guest OS.
        (0.85, "guest id|guest os id|guestid|guest os type"),
        (0.75, "os type|os family|os edition"),
        (0.65, "platform"),
    ),
    "os_version": (
        (0.92, "os ver|operating system ver|os release|os version number|os build number"),
        (0.75, "os build|os level|os service level"),
        (0.45, "version|release"),
    ),
    "cpu_cores": (
        (
            0.9,
            "cpu|cpus|vcpu|vcpus|num cpu|num cpus|number of cpus|cpu count|cores|core count"
            "|number of cores|num cores|total cores|cores total|virtual cpus|virtual processors"
            "|cpu qty|vcpu count|vcpu qty|cpu total|allocated cpu|cpu allocated|allocated vcpu"
            "|cpu core count|total cpu cores|logical cpus|logical processors|kerne|cpu kerne"
            "|anzahl cpu|processor cores|cpu core|num of cpus|cpu number",
        ),
        (0.85, "processors|num processors|number of processors|processor count|processor"),
    ),
    "cpu_sockets": (
        (
            0.92,
            "sockets|socket count|number of sockets|num sockets|cpu socket count"
            "|processor sockets|cpu socket|socket",
        ),
        (0.85, "physical cpus|physical processors|cpu packages|physical cpu"),
    ),
    "memory_gb": (
        (
            0.92,
            "ram|mem|memory size|ram size|total memory|total ram|memory total|ram total"
            "|installed memory|physical memory|allocated memory|configured memory"
            "|memory allocated|memory capacity|vm memory|server memory|memory configured"
            "|arbeitsspeicher|hauptspeicher|ram capacity|mem size|memory assigned"
            "|assigned memory|vram|vram allocated|allocated ram|vmem",
        ),
    ),
    "storage_gb": (
        (
            0.92,
            "disk size|disk space|total disk|total disk size|disk capacity|total storage"
            "|storage size|provisioned space|provisioned storage|storage capacity"
            "|allocated storage|allocated disk|disk total|hdd size|storage allocated"
            "|total disk capacity|provisioned disk|disk allocated|total disk space"
            "|speicherplatz|total storage capacity|disk provisioned|storage provisioned"
            "|provisioned capacity|allocated space|total hdd",
        ),
        (0.82, "disk|hdd|stg|provisioned|total capacity|volume size|drive size|festplatte"),
        (0.7, "capacity|disks size"),
        (0.6, "size"),
    ),
    "storage_used_gb": (
        (
            0.92,
            "used storage|used disk|disk used|used space|used disk space|storage usage"
            "|consumed storage|in use|used capacity|capacity used|disk space used"
            "|storage consumed|in use storage|used storage space|storage in use|disk in use"
            "|consumed disk|consumed space",
        ),
        (0.75, "disk usage|used"),
    ),
    "disk_count": (
        (
            0.92,
            "number of disks|num disks|disk qty|no of disks|disk number|number disks"
            "|virtual disks|num of disks|hard disk count|hdd count",
        ),
        (0.82, "disks"),
    ),
    "nic_count": (
        (
            0.92,
            "nics|number of nics|num nics|network adapters|number of network adapters"
            "|nic qty|network interfaces|number of network interfaces|interface count"
            "|network adapter count|num network adapters|vnics|network cards",
        ),
        (0.7, "nic"),
    ),
    "virtualization_platform": (
        (
            0.92,
            "hypervisor type|virtualization type|virtualisation type|virtualization technology"
            "|virtual platform|vm platform|hypervisor platform|virtualisierung"
            "|virtualization|virtualisation|hypervisor vendor",
        ),
        (0.86, "hypervisor"),
        (0.65, "platform"),
    ),
    "power_state": (
        (0.95, "powerstate|power status|vm power state|power"),
        (0.85, "running state|vm state|on off"),
        (0.7, "vm status"),
        (0.55, "state|status|run state"),
    ),
    "manufacturer": (
        (
            0.92,
            "make|system manufacturer|hardware manufacturer|hardware vendor|hw vendor"
            "|server vendor|hersteller|manufacturer name|brand",
        ),
        (0.85, "vendor|oem"),
    ),
    "model": (
        (0.93, "hardware model|hw model|server model|system model|model name|modell"),
        (0.85, "model number|product name"),
        (0.6, "product"),
    ),
    "database_type": (
        (
            0.92,
            "db type|dbms|db engine|database engine|rdbms|db platform|database platform"
            "|db product|database software|db vendor|database vendor|datenbank|database name",
        ),
        (0.8, "database|db|engine"),
    ),
    "database_version": (
        (0.93, "db version|dbms version|db engine version|database release|db release"),
        (0.85, "rdbms version|sql version|engine version|database engine version"),
    ),
    "cpu_utilization_percent_max": (
        (
            0.93,
            "cpu peak|peak cpu|cpu max|max cpu|cpu utilization max|max cpu utilization"
            "|cpu usage max|max cpu usage|cpu peak utilization|cpu util max|cpu max util"
            "|peak cpu usage|peak cpu utilization|cpu p95|cpu 95th percentile",
        ),
        (0.86, "cpu utilization|cpu utilisation|cpu usage|cpu util|cpu load|cpu busy"),
    ),
    "memory_utilization_percent_max": (
        (
            0.93,
            "memory peak|peak memory|memory max|max memory|memory utilization max"
            "|max memory utilization|memory usage max|max memory usage|mem util max"
            "|ram peak|peak ram|ram usage max|mem peak|mem max|ram max",
        ),
        (
            0.86,
            "memory utilization|memory utilisation|memory usage|mem util|mem usage"
            "|ram utilization|ram usage|ram util|memory load",
        ),
    ),
    "environment": (
        (
            0.93,
            "env|environ|environment type|env type|deployment environment|umgebung"
            "|lifecycle stage|environment name|system environment|landscape",
        ),
        (0.8, "used for|prod non prod|stage|lifecycle|life cycle|system landscape"),
        (0.55, "tier"),
    ),
    "datacenter": (
        (
            0.93,
            "data centre|datacentre|dc|dc name|datacenter name|data center name"
            "|rechenzentrum|vcenter datacenter",
        ),
        (0.7, "rz|facility"),
        (0.6, "site"),
    ),
    "location": (
        (
            0.92,
            "site|city|building|physical location|site name|location name|standort"
            "|server location|geo location|geolocation",
        ),
        (0.82, "region|country|office|campus|geography|geo"),
        (0.7, "facility|ort|room"),
    ),
    "cluster": (
        (0.95, "cluster name|vm cluster|esx cluster|compute cluster|vsphere cluster"),
        (0.85, "hypervisor cluster|db cluster|ha cluster"),
    ),
    "host": (
        (
            0.93,
            "esx host|esxi host|vm host|vmhost|hypervisor host|physical host|host server"
            "|esx server|esxi server|parent host|hyper v host|host machine|hyperv host"
            "|esx host name|esxi hostname|host system|runs on|running on|host node"
            "|virtual host|virtual host name|physical host name|host server name"
            "|parent host name|hypervisor name|hypervisor host name|vm host name",
        ),
        (0.85, "esx|esxi"),
        (0.6, "hypervisor"),
    ),
    "application_name": (
        (
            0.93,
            "application|app|app name|apps|applications|business application"
            "|application service|anwendung|applikation|workload name|app service"
            "|business app|application names",
        ),
        (0.88, "business service|workload"),
        (0.75, "service|service name|system name application"),
    ),
    "business_owner": (
        (
            0.92,
            "app owner|application owner|business contact|owned by|business owner name"
            "|system owner|service owner|budget owner|product owner|data owner"
            "|application manager|business responsible",
        ),
        (0.85, "owner|owner name|eigentumer|eigentuemer"),
        (0.7, "accountable|responsible"),
    ),
    "technical_owner": (
        (
            0.92,
            "tech owner|technical contact|tech contact|it owner|sysadmin|system administrator"
            "|support group|support team|managed by|technical lead|tech lead"
            "|technical responsible|support contact|it contact|technischer ansprechpartner"
            "|admin team|operations team|ops team|resolver group|assignment group",
        ),
        (0.82, "admin|administrator|server owner|responsible team|custodian|betreuer"),
        (0.7, "assigned to|contact|team|support|verantwortlicher"),
    ),
    "business_unit": (
        (
            0.92,
            "bu|department|dept|division|org unit|organizational unit|organisational unit"
            "|line of business|lob|abteilung|business area|business division",
        ),
        (0.7, "organization|organisation|segment"),
    ),
    "criticality": (
        (
            0.93,
            "business criticality|criticality level|importance|business impact|crit"
            "|kritikalitat|mission critical|service criticality|app criticality",
        ),
        (0.8, "service tier|critical|priority|service level|sla tier|schutzbedarf"),
        (0.65, "tier|impact|sla"),
    ),
    "tags": (
        (0.95, "tag|vm tags|resource tags|custom tags"),
        (0.85, "labels|label|keywords"),
    ),
    "depends_on": (
        (
            0.93,
            "dependencies|dependency|depends|upstream|upstream dependencies|connected to"
            "|talks to|connects to|communicates with|dependent on|relies on|depends upon"
            "|abhangigkeiten|abhaengigkeiten|dependent servers|dependent systems",
        ),
        (0.82, "related servers|related cis|linked servers|outbound connections"),
        (0.6, "integrations|interfaces"),
    ),
}

#: Words that qualify a field name without changing it ("Primary IP", "Total RAM").
NEUTRAL_WORDS: Final = frozenset(
    {
        "primary",
        "main",
        "total",
        "allocated",
        "configured",
        "assigned",
        "current",
        "server",
        "srv",
        "vm",
        "guest",
        "system",
        "machine",
        "device",
        "ci",
        "num",
        "number",
        "no",
        "nr",
        "qty",
        "hardware",
        "hw",
        "full",
        "installed",
        "reported",
        "actual",
        "overall",
        "size",
        "capacity",
        "amount",
        "name",
        "info",
        "detail",
        "details",
        "mgmt",
        "management",
        "local",
        "internal",
        "private",
        "lan",
        "u",
        "cmdb",
        "node",
        "computer",
    }
)

#: Words naming another instance of the same thing ("Secondary IP", "Backup IP"): still
#: plausible for the field, so they stay visible, but lose to an unqualified column.
ALTERNATE_WORDS: Final = frozenset(
    {
        "secondary",
        "backup",
        "alternate",
        "alt",
        "other",
        "additional",
        "extra",
        "old",
        "previous",
        "former",
        "prior",
        "new",
        "target",
        "destination",
        "dest",
        "future",
        "planned",
        "proposed",
        "recommended",
        "azure",
        "aws",
        "gcp",
        "cloud",
        "public",
        "nat",
        "vip",
    }
)

#: Words that turn a field name into a different thing ("Memory Reservation",
#: "Active Memory", "Disk Type", "IP Gateway").
DIFFERENT_WORDS: Final = frozenset(
    {
        "free",
        "available",
        "avail",
        "avg",
        "average",
        "mean",
        "min",
        "minimum",
        "max",
        "maximum",
        "peak",
        "used",
        "usage",
        "util",
        "utilization",
        "utilisation",
        "load",
        "active",
        "consumed",
        "reservation",
        "limit",
        "share",
        "shares",
        "overhead",
        "swap",
        "video",
        "graphics",
        "gpu",
        "cache",
        "buffer",
        "speed",
        "readiness",
        "throughput",
        "iops",
        "ops",
        "read",
        "reads",
        "write",
        "writes",
        "latency",
        "rate",
        "count",
        "type",
        "version",
        "ver",
        "id",
        "uuid",
        "guid",
        "date",
        "time",
        "timestamp",
        "expiry",
        "expiration",
        "warranty",
        "license",
        "licence",
        "cost",
        "price",
        "mask",
        "gateway",
        "subnet",
        "vlan",
        "architecture",
        "arch",
        "bitness",
        "family",
        "edition",
        "patch",
        "build",
        "kernel",
        "level",
        "description",
        "desc",
        "comment",
        "comments",
        "note",
        "notes",
        "status",
        "state",
        "policy",
        "dns",
        "domain",
        "wave",
        "group",
        "role",
        "function",
        "purpose",
        "rule",
        "path",
        "directory",
        "folder",
        "file",
        "hot",
        "add",
        "sp",
    }
)

#: Whole headers that name something outside the schema (kept as custom attributes).
NON_FIELD_PHRASES: Final = frozenset(
    {
        "notes",
        "note",
        "comment",
        "comments",
        "remark",
        "remarks",
        "description",
        "short description",
        "bemerkung",
        "kommentar",
        "gateway",
        "default gateway",
        "subnet",
        "subnet mask",
        "netmask",
        "vlan",
        "vlan id",
        "cores per socket",
        "core per socket",
        "cores per cpu",
        "core per cpu",
        "cores per processor",
        "cpu speed",
        "cpu type",
        "cpu model",
        "cpu name",
        "processor type",
        "processor speed",
        "processor model",
        "clock speed",
        "os architecture",
        "architecture",
        "bitness",
        "firmware",
        "firmware type",
        "boot type",
        "bios version",
        "domain",
        "dns domain",
        "ad domain",
        "workgroup",
        "cost center",
        "cost centre",
        "license",
        "decommission date",
        "install date",
        "purchase date",
        "warranty",
        "warranty expiration",
        "created",
        "updated",
        "last seen",
        "last updated",
        "last discovered",
        "created on",
        "updated on",
        "migration wave",
        "wave",
        "move group",
        "migration status",
        "migration strategy",
        "disposition",
        "target instance type",
        "folder",
        "resource pool",
        "template",
        "annotation",
        "network",
        "port group",
        "portgroup",
        "application tier",
        "app tier",
        "operational status",
        "install status",
        "company",
        "backup",
        "backup policy",
        "patch group",
        "monitoring",
        "antivirus",
        "dns server",
        "dns servers",
        "name server",
        "ntp server",
        "proxy server",
        "domain controller",
    }
)

#: Words that, anywhere in a header, name something outside the schema ("iLO IP").
NON_FIELD_WORDS: Final = frozenset(
    {
        "ilo",
        "idrac",
        "drac",
        "ipmi",
        "bmc",
        "oob",
        "console",
        "gateway",
        "subnet",
        "netmask",
        "vlan",
        "wwn",
        "wwpn",
        "snapshot",
        "warranty",
        "decommission",
        "decom",
        "license",
        "licence",
        "mhz",
        "ghz",
        "architecture",
        "firmware",
    }
)


@dataclass(frozen=True)
class Phrase:
    """One way of naming a field, normalised like a header."""

    target: str
    text: str
    weight: float
    is_label: bool
    tokens: tuple[str, ...]
    singular: tuple[str, ...]

    @property
    def compact(self) -> str:
        return "".join(self.tokens)

    @property
    def singular_compact(self) -> str:
        return "".join(self.singular)


def _phrases() -> tuple[Phrase, ...]:
    out: list[Phrase] = []
    for target in CANONICAL_FIELDS:
        weight, texts = _LABELS[target]
        groups: list[tuple[float, str, bool]] = [(weight, texts, True)]
        groups.extend((w, t, False) for w, t in _SYNONYMS.get(target, ()))
        for group_weight, group_texts, is_label in groups:
            for text in group_texts.split("|"):
                norm = normalize_header(text)
                out.append(Phrase(target, text, group_weight, is_label, norm.tokens, norm.singular))
    return tuple(out)


PHRASES: Final[tuple[Phrase, ...]] = _phrases()
