"""End-of-support dates of database engines, read from database columns or from OS text.

An engine is named in ``database_type`` and versioned in ``database_version``
(``Microsoft SQL Server`` + ``11.0.7001.0``), or both stand in one text (``MySQL 5.7.38``,
``SQL Server 2012 on Windows Server 2012``). The text is cut into clauses at words that
join products (``on``, ``with``, ``,``) and at OS names, so a version is only read from
the clause that names the engine: ``SQL Server on Windows Server 2016`` gives no SQL
Server release, and ``Oracle Linux 7`` no Oracle Database. Tools and clients named after
an engine (``SQL Server Management Studio``, ``MySQL Workbench``, ``postgres-exporter``)
are not the engine and give nothing, with or without a version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from discovery.assets.end_of_support.release import Release, release, releases

_MICROSOFT = (
    "Microsoft Lifecycle Policy: end of extended support"
    " (https://learn.microsoft.com/lifecycle/products/?terms=SQL%20Server)"
)
_ORACLE = (
    "Oracle Lifetime Support Policy: end of Premier Support{note}"
    " (https://www.oracle.com/support/lifetime-support/; Release Schedule of Current"
    " Database Releases, My Oracle Support note 742060.1)"
)
_MYSQL = (
    "Oracle Lifetime Support Policy for MySQL: end of life, the end of Extended Support"
    " after which no further releases ship (https://www.mysql.com/support/eol-notice.html)"
)
_POSTGRESQL = (
    "PostgreSQL Versioning Policy: final release, five years after the first"
    " (https://www.postgresql.org/support/versioning/)"
)

SQL_SERVER = releases("SQL Server", _MICROSOFT, {
    "2000": "2013-04-09", "2005": "2016-04-12", "2008": "2019-07-09",
    "2008 R2": "2019-07-09", "2012": "2022-07-12", "2014": "2024-07-09",
    "2016": "2026-07-14", "2017": "2027-10-12", "2019": "2030-01-08",
    "2022": "2033-01-11", "2025": "2036-01-06",
})  # fmt: skip
# Product versions as ``SELECT @@VERSION`` and installers report them.
_SQL_SERVER_VERSIONS = {
    "8": "2000", "9": "2005", "10": "2008", "10.5": "2008 R2", "10.50": "2008 R2",
    "11": "2012", "12": "2014", "13": "2016", "14": "2017", "15": "2019", "16": "2022",
    "17": "2025",
}  # fmt: skip


def _oracle(product: str, day: str, note: str) -> Release:
    return release(f"Oracle Database {product}", day, _ORACLE.format(note=note))


ORACLE_DATABASE = {
    "10.2": _oracle("10.2", "2010-07-31", "; paid Extended Support to 2015-07-31"),
    "11.1": _oracle("11.1", "2012-08-31", "; paid Extended Support to 2015-08-31"),
    "11.2": _oracle("11.2", "2015-01-31", "; paid Extended Support to 2020-12-31"),
    "12.1": _oracle("12.1", "2018-07-31", "; paid Extended Support to 2022-07-31"),
    "12.2": _oracle("12.2", "2022-03-31", " (Limited Error Correction); no Extended Support"),
    "18": _oracle("18c", "2021-06-30", " (Limited Error Correction); no Extended Support"),
    "19": _oracle("19c", "2029-12-31", "; paid Extended Support to 2032-12-31"),
    "21": _oracle("21c", "2027-07-31", " (innovation release); no Extended Support"),
    "23": _oracle("23ai", "2031-12-31", ""),
}
# A release family without its release: the dates of its last release, never too early.
_ORACLE_FAMILIES = {"10": "10.2", "11": "11.2", "12": "12.2"}
MYSQL = releases("MySQL", _MYSQL, {
    "5.1": "2013-12-31", "5.5": "2018-12-31", "5.6": "2021-02-28", "5.7": "2023-10-31",
    "8.0": "2026-04-30", "8.4": "2032-04-30",
})  # fmt: skip
POSTGRESQL = releases("PostgreSQL", _POSTGRESQL, {
    "8.4": "2014-07-24", "9.0": "2015-10-08", "9.1": "2016-10-27", "9.2": "2017-11-09",
    "9.3": "2018-11-08", "9.4": "2020-02-13", "9.5": "2021-02-11", "9.6": "2021-11-11",
    "10": "2022-11-10", "11": "2023-11-09", "12": "2024-11-21", "13": "2025-11-13",
    "14": "2026-11-12", "15": "2027-11-11", "16": "2028-11-09", "17": "2029-11-08",
    "18": "2030-11-14",
})  # fmt: skip

# Words that join two products, and OS names: a clause ends there.
_CLAUSE_END = re.compile(
    r"\b(?:on|with|running|under|and|over|windows|win|linux|rhel|ubuntu|debian|centos|sles"
    r"|solaris|aix|esxi?)\b|[,;|&+/()\[\]]",
    re.IGNORECASE,
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})")


def _dotted(text: str, table: Mapping[str, str]) -> str | None:
    found = _DOTTED.search(text)
    if not found:
        return None
    major, minor = found.groups()
    return table.get(f"{major}.{minor}") or table.get(major)


# --- SQL Server -------------------------------------------------------------------------

# A year, not a build number: ``15.0.2000`` is SQL Server 2019.
_SQL_YEAR = re.compile(
    r"(?<![\d.])(2000|2005|2008|2012|2014|2016|2017|2019|2022|2025)(?:\s*(r2))?(?!\.?\d)",
    re.I,
)


def _sql_server(after: str) -> Release | None:
    year = _SQL_YEAR.search(after)
    if year:
        key = f"{year.group(1)} R2" if year.group(2) else year.group(1)
        return SQL_SERVER.get(key)
    version = _dotted(after, _SQL_SERVER_VERSIONS)
    return SQL_SERVER[version] if version else None


# --- Oracle Database --------------------------------------------------------------------

# ``11.2.0.4`` names the release; ``11g`` only the family. The release wins when both stand.
_ORACLE_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d)")
_ORACLE_SUFFIXED = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:c|g|i|ai)\b", re.I)


def _oracle_database(after: str) -> Release | None:
    dotted = _ORACLE_DOTTED.search(after)
    suffixed = None if dotted else _ORACLE_SUFFIXED.search(after)
    if dotted:
        major, minor = dotted.group(1), dotted.group(2)
    elif suffixed:
        major, minor = suffixed.group(1), None
    else:
        return None
    if minor is not None and f"{major}.{minor}" in ORACLE_DATABASE:
        return ORACLE_DATABASE[f"{major}.{minor}"]
    if major in ORACLE_DATABASE:
        return ORACLE_DATABASE[major]
    family = _ORACLE_FAMILIES.get(major)
    if family is None or minor is not None:
        return None
    last = ORACLE_DATABASE[family]
    label = "10g" if major == "10" else "11g" if major == "11" else "12c"
    note = f" ({label} without its release: the dates of {family}, its last release)"
    return replace(last, product=f"Oracle Database {label}", source=last.source + note)


# --- MySQL and PostgreSQL ---------------------------------------------------------------

_MYSQL_VERSION = re.compile(r"(?<![\d.])(\d)\.(\d)(?!\d)")


def _mysql(after: str) -> Release | None:
    found = _MYSQL_VERSION.search(after)
    return MYSQL.get(f"{found.group(1)}.{found.group(2)}") if found else None


_POSTGRESQL_VERSION = re.compile(r"(?<![\d.])(\d{1,2})(?:\.(\d+))?")


def _postgresql(after: str) -> Release | None:
    found = _POSTGRESQL_VERSION.search(after)
    if not found:
        return None
    major, minor = found.groups()
    if int(major) >= 10:
        return POSTGRESQL.get(major)
    return POSTGRESQL.get(f"{major}.{minor}") if minor is not None else None


@dataclass(frozen=True)
class _Engine:
    name: re.Pattern[str]
    # A clause that names one of these is a tool, client or other product, not the engine.
    not_the_engine: re.Pattern[str]
    release: Callable[[str], Release | None]  # from the clause text after the name


_ENGINES = (
    _Engine(
        re.compile(
            r"\b(?:microsoft\s*)?(?:sql\s*server|mssql(?:server)?|ms\s*sql(?:\s*server)?"
            r"|sql(?=\s*(?:2000|20[012]\d)(?!\d)))",
            re.I,
        ),
        re.compile(
            r"management|ssms|native\s*client|client|odbc|jdbc|driver|tools|compact"
            r"|command\s*line|\bce\b",
            re.I,
        ),
        _sql_server,
    ),
    _Engine(
        re.compile(r"\boracle(?:\s*(?:database|db|rdbms))?\b", re.I),
        re.compile(
            r"\b(?:client|instant|vm|mysql|java|jdk|jre|weblogic|e-?business|ebs|fusion"
            r"|golden\s*gate|forms|reports|apex|peoplesoft|siebel|hyperion|tuxedo|http"
            r"|grid|enterprise\s*manager|unbreakable)\b",
            re.I,
        ),
        _oracle_database,
    ),
    _Engine(
        re.compile(r"\bmysql\b", re.I),
        re.compile(
            r"workbench|router|shell|connector|client|utilities|proxy|exporter|odbc|jdbc"
            r"|driver|cluster\s*manager|mariadb|percona|aurora",
            re.I,
        ),
        _mysql,
    ),
    _Engine(
        re.compile(r"\b(?:postgre(?:s(?:ql)?|\s*sql)|pgsql)\b", re.I),
        re.compile(
            r"exporter|client|jdbc|odbc|driver|operator|admin|bouncer|aurora|edb"
            r"|enterprisedb|advanced\s*server|greenplum|timescale",
            re.I,
        ),
        _postgresql,
    ),
)


def _clauses(text: str) -> list[str]:
    return [clause for clause in _CLAUSE_END.split(text) if clause.strip()]


@lru_cache(maxsize=4096)  # exports repeat a few database and OS strings across many rows
def identify_in_text(text: str) -> tuple[Release, ...]:
    """The database releases one text names: at most one per engine."""
    found: list[Release] = []
    for engine in _ENGINES:
        for clause in _clauses(text):
            name = engine.name.search(clause)
            if name is None or engine.not_the_engine.search(clause):
                continue
            engine_release = engine.release(clause[name.end() :])
            if engine_release is not None:
                found.append(engine_release)
                break
    return tuple(found)


def identify_databases(
    database_type: str | None,
    database_version: str | None,
    operating_system: str | None = None,
    os_version: str | None = None,
) -> tuple[Release, ...]:
    """The database releases an asset's database columns or its OS text name, once each."""
    texts = (
        " ".join(part for part in (database_type, database_version) if part),
        " ".join(part for part in (operating_system, os_version) if part),
    )
    found: dict[str, Release] = {}
    for text in texts:
        for database in identify_in_text(text) if text else ():
            found.setdefault(database.product, database)
    return tuple(found.values())
