"""Virtualisation evidence: what a row says about being a virtual or a physical machine.

Exports say it in columns no canonical field is mapped from, each in its own way:

* a flag: ServiceNow ``virtual`` (``true``/``false``), a spreadsheet's ``Virtual?``
  (``Y``/``N``), ``Is Virtual``; or its inverse, Google Migration Center's ``IsPhysical``
  (``1``/``0``);
* a kind: ``Server type``/``Machine type`` holding ``Virtual``, ``VM`` or ``Physical``;
* a hypervisor: ``Hypervisor``/``Virtualization`` naming VMware, Hyper-V, KVM…;
* a hypervisor's own id of the machine, present only on VMs: ``VM UUID``, ``MoRef``,
  AWS's ``VMware.MoRefId``/``VMware.VCenterId``/``VMware.VMName``;
* the hardware the guest sees: manufacturer ``VMware, Inc.`` with model
  ``VMware Virtual Platform``, ``Microsoft Corporation`` ``Virtual Machine``, QEMU, Xen…
  (physical vendors' models, PowerEdge or ProLiant, say physical).

Columns are recognised by their header (case and punctuation folded), whether mapped or
not, and read from the raw row; the hardware from the cleansed ``manufacturer`` and
``model``. The result is recorded as ``virtualization_platform`` (``VMware``,
``Hyper-V``…, ``virtual`` when the platform is unknown, ``physical``) unless a column
mapped to that field already gave it. The hardware decides first (a CMDB's ``virtual``
flag is often wrong, ``VMware Virtual Platform`` never is), then what the export states
in its flag, kind and hypervisor columns, then what its VM ids imply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Final, Literal

from .enums import platform_of
from .text import clean_raw

VIRTUAL: Final = "virtual"
PHYSICAL: Final = "physical"

Kind = Literal["virtual_flag", "physical_flag", "kind", "hypervisor", "vm_id"]


def header_key(header: str) -> str:
    """``VMware.MoRefId`` → ``vmware morefid``; ``Virtual?`` → ``virtual``."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


_COLUMNS: Final[dict[str, tuple[Kind, str | None]]] = {
    **{
        key: ("virtual_flag", None)
        for key in (
            "virtual", "is virtual", "isvirtual", "virtualized", "virtualised",
            "is virtualized", "is virtualised", "virtual machine", "is vm", "isvm",
            "virtual server", "virtual y n", "vm y n",
        )
    },
    **{
        key: ("physical_flag", None)
        for key in ("physical", "is physical", "isphysical", "physical y n", "is physical machine")
    },
    **{
        key: ("kind", None)
        for key in (
            "server type", "machine type", "host type", "system type", "hardware type",
            "physical virtual", "virtual physical", "vm or physical", "physical or virtual",
            "form factor", "deployment type", "platform type", "servertype", "machinetype",
        )
    },
    **{
        key: ("hypervisor", None)
        for key in (
            "hypervisor", "hypervisor type", "hypervisor vendor", "virtualization",
            "virtualisation", "virtualization type", "virtualisation type",
            "virtualization platform", "virtualisation platform", "virtualization technology",
        )
    },
    **{
        key: ("vm_id", "VMware")
        for key in (
            "vm uuid", "vmuuid", "moref", "moref id", "morefid", "vm moref", "vmware morefid",
            "vmware moref id", "vmware vcenterid", "vmware vcenter id", "vmware vmname",
            "vmware vm name", "vcenter id", "vcenter uuid", "vi sdk uuid", "vm instance uuid",
            "instance uuid",
        )
    },
    **{key: ("vm_id", "Hyper-V") for key in ("hyper v vm id", "hyperv vm id")},
    # A hypervisor's id of the machine, platform unknown (Azure Migrate's import template
    # has "Virtual Machine ID" and "Virtual Machine Manager ID", empty for physical servers).
    **{
        key: ("vm_id", None)
        for key in (
            "vm id", "virtual machine id", "virtual machine manager id", "vm manager id",
            "vmm id", "vmm server id", "hypervisor id", "vm guid",
        )
    },
}  # fmt: skip

_TRUE: Final = frozenset({"true", "yes", "y", "1", "t", "x", "on", "ja", "oui", "si", "sí"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "f", "off", "nein", "non"})

_KIND_VIRTUAL: Final = re.compile(
    r"\b(virtual|virtualized|virtualised|vm|vms|guest|vmware|hyper-?v|kvm|xen|lpar|ldom|"
    r"zone|cloud instance|ec2|iaas)\b",
    re.IGNORECASE,
)
_KIND_PHYSICAL: Final = re.compile(
    r"\b(physical|bare[- ]?metal|hardware|standalone|blade|rack ?mount|tower)\b", re.IGNORECASE
)

# What the guest's hardware reports ("manufacturer model"), with the platform it names.
_VIRTUAL_HARDWARE: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), platform)
    for pattern, platform in (
        (r"\bvmware\b", "VMware"),
        (r"\bmicrosoft\b.*\bvirtual machine\b|\bhyper-?v\b", "Hyper-V"),
        (r"\bvirtualbox\b|\binnotek\b", "VirtualBox"),
        (r"\bnutanix\b|\bahv\b", "Nutanix AHV"),
        (r"\bqemu\b|\bkvm\b|\bred hat\b.*\b(kvm|virt)|\bovirt\b|\bstandard pc\b", "KVM"),
        (r"\bxen\b|\bhvm domu\b", "Xen"),
        (r"\bparallels\b", "Parallels"),
        (r"\bamazon ec2\b", "AWS EC2"),
        (r"\bgoogle compute engine\b", "Google Compute Engine"),
        (r"\bopenstack\b", "OpenStack"),
        (r"\bvirtual machine\b|\bvirtual platform\b", VIRTUAL),
    )
)
_PHYSICAL_HARDWARE: Final = re.compile(
    r"\b(poweredge|proliant|thinksystem|system x|primergy|ucs[a-z]?|precision|optiplex|"
    r"thinkcentre|elitedesk|synergy|superserver|power ?systems|sparc)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EvidenceColumn:
    source: str
    kind: Kind
    platform: str | None


def evidence_columns(
    columns: Iterable[str], type_columns: Iterable[str] = ()
) -> tuple[EvidenceColumn, ...]:
    """The columns of a file that say something about virtualisation.

    ``type_columns`` (those mapped to ``asset_type``) are read as kinds too: the type
    normaliser turns ``VM`` and ``Physical`` alike into a machine type, so their words
    are evidence of their own (AWS's ``ServerType``).
    """
    found: list[EvidenceColumn] = []
    typed = set(type_columns)
    for column in columns:
        entry = _COLUMNS.get(header_key(column))
        if entry is not None:
            found.append(EvidenceColumn(column, entry[0], entry[1]))
        elif column in typed:
            found.append(EvidenceColumn(column, "kind", None))
    return tuple(found)


def _flag(value: str) -> bool | None:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _from_column(column: EvidenceColumn, value: str) -> str | None:
    """``VIRTUAL``, ``PHYSICAL``, a platform name, or ``None`` for no evidence."""
    if column.kind == "vm_id":
        return column.platform or VIRTUAL
    if column.kind in ("virtual_flag", "physical_flag"):
        flag = _flag(value)
        if flag is None:
            platform = platform_of(value)
            return platform if column.kind == "virtual_flag" else None
        virtual = flag if column.kind == "virtual_flag" else not flag
        return VIRTUAL if virtual else PHYSICAL
    if column.kind == "hypervisor":
        if _KIND_PHYSICAL.search(value) or value.strip().lower() in _FALSE | {"none"}:
            return PHYSICAL
        return platform_of(value) or VIRTUAL
    # "kind": only the words that say virtual or physical count ("Web server" says nothing).
    if _KIND_PHYSICAL.search(value):
        return PHYSICAL
    if _KIND_VIRTUAL.search(value):
        return platform_of(value) or VIRTUAL
    return None


def platform_word(value: str) -> str | None:
    """``virtual``/``physical`` for a yes/no or bare-metal cell of a platform column."""
    flag = _flag(value)
    if flag is not None:
        return VIRTUAL if flag else PHYSICAL
    if _KIND_PHYSICAL.fullmatch(value.strip()):
        return PHYSICAL
    return None


#: A VMware guest's SMBIOS serial number (``VMware-42 1a 6f …``).
_VMWARE_SERIAL: Final = re.compile(r"^vmware-[0-9a-f]{2}\s", re.IGNORECASE)


def hardware_evidence(manufacturer: object, model: object, serial: object = None) -> str | None:
    """What the reported hardware says: a platform, ``VIRTUAL``, ``PHYSICAL`` or ``None``.

    The model decides (``VMware Virtual Platform``, ``PowerEdge R740``); the manufacturer
    alone only when the model is empty or agrees; a VMware serial number says VMware. A
    manufacturer and a model that contradict each other say nothing.
    """
    if isinstance(serial, str) and _VMWARE_SERIAL.match(serial):
        return "VMware"
    make = manufacturer if isinstance(manufacturer, str) else ""
    kind = model if isinstance(model, str) else ""
    if not (make or kind):
        return None
    found_model = _hardware(kind) if kind else None
    found_make = _hardware(make) if make else None
    if None not in (found_model, found_make) and (found_make == PHYSICAL) != (
        found_model == PHYSICAL
    ):
        return None  # "VMware, Inc." with "PowerEdge R740": contradictory
    # Together they may name the platform ("Microsoft Corporation" "Virtual Machine").
    return _hardware(f"{make} {kind}")


def _hardware(text: str) -> str | None:
    for pattern, platform in _VIRTUAL_HARDWARE:
        if pattern.search(text):
            return platform
    if _PHYSICAL_HARDWARE.search(text):
        return PHYSICAL
    return None


def _combine(findings: list[str]) -> str | None:
    """A platform beats a bare ``virtual``, which beats ``physical``."""
    platforms = [f for f in findings if f not in (VIRTUAL, PHYSICAL)]
    if platforms:
        return platforms[0]
    if VIRTUAL in findings:
        return VIRTUAL
    if PHYSICAL in findings:
        return PHYSICAL
    return None


def column_finding(column: EvidenceColumn, raw: object) -> str | None:
    """What one raw cell of an evidence column says (see :func:`_from_column`)."""
    value = clean_raw(raw) if raw is not None else None
    return None if value is None else _from_column(column, value)


def is_vmware_serial(serial: object) -> bool:
    """Whether a serial number is a VMware guest's (the only use of the serial)."""
    return isinstance(serial, str) and _VMWARE_SERIAL.match(serial) is not None


def platform_from(
    manufacturer: object,
    model: object,
    serial: object,
    stated: list[str],
    implied: list[str],
) -> str | None:
    """The platform a row's hardware and its columns' findings say, or ``None``.

    ``stated`` are the findings of flag, kind and hypervisor columns, ``implied`` those of
    VM id columns, each in column order.
    """
    # The guest's own hardware is the surest sign (a CMDB's virtual flag is often wrong);
    # then what the export states; then what its ids imply.
    hardware = hardware_evidence(manufacturer, model, serial)
    result = hardware or _combine(stated) or _combine(implied)
    if result == VIRTUAL:
        # A flag says virtual: a hypervisor id may say which platform.
        result = next((f for f in implied if f != VIRTUAL), VIRTUAL)
    return result


def derive_virtualization(
    data: MutableMapping[str, object],
    row: Mapping[str, object],
    columns: tuple[EvidenceColumn, ...],
) -> None:
    """Record the row's virtualisation evidence in ``virtualization_platform``."""
    if "virtualization_platform" in data:
        return
    # What the export states (flags, kinds, hypervisors, the type column's own words)
    # comes before what its ids imply: a row that says "Physical" is physical.
    stated: list[str] = []
    implied: list[str] = []
    for column in columns:
        finding = column_finding(column, row.get(column.source))
        if finding is not None:
            (implied if column.kind == "vm_id" else stated).append(finding)
    result = platform_from(
        data.get("manufacturer"), data.get("model"), data.get("serial_number"), stated, implied
    )
    if result is not None:
        data["virtualization_platform"] = result
