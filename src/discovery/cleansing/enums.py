"""Synonym tables for the enumerated fields and for well-known virtualization platforms.

Values are matched case-insensitively, with ``-``, ``_``, dashes and runs of white space
treated alike (``Pre-prod`` = ``pre prod`` = ``PRE_PROD``). The enum values themselves come
from :mod:`discovery.canonical`.

Decisions on ambiguous values (documented contract of this module):

* environment: ``Sandbox`` is development; ``Acceptance`` (the A of DTAP) is test; ``P`` alone
  is production, but no other single letter is recognised (``D`` could be dev or DR).
* criticality: ServiceNow ``business_criticality`` ``1 - most critical`` … ``4 - not
  critical`` and the bare numbers ``1`` … ``4`` map to critical/high/medium/low; ``Tier 0``
  is critical. Priority-style labels such as ``1 - High`` are *not* recognised, because
  ServiceNow uses ``1`` for "high" in impact/urgency and for "critical" in criticality.
* power_state: Hyper-V ``Saved`` is suspended; AWS ``terminated``/``stopping`` are not
  recognised (an unknown value, reported as an error).
* asset_type: an unrecognised value gives no asset type and no error (classification from
  other columns happens later). ServiceNow classes are matched exactly or by the prefixes
  ``cmdb_ci_db_``, ``cmdb_ci_lb_``, ``cmdb_ci_storage_`` and ``cmdb_ci_appl_``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, TypeVar

from discovery.canonical import AssetType, Criticality, Environment, PowerState

_SEPARATORS: Final = str.maketrans({"-": " ", "_": " ", "\u2013": " ", "\u2014": " "})


def synonym_key(text: str) -> str:
    """The form values are compared in: lower-case, separators as single spaces."""
    return " ".join(text.lower().translate(_SEPARATORS).split())


def _table(synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, spellings in synonyms.items():
        for spelling in (value, *spellings):
            for key in (spelling.lower(), synonym_key(spelling)):
                if table.setdefault(key, value) != value:
                    raise AssertionError(f"{spelling!r} maps to two values")
    return table


_E = TypeVar("_E", bound=StrEnum)


def _enum_table(synonyms: Mapping[_E, tuple[str, ...]]) -> dict[str, str]:
    return _table({member.value: spellings for member, spellings in synonyms.items()})


ENVIRONMENT_SYNONYMS: Final[dict[Environment, tuple[str, ...]]] = {
    Environment.PRODUCTION: ("prod", "prd", "production", "live", "p", "prod env"),
    Environment.STAGING: (
        "stage",
        "staging",
        "stg",
        "pre-prod",
        "preprod",
        "pre-production",
        "preproduction",
        "ppe",
        "pre-live",
        "prelive",
    ),
    Environment.TEST: (
        "test",
        "testing",
        "tst",
        "uat",
        "qa",
        "sit",
        "acceptance",
        "user acceptance testing",
    ),
    Environment.DEVELOPMENT: ("dev", "development", "devel", "sandbox", "sbx"),
    Environment.DR: ("dr", "disaster recovery", "bcp", "business continuity"),
}

CRITICALITY_SYNONYMS: Final[dict[Criticality, tuple[str, ...]]] = {
    Criticality.CRITICAL: (
        "critical",
        "crit",
        "tier 0",
        "tier0",
        "t0",
        "tier 1",
        "tier1",
        "t1",
        "mission critical",
        "business critical",
        "p1",
        "1 - critical",
        "1 - most critical",
        "1",
    ),
    Criticality.HIGH: (
        "high",
        "tier 2",
        "tier2",
        "t2",
        "p2",
        "2 - high",
        "2 - somewhat critical",
        "2",
    ),
    Criticality.MEDIUM: (
        "medium",
        "med",
        "moderate",
        "tier 3",
        "tier3",
        "t3",
        "p3",
        "3 - medium",
        "3 - moderate",
        "3 - less critical",
        "3",
    ),
    Criticality.LOW: (
        "low",
        "minor",
        "tier 4",
        "tier4",
        "t4",
        "p4",
        "4 - low",
        "4 - not critical",
        "4",
        "not critical",
        "non critical",
        "noncritical",
    ),
}

POWER_STATE_SYNONYMS: Final[dict[PowerState, tuple[str, ...]]] = {
    PowerState.ON: (
        "poweredOn",
        "powered on",
        "power on",
        "poweron",
        "running",
        "vm running",
        "on",
        "up",
        "started",
        "active",
        "online",
    ),
    PowerState.OFF: (
        "poweredOff",
        "powered off",
        "power off",
        "poweroff",
        "off",
        "stopped",
        "vm stopped",
        "down",
        "shutdown",
        "shut down",
        "shut off",
        "deallocated",
        "vm deallocated",
        "offline",
    ),
    PowerState.SUSPENDED: (
        "suspended",
        "paused",
        "hibernated",
        "standby",
        "saved",
    ),
}

ASSET_TYPE_SYNONYMS: Final[dict[AssetType, tuple[str, ...]]] = {
    AssetType.SERVER: (
        "server",
        "physical server",
        "physical machine",
        "physical",
        "windows server",
        "linux server",
        "unix server",
        "host",
        "bare metal",
        "baremetal",
        "cmdb_ci_server",
        "cmdb_ci_win_server",
        "cmdb_ci_linux_server",
        "cmdb_ci_unix_server",
        "cmdb_ci_solaris_server",
        "cmdb_ci_aix_server",
        "cmdb_ci_hpux_server",
        "cmdb_ci_esx_server",
        "cmdb_ci_computer",
        # Hypervisor hosts run VMs and are physical themselves; so are end-user machines.
        "esx host",
        "esxi host",
        "esx server",
        "esxi server",
        "hypervisor",
        "hypervisor host",
        "hyper-v host",
        "kvm host",
        "workstation",
        "desktop",
        "laptop",
    ),
    AssetType.VIRTUAL_MACHINE: (
        "virtual machine",
        "vm",
        "virtual server",
        "virtual",
        "guest",
        "ec2 instance",
        "ec2",
        "azure vm",
        "cmdb_ci_vm_instance",
        "cmdb_ci_vmware_instance",
        "cmdb_ci_vm",
        "cmdb_ci_hyper_v_instance",
        "virtual host",
        "virtual appliance",
        "cloud instance",
        "gce instance",
        "compute instance",
    ),
    AssetType.DATABASE: (
        "database",
        "db",
        "database instance",
        "db instance",
        "rds instance",
        "cmdb_ci_database",
        "cmdb_ci_db_instance",
    ),
    AssetType.APPLICATION: (
        "application",
        "app",
        "business application",
        "service",
        "business service",
        "cmdb_ci_appl",
        "cmdb_ci_business_app",
        "cmdb_ci_service",
    ),
    AssetType.NETWORK: (
        "network",
        "network device",
        "switch",
        "router",
        "netgear",
        "cmdb_ci_netgear",
        "cmdb_ci_ip_switch",
        "cmdb_ci_ip_router",
    ),
    AssetType.LOAD_BALANCER: (
        "load balancer",
        "loadbalancer",
        "lb",
        "f5",
        "elb",
        "alb",
        "nlb",
        "cmdb_ci_lb",
    ),
    AssetType.STORAGE: (
        "storage",
        "storage array",
        "array",
        "san",
        "nas",
        "cmdb_ci_storage_device",
    ),
    AssetType.SECURITY_GROUP: (
        "firewall",
        "security group",
        "network security group",
        "nsg",
        "waf",
        "cmdb_ci_ip_firewall",
    ),
    AssetType.CONTAINER: (
        "container",
        "docker",
        "docker container",
        "pod",
        "kubernetes",
        "kubernetes pod",
        "k8s",
        "cmdb_ci_docker_container",
    ),
    AssetType.OTHER: ("other", "misc", "miscellaneous", "generic", "cmdb_ci", "printer"),
}

#: ServiceNow class prefixes (in :func:`synonym_key` form) -> asset type.
ASSET_TYPE_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("cmdb ci db ", AssetType.DATABASE.value),
    ("cmdb ci lb ", AssetType.LOAD_BALANCER.value),
    ("cmdb ci storage ", AssetType.STORAGE.value),
    ("cmdb ci appl ", AssetType.APPLICATION.value),
)

#: Canonical spelling -> spellings of well-known virtualization platforms.
PLATFORM_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "VMware": (
        "vmware",
        "esx",
        "esxi",
        "vsphere",
        "vmware esx",
        "vmware esxi",
        "vmware vsphere",
        "vmware vcenter",
        "vcenter",
    ),
    "Hyper-V": (
        "hyper-v",
        "hyperv",
        "microsoft hyper-v",
        "ms hyper-v",
        "hyper-v server",
        "microsoft hyper-v server",
    ),
    "KVM": ("kvm", "qemu/kvm", "qemu-kvm"),
    "Nutanix AHV": ("nutanix", "ahv", "nutanix ahv", "acropolis", "nutanix acropolis"),
    "Xen": ("xen", "citrix", "xenserver", "citrix xen", "citrix xenserver", "citrix hypervisor"),
    "physical": (
        "physical",
        "bare metal",
        "baremetal",
        "physical server",
        "physical machine",
    ),
}

ENVIRONMENTS: Final = _enum_table(ENVIRONMENT_SYNONYMS)
CRITICALITIES: Final = _enum_table(CRITICALITY_SYNONYMS)
POWER_STATES: Final = _enum_table(POWER_STATE_SYNONYMS)
ASSET_TYPES: Final = _enum_table(ASSET_TYPE_SYNONYMS)
PLATFORMS: Final = _table(PLATFORM_SYNONYMS)


def lookup(table: Mapping[str, str], text: str) -> str | None:
    """The value ``text`` (already stripped) stands for in ``table``, or ``None``."""
    found = table.get(text) or table.get(text.lower())
    if found is None:
        found = table.get(synonym_key(text))
    return found


def asset_type_of(text: str) -> str | None:
    """The asset type an explicit type column's value stands for, or ``None``."""
    found = lookup(ASSET_TYPES, text)
    if found is None:
        key = synonym_key(text)
        for prefix, value in ASSET_TYPE_PREFIXES:
            if key.startswith(prefix):
                return value
    return found


def platform_of(text: str) -> str | None:
    """The canonical spelling of a well-known platform (``VMware ESXi 7.0.3`` -> ``VMware``)."""
    found = lookup(PLATFORMS, text)
    if found is None:
        words = synonym_key(text).split()
        while words and any(c.isdigit() for c in words[-1]):
            words.pop()
        if words:
            found = PLATFORMS.get(" ".join(words))
    return found
