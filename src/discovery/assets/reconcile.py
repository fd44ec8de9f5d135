"""Matching rows to assets that already exist, and merging what they say.

Within an engagement a row that describes a known asset updates it instead of creating
a second one. Identification follows the idea of ServiceNow's identification rules:
match keys are tried in a configurable order, and the first key that finds an asset
decides. The default is the order of trust: the source system's own id (ServiceNow
``sys_id``, RVTools ``VM UUID``, AWS ``ExternalId``: whatever the mapping made
``external_id``), then the serial number, then the DNS name (FQDN, or host name), then
the IP address together with the name, and last the name alone, for an asset of the
same type.

How a match merges depends on where the asset came from:

- an asset this import has already created or updated (an in-file duplicate), or a
  shadow row (an RVTools ``SRM Placeholder``, which stands for a VM of the other site):
  the row only fills blanks. It never changes the identity the first row gave
  (``external_id``, ``serial_number``, ``name``, ``hostname``, ``fqdn``); its own
  different identifiers are kept in ``custom_attributes.alternate_ids``
  (``external_id=…; serial_number=…``), under which later files find the asset too;
- an asset of an earlier import: newer non-empty values win, empty values never erase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MATCH_KEYS = ("external_id", "serial_number", "hostname", "ip_address_name", "name")
DEFAULT_MATCH_ORDER: tuple[str, ...] = MATCH_KEYS

#: The fields that say which asset a row is; a duplicate row never changes them.
IDENTITY_FIELDS = frozenset({"external_id", "serial_number", "name", "hostname", "fqdn"})
#: The fields every match key is built from (the sieve's atoms, the known-asset lookup).
KEY_FIELDS = ("external_id", "serial_number", "fqdn", "hostname", "ip_address", "name")
#: Of those, the identifiers a duplicate row's differing value is kept as an alternate of.
ALTERNATE_ID_FIELDS = ("external_id", "serial_number", "fqdn", "hostname")
#: The custom attribute that holds them, as ``kind=value`` pairs joined by ``; ``.
ALTERNATE_IDS = "alternate_ids"
ALTERNATE_SEPARATOR = "; "

#: Columns whose true value marks a shadow row: a stand-in for another row's machine,
#: such as the placeholder VM that VMware Site Recovery Manager creates at the recovery
#: site, which RVTools lists with ``SRM Placeholder = True``. Looked up by these
#: spellings (a lookup per spelling, not a scan of every attribute of every row).
SHADOW_COLUMNS = (
    "SRM Placeholder", "SRM placeholder", "srm placeholder", "SRM_Placeholder", "srmPlaceholder",
    "SRMPlaceholder", "Placeholder", "placeholder", "Is Placeholder", "is_placeholder",
)  # fmt: skip
_TRUE = frozenset({"true", "yes", "y", "1"})

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
    "name_alone": "name",
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
            " (fqdn, ip_address+name and name_alone are accepted too)"
        )
    return tuple(dict.fromkeys(keys))


def is_placeholder(folded: str) -> bool:
    """Whether a stripped, lower-cased value is a placeholder, which is never a key."""
    return folded in _PLACEHOLDERS


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
        elif kind == "name":
            name, asset_type = _clean(data.get("name"), fold=True), data.get("asset_type")
            if name and isinstance(asset_type, str):
                keys.append(("name", f"{asset_type}|{name}"))
        else:
            value = _clean(data.get(kind))
            if value:
                keys.append((kind, value))
    return keys


def alternate_ids(asset: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The asset's alternate identifiers, as (kind, value) pairs."""
    custom = asset.get("custom_attributes")
    text = custom.get(ALTERNATE_IDS) if isinstance(custom, Mapping) else None
    if not isinstance(text, str):
        return []
    pairs: list[tuple[str, str]] = []
    for item in text.split(ALTERNATE_SEPARATOR):
        kind, _, value = item.partition("=")
        if kind in ALTERNATE_ID_FIELDS and value:
            pairs.append((kind, value))
    return pairs


def alternate_lookup_values(incoming: Iterable[Mapping[str, Any]]) -> list[str]:
    """``kind=value`` texts of the incoming rows' identifiers, to find alternates with."""
    rows = list(incoming)
    return alternate_lookup_columns(
        [data.get("external_id") for data in rows],
        [data.get("serial_number") for data in rows],
        [data.get("fqdn") for data in rows],
        [data.get("hostname") for data in rows],
    )


def alternate_lookup_columns(
    external_ids: Iterable[object],
    serials: Iterable[object],
    fqdns: Sequence[object],
    hostnames: Sequence[object],
) -> list[str]:
    """:func:`alternate_lookup_values` of rows given as columns (the keys of
    :func:`match_keys` for the id, serial number and DNS name)."""

    def texts(values: Iterable[object]) -> set[str]:
        return {value for value in values if isinstance(value, str)}

    found = {f"external_id={value}" for value in map(_clean, texts(external_ids)) if value}
    found |= {f"serial_number={value}" for value in map(_clean, texts(serials)) if value}
    pairs = {
        (f if isinstance(f, str) else None, h if isinstance(h, str) else None)
        for f, h in zip(fqdns, hostnames, strict=True)
    }
    for fqdn_value, host_value in pairs:
        fqdn = _clean(fqdn_value, fold=True)
        host = _clean(host_value, fold=True) or (fqdn.split(".")[0] if fqdn else None)
        if fqdn:
            found.add(f"fqdn={fqdn}")
        if host:
            found.add(f"hostname={host}")
    return sorted(found)


def asset_keys(asset: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every key under which an existing asset can be found, alternates included."""
    return match_keys(asset, MATCH_KEYS) + alternate_ids(asset)


def is_shadow(data: Mapping[str, Any]) -> bool:
    """Whether a row stands in for another row's machine (an SRM placeholder)."""
    custom = data.get("custom_attributes")
    if not custom or not isinstance(custom, Mapping):
        return False
    for key in SHADOW_COLUMNS:
        value = custom.get(key)
        if value is not None:
            return says_shadow(value)
    return False


def says_shadow(value: object) -> bool:
    """Whether the value of a shadow column marks the row as a shadow."""
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _union(old: Iterable[str], new: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge(
    existing: Mapping[str, Any], incoming: Mapping[str, Any], *, fill_only: bool = False
) -> dict[str, Any]:
    """Fields that change: non-empty new values win, empty values never erase.

    Lists (tags, dependencies) are united, keeping order. With ``fill_only`` (a
    duplicate row of the same import, or a shadow row) only empty fields and missing
    custom attributes are filled, and an identifier that differs from the asset's is
    added to its ``alternate_ids`` instead of replacing it.
    """
    changes: dict[str, Any] = {}
    alternates: list[str] = []
    for field, value in incoming.items():
        if _empty(value):
            continue
        current = existing.get(field)
        if field in LIST_FIELDS:
            merged = _union(current or [], value)
            if merged != list(current or []):
                changes[field] = merged
        elif field == "custom_attributes":
            base = current or {}
            combined = {**value, **base} if fill_only else {**base, **value}
            if combined != base:
                changes[field] = combined
        elif fill_only:
            if _empty(current):
                changes[field] = value
            elif field in ALTERNATE_ID_FIELDS and _clean(value) and current != value:
                alternates.append(f"{field}={_clean(value, fold=field in ('fqdn', 'hostname'))}")
        elif current != value:
            changes[field] = value
    if alternates:
        custom = dict(changes.get("custom_attributes") or existing.get("custom_attributes") or {})
        known = [f"{kind}={value}" for kind, value in alternate_ids(existing)]
        joined = ALTERNATE_SEPARATOR.join(dict.fromkeys([*known, *alternates]))
        if joined != custom.get(ALTERNATE_IDS):
            custom[ALTERNATE_IDS] = joined
            changes["custom_attributes"] = custom
    return changes
