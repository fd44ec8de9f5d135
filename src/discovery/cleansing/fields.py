"""Canonical field names (``asset-schema.md``) and how the cleanser groups them."""

from __future__ import annotations

from typing import Final

# Every canonical field a column can be mapped to: one definition, beside the model.
from discovery.assets.models import CANONICAL_FIELDS as CANONICAL_FIELDS

#: A cleansed row is valid only when at least one of these has a value.
IDENTIFYING_FIELDS: Final[tuple[str, ...]] = (
    "name",
    "hostname",
    "fqdn",
    "ip_address",
    "serial_number",
    "external_id",
)

INVALID_ROW_REASON: Final[str] = (
    "no identifying value: the row has no name, hostname, FQDN, IP address, "
    "serial number or external id"
)

#: Sizes converted to GB according to the value's suffix or the mapping's unit.
SIZE_FIELDS: Final[frozenset[str]] = frozenset({"memory_gb", "storage_gb", "storage_used_gb"})

#: Percentages, 0 to 100.
PERCENT_FIELDS: Final[frozenset[str]] = frozenset(
    {"cpu_utilization_percent_max", "memory_utilization_percent_max"}
)

#: Fields whose cleansed value is a ``list[str]``; several columns mapped to one are merged.
LIST_FIELDS: Final[frozenset[str]] = frozenset({"tags", "depends_on"})
