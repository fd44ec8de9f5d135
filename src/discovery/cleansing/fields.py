"""The cleanser's view of the canonical fields (defined in ``discovery.canonical``)."""

from __future__ import annotations

from typing import Final

from discovery.canonical import (
    CANONICAL_FIELDS as CANONICAL_FIELDS,
)
from discovery.canonical import (
    IDENTIFYING_FIELDS as IDENTIFYING_FIELDS,
)
from discovery.canonical import (
    LIST_FIELDS as LIST_FIELDS,
)
from discovery.canonical import (
    PERCENT_FIELDS as PERCENT_FIELDS,
)
from discovery.canonical import (
    SIZE_FIELDS as SIZE_FIELDS,
)

INVALID_ROW_REASON: Final[str] = (
    "no identifying value: the row has no name, hostname, FQDN, IP address, "
    "serial number or external id"
)
