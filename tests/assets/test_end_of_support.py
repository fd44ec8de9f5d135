"""End-of-support matching on the free-text OS strings exports contain, and the flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from discovery.assets import end_of_support
from discovery.assets.end_of_support import (
    OsRelease,
    Release,
    flags_for,
    identify,
    identify_databases,
)

TODAY = date(2026, 6, 1)
MICROSOFT = (
    "Microsoft Lifecycle Policy: end of extended support"
    " (https://learn.microsoft.com/lifecycle/products/)"
)


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
        "Windows 11",  # each Windows 11 version has its own date; the line has none
        "Amazon Linux 2",
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
            "source": MICROSOFT,
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
            "source": "CentOS Project: end of life (https://www.centos.org/centos-linux-eol/)",
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


# --- desktop Windows, the RHEL rebuilds, macOS -------------------------------------------


@pytest.mark.parametrize(
    ("text", "product", "end_of_support"),
    [
        # Desktop Windows: end of extended support; Windows 10 is the retirement of 22H2.
        ("Windows XP Professional", "Windows XP", date(2014, 4, 8)),
        ("Windows Vista Business", "Windows Vista", date(2017, 4, 11)),
        ("Microsoft Windows 7 (64-bit)", "Windows 7", date(2020, 1, 14)),
        ("Windows 7 Enterprise SP1", "Windows 7", date(2020, 1, 14)),
        ("Win7", "Windows 7", date(2020, 1, 14)),
        ("Windows 8 Pro", "Windows 8", date(2016, 1, 12)),
        ("Windows 8.1 Enterprise", "Windows 8.1", date(2023, 1, 10)),
        # VMware's guest OS "8.x": the later of the two, so the date is never too early.
        ("Microsoft Windows 8.x (64-bit)", "Windows 8.1", date(2023, 1, 10)),
        ("Windows 10 Enterprise", "Windows 10", date(2025, 10, 14)),
        ("Microsoft Windows 10 (64-bit)", "Windows 10", date(2025, 10, 14)),
        ("Windows 10 Pro 22H2", "Windows 10", date(2025, 10, 14)),
        ("WIN10", "Windows 10", date(2025, 10, 14)),
        # The Long-Term Servicing Channel has its own dates, by edition.
        ("Windows 10 Enterprise LTSC 2019", "Windows 10 Enterprise LTSC 2019", date(2029, 1, 9)),
        ("Windows 10 Enterprise 2016 LTSB", "Windows 10 Enterprise LTSC 2016", date(2026, 10, 13)),
        ("Windows 10 Enterprise LTSC 2021", "Windows 10 Enterprise LTSC 2021", date(2027, 1, 12)),
        (
            "Windows 10 IoT Enterprise LTSC 2021",
            "Windows 10 IoT Enterprise LTSC 2021",
            date(2032, 1, 13),
        ),
        # A server is never the desktop release that shares its kernel.
        ("Windows Server 2019 Standard", "Windows Server 2019", date(2029, 1, 9)),
        # Oracle Linux: end of Premier Support.
        ("Oracle Linux 7", "Oracle Linux 7", date(2024, 12, 31)),
        ("Oracle Linux 8 (64-bit)", "Oracle Linux 8", date(2029, 7, 31)),
        ("Oracle Linux Server release 7.9", "Oracle Linux 7", date(2024, 12, 31)),
        ("Oracle Enterprise Linux 5", "Oracle Linux 5", date(2017, 6, 30)),
        ("Oracle Linux 6.10", "Oracle Linux 6", date(2021, 3, 31)),
        ("OEL 6", "Oracle Linux 6", date(2021, 3, 31)),
        ("OL9", "Oracle Linux 9", date(2032, 6, 30)),
        # Rocky and Alma: end of security support; a mention of RHEL does not make it RHEL.
        ("Rocky Linux 8", "Rocky Linux 8", date(2029, 5, 31)),
        ("Rocky Linux release 9.3 (Blue Onyx)", "Rocky Linux 9", date(2032, 5, 31)),
        ("AlmaLinux 8.9", "AlmaLinux 8", date(2029, 3, 1)),
        ("AlmaLinux OS 9 (RHEL 9 compatible)", "AlmaLinux 9", date(2032, 5, 31)),
        ("Alma Linux 10", "AlmaLinux 10", date(2035, 5, 31)),
        # macOS (a laptop is fine to flag) and the discontinued macOS Server.
        ("Apple Mac OS X 10.13 (64-bit)", "macOS 10.13", date(2020, 12, 1)),
        ("macOS 12.7.4", "macOS 12", date(2024, 9, 16)),
        ("macOS Big Sur", "macOS 11", date(2023, 9, 26)),
        ("OS X El Capitan", "macOS 10.11", date(2018, 12, 1)),
        ("macOS Server 10.14", "macOS 10.14", date(2021, 10, 25)),
        ("macOS Server 5.12", "macOS Server", date(2022, 4, 21)),
    ],
)
def test_identify_more_operating_systems(text: str, product: str, end_of_support: date) -> None:
    assert identify(text) == OsRelease(product, end_of_support)


@pytest.mark.parametrize(
    ("operating_system", "os_version", "product"),
    [
        ("Microsoft Windows 10 Enterprise", "10.0.19045", "Windows 10"),
        ("Windows Server 2016 Datacenter", "10.0.14393", "Windows Server 2016"),
        # An LTSC release named by its build.
        ("Windows 10 Enterprise LTSC", "10.0.17763", "Windows 10 Enterprise LTSC 2019"),
        ("Oracle Linux", "8.6", "Oracle Linux 8"),
        ("Rocky Linux", "9.2", "Rocky Linux 9"),
        ("macOS", "10.15.7", "macOS 10.15"),
    ],
)
def test_identify_more_operating_systems_in_two_columns(
    operating_system: str, os_version: str, product: str
) -> None:
    release = identify(operating_system, os_version)
    assert release is not None
    assert release.product == product


@pytest.mark.parametrize(
    ("operating_system", "os_version"),
    [
        # A kernel build alone: Windows 10 and Windows Server 2016-2022 all say 10.0.
        ("Microsoft Windows", "10.0.19045"),
        ("Windows 10.0.17763", None),
        # Windows 10 IoT is LTSC (to 2032) or not (ended 2025): left unknown, not guessed.
        ("Windows 10 IoT Enterprise", None),
        ("Windows 10 IoT Core", None),
        ("Windows 10 Enterprise LTSC", None),  # LTSC without its year: 2025 to 2032
        ("Windows Embedded Standard 7", None),  # embedded editions have their own dates
        ("Windows 11 Pro", None),
        ("Rocky Linux 7", None),  # never released
        ("Rocky Linux", None),
        ("AlmaLinux", None),
        ("Oracle Linux", None),
        ("Oracle Linux 4/5/6/7 (64-bit)", None),  # VMware's any-version guest OS type
        ("Oracle Solaris 11", None),  # not Oracle Linux, and not in the Solaris table
        ("macOS 14.2", None),  # still updated: Apple announces no date
        ("macOS Sequoia", None),
        ("macOS", None),
        ("Mac OS X Server 10.6.8", None),  # older than the table
    ],
)
def test_more_unknown_operating_systems_are_none(
    operating_system: str, os_version: str | None
) -> None:
    assert identify(operating_system, os_version) is None


# --- database engines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("database_type", "database_version", "product", "end_of_support"),
    [
        # SQL Server by name and year, with editions, service packs and product versions.
        ("Microsoft SQL Server", "2012", "SQL Server 2012", date(2022, 7, 12)),
        ("SQL Server 2014 SP3", None, "SQL Server 2014", date(2024, 7, 9)),
        ("Microsoft SQL Server 2008 R2 (64-bit)", None, "SQL Server 2008 R2", date(2019, 7, 9)),
        ("SQL Server", "2008", "SQL Server 2008", date(2019, 7, 9)),
        ("MS SQL", "2016 Standard", "SQL Server 2016", date(2026, 7, 14)),
        ("SQL Server 2017 Enterprise", None, "SQL Server 2017", date(2027, 10, 12)),
        ("SQL Server", "2019 CU22", "SQL Server 2019", date(2030, 1, 8)),
        ("SQL Server 2022", None, "SQL Server 2022", date(2033, 1, 11)),
        ("MSSQL", "10.0.6000.29", "SQL Server 2008", date(2019, 7, 9)),
        ("MSSQL", "10.50.6000.34", "SQL Server 2008 R2", date(2019, 7, 9)),
        ("MSSQL", "11.0.7001.0", "SQL Server 2012", date(2022, 7, 12)),
        ("Microsoft SQL Server", "12.0.6024.0", "SQL Server 2014", date(2024, 7, 9)),
        ("MSSQL 13.0", None, "SQL Server 2016", date(2026, 7, 14)),
        ("MSSQLSERVER", "14.0.3465.1", "SQL Server 2017", date(2027, 10, 12)),
        # A build number is not a year: 15.0.2000 is SQL Server 2019, not 2000.
        ("MSSQLSERVER", "15.0.2000.5", "SQL Server 2019", date(2030, 1, 8)),
        ("SQL Server", "16.0.1000.6", "SQL Server 2022", date(2033, 1, 11)),
        # Oracle Database: end of Premier Support; a release wins over its family.
        ("Oracle", "12.1.0.2", "Oracle Database 12.1", date(2018, 7, 31)),
        ("Oracle", "12.2.0.1", "Oracle Database 12.2", date(2022, 3, 31)),
        ("Oracle Database", "11.2.0.4", "Oracle Database 11.2", date(2015, 1, 31)),
        (
            "Oracle Database 11g Enterprise Edition Release 11.2.0.4.0 - 64bit Production",
            None,
            "Oracle Database 11.2",
            date(2015, 1, 31),
        ),
        # A family without its release gets the dates of its last release.
        ("Oracle Database 11g Enterprise Edition", None, "Oracle Database 11g", date(2015, 1, 31)),
        ("Oracle", "12c", "Oracle Database 12c", date(2022, 3, 31)),
        ("Oracle", "18c", "Oracle Database 18c", date(2021, 6, 30)),
        ("Oracle Database 19c", None, "Oracle Database 19c", date(2029, 12, 31)),
        ("Oracle RDBMS", "19.21.0.0", "Oracle Database 19c", date(2029, 12, 31)),
        ("Oracle", "21c", "Oracle Database 21c", date(2027, 7, 31)),
        # MySQL: end of life; PostgreSQL: the final release.
        ("MySQL 5.7.38", None, "MySQL 5.7", date(2023, 10, 31)),
        ("MySQL", "5.5.62", "MySQL 5.5", date(2018, 12, 31)),
        ("MySQL Community Server", "5.6.51", "MySQL 5.6", date(2021, 2, 28)),
        ("mysql", "8.0.36", "MySQL 8.0", date(2026, 4, 30)),
        ("PostgreSQL 12.4", None, "PostgreSQL 12", date(2024, 11, 21)),
        ("postgres 9.6", None, "PostgreSQL 9.6", date(2021, 11, 11)),
        ("PostgreSQL", "9.4.26", "PostgreSQL 9.4", date(2020, 2, 13)),
        ("PostgreSQL", "10.23", "PostgreSQL 10", date(2022, 11, 10)),
        ("Postgres", "16", "PostgreSQL 16", date(2028, 11, 9)),
        # What ``SELECT version()`` answers: the build platform after "on" is not read.
        (
            "PostgreSQL 11.22 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 4.8.5, 64-bit",
            None,
            "PostgreSQL 11",
            date(2023, 11, 9),
        ),
    ],
)
def test_identify_database_columns(
    database_type: str, database_version: str | None, product: str, end_of_support: date
) -> None:
    assert identify_databases(database_type, database_version) == (
        Release(product, end_of_support),
    )


@pytest.mark.parametrize(
    ("operating_system", "os_product", "database_products"),
    [
        (
            "SQL Server 2012 on Windows Server 2012",
            "Windows Server 2012",
            ["SQL Server 2012"],
        ),
        ("Windows Server 2016 with SQL 2014", "Windows Server 2016", ["SQL Server 2014"]),
        (
            "Oracle Database 19c on Oracle Linux 8",
            "Oracle Linux 8",
            ["Oracle Database 19c"],
        ),
        ("Oracle 12c on RHEL 7", "RHEL 7", ["Oracle Database 12c"]),
        ("MySQL 5.7 on Ubuntu 18.04", "Ubuntu 18.04", ["MySQL 5.7"]),
        ("Red Hat Enterprise Linux 7 (PostgreSQL 9.6)", "RHEL 7", ["PostgreSQL 9.6"]),
        # No database version in the OS text: the OS's year is not the database's.
        ("SQL Server on Windows Server 2016", "Windows Server 2016", []),
        # Oracle Linux is an operating system, not an Oracle Database.
        ("Oracle Linux 7", "Oracle Linux 7", []),
        ("Oracle Enterprise Linux 6.10", "Oracle Linux 6", []),
    ],
)
def test_identify_databases_in_os_text(
    operating_system: str, os_product: str, database_products: list[str]
) -> None:
    release = identify(operating_system)
    assert release is not None
    assert release.product == os_product
    found = identify_databases(None, None, operating_system)
    assert [database.product for database in found] == database_products


@pytest.mark.parametrize(
    ("database_type", "database_version"),
    [
        ("SQL Server Management Studio", "18.12.1"),  # a tool, not SQL Server
        ("SQL Server Management Studio 2016", None),
        ("Microsoft SQL Server Native Client", "11.0"),
        ("Microsoft SQL Server", None),  # no version
        ("SQL Server", "2030"),  # no such release
        ("MySQL Workbench", None),
        ("MySQL Workbench", "8.0.36"),  # a tool's version is not the server's
        ("MySQL Router", "8.0"),
        ("MySQL", "9.1.0"),  # an innovation release: not listed
        ("MySQL", None),
        ("MariaDB", "10.6"),  # its own lifecycle, not listed
        ("postgres-exporter", None),
        ("postgres-exporter", "0.15.0"),
        ("postgres_exporter", "0.15.0"),
        ("PostgreSQL", "9"),  # 9.x without its minor release
        ("PostgreSQL", None),
        ("Aurora PostgreSQL", "12.4"),  # Amazon's lifecycle, not the community's
        ("EDB Postgres Advanced Server", "12"),
        ("Oracle Linux", "7.9"),  # an operating system in the wrong column
        ("Oracle Database Client", "19c"),
        ("Oracle WebLogic Server", "12.2.1"),
        ("Oracle", None),
        ("Oracle", "8i"),  # older than the table
        (None, "12.1.0.2"),  # a version alone names no engine
        (None, "2012"),
        ("", ""),
        (None, None),
    ],
)
def test_unknown_databases_are_none(
    database_type: str | None, database_version: str | None
) -> None:
    assert identify_databases(database_type, database_version) == ()


@pytest.mark.parametrize(
    "operating_system",
    [
        "Windows Server 2019 with SQL Server Management Studio 18",
        "Ubuntu 22.04 with MySQL Workbench 8.0",
        "postgres-exporter 0.15.0 on Debian 12",
        "Oracle Linux 8.6",
        "Oracle VM Server 3.4",
        "Oracle Solaris 11.4",
        "Microsoft Windows Server 2016 (64-bit)",
    ],
)
def test_os_text_without_a_database_names_none(operating_system: str) -> None:
    assert identify_databases(None, None, operating_system) == ()


def test_a_database_in_both_places_is_one_release() -> None:
    found = identify_databases(
        "Microsoft SQL Server", "11.0.7001.0", "SQL Server 2012 on Windows Server 2012"
    )
    assert [database.product for database in found] == ["SQL Server 2012"]


def test_two_databases_in_two_places_are_two_releases() -> None:
    found = identify_databases("PostgreSQL", "9.6", "MySQL 5.7 on Ubuntu 18.04")
    assert [database.product for database in found] == ["PostgreSQL 9.6", "MySQL 5.7"]


@pytest.mark.parametrize(
    ("table", "vendor"),
    [
        (end_of_support.operating_systems.WINDOWS_SERVER, "Microsoft Lifecycle"),
        (end_of_support.operating_systems.WINDOWS_CLIENT, "Microsoft Lifecycle"),
        (end_of_support.operating_systems.WINDOWS_10_LTSC, "Microsoft Lifecycle"),
        (end_of_support.operating_systems.RHEL, "Red Hat"),
        (end_of_support.operating_systems.CENTOS, "CentOS"),
        (end_of_support.operating_systems.CENTOS_STREAM, "CentOS"),
        (end_of_support.operating_systems.ORACLE_LINUX, "Oracle Lifetime Support"),
        (end_of_support.operating_systems.ROCKY_LINUX, "Rocky Linux"),
        (end_of_support.operating_systems.ALMALINUX, "AlmaLinux"),
        (end_of_support.operating_systems.UBUNTU_LTS, "Ubuntu"),
        (end_of_support.operating_systems.SLES, "SUSE"),
        (end_of_support.operating_systems.DEBIAN, "Debian"),
        (end_of_support.operating_systems.AIX, "IBM"),
        (end_of_support.operating_systems.SOLARIS, "Oracle Lifetime Support"),
        (end_of_support.operating_systems.ESXI, "VMware"),
        (end_of_support.operating_systems.MACOS, "Apple"),
        (end_of_support.databases.SQL_SERVER, "Microsoft Lifecycle"),
        (end_of_support.databases.ORACLE_DATABASE, "Oracle Lifetime Support"),
        (end_of_support.databases.MYSQL, "Lifetime Support Policy for MySQL"),
        (end_of_support.databases.POSTGRESQL, "PostgreSQL Versioning Policy"),
    ],
)
def test_every_release_names_its_source(table: dict[str, Release], vendor: str) -> None:
    assert table
    for version, release in table.items():
        assert release.source.startswith(vendor) or f" {vendor}" in release.source, version
        assert "https://" in release.source, version
        assert version.split()[-1] in release.product, version


# --- flags for operating systems and databases --------------------------------------------


def test_flags_for_an_os_and_a_database_name_each_product() -> None:
    flags, end = flags_for(
        "Oracle Linux 7", None, TODAY, database_type="Oracle", database_version="12.1.0.2"
    )
    assert end == date(2024, 12, 31)  # the OS's date, never the database's
    assert [(f["code"], f["severity"], f["product"], f["end_of_support"]) for f in flags] == [
        ("os_end_of_support", "high", "Oracle Linux 7", "2024-12-31"),
        ("database_end_of_support", "high", "Oracle Database 12.1", "2018-07-31"),
    ]
    assert flags[0]["source"].startswith("Oracle Lifetime Support Policy for Oracle Linux")
    assert flags[1]["source"].startswith("Oracle Lifetime Support Policy: end of Premier")


def test_flags_for_an_os_text_naming_a_database_flags_both() -> None:
    flags, end = flags_for("SQL Server 2012 on Windows Server 2012", None, TODAY)
    assert end == date(2023, 10, 10)
    assert flags == [
        {
            "code": "os_end_of_support",
            "severity": "high",
            "product": "Windows Server 2012",
            "end_of_support": "2023-10-10",
            "source": MICROSOFT,
        },
        {
            "code": "database_end_of_support",
            "severity": "high",
            "product": "SQL Server 2012",
            "end_of_support": "2022-07-12",
            "source": "Microsoft Lifecycle Policy: end of extended support"
            " (https://learn.microsoft.com/lifecycle/products/?terms=SQL%20Server)",
        },
    ]


def test_flags_for_a_database_within_a_year_is_medium() -> None:
    # PostgreSQL 14's final release is due 2026-11-12: 164 days after TODAY.
    flags, end = flags_for("Windows Server 2025", None, TODAY, "PostgreSQL", "14.10")
    assert end == date(2034, 10, 10)
    assert [(f["code"], f["severity"], f["product"]) for f in flags] == [
        ("database_end_of_support_within_a_year", "medium", "PostgreSQL 14")
    ]


def test_flags_for_a_database_alone_gives_no_os_date() -> None:
    flags, end = flags_for(None, None, TODAY, "MySQL", "5.7.38")
    assert end is None
    assert [(f["code"], f["product"]) for f in flags] == [("database_end_of_support", "MySQL 5.7")]


def test_flags_for_a_supported_database_gives_no_flag() -> None:
    assert flags_for("Windows Server 2025", None, TODAY, "SQL Server", "2022") == (
        [],
        date(2034, 10, 10),
    )
