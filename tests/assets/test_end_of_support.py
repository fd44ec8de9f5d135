"""End-of-support matching on the free-text OS strings exports contain, and the flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from discovery.assets.end_of_support import OsRelease, flags_for, identify

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("text", "product", "end_of_support"),
    [
        # Windows Server: abbreviations, vendor prefixes, editions and bitness.
        ("W2K8 R2", "Windows Server 2008 R2", date(2020, 1, 14)),
        ("W2K8", "Windows Server 2008", date(2020, 1, 14)),
        ("w2k12r2", "Windows Server 2012 R2", date(2023, 10, 10)),
        ("Win2k3", "Windows Server 2003", date(2015, 7, 14)),
        ("Microsoft Windows Server 2008 R2 (64-bit)", "Windows Server 2008 R2", date(2020, 1, 14)),
        ("Microsoft Windows Server 2008 (32-bit)", "Windows Server 2008", date(2020, 1, 14)),
        ("Windows 2012", "Windows Server 2012", date(2023, 10, 10)),
        ("Windows Server 2012 R2 Standard", "Windows Server 2012 R2", date(2023, 10, 10)),
        ("Microsoft Windows Server 2016 Datacenter", "Windows Server 2016", date(2027, 1, 12)),
        ("Microsoft Windows Server 2019 (64-bit)", "Windows Server 2019", date(2029, 1, 9)),
        ("WINDOWS SERVER 2022 DATACENTER", "Windows Server 2022", date(2031, 10, 14)),
        # Red Hat and CentOS: minor versions fall back to the major release.
        ("Red Hat Enterprise Linux 6 (64-bit)", "RHEL 6", date(2020, 11, 30)),
        ("Red Hat Enterprise Linux Server release 7.9 (Maipo)", "RHEL 7", date(2024, 6, 30)),
        ("RHEL 7.9", "RHEL 7", date(2024, 6, 30)),
        ("rhel8", "RHEL 8", date(2029, 5, 31)),
        ("CentOS 6", "CentOS 6", date(2020, 11, 30)),
        ("CentOS Linux 7 (Core)", "CentOS 7", date(2024, 6, 30)),
        ("CentOS 8", "CentOS 8", date(2021, 12, 31)),
        # Stream is its own product, not CentOS 8 (which ended two years earlier).
        ("CentOS Stream 8", "CentOS Stream 8", date(2024, 5, 31)),
        ("CentOS Stream 9", "CentOS Stream 9", date(2027, 5, 31)),
        # Ubuntu LTS, SLES service packs, Debian code names.
        ("Ubuntu 16.04 LTS", "Ubuntu 16.04", date(2021, 4, 30)),
        ("Ubuntu 20.04.6 LTS", "Ubuntu 20.04", date(2025, 5, 31)),
        ("SLES 12 SP5", "SLES 12", date(2024, 10, 31)),
        ("SUSE Linux Enterprise Server 15 SP4", "SLES 15", date(2031, 7, 31)),
        ("Debian 9", "Debian 9", date(2020, 7, 6)),
        ("Debian GNU/Linux 10 (buster)", "Debian 10", date(2022, 9, 10)),
        # Unix and hypervisors.
        ("AIX 7.1", "AIX 7.1", date(2023, 4, 30)),
        ("Solaris 10", "Solaris 10", date(2024, 1, 31)),
        ("ESXi 6.7", "ESXi 6.7", date(2022, 10, 15)),
        ("VMware ESXi 6.7.0 build-8169922", "ESXi 6.7", date(2022, 10, 15)),
    ],
)
def test_identify_free_text(text: str, product: str, end_of_support: date) -> None:
    assert identify(text) == OsRelease(product, end_of_support)


@pytest.mark.parametrize(
    ("operating_system", "os_version", "product"),
    [
        ("Microsoft Windows Server", "2008 R2", "Windows Server 2008 R2"),
        ("Windows Server 2008", "R2", "Windows Server 2008 R2"),
        ("Red Hat Enterprise Linux", "6.10", "RHEL 6"),
        ("Ubuntu", "16.04", "Ubuntu 16.04"),
        ("SLES", "12 SP5", "SLES 12"),
        ("CentOS Stream", "8", "CentOS Stream 8"),
        ("VMware ESXi", "6.7.0", "ESXi 6.7"),
        # A build number in the version column does not hide the release in the OS column.
        ("Microsoft Windows Server 2019", "10.0.17763", "Windows Server 2019"),
    ],
)
def test_identify_os_and_version_in_two_columns(
    operating_system: str, os_version: str, product: str
) -> None:
    release = identify(operating_system, os_version)
    assert release is not None
    assert release.product == product


@pytest.mark.parametrize(
    "text",
    [
        "FreeBSD 13",
        "Windows 10 Enterprise",  # a desktop OS, not a server release in the table
        "Windows 11",
        "Windows XP",
        "Oracle Linux 7",
        "Amazon Linux 2",
        "Rocky Linux 8",
        "Ubuntu 18.10",  # not an LTS
        "Ubuntu",  # no version at all
        "Red Hat Enterprise Linux",
        "Linux",
        "Other (64-bit)",
        "not a real os",
    ],
)
def test_unknown_operating_systems_are_none(text: str) -> None:
    assert identify(text) is None


def test_empty_input_is_none() -> None:
    assert identify(None) is None
    assert identify(None, None) is None
    assert identify("") is None
    assert identify("", "") is None


def test_a_version_alone_names_no_product() -> None:
    assert identify(None, "2008 R2") is None
    assert identify("", "6.10") is None


def test_flags_for_past_end_of_support_is_high() -> None:
    flags, end = flags_for("Microsoft Windows Server 2008 R2 (64-bit)", None, TODAY)
    assert end == date(2020, 1, 14)
    assert flags == [
        {
            "code": "os_end_of_support",
            "severity": "high",
            "product": "Windows Server 2008 R2",
            "end_of_support": "2020-01-14",
        }
    ]


def test_flags_for_within_a_year_is_medium() -> None:
    # CentOS Stream 9 ends 2027-05-31: 364 days after TODAY.
    flags, end = flags_for("CentOS Stream 9", None, TODAY)
    assert end == date(2027, 5, 31)
    assert flags == [
        {
            "code": "os_end_of_support_within_a_year",
            "severity": "medium",
            "product": "CentOS Stream 9",
            "end_of_support": "2027-05-31",
        }
    ]


def test_flags_for_far_future_gives_no_flag_but_the_date() -> None:
    flags, end = flags_for("Windows Server 2022", None, TODAY)
    assert flags == []
    assert end == date(2031, 10, 14)


def test_flags_for_unknown_or_empty_os_gives_nothing() -> None:
    assert flags_for("FreeBSD 13", None, TODAY) == ([], None)
    assert flags_for(None, None, TODAY) == ([], None)
    assert flags_for("", "", TODAY) == ([], None)


def test_flags_for_uses_both_columns() -> None:
    flags, end = flags_for("Red Hat Enterprise Linux", "6.10", TODAY)
    assert end == date(2020, 11, 30)
    assert [flag["code"] for flag in flags] == ["os_end_of_support"]
    assert flags[0]["product"] == "RHEL 6"


@pytest.mark.parametrize(
    ("today", "code"),
    [
        # End of support is 2020-01-14 (Windows Server 2008 R2).
        (date(2020, 1, 15), "os_end_of_support"),  # the day after: past
        (date(2020, 1, 14), "os_end_of_support_within_a_year"),  # the last supported day
        (date(2020, 1, 14) - timedelta(days=365), "os_end_of_support_within_a_year"),
        (date(2020, 1, 14) - timedelta(days=366), None),
    ],
)
def test_flags_for_boundaries(today: date, code: str | None) -> None:
    flags, end = flags_for("W2K8 R2", None, today)
    assert end == date(2020, 1, 14)
    assert [flag["code"] for flag in flags] == ([code] if code else [])


def test_the_same_os_is_judged_by_the_given_day() -> None:
    early, _ = flags_for("Windows Server 2016", None, date(2020, 1, 1))
    late, _ = flags_for("Windows Server 2016", None, date(2027, 2, 1))
    assert early == []
    assert late[0]["code"] == "os_end_of_support"
    assert late[0]["severity"] == "high"
