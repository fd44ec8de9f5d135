"""Classifying a cleansed row into an ``asset_type``.

An explicit type column (already normalised by cleansing into ``asset_type``) wins, but
an explicit ``server`` with virtualisation evidence (``virtualization_platform``, which
cleansing derives from ``virtual``/``IsPhysical``/``Server type`` columns, VM ids and
the guest's hardware, or a virtual machine's vendor and model) is a ``virtual_machine``:
CMDBs file VMs as servers and say so in another column. Load balancers, appliances,
databases and containers keep their own type even when virtual. Then
signals, strongest first: a hypervisor export, database engine columns, the vendor and
model of appliances, virtualization columns, an operating system, and last the host-name
conventions people use (``-db-``, ``-fw-``, ``lb``…). A row with none of these but an
identity is a ``server`` (virtualization unknown), per the schema's definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from discovery.canonical import AssetType

HYPERVISOR_EXPORTS = frozenset({"rvtools_vinfo"})

# (pattern over "manufacturer model", type); first match wins, so specific before generic.
_VENDOR_RULES: tuple[tuple[re.Pattern[str], AssetType], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), asset_type)
    for pattern, asset_type in (
        (r"\b(ucs[a-z]?|proliant|poweredge|thinksystem|system x|primergy)\b", AssetType.SERVER),
        (r"\b(palo ?alto|fortinet|fortigate|check ?point|sonicwall|asa ?\d|firepower|"
         r"juniper srx|srx\d)", AssetType.SECURITY_GROUP),
        (r"\b(f5|big-?ip|netscaler|citrix adc|a10|kemp|avi ?networks|load ?balancer)\b",
         AssetType.LOAD_BALANCER),
        (r"\b(netapp|pure ?storage|flasharray|emc|isilon|powerstore|powermax|unity|3par|"
         r"nimble|hitachi vsp|storwize|data ?domain|compellent)\b", AssetType.STORAGE),
        (r"\b(cisco|juniper|arista|extreme networks|aruba|brocade|mellanox|catalyst|nexus|"
         r"switch|router)\b", AssetType.NETWORK),
    )
)  # fmt: skip

_VIRTUAL_HINTS = re.compile(
    r"vmware virtual|virtual machine|virtualbox|\bkvm\b|hvm domu|amazon ec2|google compute|"
    r"openstack nova|qemu|xen|hyper-v|parallels",
    re.IGNORECASE,
)

_HOSTNAME_RULES: tuple[tuple[frozenset[str], AssetType], ...] = (
    (frozenset({"fw", "fwl", "firewall", "pan", "asa"}), AssetType.SECURITY_GROUP),
    (frozenset({"lb", "f5", "ltm", "gtm", "vip", "haproxy", "nlb"}), AssetType.LOAD_BALANCER),
    (frozenset({"sw", "swi", "switch", "rtr", "router", "core", "agg", "tor"}), AssetType.NETWORK),
    (frozenset({"nas", "san", "stor", "filer", "netapp"}), AssetType.STORAGE),
    (
        frozenset({"db", "sql", "ora", "oracle", "pg", "pgsql", "mysql", "mongo", "dbs"}),
        AssetType.DATABASE,
    ),
    (frozenset({"k8s", "kube", "docker", "ctr", "pod"}), AssetType.CONTAINER),
)


def _text(data: Mapping[str, object], field: str) -> str:
    value = data.get(field)
    return value if isinstance(value, str) else ""


def _hostname_tokens(data: Mapping[str, object]) -> set[str]:
    host = _text(data, "hostname") or _text(data, "name") or _text(data, "fqdn").split(".")[0]
    tokens = set(re.split(r"[^a-z0-9]+", host.lower()))
    # Also the alphabetic runs inside a token: "prddb01" -> "prddb", "db" is not split
    # reliably, so only leading and trailing letter groups are considered.
    for token in list(tokens):
        match = re.match(r"^([a-z]+)\d+$", token)
        if match:
            tokens.add(match.group(1))
    return {token for token in tokens if token}


def _virtual_evidence(data: Mapping[str, object]) -> bool:
    platform = _text(data, "virtualization_platform").lower()
    if platform:
        return platform != "physical"
    vendor = f"{_text(data, 'manufacturer')} {_text(data, 'model')}".strip()
    return bool(vendor and _VIRTUAL_HINTS.search(vendor))


def classify(data: Mapping[str, object], detected_format: str | None = None) -> AssetType:
    """The asset type of one cleansed row."""
    explicit = _text(data, "asset_type")
    if explicit:
        asset_type = AssetType(explicit)
        if asset_type is AssetType.SERVER and (
            detected_format in HYPERVISOR_EXPORTS or _virtual_evidence(data)
        ):
            return AssetType.VIRTUAL_MACHINE
        return asset_type
    if detected_format in HYPERVISOR_EXPORTS:
        return AssetType.VIRTUAL_MACHINE
    if _text(data, "database_type"):
        return AssetType.DATABASE
    vendor = f"{_text(data, 'manufacturer')} {_text(data, 'model')}".strip()
    platform = _text(data, "virtualization_platform")
    # A row that says it is physical is, whatever hardware hint it also carries.
    stated_physical = platform.lower() == "physical"
    virtual_vendor = bool(vendor and not stated_physical and _VIRTUAL_HINTS.search(vendor))
    if vendor and not virtual_vendor:
        for pattern, asset_type in _VENDOR_RULES:
            if pattern.search(vendor):
                return asset_type
    if virtual_vendor or (platform and platform.lower() != "physical") or _text(data, "host"):
        return AssetType.VIRTUAL_MACHINE
    if platform.lower() == "physical":
        return AssetType.SERVER
    if not _text(data, "operating_system"):
        tokens = _hostname_tokens(data)
        for names, asset_type in _HOSTNAME_RULES:
            if tokens & names:
                return asset_type
    if any(_text(data, field) for field in ("operating_system", "hostname", "fqdn", "ip_address",
                                             "name", "serial_number", "external_id")):  # fmt: skip
        return AssetType.SERVER
    return AssetType.OTHER


#: The identifiers :func:`classify` reads: only whether one is there, and the host name.
_IDENTIFIERS = ("operating_system", "hostname", "fqdn", "ip_address", "name", "serial_number",
                "external_id")  # fmt: skip
#: The other fields it reads, as they are.
CLASSIFIED_FIELDS = (
    "asset_type", "database_type", "manufacturer", "model", "virtualization_platform", "host",
    "operating_system",
)  # fmt: skip


def host_text(data: Mapping[str, object]) -> str:
    """The text the host-name conventions are read from."""
    return _text(data, "hostname") or _text(data, "name") or _text(data, "fqdn").split(".")[0]


def reduced(fields: tuple[object, ...], host: str, identified: bool) -> dict[str, object]:
    """A row that :func:`classify` classifies as the one it stands for: the values of
    :data:`CLASSIFIED_FIELDS`, the row's :func:`host_text` (needed only when it has no
    operating system) and whether it has any identifier.

    Rows with the same of these are classified alike, so a column of rows is classified
    once per distinct combination."""
    data = dict(zip(CLASSIFIED_FIELDS, fields, strict=True))
    data["hostname"] = host
    data["serial_number"] = "x" if identified else None
    return data


def identified(data: Mapping[str, object]) -> bool:
    """Whether the row has any of the identifiers :func:`classify` looks for."""
    return any(_text(data, field) for field in _IDENTIFIERS)
