"""Identity derivation: host name and FQDN from every host-like value a row carries.

Exports rarely fill both identity columns. RVTools has only ``VM`` and ``DNS Name``, Azure
Migrate ``*Server name``, Google's ``MachineName``, ServiceNow ``name``; a CMDB's host
column holds ``crm-app-tst01.fin.example.com`` and its FQDN column is empty. The schema
says what each field holds (``hostname``: the short host name, lower-case, domain
stripped; ``fqdn``: lower-case, when the source has one), so after the mapped columns are
cleansed each missing one is derived, in this order of trust:

1. an explicit column of the field itself (never overridden);
2. the other identity column: the FQDN gives the host name (its first label); a host
   column that holds a dotted name gives the FQDN;
3. the name, when it is a single host-like token (``WEB01``, ``crm-app01.corp.local``,
   but not ``Payroll SaaS``, an IP address or a number), except on rows that say they
   are applications.

Only values that pass validation are used: a rejected host name derives nothing. One
exception: a bare host name in an FQDN column (``ber-mon13``) is rejected as an FQDN,
with the error, and kept as the host name it is. ``name`` itself keeps its case.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping, Sequence

from .datatypes import InvalidValue
from .normalizers import normalize_fqdn, normalize_hostname
from .text import clean_raw

#: Rows of this explicit type describe software, which has no host name of its own.
_NO_HOST_TYPES = frozenset({"application"})


def fqdn_of(value: str) -> str | None:
    """The FQDN a host-like value spells (``WEB01.Corp.Local.`` → ``web01.corp.local``)."""
    if "." not in value or "\\" in value or any(c.isspace() for c in value):
        return None
    try:
        return normalize_fqdn(value)
    except InvalidValue:
        return None


def hostname_of(value: str) -> str | None:
    """The short host name of a single host-like token, or ``None``."""
    if any(c.isspace() for c in value) or "\\" in value or value.replace(".", "").isdigit():
        return None
    try:
        return normalize_hostname(value)
    except InvalidValue:
        return None


def _first_raw(row: Mapping[str, object], sources: Sequence[str]) -> str | None:
    for source in sources:
        raw = row.get(source)
        if raw is None:
            continue
        value = clean_raw(raw if isinstance(raw, str) else str(raw))
        if value:
            return value
    return None


def derive_identity(
    data: MutableMapping[str, object],
    row: Mapping[str, object],
    hostname_sources: Sequence[str],
    rejected: Collection[str] = (),
    fqdn_sources: Sequence[str] = (),
) -> None:
    """Fill ``hostname`` and ``fqdn`` of a cleansed row where the mapped columns did not.

    ``hostname_sources`` are the columns mapped to ``hostname``: their raw value may be a
    dotted name whose domain the host-name normaliser strips, and which gives the FQDN.
    A field in ``rejected`` (its column held a bad value) is left empty: the column's
    value was wrong, and a guess from elsewhere would hide the error.
    """
    if "fqdn" not in data and "hostname" in data and "fqdn" not in rejected:
        raw_host = _first_raw(row, hostname_sources)
        fqdn = fqdn_of(raw_host) if raw_host else None
        if fqdn is not None:
            data["fqdn"] = fqdn
    fqdn_value = data.get("fqdn")
    if "hostname" not in data and "hostname" not in rejected:
        if isinstance(fqdn_value, str):
            data["hostname"] = fqdn_value.split(".", 1)[0]
        elif "fqdn" in rejected:
            # A bare host name in the FQDN column (RVTools' "DNS Name" of a machine without
            # a domain): not an FQDN, and the error says so, but it is the host name.
            raw_fqdn = _first_raw(row, fqdn_sources)
            host = hostname_of(raw_fqdn) if raw_fqdn and "." not in raw_fqdn else None
            if host is not None:
                data["hostname"] = host
    name = data.get("name")
    if (
        ("hostname" in data and "fqdn" in data)
        or not isinstance(name, str)
        or data.get("asset_type") in _NO_HOST_TYPES
    ):
        return
    host = hostname_of(name)
    if host is None:
        return
    if "hostname" in rejected:
        return
    if "hostname" not in data:
        data["hostname"] = host
        # A dotted name gives the FQDN only together with the host name it names.
        fqdn = fqdn_of(name)
        if fqdn is not None and "fqdn" not in data and "fqdn" not in rejected:
            data["fqdn"] = fqdn
    elif "fqdn" not in data and "fqdn" not in rejected and data["hostname"] == host:
        fqdn = fqdn_of(name)
        if fqdn is not None:
            data["fqdn"] = fqdn
