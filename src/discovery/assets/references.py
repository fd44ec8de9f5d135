"""How each ``depends_on`` reference of an asset was (or was not) resolved.

The dependency phase stores edges, not the reference that produced each one. This module
explains them afterwards, reading only what the phase wrote: a reference is *resolved*
when one of the asset's stored dependency targets answers to it (by IP address, FQDN,
host name or name, the keys of :func:`~discovery.assets.dependencies.reference_keys`),
*itself* when it names the asset itself, and *not found* otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from discovery.assets.dependencies import reference_keys

NOT_FOUND = "not_found"
ITSELF = "itself"
Resolution = Literal["ip_address", "fqdn", "hostname", "name", "itself", "not_found"]


@dataclass(frozen=True)
class Identity:
    """The values of an asset that a reference can name."""

    id: uuid.UUID
    name: str | None
    hostname: str | None
    fqdn: str | None
    ip_address: str | None

    def keys(self) -> dict[tuple[str, str], str]:
        values = {
            "ip_address": self.ip_address,
            "fqdn": self.fqdn,
            "hostname": self.hostname,
            "name": (self.name or "").lower() or None,
        }
        return {(field, value): field for field, value in values.items() if value}


def matched_by(reference: str, target: Identity) -> str | None:
    """The field by which ``reference`` names ``target`` (most specific first), if any."""
    known = target.keys()
    for key in reference_keys(reference):
        if key in known:
            return known[key]
    return None


@dataclass(frozen=True)
class ReferenceOutcome:
    reference: str
    resolution: str
    target_id: uuid.UUID | None


def explain(
    references: Sequence[str], source: Identity, targets: Sequence[Identity]
) -> list[ReferenceOutcome]:
    """Each reference of ``source`` with the stored target it names and how, in order."""
    outcomes = []
    for reference in references:
        if not reference.strip():
            continue
        found = next(
            (
                (target.id, how)
                for target in targets
                if (how := matched_by(reference, target)) is not None
            ),
            None,
        )
        if found is not None:
            outcomes.append(ReferenceOutcome(reference, found[1], found[0]))
        elif matched_by(reference, source) is not None:
            outcomes.append(ReferenceOutcome(reference, ITSELF, None))
        else:
            outcomes.append(ReferenceOutcome(reference, NOT_FOUND, None))
    return outcomes
