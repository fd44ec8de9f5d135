"""End-of-support dates of operating systems, and reading them from free-text OS strings.

Each table entry names its source. Dates are the end of the support a licence includes:
Windows, end of extended support; RHEL, end of maintenance support; Oracle Linux, end of
Premier Support (the paid Extended Support runs longer); Rocky and Alma, end of security
support; Ubuntu, end of standard support of the LTS; Debian, end of regular security
support. Exports spell OS names in many ways (``W2K8 R2``, ``Microsoft Windows Server
2008 R2 (64-bit)``, ``Oracle Linux Server release 7.9``), so each family has a tolerant
pattern, and a text that names no listed release gives nothing rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from discovery.assets.end_of_support.release import Release, release, releases

_MICROSOFT = (
    "Microsoft Lifecycle Policy: end of extended support"
    " (https://learn.microsoft.com/lifecycle/products/)"
)
_MICROSOFT_LTSC = (
    "Microsoft Lifecycle Policy (Fixed): end of support of the LTSC release"
    " (https://learn.microsoft.com/lifecycle/products/?terms=LTSC)"
)
_WINDOWS_10 = (
    "Microsoft Lifecycle Policy (Modern): Windows 10 retirement, the end of servicing of"
    " version 22H2 for Home, Pro, Enterprise and Education; earlier versions ended sooner"
    " (https://learn.microsoft.com/lifecycle/products/windows-10-home-and-pro)"
)
_RED_HAT = (
    "Red Hat Enterprise Linux Life Cycle: end of maintenance support"
    " (https://access.redhat.com/support/policy/updates/errata)"
)
_CENTOS = "CentOS Project: end of life (https://www.centos.org/centos-linux-eol/)"
_ORACLE_LINUX = (
    "Oracle Lifetime Support Policy for Oracle Linux: end of Premier Support; paid"
    " Extended Support runs longer (https://www.oracle.com/support/lifetime-support/)"
)
_ROCKY = (
    "Rocky Linux release and version guide: end of life, the end of security support"
    " (https://wiki.rockylinux.org/rocky/version/)"
)
_ALMA = (
    "AlmaLinux release notes: end of security support (https://wiki.almalinux.org/release-notes/)"
)
_UBUNTU = (
    "Ubuntu release cycle: end of standard support of the LTS"
    " (https://ubuntu.com/about/release-cycle)"
)
_SUSE = "SUSE Product Support Lifecycle: end of general support (https://www.suse.com/lifecycle/)"
_DEBIAN = (
    "Debian releases: end of regular security support (https://wiki.debian.org/DebianReleases)"
)
_AIX = (
    "IBM AIX support lifecycle: end of standard support"
    " (https://www.ibm.com/support/pages/aix-support-lifecycle-information)"
)
_SOLARIS = (
    "Oracle Lifetime Support Policy for Oracle Solaris: end of Extended Support"
    " (https://www.oracle.com/support/lifetime-support/)"
)
_VMWARE = "VMware Lifecycle Product Matrix: end of general support (https://lifecycle.vmware.com/)"
_APPLE = (
    "Apple publishes no end-of-support dates and updates the latest three macOS releases:"
    " the day the release stopped getting security updates, when its third successor"
    " shipped (Apple security releases, https://support.apple.com/en-us/100100)"
)
_APPLE_SERVER = (
    "Apple: macOS Server discontinued on 2022-04-21, no further updates"
    " (https://support.apple.com/)"
)

WINDOWS_SERVER = releases("Windows Server", _MICROSOFT, {
    "2003": "2015-07-14", "2003 R2": "2015-07-14",
    "2008": "2020-01-14", "2008 R2": "2020-01-14",
    "2012": "2023-10-10", "2012 R2": "2023-10-10",
    "2016": "2027-01-12", "2019": "2029-01-09", "2022": "2031-10-14",
    "2025": "2034-10-10",
})  # fmt: skip
WINDOWS_CLIENT = {
    **releases("Windows", _MICROSOFT, {
        "XP": "2014-04-08", "Vista": "2017-04-11", "7": "2020-01-14",
        "8": "2016-01-12", "8.1": "2023-01-10",
    }),
    "10": release("Windows 10", "2025-10-14", _WINDOWS_10),
}  # fmt: skip
# The Long-Term Servicing Channel has its own dates, which differ between editions.
WINDOWS_10_LTSC = {
    **releases("Windows 10 Enterprise LTSC", _MICROSOFT_LTSC, {
        "2015": "2025-10-14", "2016": "2026-10-13", "2019": "2029-01-09",
        "2021": "2027-01-12",
    }),
    **{f"IoT {year}": found for year, found in releases(
        "Windows 10 IoT Enterprise LTSC", _MICROSOFT_LTSC, {
            "2015": "2025-10-14", "2016": "2026-10-13", "2019": "2029-01-09",
            "2021": "2032-01-13",
        }).items()},
}  # fmt: skip
RHEL = releases("RHEL", _RED_HAT, {
    "4": "2012-02-29", "5": "2017-03-31", "6": "2020-11-30", "7": "2024-06-30",
    "8": "2029-05-31", "9": "2032-05-31", "10": "2035-05-31",
})  # fmt: skip
CENTOS = releases("CentOS", _CENTOS, {
    "5": "2017-03-31", "6": "2020-11-30", "7": "2024-06-30", "8": "2021-12-31",
})  # fmt: skip
CENTOS_STREAM = releases("CentOS Stream", _CENTOS, {
    "8": "2024-05-31", "9": "2027-05-31", "10": "2030-01-01",
})  # fmt: skip
ORACLE_LINUX = releases("Oracle Linux", _ORACLE_LINUX, {
    "5": "2017-06-30", "6": "2021-03-31", "7": "2024-12-31", "8": "2029-07-31",
    "9": "2032-06-30",
})  # fmt: skip
ROCKY_LINUX = releases("Rocky Linux", _ROCKY, {"8": "2029-05-31", "9": "2032-05-31"})
ALMALINUX = releases("AlmaLinux", _ALMA, {
    "8": "2029-03-01", "9": "2032-05-31", "10": "2035-05-31",
})  # fmt: skip
UBUNTU_LTS = releases("Ubuntu", _UBUNTU, {
    "12.04": "2017-04-28", "14.04": "2019-04-30", "16.04": "2021-04-30",
    "18.04": "2023-05-31", "20.04": "2025-05-31", "22.04": "2027-06-01",
    "24.04": "2029-05-31",
})  # fmt: skip
SLES = releases("SLES", _SUSE, {
    "10": "2013-07-31", "11": "2019-03-31", "12": "2024-10-31", "15": "2031-07-31",
})  # fmt: skip
DEBIAN = releases("Debian", _DEBIAN, {
    "6": "2014-05-31", "7": "2016-04-25", "8": "2018-06-17", "9": "2020-07-06",
    "10": "2022-09-10", "11": "2024-08-14", "12": "2026-06-10", "13": "2028-08-09",
})  # fmt: skip
AIX = releases("AIX", _AIX, {"5.3": "2012-04-30", "6.1": "2017-04-30", "7.1": "2023-04-30"})
SOLARIS = releases("Solaris", _SOLARIS, {
    "8": "2012-03-31", "9": "2014-10-31", "10": "2024-01-31",
})  # fmt: skip
ESXI = releases("ESXi", _VMWARE, {
    "5.0": "2016-08-24", "5.1": "2016-08-24", "5.5": "2018-09-19", "6.0": "2020-03-12",
    "6.5": "2022-10-15", "6.7": "2022-10-15", "7.0": "2025-04-02", "8.0": "2027-10-11",
})  # fmt: skip
# Only releases whose updates have stopped: Apple announces no date for the current ones.
MACOS = releases("macOS", _APPLE, {
    "10.9": "2016-12-01", "10.10": "2017-08-01", "10.11": "2018-12-01",
    "10.12": "2019-10-01", "10.13": "2020-12-01", "10.14": "2021-10-25",
    "10.15": "2022-09-12", "11": "2023-09-26", "12": "2024-09-16", "13": "2025-09-15",
})  # fmt: skip
MACOS_SERVER_APP = release("macOS Server", "2022-04-21", _APPLE_SERVER)

# --- Windows ----------------------------------------------------------------------------

_WIN_SHORT = {"3": "2003", "03": "2003", "8": "2008", "08": "2008", "12": "2012",
              "16": "2016", "19": "2019", "22": "2022", "25": "2025"}  # fmt: skip

_WINDOWS = re.compile(
    r"\b(?:microsoft\s+)?(?:windows|win)\s*(?:server\s*|srv\s*)?(?:(20\d\d)|2k(\d{1,2}))"
    r"(?:\s*(r2))?",
    re.IGNORECASE,
)
_W2K = re.compile(r"\bw2k(\d{1,2})(?:\s*(r2))?\b", re.IGNORECASE)
# ``Windows 10.0.17763`` is a kernel build (servers share it), not Windows 10.
_WINDOWS_CLIENT = re.compile(
    r"\b(?:microsoft\s+)?(?:windows|win)\s*(xp|vista|7|8\.1|8\.x|8|10)(?![\d.])", re.IGNORECASE
)
_LTSC = re.compile(r"\blts[bc]\b", re.IGNORECASE)
_LTSC_YEAR = re.compile(r"\b(2015|2016|2019|2021)\b")
_LTSC_BUILDS = {"10240": "2015", "14393": "2016", "17763": "2019", "19044": "2021"}
_LTSC_BUILD = re.compile(r"\b(10240|14393|17763|19044)\b")
# Editions with lifecycles of their own that the tables do not list.
_OTHER_EDITION = re.compile(r"embedded|\biot\b|thin\s*pc|posready|mobile|phone", re.IGNORECASE)
_IOT = re.compile(r"\biot\b", re.IGNORECASE)


def _windows_server(text: str) -> Release | None:
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
    return WINDOWS_SERVER.get(key)


def _windows_client(text: str) -> Release | None:
    match = _WINDOWS_CLIENT.search(text)
    if not match:
        return None
    version = match.group(1).lower()
    if version == "10" and _LTSC.search(text):
        # An LTSC release without its year (or build) is left unknown: 2027 to 2032.
        year = _LTSC_YEAR.search(text)
        build = _LTSC_BUILD.search(text)
        found = year.group(1) if year else _LTSC_BUILDS[build.group(1)] if build else None
        if found is None:
            return None
        return WINDOWS_10_LTSC[f"IoT {found}" if _IOT.search(text) else found]
    if _OTHER_EDITION.search(text):
        return None  # Windows 10 IoT: LTSC (to 2032) or not (ended 2025) cannot be told
    key = {"xp": "XP", "vista": "Vista", "8.x": "8.1"}.get(version, version)
    return WINDOWS_CLIENT[key]


# --- Linux, Unix, hypervisors -----------------------------------------------------------


def _family(pattern: str, table: Mapping[str, Release]) -> Callable[[str], Release | None]:
    compiled = re.compile(pattern, re.IGNORECASE)

    def match(text: str) -> Release | None:
        found = compiled.search(text)
        if not found:
            return None
        version = found.group(1)
        if version not in table:
            version = version.split(".")[0]
        return table.get(version)

    return match


# --- macOS ------------------------------------------------------------------------------

_MAC = re.compile(r"\b(?:mac\s*os(?:\s*x)?|macos|os\s*x)\b", re.IGNORECASE)
_MAC_VERSION = re.compile(
    r"\b(?:mac\s*os(?:\s*x)?|macos|os\s*x)(?:\s*server)?\s*(10\.\d{1,2}|1[1-9]|2\d)(?!\d)",
    re.IGNORECASE,
)
_MAC_SERVER_APP = re.compile(
    r"\b(?:mac\s*os(?:\s*x)?|macos|os\s*x)\s*server\s*[2-5]\.\d", re.IGNORECASE
)
_MAC_NAMES = {
    "high sierra": "10.13", "sierra": "10.12", "el capitan": "10.11", "yosemite": "10.10",
    "mavericks": "10.9", "mojave": "10.14", "catalina": "10.15", "big sur": "11",
    "monterey": "12", "ventura": "13", "sonoma": "14", "sequoia": "15", "tahoe": "26",
}  # fmt: skip
_MAC_NAME = re.compile(
    r"\b(" + "|".join(name.replace(" ", r"\s*") for name in _MAC_NAMES) + r")\b",
    re.IGNORECASE,
)


def _macos(text: str) -> Release | None:
    if _MAC_SERVER_APP.search(text):
        return MACOS_SERVER_APP
    if not _MAC.search(text):
        return None
    found = _MAC_VERSION.search(text)
    if found:
        return MACOS.get(found.group(1))
    name = _MAC_NAME.search(text)
    if name:
        return MACOS.get(_MAC_NAMES[" ".join(name.group(1).lower().split())])
    return None


_MATCHERS: tuple[Callable[[str], Release | None], ...] = (
    _windows_server,
    _windows_client,
    _family(r"centos\s*(?:linux\s*)?stream\s*(\d+)", CENTOS_STREAM),
    # The RHEL rebuilds before RHEL and CentOS: ``AlmaLinux 8 (RHEL 8 compatible)``.
    _family(
        r"(?:\boracle\s*(?:enterprise\s*)?linux[^0-9]{0,20}|\b(?:oel|ol)[\s-]?)(\d+)", ORACLE_LINUX
    ),
    _family(r"\brocky(?:\s*linux)?[^0-9]{0,12}(\d+)", ROCKY_LINUX),
    _family(r"\balma(?:\s*linux)?(?:\s*os)?[^0-9]{0,12}(\d+)", ALMALINUX),
    _family(r"centos(?:\s*linux)?[^0-9]{0,12}(\d+)", CENTOS),
    _family(r"(?:red\s*hat\s*enterprise\s*linux|rhel)[^0-9]{0,20}(\d+)", RHEL),
    _family(r"ubuntu[^0-9]{0,20}(\d\d\.04)", UBUNTU_LTS),
    _family(r"(?:suse\s*linux\s*enterprise(?:\s*server)?|sles)[^0-9]{0,10}(\d+)", SLES),
    _family(r"debian[^0-9]{0,20}(\d+)", DEBIAN),
    _family(r"\baix\s*(\d\.\d)", AIX),
    _family(r"solaris\s*(\d+)", SOLARIS),
    _family(r"\besxi?\s*(\d\.\d)", ESXI),
    _macos,
)


@lru_cache(maxsize=4096)  # exports repeat a few OS strings across a million rows
def identify(operating_system: str | None, os_version: str | None = None) -> Release | None:
    """The OS release an export's OS text names, when the tables know it."""
    text = " ".join(part for part in (operating_system, os_version) if part)
    if not text:
        return None
    for matcher in _MATCHERS:
        found = matcher(text)
        if found is not None:
            return found
    return None
