"""The synonym tables: every spelling the rules name, and only valid enum values."""

from __future__ import annotations

import pytest

from discovery.canonical import AssetType, Criticality, Environment, PowerState
from discovery.cleansing.enums import (
    ASSET_TYPE_SYNONYMS,
    ASSET_TYPES,
    CRITICALITIES,
    ENVIRONMENTS,
    PLATFORM_SYNONYMS,
    POWER_STATES,
    synonym_key,
)

from .helpers import clean


@pytest.mark.parametrize(
    ("table", "enum"),
    [
        (ENVIRONMENTS, Environment),
        (CRITICALITIES, Criticality),
        (POWER_STATES, PowerState),
        (ASSET_TYPES, AssetType),
    ],
)
def test_tables_hold_only_enum_values_and_cover_every_member(
    table: dict[str, str], enum: type[Environment]
) -> None:
    assert set(table.values()) == {member.value for member in enum}
    for member in enum:
        assert table[member.value] == member.value


def test_every_asset_type_has_synonyms_and_other_is_reachable() -> None:
    assert set(ASSET_TYPE_SYNONYMS) == set(AssetType)
    assert clean("asset_type", "Other") == ("other", [])


def test_platform_canonical_spellings_match_the_schema() -> None:
    assert set(PLATFORM_SYNONYMS) == {"VMware", "Hyper-V", "KVM", "Nutanix AHV", "Xen", "physical"}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Pre-prod", "pre prod"),
        ("PRE_PROD", "pre prod"),
        ("  1 - Most   Critical ", "1 most critical"),
        ("Tier\u20131", "tier 1"),
        ("poweredOn", "poweredon"),
    ],
)
def test_synonym_key(raw: str, key: str) -> None:
    assert synonym_key(raw) == key


ENVIRONMENT = [
    *[
        (raw, "production")
        for raw in ["PROD", "Prd", "Production", "production", "Live", "PRD", "P", "p", "prod"]
    ],
    *[
        (raw, "test")
        for raw in ["UAT", "QA", "Test", "TST", "SIT", "Testing", "test", "Acceptance"]
    ],
    *[(raw, "development") for raw in ["Dev", "Development", "DEV", "Sandbox", "SBX"]],
    *[
        (raw, "staging")
        for raw in [
            "Stage",
            "Staging",
            "STG",
            "Pre-prod",
            "Preprod",
            "PRE-PROD",
            "pre prod",
            "Pre-Production",
            "PPE",
        ]
    ],
    *[(raw, "dr") for raw in ["DR", "dr", "Disaster Recovery", "disaster-recovery", "BCP"]],
]


@pytest.mark.parametrize(("raw", "expected"), ENVIRONMENT)
def test_environment(raw: str, expected: str) -> None:
    assert clean("environment", raw) == (expected, [])


CRITICALITY = [
    *[
        (raw, "critical")
        for raw in [
            "Tier 1",
            "Tier-1",
            "tier1",
            "T1",
            "Mission critical",
            "Mission-Critical",
            "Business critical",
            "P1",
            "1 - Critical",
            "Critical",
            "1 - most critical",
            "1",
            "Tier 0",
        ]
    ],
    *[
        (raw, "high")
        for raw in ["Tier 2", "T2", "High", "HIGH", "P2", "2 - somewhat critical", "2"]
    ],
    *[
        (raw, "medium")
        for raw in ["Tier 3", "T3", "Medium", "Moderate", "P3", "3 - less critical", "3"]
    ],
    *[
        (raw, "low")
        for raw in ["Tier 4", "T4", "Low", "P4", "Minor", "4 - not critical", "4", "Not critical"]
    ],
]


@pytest.mark.parametrize(("raw", "expected"), CRITICALITY)
def test_criticality(raw: str, expected: str) -> None:
    assert clean("criticality", raw) == (expected, [])


POWER_STATE = [
    *[
        (raw, "on")
        for raw in [
            "poweredOn",
            "PoweredOn",
            "Powered On",
            "running",
            "Running",
            "on",
            "ON",
            "up",
            "started",
            "active",
            "VM running",
        ]
    ],
    *[
        (raw, "off")
        for raw in [
            "poweredOff",
            "Powered Off",
            "off",
            "stopped",
            "down",
            "shutdown",
            "Shut down",
            "deallocated",
            "VM deallocated",
        ]
    ],
    *[
        (raw, "suspended")
        for raw in ["suspended", "Suspended", "paused", "hibernated", "standby", "Saved"]
    ],
]


@pytest.mark.parametrize(("raw", "expected"), POWER_STATE)
def test_power_state(raw: str, expected: str) -> None:
    assert clean("power_state", raw) == (expected, [])


ASSET_TYPE = [
    *[
        (raw, "server")
        for raw in [
            "server",
            "Server",
            "Physical Server",
            "Windows Server",
            "Linux Server",
            "cmdb_ci_server",
            "cmdb_ci_win_server",
            "cmdb_ci_linux_server",
            "cmdb_ci_unix_server",
            "cmdb_ci_computer",
            "host",
            "Bare Metal",
            "bare-metal",
        ]
    ],
    *[
        (raw, "virtual_machine")
        for raw in [
            "Virtual Machine",
            "VM",
            "vm",
            "cmdb_ci_vm_instance",
            "cmdb_ci_vmware_instance",
            "Virtual Server",
            "guest",
            "EC2 instance",
            "virtual_machine",
        ]
    ],
    *[
        (raw, "database")
        for raw in [
            "Database",
            "DB",
            "cmdb_ci_database",
            "cmdb_ci_db_instance",
            "cmdb_ci_db_mssql_instance",
            "cmdb_ci_db_ora_instance",
            "CMDB_CI_DB_MYSQL_INSTANCE",
        ]
    ],
    *[
        (raw, "application")
        for raw in [
            "Application",
            "app",
            "cmdb_ci_appl",
            "cmdb_ci_appl_sap",
            "Business Application",
            "service",
        ]
    ],
    *[
        (raw, "network")
        for raw in [
            "Switch",
            "Router",
            "network",
            "cmdb_ci_netgear",
            "cmdb_ci_ip_switch",
            "cmdb_ci_ip_router",
        ]
    ],
    *[
        (raw, "load_balancer")
        for raw in [
            "Load Balancer",
            "load-balancer",
            "cmdb_ci_lb",
            "cmdb_ci_lb_bigip",
            "F5",
            "LB",
            "lb",
        ]
    ],
    *[
        (raw, "storage")
        for raw in [
            "Storage",
            "SAN",
            "NAS",
            "cmdb_ci_storage_device",
            "cmdb_ci_storage_switch",
            "Array",
        ]
    ],
    *[
        (raw, "security_group")
        for raw in ["Firewall", "cmdb_ci_ip_firewall", "Security Group", "security_group"]
    ],
    *[(raw, "container") for raw in ["Container", "docker", "Pod", "Kubernetes"]],
    *[(raw, "other") for raw in ["other", "Misc"]],
]


@pytest.mark.parametrize(("raw", "expected"), ASSET_TYPE)
def test_asset_type(raw: str, expected: str) -> None:
    assert clean("asset_type", raw) == (expected, [])
