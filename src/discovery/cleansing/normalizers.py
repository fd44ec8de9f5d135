r"""Per-field normalisers.

Each normaliser takes a value that is already stripped and known not to be empty or a null
marker (see :mod:`discovery.cleansing.text`), and returns the cleansed value, returns
``None`` for "no value, no error", or raises :class:`InvalidValue` with a short reason.
Regular expressions are compiled once, at import.

Decisions on cases the rules leave open:

* hostname: ``\\HOST\share`` gives ``host`` and ``DOMAIN\HOST`` gives ``host``; a value
  that is an IP address is rejected with "an IP address, not a host name" (and does not
  fill ``ip_address``); the rest of an FQDN must be valid too (``web01..corp`` is
  rejected). Neither hostname nor fqdn fills the other.
* fqdn: invalid characters or labels give "not a valid DNS name"; a single label gives
  "not a fully-qualified name".
* ip_address: a cell with several addresses also accepts JSON-array notation
  (``["10.0.0.4","10.0.0.5"]``); IPv4 addresses are returned as written (already canonical),
  IPv6 in compressed lower-case form; an IPv6 zone (``fe80::1%eth0``) is kept.
* mac_address: groups of one digit (``0:1a:2b:3:4:5``) are zero-padded; separators must be
  consistent; of several addresses the first *valid* one is taken.
* counts: ``1,0`` and ``4.0`` are whole numbers (1 and 4); ``1,5`` is a decimal comma and
  so not whole; cpu_sockets, like cpu_cores, must be at least 1; values above the
  PostgreSQL ``integer`` range are rejected ("number too large").
* sizes: ``1,024`` (three digits after a single comma) is a thousands separator in sizes
  too, so ``1,024 MB`` is 1 GB; ``1,5 GB`` is 1.5 GB. Single letters ``K``/``M``/``G``/``T``
  and ``PB`` are accepted as suffixes; 0 is allowed.
* percentages: a fraction (``0.45``) is kept as 0.45: it cannot be told from a real 0.45 %.
* lists: null markers inside a list (``pci, n/a``) are dropped; a cell holding a JSON array
  is read as its items; duplicates are case-sensitive (``Prod`` and ``prod`` both kept).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from ipaddress import IPv6Address, ip_interface
from typing import Final

from .datatypes import InvalidValue
from .enums import (
    CRITICALITIES,
    ENVIRONMENTS,
    POWER_STATES,
    asset_type_of,
    platform_of,
    synonym_key,
)
from .fields import SIZE_FIELDS
from .numeric import ANY_NUMBER, COMMA_THOUSANDS, PLAIN_NUMBER, number_literal
from .text import STRIP_CHARS, collapse, is_null, shorten
from .units import UNIT_FACTORS, mapping_unit_factor
from .virtualization import platform_word

Normalizer = Callable[[str], object]

# User-facing reasons.
NOT_A_HOST_NAME: Final = "not a valid host name"
IP_NOT_HOST_NAME: Final = "an IP address, not a host name"
NOT_FQDN: Final = "not a fully-qualified name"
NOT_A_DNS_NAME: Final = "not a valid DNS name"
NOT_AN_IP: Final = "not a valid IP address"
NOT_A_MAC: Final = "not a valid MAC address"
NOT_A_WHOLE_NUMBER: Final = "not a whole number"
AT_LEAST_ONE: Final = "must be at least 1"
TOO_LARGE: Final = "number too large"
NOT_A_SIZE: Final = "not a size"
NEGATIVE: Final = "must not be negative"
NOT_A_NUMBER: Final = "not a number"
NOT_A_PERCENTAGE: Final = "must be between 0 and 100"

#: Sizes from this many GB on are not rounded (a float has no third decimal left there).
_ROUNDING_LIMIT: Final = 1e12

#: Largest value of a PostgreSQL ``integer`` column.
MAX_INTEGER: Final = 2_147_483_647

# Dot-separated labels of letters, digits, hyphens and underscores (tolerated: real CMDBs
# have them), no label starting or ending with a hyphen; lengths are checked separately.
_LABEL: Final = r"(?!-)[a-z0-9_-]+(?<!-)"
_DNS_NAME: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*", re.ASCII)
_FIRST_LABEL: Final = re.compile(rf"({_LABEL})(?:\.{_LABEL})*", re.ASCII)
_DNS_NAME_ANY_CASE: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*", re.ASCII | re.IGNORECASE)
_ALL_NUMERIC: Final = re.compile(r"\d+(?:\.\d+)+", re.ASCII)
_IPV4: Final = re.compile(
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}", re.ASCII
)
_MAX_LABEL_LENGTH: Final = 63
_MAX_NAME_LENGTH: Final = 253

# Several addresses in one cell: commas, semicolons, white space, and the brackets and
# quotes of a JSON array (``["10.0.0.4","10.0.0.5"]``).
_ADDRESS_SEPARATORS: Final = re.compile(r"[,;\s\[\]\"']+")

_MAC_SIX: Final = re.compile(r"[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}")
_MAC_SEPARATED: Final = re.compile(r"[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(?:\1[0-9a-f]{1,2}){4}")
_MAC_DOTTED: Final = re.compile(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")
_MAC_BARE: Final = re.compile(r"[0-9a-f]{12}")

_COUNT: Final = re.compile(
    r"([+-]?[\d.,]+)\s*(?:v?cpus?|cores?|sockets?|disks?|drives?|nics?|adapters?|x)?",
    re.ASCII | re.IGNORECASE,
)
# Group 1: a number with comma thousands separators (``204,800``); group 2: a plain number
# float() reads directly; group 3: any other number text; group 4: the unit suffix.
_SIZE: Final = re.compile(
    rf"(?:({COMMA_THOUSANDS})|({PLAIN_NUMBER})|({ANY_NUMBER}))\s*([a-zA-Z]*)", re.ASCII
)
_PERCENT: Final = re.compile(rf"(?:({PLAIN_NUMBER})|({ANY_NUMBER}))\s*%?", re.ASCII)

_TAG_SEPARATORS: Final = re.compile(r"[,;|\r\n]+")
_DEPENDENCY_SEPARATORS: Final = re.compile(r"[,;\r\n]+")


# --- text -------------------------------------------------------------------------------


def normalize_text(value: str) -> str:
    """Free text: internal white space collapsed, case kept."""
    return " ".join(value.split())


def normalize_platform(value: str) -> str:
    """Well-known virtualization platforms in their canonical spelling, others as given.

    A yes/no cell (a ``Virtualized`` column mapped here) says ``virtual`` or ``physical``;
    ``Bare metal`` and the like say ``physical``.
    """
    return platform_of(value) or platform_word(value) or collapse(value)


def normalize_host(value: str) -> str:
    """The hypervisor host: lower-cased when it is a host name or FQDN, else as given."""
    name = value[:-1] if value.endswith(".") else value
    if _valid_dns_name(name, _DNS_NAME_ANY_CASE):
        return name.lower()
    return collapse(value)


# --- names and addresses ----------------------------------------------------------------


def _parse_ip(candidate: str) -> str | None:
    """The canonical text of one address (a CIDR suffix dropped), or ``None``."""
    if _IPV4.fullmatch(candidate):
        return candidate  # already canonical: no leading zeros, octets 0-255
    try:
        if "/" in candidate:
            return str(ip_interface(candidate).ip)
        if ":" in candidate:
            return str(IPv6Address(candidate))
    except ValueError:
        pass
    return None


def _valid_dns_name(name: str, pattern: re.Pattern[str]) -> bool:
    """Dot-separated labels of 1-63 characters, at most 253 in all."""
    return pattern.fullmatch(name) is not None and _lengths_ok(name)


def _reject_name(name: str, reason: str) -> InvalidValue:
    if (":" in name or _ALL_NUMERIC.fullmatch(name)) and _parse_ip(name) is not None:
        return InvalidValue(IP_NOT_HOST_NAME)
    return InvalidValue(reason)


def _lengths_ok(name: str) -> bool:
    return len(name) <= _MAX_LABEL_LENGTH or (
        len(name) <= _MAX_NAME_LENGTH
        and all(len(label) <= _MAX_LABEL_LENGTH for label in name.split("."))
    )


def normalize_hostname(value: str) -> str:
    """Short host name: lower-case, domain stripped, ``\\\\HOST`` and ``DOMAIN\\HOST`` unwrapped."""
    if "\\" in value:
        if value.startswith("\\"):
            value = value.lstrip("\\").split("\\", 1)[0]
        else:
            value = value.rsplit("\\", 1)[1]
        if not value:
            raise InvalidValue(NOT_A_HOST_NAME)
    name = value.lower()
    if name.endswith("."):
        name = name[:-1]
    match = _FIRST_LABEL.fullmatch(name)  # validates the whole name, captures the first label
    if (
        match is None
        or (len(name) > _MAX_LABEL_LENGTH and not _lengths_ok(name))
        or (name[0].isdigit() and _ALL_NUMERIC.fullmatch(name))
    ):
        raise _reject_name(name, NOT_A_HOST_NAME)
    return match.group(1)


def normalize_fqdn(value: str) -> str:
    """Fully-qualified name: lower-case, no trailing dot, at least two labels."""
    name = value.lower()
    if name.endswith("."):
        name = name[:-1]
    if (
        _DNS_NAME.fullmatch(name) is None
        or (len(name) > _MAX_LABEL_LENGTH and not _lengths_ok(name))
        or (name[0].isdigit() and _ALL_NUMERIC.fullmatch(name))
    ):
        raise _reject_name(name, NOT_A_DNS_NAME)
    if "." not in name:
        raise InvalidValue(NOT_FQDN)
    return name


def normalize_ip_address(value: str) -> str:
    """One address; of several, the first valid IPv4, else the first valid IPv6."""
    if _IPV4.fullmatch(value):
        return value
    if _ADDRESS_SEPARATORS.search(value) is None:
        address = _parse_ip(value)
        if address is None:
            raise InvalidValue(NOT_AN_IP)
        return address
    candidates = [c for c in _ADDRESS_SEPARATORS.split(value) if c]
    for candidate in candidates:  # the first valid IPv4 address …
        if _IPV4.fullmatch(candidate):
            return candidate
        if "/" in candidate and ":" not in candidate:
            address = _parse_ip(candidate)
            if address is not None:
                return address
    for candidate in candidates:  # … else the first valid IPv6 address
        if ":" in candidate:
            address = _parse_ip(candidate)
            if address is not None:
                return address
    raise InvalidValue(NOT_AN_IP)


def _parse_mac(candidate: str) -> str | None:
    mac = candidate.lower()
    if _MAC_SIX.fullmatch(mac):
        return mac.replace("-", ":")
    if _MAC_SEPARATED.fullmatch(mac):  # single-digit groups: 0:1a:2b:3:4:5
        return ":".join(part.zfill(2) for part in mac.replace("-", ":").split(":"))
    if _MAC_DOTTED.fullmatch(mac):
        mac = mac.replace(".", "")
    elif not _MAC_BARE.fullmatch(mac):
        return None
    return ":".join(mac[i : i + 2] for i in range(0, 12, 2))


def normalize_mac_address(value: str) -> str:
    """``aa:bb:cc:dd:ee:ff``; of several, the first valid one."""
    mac = _parse_mac(value)
    if mac is not None:
        return mac
    for candidate in _ADDRESS_SEPARATORS.split(value):
        if candidate:
            mac = _parse_mac(candidate)
            if mac is not None:
                return mac
    raise InvalidValue(NOT_A_MAC)


# --- numbers ----------------------------------------------------------------------------


def _whole_number(value: str) -> int:
    if value.isdigit() and value.isascii():
        if len(value) > 10:
            value = value.lstrip("0") or "0"
            if len(value) > 10:
                raise InvalidValue(TOO_LARGE)
        number = int(value)
    else:
        match = _COUNT.fullmatch(value)
        literal = number_literal(match.group(1)) if match else None
        if literal is None:
            raise InvalidValue(NOT_A_WHOLE_NUMBER)
        exact = Decimal(literal)
        if exact < 0 or exact != exact.to_integral_value():
            raise InvalidValue(NOT_A_WHOLE_NUMBER)
        if exact > MAX_INTEGER:
            raise InvalidValue(TOO_LARGE)
        number = int(exact)
    if number > MAX_INTEGER:
        raise InvalidValue(TOO_LARGE)
    return number


def normalize_count(value: str) -> int:
    """A whole number of at least 0 (``4``, ``4.0``, ``4 vCPU``, ``1,024``)."""
    return _whole_number(value)


def normalize_positive_count(value: str) -> int:
    """A whole number of at least 1 (cores, sockets)."""
    number = _whole_number(value)
    if number < 1:
        raise InvalidValue(AT_LEAST_ONE)
    return number


def make_size_normalizer(default_factor: float) -> Normalizer:
    """A GB normaliser; ``default_factor`` converts values written without a unit suffix."""

    def normalize_size(value: str) -> float:
        if value.isdigit() and value.isascii():
            gigabytes = float(value) * default_factor
        else:
            match = _SIZE.fullmatch(value)
            if match is None:
                raise InvalidValue(NOT_A_SIZE)
            thousands, plain, other, suffix = match.groups()
            literal = plain or (thousands and thousands.replace(",", "")) or number_literal(other)
            factor = UNIT_FACTORS.get(suffix.lower()) if suffix else default_factor
            if literal is None or factor is None:
                raise InvalidValue(NOT_A_SIZE)
            gigabytes = float(literal) * factor
            if gigabytes < 0:
                raise InvalidValue(NEGATIVE)
        if not gigabytes < _ROUNDING_LIMIT:  # also catches inf and nan
            if not math.isfinite(gigabytes):
                raise InvalidValue(TOO_LARGE)
            return gigabytes  # so large that a float has no decimals left to round
        # Three decimals; round(x * 1000) is several times faster than round(x, 3).
        return round(gigabytes * 1000) / 1000

    return normalize_size


def normalize_percent(value: str) -> float:
    """0 to 100, optional ``%``. A fraction such as ``0.45`` is kept as 0.45 (never scaled)."""
    match = _PERCENT.fullmatch(value)
    literal = (match.group(1) or number_literal(match.group(2))) if match else None
    if literal is None:
        raise InvalidValue(NOT_A_NUMBER)
    percent = float(literal)
    if not 0.0 <= percent <= 100.0:
        raise InvalidValue(NOT_A_PERCENTAGE)
    return percent + 0.0


# --- enumerations -----------------------------------------------------------------------


def _enum_normalizer(table: dict[str, str], label: str) -> Normalizer:
    get = table.get

    def normalize_enum(value: str) -> str:
        found = get(value) or get(value.lower()) or get(synonym_key(value))
        if found is None:
            raise InvalidValue(f'unknown {label} "{shorten(value)}"')
        return found

    normalize_enum.__name__ = f"normalize_{label.replace(' ', '_')}"
    normalize_enum.__doc__ = f"One of the {label} values; an unknown value is an error."
    return normalize_enum


normalize_environment: Final = _enum_normalizer(ENVIRONMENTS, "environment")
normalize_criticality: Final = _enum_normalizer(CRITICALITIES, "criticality")
normalize_power_state: Final = _enum_normalizer(POWER_STATES, "power state")


def normalize_asset_type(value: str) -> str | None:
    """The asset type, or ``None`` (no error) when the value is not recognised."""
    return asset_type_of(value)


# --- lists ------------------------------------------------------------------------------


def _json_items(value: str) -> list[str] | None:
    """The items of a cell holding a JSON array of scalars (JSON imports), else ``None``."""
    if not (value.startswith("[") and value.endswith("]")):
        return None
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None
    if not isinstance(items, list) or any(isinstance(i, dict | list) for i in items):
        return None
    return [i if isinstance(i, str) else json.dumps(i) for i in items if i is not None]


def _unique(items: list[str]) -> list[str] | None:
    stripped = dict.fromkeys(item.strip(STRIP_CHARS) for item in items)
    return [item for item in stripped if not is_null(item)] or None


def normalize_tags(value: str) -> list[str] | None:
    """Split on ``,`` ``;`` ``|`` and newlines; trimmed, no empties, first occurrence kept."""
    items = _json_items(value)
    return _unique(items if items is not None else _TAG_SEPARATORS.split(value))


def _looks_like_address(token: str) -> bool:
    """An IP address, a dotted DNS name, or a single label with a digit (``web01``).

    Plain words (``Payroll``, ``App``) are valid labels too, but a white-space separated
    part made of them is a name with spaces, not a list of hosts.
    """
    if ":" in token:
        return _parse_ip(token) is not None
    name = token[:-1] if token.endswith(".") else token
    if not _valid_dns_name(name, _DNS_NAME_ANY_CASE):
        return False
    return "." in name or any(c.isdigit() for c in name)


def normalize_depends_on(value: str) -> list[str] | None:
    """Split on ``,`` ``;`` and newlines; a part is split further on white space when every
    word in it looks like a host name or IP address (``web01 web02``, not ``Payroll App``).
    Case is kept."""
    parts = _json_items(value)
    if parts is None:
        parts = _DEPENDENCY_SEPARATORS.split(value)
    items: list[str] = []
    for part in parts:
        words = part.split()
        if len(words) > 1 and all(_looks_like_address(w) for w in words):
            items.extend(words)
        else:
            items.append(" ".join(words))
    return _unique(items)


# --- registry ---------------------------------------------------------------------------

_TEXT_FIELDS: Final = (
    "name",
    "serial_number",
    "external_id",
    "operating_system",
    "os_version",
    "manufacturer",
    "model",
    "database_type",
    "database_version",
    "datacenter",
    "location",
    "cluster",
    "application_name",
    "business_owner",
    "technical_owner",
    "business_unit",
)

#: Field -> normaliser, for every canonical field except the size fields (which depend on
#: the mapping's unit; see :func:`normalizer_for`).
NORMALIZERS: Final[dict[str, Normalizer]] = {
    **dict.fromkeys(_TEXT_FIELDS, normalize_text),
    "hostname": normalize_hostname,
    "fqdn": normalize_fqdn,
    "ip_address": normalize_ip_address,
    "mac_address": normalize_mac_address,
    "asset_type": normalize_asset_type,
    "cpu_cores": normalize_positive_count,
    "cpu_sockets": normalize_positive_count,
    "disk_count": normalize_count,
    "nic_count": normalize_count,
    "virtualization_platform": normalize_platform,
    "power_state": normalize_power_state,
    "cpu_utilization_percent_max": normalize_percent,
    "memory_utilization_percent_max": normalize_percent,
    "environment": normalize_environment,
    "host": normalize_host,
    "criticality": normalize_criticality,
    "tags": normalize_tags,
    "depends_on": normalize_depends_on,
}


def normalizer_for(field: str, unit: str | None = None) -> Normalizer:
    """The normaliser of a canonical field.

    ``unit`` matters only for the size fields, where an unknown unit is a ``ValueError``
    (a wrong guess would silently scale every value). On any other field it is ignored: the
    mapping engine records ``"%"`` for utilisation columns, and a stray unit on a count or a
    name cannot change how the value is read. An unknown field is a ``ValueError``.
    """
    if field in SIZE_FIELDS:
        return make_size_normalizer(mapping_unit_factor(unit))
    normalizer = NORMALIZERS.get(field)
    if normalizer is None:
        raise ValueError(f"unknown canonical field {field!r}")
    return normalizer
