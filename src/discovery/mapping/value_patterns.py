"""What a column's sample values look like, and which fields they fit.

Every detector answers one yes/no question about a single value; a column's *share* for a
detector is the fraction of its non-empty samples that say yes. Shares confirm or
contradict header candidates (``support``) and, for headers that say nothing, propose
targets on their own (``value_guesses``).
"""

from __future__ import annotations

import ipaddress
import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from discovery.mapping.normalize import SIZE_UNITS

_IPV4 = re.compile(
    r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(/\d\d?)?"
)
_MAC = re.compile(r"([0-9a-f]{2}[:-]){5}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}", re.I)
_FQDN = re.compile(
    r"(?=.{4,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}\.?", re.I
)
_HOSTLIKE = re.compile(r"[a-z][a-z0-9_-]*[0-9-][a-z0-9_-]*", re.I)
_TOKEN = re.compile(r"[a-z][a-z0-9_.-]{0,252}", re.I)
_UUID = re.compile(
    r"(vmware-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}"
    r"|([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}",
    re.I,
)
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)([.,]\d+)?")
_SIZE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(b|bytes?|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)", re.I)
_PERCENT_SIGN = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_OS = re.compile(
    r"\b(windows|win ?(20\d\d|2k\d*|xp|7|8|10|11|nt)|w2k\d*|linux|rhel\d*|red ?hat|ubuntu"
    r"|centos|suse|sles\d*|opensuse|debian|aix|solaris|sunos|esxi|hp-?ux|oracle linux|ol\d"
    r"|freebsd|rocky|almalinux|alma linux|amazon linux|fedora|unix|z/?os|os/?400|ibm i"
    r"|macos|mac os|photon)",
    re.I,
)
_HYPERVISOR = re.compile(
    r"(vmware( esxi?| vsphere)?|esxi?|(microsoft )?hyper-?v|kvm|xen(server)?"
    r"|citrix( hypervisor)?|nutanix( ahv)?|ahv|physical|bare ?metal|proxmox( ve)?|ovm|oracle vm"
    r"|virtualbox|openstack|aws|azure|gcp|ec2|lpar|powervm|z/?vm|rhev|ovirt|other|none"
    r"|virtual)( (server )?v?\d+(\.\d+)*( \w+)?)?",
    re.I,
)
_DATABASE = re.compile(
    r"\b(oracle|sql ?server|mssql|ms ?sql|postgres(ql)?|mysql|mariadb|mongo(db)?|db2|sybase"
    r"|informix|redis|cassandra|hana|teradata|cosmos ?db|dynamodb|couchbase|elasticsearch"
    r"|ingres|firebird|sqlite|maxdb|progress)\b",
    re.I,
)
_ASSET_TYPE = re.compile(
    r"\b(server|virtual machine|vm|physical|virtual|database|application|network|switch"
    r"|router|firewall|load ?balancer|storage|san|nas|container|appliance|workstation"
    r"|desktop|laptop|host|cmdb_ci_\w+|hypervisor|instance)\b",
    re.I,
)
_DATE = re.compile(
    r"\d{4}-\d\d-\d\d([ t]\d\d:\d\d(:\d\d)?\S*)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}( \d{1,2}:\d\d\S*)?"
    r"|\d{1,2}[ -](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ -]\d{2,4}",
    re.I,
)
_VERSION = re.compile(r"v?\d+(\.\d+){0,3}[a-z]?( ?(sp|r|u)\d+)?|\d+[a-z]|(sp|r)\d+", re.I)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)
_KEY_VALUE = re.compile(r"[\w .-]+\s*[:=]\s*[^,;]*(\s*[,;]\s*[\w .-]+\s*[:=]\s*[^,;]*)*")
_SEPARATORS = re.compile(r"\s*[,;\n|]\s*")

_ENV_WORDS: Final = frozenset(
    {
        "prod",
        "production",
        "prd",
        "live",
        "dev",
        "development",
        "develop",
        "test",
        "testing",
        "tst",
        "qa",
        "uat",
        "staging",
        "stage",
        "stg",
        "preprod",
        "pre-prod",
        "pre prod",
        "pre-production",
        "dr",
        "disaster recovery",
        "sit",
        "integration",
        "sandbox",
        "sbx",
        "lab",
        "nonprod",
        "non-prod",
        "non prod",
        "non-production",
        "training",
        "demo",
        "perf",
        "performance",
        "pilot",
        "acceptance",
        "produktion",
        "entwicklung",
    }
)
_POWER_WORDS: Final = frozenset(
    {
        "on",
        "off",
        "poweredon",
        "poweredoff",
        "powered on",
        "powered off",
        "power on",
        "power off",
        "running",
        "stopped",
        "suspended",
        "paused",
        "started",
        "shutdown",
        "shut down",
        "halted",
        "an",
        "aus",
    }
)
_CRIT = re.compile(
    r"^(\d\s*-\s*)?(low|medium|med|high|very high|critical|mission[ -]critical|business[ -]"
    r"critical|most critical|somewhat critical|less critical|not critical|tier ?[0-4]|t[0-4]"
    r"|gold|silver|bronze|platinum|p[1-4]|sev ?[1-4]|[1-4]|niedrig|mittel|hoch|kritisch)$",
    re.I,
)
_BOOL_WORDS: Final = frozenset({"yes", "no", "y", "n", "true", "false", "ja", "nein", "x"})


_TO_GB: Final[dict[str, float]] = {
    "B": 1.0 / 1024**3,
    "KB": 1.0 / 1024**2,
    "MB": 1.0 / 1024,
    "GB": 1.0,
    "TB": 1024.0,
}
_SUFFIX = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)", re.I)
_SHORT: Final[dict[str, str]] = {"b": "B", "k": "KB", "m": "MB", "g": "GB", "t": "TB"}


def value_unit(text: str) -> tuple[float, str] | None:
    """``"16 GB"`` -> ``(16.0, "GB")``; plain numbers and other text -> None."""
    match = _SUFFIX.fullmatch(text.strip())
    if not match:
        return None
    spelling = match.group(2).lower()
    unit = SIZE_UNITS.get(spelling) or _SHORT.get(spelling)
    if unit is None:
        return None
    number = parse_number(match.group(1))
    return None if number is None else (number, unit)


def value_sizes_gb(values: Sequence[str]) -> list[float]:
    out: list[float] = []
    for text in values:
        parsed = value_unit(text)
        if parsed is not None:
            out.append(parsed[0] * _TO_GB[parsed[1]])
    return out


def parse_number(text: str) -> float | None:
    """``16``, ``16.5``, ``16,5``, ``16,384`` (thousands) -> float; anything else -> None."""
    value = text.strip()
    if not _NUMBER.fullmatch(value):
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", value):
        value = value.replace(",", "")
    return float(value.replace(",", "."))


def _is_ip(text: str) -> bool:
    if _IPV4.fullmatch(text):
        # x.y.z.0 is a network, not a host; "7.0.3.0" is a version number.
        return not text.endswith(".0")
    if ":" in text and "." not in text.split(":")[0]:
        try:
            ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            return False
        return True
    return False


def _is_ip_list(text: str) -> bool:
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    return bool(parts) and all(_is_ip(p) for p in parts)


def _is_mac_list(text: str) -> bool:
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    return bool(parts) and all(_MAC.fullmatch(p) for p in parts)


def _is_fqdn(text: str) -> bool:
    return bool(_FQDN.fullmatch(text)) and not _IPV4.fullmatch(text) and "." in text.strip(".")


def _is_int_in(low: int, high: int) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        number = parse_number(text)
        return number is not None and number == int(number) and low <= number <= high

    return check


def _is_size(text: str) -> bool:
    return parse_number(text) is not None or bool(_SIZE.fullmatch(text))


def _is_percent(text: str) -> bool:
    if _PERCENT_SIGN.fullmatch(text):
        return True
    number = parse_number(text)
    return number is not None and 0 <= number <= 100


def _is_host_item(item: str) -> bool:
    return _is_ip(item) or _is_fqdn(item) or bool(_TOKEN.fullmatch(item))


def _is_host_list(text: str) -> bool:
    items = [i for i in _SEPARATORS.split(text) if i]
    return bool(items) and all(_is_host_item(i) for i in items) and parse_number(text) is None


def _is_key_value(text: str) -> bool:
    if not (":" in text or "=" in text) or _is_mac_list(text) or _is_ip_list(text):
        return False
    return bool(_KEY_VALUE.fullmatch(text)) and not _DATE.fullmatch(text)


def _is_list(text: str) -> bool:
    return len([i for i in _SEPARATORS.split(text) if i]) >= 2


DETECTORS: Final[dict[str, Callable[[str], bool]]] = {
    "ip": _is_ip_list,
    "mac": _is_mac_list,
    "fqdn": _is_fqdn,
    "hostlike": lambda v: bool(_HOSTLIKE.fullmatch(v)),
    "token": lambda v: bool(_TOKEN.fullmatch(v)) and not _is_ip(v),
    "uuid": lambda v: bool(_UUID.fullmatch(v)),
    "os": lambda v: bool(_OS.search(v)),
    "size_unit": lambda v: bool(_SIZE.fullmatch(v)),
    "size": _is_size,
    "number": lambda v: parse_number(v) is not None,
    "percent": _is_percent,
    "percent_sign": lambda v: bool(_PERCENT_SIGN.fullmatch(v)),
    "env": lambda v: v.lower() in _ENV_WORDS or v.lower().split(" ")[0] in _ENV_WORDS,
    "power": lambda v: v.lower() in _POWER_WORDS,
    "crit": lambda v: bool(_CRIT.fullmatch(v.strip())),
    "hypervisor": lambda v: bool(_HYPERVISOR.fullmatch(v)),
    "db": lambda v: bool(_DATABASE.search(v)),
    "asset_type": lambda v: bool(_ASSET_TYPE.search(v)),
    "date": lambda v: bool(_DATE.fullmatch(v)),
    "bool": lambda v: v.lower() in _BOOL_WORDS,
    "version": lambda v: bool(_VERSION.fullmatch(v)),
    "email": lambda v: bool(_EMAIL.fullmatch(v)),
    "key_value": lambda v: _is_key_value(v),
    "host_list": _is_host_list,
    "list": _is_list,
    "cores": _is_int_in(1, 1024),
    "sockets": _is_int_in(1, 64),
    "disks": _is_int_in(0, 256),
    "nics": _is_int_in(0, 64),
}

DESCRIPTIONS: Final[dict[str, str]] = {
    "ip": "IP addresses",
    "mac": "MAC addresses",
    "fqdn": "fully-qualified host names",
    "hostlike": "host names",
    "token": "single-word identifiers",
    "uuid": "UUIDs",
    "os": "operating system names",
    "size_unit": "sizes with a unit",
    "size": "sizes",
    "number": "numbers",
    "percent": "percentages",
    "percent_sign": "percentages",
    "env": "environment names",
    "power": "power states",
    "crit": "criticality levels",
    "hypervisor": "hypervisor names",
    "db": "database products",
    "asset_type": "asset types",
    "date": "dates",
    "bool": "yes/no flags",
    "version": "version numbers",
    "email": "e-mail addresses",
    "key_value": "key:value tags",
    "host_list": "lists of hosts",
    "list": "lists",
    "cores": "core counts",
    "sockets": "socket counts",
    "disks": "disk counts",
    "nics": "adapter counts",
}


@dataclass
class ColumnProfile:
    """The non-empty sample values of one column and cached detector shares."""

    values: tuple[str, ...]
    rows: int
    _shares: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def fill(self) -> float:
        return self.count / self.rows if self.rows else 0.0

    @cached_property
    def distinct_ratio(self) -> float:
        return len({v.lower() for v in self.values}) / self.count if self.count else 0.0

    def share(self, detector: str) -> float:
        if detector not in self._shares:
            check = DETECTORS[detector]
            hits = sum(n for v, n in self._counts.items() if check(v))
            self._shares[detector] = hits / self.count if self.count else 0.0
        return self._shares[detector]

    @cached_property
    def _counts(self) -> Counter[str]:
        return Counter(self.values)

    def numbers(self) -> list[float]:
        return [n for n in (parse_number(v) for v in self.values) if n is not None]

    def median(self) -> float | None:
        nums = self.numbers()
        return statistics.median(nums) if nums else None

    def evidence(self, detector: str) -> str:
        """``IP addresses (98% of 50 samples)``."""
        return f"{DESCRIPTIONS[detector]} ({self.share(detector):.0%} of {self.count} samples)"


#: Enough values to judge a column; more only cost time.
MAX_VALUES: Final = 500


def profile_column(header: str, samples: Sequence[Mapping[str, str]]) -> ColumnProfile:
    values: list[str] = []
    for row in samples[:MAX_VALUES]:
        raw = row.get(header)
        if raw is None:
            continue
        text = str(raw).strip()
        if text and text.lower() not in {"n/a", "na", "null", "none", "-", "--", "?", "tbd"}:
            values.append(text)
    return ColumnProfile(tuple(values), min(len(samples), MAX_VALUES))


# target -> (detector, strength): strength 2 = a mismatch rules the field out,
# 1 = a mismatch is a strong hint, 0 = values only confirm.
_SUPPORT: Final[dict[str, tuple[str, int]]] = {
    "ip_address": ("ip", 2),
    "mac_address": ("mac", 2),
    "fqdn": ("fqdn", 1),
    "hostname": ("token", 1),
    "asset_type": ("asset_type", 2),
    "operating_system": ("os", 1),
    "os_version": ("version", 0),
    "cpu_cores": ("cores", 2),
    "cpu_sockets": ("sockets", 2),
    "memory_gb": ("size", 2),
    "storage_gb": ("size", 2),
    "storage_used_gb": ("size", 2),
    "disk_count": ("disks", 2),
    "nic_count": ("nics", 2),
    "virtualization_platform": ("hypervisor", 1),
    "power_state": ("power", 2),
    "database_type": ("db", 1),
    "database_version": ("version", 1),
    "cpu_utilization_percent_max": ("percent", 2),
    "memory_utilization_percent_max": ("percent", 2),
    "environment": ("env", 1),
    "criticality": ("crit", 1),
    "depends_on": ("host_list", 1),
}
# Free-text fields whose values must at least not be dates, numbers or yes/no flags.
_TEXT_FIELDS: Final = frozenset(
    {
        "name",
        "serial_number",
        "external_id",
        "manufacturer",
        "model",
        "datacenter",
        "location",
        "cluster",
        "host",
        "application_name",
        "business_owner",
        "technical_owner",
        "business_unit",
        "tags",
    }
)
UNIQUE_FIELDS: Final = frozenset(
    {"name", "hostname", "fqdn", "ip_address", "mac_address", "serial_number", "external_id"}
)


@dataclass(frozen=True)
class Support:
    """How well a column's values fit a target: +delta confirms, -delta contradicts."""

    delta: float
    note: str


def support(profile: ColumnProfile, target: str) -> Support | None:
    """Confirm or contradict ``target`` from the values (None: nothing to say)."""
    if profile.count < 3:
        return None
    if target in _SUPPORT:
        detector, strength = _SUPPORT[target]
        share = profile.share(detector)
        if share >= 0.8:
            return Support(0.04, f"values agree: {profile.evidence(detector)}")
        if share < 0.3:
            penalty = (0.15, 0.3, 0.5)[strength]
            return Support(-penalty, f"values disagree: {profile.evidence(detector)}")
        if share < 0.6:
            penalty = (0.0, 0.1, 0.2)[strength]
            return Support(-penalty, f"values partly disagree: {profile.evidence(detector)}")
        return None
    if target in _TEXT_FIELDS:
        for detector in ("date", "bool", "number", "percent_sign"):
            if profile.share(detector) >= 0.8 and not (
                detector == "number" and target in {"serial_number", "external_id"}
            ):
                return Support(-0.3, f"values disagree: {profile.evidence(detector)}")
    return None


@dataclass(frozen=True)
class ValueGuess:
    target: str
    confidence: float
    detector: str


# detector -> targets it suggests, with the confidence at a 100% share
_GUESSES: Final[tuple[tuple[str, tuple[tuple[str, float], ...]], ...]] = (
    ("ip", (("ip_address", 0.85),)),
    ("mac", (("mac_address", 0.85),)),
    ("uuid", (("external_id", 0.7), ("serial_number", 0.6))),
    ("fqdn", (("fqdn", 0.85), ("hostname", 0.62))),
    ("os", (("operating_system", 0.82),)),
    ("env", (("environment", 0.82),)),
    ("power", (("power_state", 0.82),)),
    ("crit", (("criticality", 0.78),)),
    ("hypervisor", (("virtualization_platform", 0.78),)),
    ("db", (("database_type", 0.75),)),
    ("key_value", (("tags", 0.7),)),
)


def _scaled(top: float, share: float, count: int) -> float:
    confidence = 0.6 + (top - 0.6) * (share - 0.6) / 0.4
    return confidence * (0.9 if count < 5 else 1.0)


def value_guesses(profile: ColumnProfile) -> list[ValueGuess]:
    """Targets suggested by the values alone (for headers that say nothing)."""
    if profile.count < 3:
        return []
    guesses: list[ValueGuess] = []
    for detector, targets in _GUESSES:
        share = profile.share(detector)
        if share < 0.6:
            continue
        if detector == "crit" and profile.share("number") >= 0.8:
            continue
        if detector == "hypervisor" and profile.share("os") >= 0.6:
            continue
        for target, top in targets:
            guesses.append(ValueGuess(target, _scaled(top, share, profile.count), detector))
    if profile.share("size_unit") >= 0.6:
        guesses.extend(_size_guesses(profile))
    if (
        profile.share("asset_type") >= 0.6
        and profile.share("os") < 0.5
        and profile.share("hypervisor") < 0.6
    ):
        share = profile.share("asset_type")
        guesses.append(ValueGuess("asset_type", _scaled(0.7, share, profile.count), "asset_type"))
    if profile.share("hostlike") >= 0.6 and profile.distinct_ratio >= 0.9:
        share = profile.share("hostlike")
        guesses.append(ValueGuess("name", _scaled(0.72, share, profile.count), "hostlike"))
        guesses.append(ValueGuess("hostname", _scaled(0.68, share, profile.count), "hostlike"))
    return guesses


def _size_guesses(profile: ColumnProfile) -> list[ValueGuess]:
    share = profile.share("size_unit")
    sizes = value_sizes_gb(profile.values)
    if not sizes:
        return []
    median = statistics.median(sizes)
    powers = sum(1 for s in sizes if s >= 1 and (int(s) & (int(s) - 1)) == 0 and s == int(s))
    memory_like = median <= 512 and powers / len(sizes) >= 0.6
    memory, storage = (0.8, 0.65) if memory_like else (0.62, 0.8)
    return [
        ValueGuess("memory_gb", _scaled(memory, share, profile.count), "size_unit"),
        ValueGuess("storage_gb", _scaled(storage, share, profile.count), "size_unit"),
    ]
