"""The canonical asset fields, their enums and field groups (asset-schema.md): a contract.

One definition for every layer: mapping, cleansing, reconciliation and the asset model
import it. No ORM here, so the earlier phases need not import the asset tables.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class AssetType(StrEnum):
    SERVER = "server"
    VIRTUAL_MACHINE = "virtual_machine"
    DATABASE = "database"
    APPLICATION = "application"
    NETWORK = "network"
    LOAD_BALANCER = "load_balancer"
    STORAGE = "storage"
    SECURITY_GROUP = "security_group"
    CONTAINER = "container"
    OTHER = "other"


class PowerState(StrEnum):
    ON = "on"
    OFF = "off"
    SUSPENDED = "suspended"


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    TEST = "test"
    DEVELOPMENT = "development"
    DR = "dr"


class Criticality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


# The canonical fields of asset-schema.md, in the contract's order (a contract: the API,
# exports, the mapping engine and external evaluation use exactly these names).
CANONICAL_FIELDS: tuple[str, ...] = (
    "name", "hostname", "fqdn", "ip_address", "mac_address", "serial_number", "external_id",
    "asset_type", "operating_system", "os_version", "cpu_cores", "cpu_sockets", "memory_gb",
    "storage_gb", "storage_used_gb", "disk_count", "nic_count", "virtualization_platform",
    "power_state", "manufacturer", "model", "database_type", "database_version",
    "cpu_utilization_percent_max", "memory_utilization_percent_max", "environment",
    "datacenter", "location", "cluster", "host", "application_name", "business_owner",
    "technical_owner", "business_unit", "criticality", "tags", "depends_on",
)  # fmt: skip

#: A cleansed row is valid only when at least one of these has a value.
IDENTIFYING_FIELDS: Final[tuple[str, ...]] = (
    "name",
    "hostname",
    "fqdn",
    "ip_address",
    "serial_number",
    "external_id",
)

#: Sizes in GB (converted according to the value's suffix or the mapping's unit).
SIZE_FIELDS: Final[frozenset[str]] = frozenset({"memory_gb", "storage_gb", "storage_used_gb"})

#: Percentages, 0 to 100.
PERCENT_FIELDS: Final[frozenset[str]] = frozenset(
    {"cpu_utilization_percent_max", "memory_utilization_percent_max"}
)

#: Whole counts.
COUNT_FIELDS: Final[frozenset[str]] = frozenset(
    {"cpu_cores", "cpu_sockets", "disk_count", "nic_count"}
)

#: Fields whose value is a list of strings; several columns mapped to one are merged.
LIST_FIELDS: Final[frozenset[str]] = frozenset({"tags", "depends_on"})
