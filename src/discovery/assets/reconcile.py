"""Matching rows to assets that already exist, and merging what they say.

Within an engagement a row that describes a known asset updates it instead of creating
a second one. Match keys are tried in a configurable order; the default is the
order of trust: the source system's own id, then the serial number, then the DNS name
(FQDN, or host name), then the IP address together with the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MATCH_KEYS = ("external_id", "serial_number", "hostname", "ip_address_name")
DEFAULT_MATCH_ORDER: tuple[str, ...] = MATCH_KEYS

# Values some tools put in a serial or id field when they have none: never a match key.
_PLACEHOLDERS = frozenset(
    {
        "0", "00000000", "none", "null", "n/a", "na", "unknown", "default string",
        "to be filled by o.e.m.", "not specified", "system serial number", "123456789",
        "not applicable", "undefined", "-",
    }
)  # fmt: skip

LIST_FIELDS = frozenset({"tags", "depends_on"})


class MatchOrderError(ValueError):
    pass


# Other names people use for the same keys.
MATCH_KEY_ALIASES = {
    "fqdn": "hostname",
    "fqdn/hostname": "hostname",
    "ip_address+name": "ip_address_name",
    "ip_address": "ip_address_name",
}


def validate_match_order(order: Sequence[str] | None) -> tuple[str, ...]:
    if not order:
        return DEFAULT_MATCH_ORDER
    keys = [MATCH_KEY_ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
            for key in order]  # fmt: skip
    unknown = [given for given, key in zip(order, keys, strict=True) if key not in MATCH_KEYS]
    if unknown:
        raise MatchOrderError(
            f"unknown match key {unknown[0]!r}; use any of {', '.join(MATCH_KEYS)}"
            " (fqdn and ip_address+name are accepted too)"
        )
    return tuple(dict.fromkeys(keys))


def _clean(value: object, *, fold: bool = False) -> str | None:
    """A usable key value; placeholders ("N/A", "To be filled by O.E.M.") are none.

    Ids and serial numbers match exactly as cleansing left them; names are folded to
    lower case (cleansing already lower-cases host names and FQDNs).
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or text.lower() in _PLACEHOLDERS:
        return None
    return text.lower() if fold else text


def match_keys(data: Mapping[str, Any], order: Sequence[str]) -> list[tuple[str, str]]:
    """The row's match keys, most trusted first, as (kind, value) pairs."""
    keys: list[tuple[str, str]] = []
    for kind in order:
        if kind == "hostname":
            fqdn = _clean(data.get("fqdn"), fold=True)
            host = _clean(data.get("hostname"), fold=True) or (fqdn.split(".")[0] if fqdn else None)
            if fqdn:
                keys.append(("fqdn", fqdn))
            if host:
                keys.append(("hostname", host))
        elif kind == "ip_address_name":
            ip, name = _clean(data.get("ip_address")), _clean(data.get("name"), fold=True)
            if ip and name:
                keys.append(("ip_address_name", f"{ip}|{name}"))
        else:
            value = _clean(data.get(kind))
            if value:
                keys.append((kind, value))
    return keys


def asset_keys(asset: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every key under which an existing asset can be found."""
    return match_keys(asset, MATCH_KEYS)


def _union(old: Iterable[str], new: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))


def merge(existing: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Fields that change: non-empty new values win, empty values never erase.

    Lists (tags, dependencies) are united, keeping order.
    """
    changes: dict[str, Any] = {}
    for field, value in incoming.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        current = existing.get(field)
        if field in LIST_FIELDS:
            merged = _union(current or [], value)
            if merged != list(current or []):
                changes[field] = merged
        elif field == "custom_attributes":
            combined = {**(current or {}), **value}
            if combined != (current or {}):
                changes[field] = combined
        elif current != value:
            changes[field] = value
    return changes
