"""End-of-support dates of server operating systems, and matching free-text OS strings.

Dates are the vendors' end of standard/mainstream-plus-extended security support for the
product line (for Windows Server: end of extended support; for Ubuntu: end of standard
support of the LTS; for Debian: end of regular security support). Exports spell OS names
in many ways (``W2K8 R2``, ``Microsoft Windows Server 2008 R2 (64-bit)``,
``Red Hat Enterprise Linux 6 (64-bit)``), so each family has a tolerant pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class OsRelease:
    product: str
    end_of_support: date


def _d(text: str) -> date:
    return date.fromisoformat(text)


WINDOWS_SERVER = {
    "2003": _d("2015-07-14"), "2003 R2": _d("2015-07-14"),
    "2008": _d("2020-01-14"), "2008 R2": _d("2020-01-14"),
    "2012": _d("2023-10-10"), "2012 R2": _d("2023-10-10"),
    "2016": _d("2027-01-12"), "2019": _d("2029-01-09"), "2022": _d("2031-10-14"),
    "2025": _d("2034-10-10"),
}  # fmt: skip
RHEL = {"4": _d("2012-02-29"), "5": _d("2017-03-31"), "6": _d("2020-11-30"),
        "7": _d("2024-06-30"), "8": _d("2029-05-31"), "9": _d("2032-05-31"),
        "10": _d("2035-05-31")}  # fmt: skip
CENTOS = {"5": _d("2017-03-31"), "6": _d("2020-11-30"), "7": _d("2024-06-30"),
          "8": _d("2021-12-31")}  # fmt: skip
CENTOS_STREAM = {"8": _d("2024-05-31"), "9": _d("2027-05-31"), "10": _d("2030-01-01")}
UBUNTU_LTS = {"12.04": _d("2017-04-28"), "14.04": _d("2019-04-30"), "16.04": _d("2021-04-30"),
              "18.04": _d("2023-05-31"), "20.04": _d("2025-05-31"), "22.04": _d("2027-06-01"),
              "24.04": _d("2029-05-31")}  # fmt: skip
SLES = {"10": _d("2013-07-31"), "11": _d("2019-03-31"), "12": _d("2024-10-31"),
        "15": _d("2031-07-31")}  # fmt: skip
DEBIAN = {"6": _d("2014-05-31"), "7": _d("2016-04-25"), "8": _d("2018-06-17"),
          "9": _d("2020-07-06"), "10": _d("2022-09-10"), "11": _d("2024-08-14"),
          "12": _d("2026-06-10"), "13": _d("2028-08-09")}  # fmt: skip
AIX = {"5.3": _d("2012-04-30"), "6.1": _d("2017-04-30"), "7.1": _d("2023-04-30")}
SOLARIS = {"8": _d("2012-03-31"), "9": _d("2014-10-31"), "10": _d("2024-01-31")}
ESXI = {"5.0": _d("2016-08-24"), "5.1": _d("2016-08-24"), "5.5": _d("2018-09-19"),
        "6.0": _d("2020-03-12"), "6.5": _d("2022-10-15"), "6.7": _d("2022-10-15"),
        "7.0": _d("2025-04-02"), "8.0": _d("2027-10-11")}  # fmt: skip

_WIN_SHORT = {"3": "2003", "03": "2003", "8": "2008", "08": "2008", "12": "2012",
              "16": "2016", "19": "2019", "22": "2022", "25": "2025"}  # fmt: skip

_WINDOWS = re.compile(
    r"\b(?:microsoft\s+)?(?:windows|win)\s*(?:server\s*|srv\s*)?(?:(20\d\d)|2k(\d{1,2}))"
    r"(?:\s*(r2))?",
    re.IGNORECASE,
)
_W2K = re.compile(r"\bw2k(\d{1,2})(?:\s*(r2))?\b", re.IGNORECASE)


def _windows(text: str) -> OsRelease | None:
    match = _WINDOWS.search(text)
    if match:
        year = match.group(1) or _WIN_SHORT.get(match.group(2) or "", "")
        r2 = match.group(3)
    else:
        short = _W2K.search(text)
        if not short:
            return None
        year, r2 = _WIN_SHORT.get(short.group(1), ""), short.group(2)
    key = f"{year} R2" if r2 and f"{year} R2" in WINDOWS_SERVER else year
    if key not in WINDOWS_SERVER:
        return None
    return OsRelease(f"Windows Server {key}", WINDOWS_SERVER[key])


def _family(
    pattern: str, table: dict[str, date], product: str
) -> Callable[[str], OsRelease | None]:
    compiled = re.compile(pattern, re.IGNORECASE)

    def match(text: str) -> OsRelease | None:
        found = compiled.search(text)
        if not found:
            return None
        version = found.group(1)
        if version not in table:
            version = version.split(".")[0]
        if version not in table:
            return None
        return OsRelease(f"{product} {version}", table[version])

    return match


_MATCHERS: tuple[Callable[[str], OsRelease | None], ...] = (
    _windows,
    _family(r"centos\s*(?:linux\s*)?stream\s*(\d+)", CENTOS_STREAM, "CentOS Stream"),
    _family(r"centos(?:\s*linux)?[^0-9]{0,12}(\d+)", CENTOS, "CentOS"),
    _family(r"(?:red\s*hat\s*enterprise\s*linux|rhel)[^0-9]{0,20}(\d+)", RHEL, "RHEL"),
    _family(r"ubuntu[^0-9]{0,20}(\d\d\.04)", UBUNTU_LTS, "Ubuntu"),
    _family(r"(?:suse\s*linux\s*enterprise(?:\s*server)?|sles)[^0-9]{0,10}(\d+)", SLES, "SLES"),
    _family(r"debian[^0-9]{0,20}(\d+)", DEBIAN, "Debian"),
    _family(r"\baix\s*(\d\.\d)", AIX, "AIX"),
    _family(r"solaris\s*(\d+)", SOLARIS, "Solaris"),
    _family(r"\besxi?\s*(\d\.\d)", ESXI, "ESXi"),
)


@lru_cache(maxsize=4096)  # exports repeat a few OS strings across a million rows
def identify(operating_system: str | None, os_version: str | None = None) -> OsRelease | None:
    """The OS release an export's OS text names, when the table knows it."""
    text = " ".join(part for part in (operating_system, os_version) if part)
    if not text:
        return None
    for matcher in _MATCHERS:
        release = matcher(text)
        if release is not None:
            return release
    return None


SOON = timedelta(days=365)


def flags_for(
    operating_system: str | None, os_version: str | None, today: date
) -> tuple[list[dict[str, Any]], date | None]:
    """The tech-debt flags of an OS on ``today``, and its end-of-support date."""
    release = identify(operating_system, os_version)
    if release is None:
        return [], None
    if release.end_of_support < today:
        code, severity = "os_end_of_support", "high"
    elif release.end_of_support - today <= SOON:
        code, severity = "os_end_of_support_within_a_year", "medium"
    else:
        return [], release.end_of_support
    flag = {
        "code": code,
        "severity": severity,
        "product": release.product,
        "end_of_support": release.end_of_support.isoformat(),
    }
    return [flag], release.end_of_support


def assessment(asset: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The tech-debt columns of an asset about to be created."""
    flags, end = flags_for(asset.get("operating_system"), asset.get("os_version"), today)
    return {"tech_debt_flags": flags, "os_end_of_support": end}
