"""Tech-debt flags: one per product (operating system, database) past or near its end of support."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from discovery.assets.end_of_support.databases import identify_databases
from discovery.assets.end_of_support.operating_systems import identify
from discovery.assets.end_of_support.release import Release

SOON = timedelta(days=365)


def _flag(release: Release, kind: str, today: date) -> dict[str, Any] | None:
    """``{kind}_end_of_support`` once support has ended, ``…_within_a_year`` a year before."""
    if release.end_of_support < today:
        code, severity = f"{kind}_end_of_support", "high"
    elif release.end_of_support - today <= SOON:
        code, severity = f"{kind}_end_of_support_within_a_year", "medium"
    else:
        return None
    return {
        "code": code,
        "severity": severity,
        "product": release.product,
        "end_of_support": release.end_of_support.isoformat(),
        "source": release.source,
    }


def flags_for(
    operating_system: str | None,
    os_version: str | None,
    today: date,
    database_type: str | None = None,
    database_version: str | None = None,
) -> tuple[list[dict[str, Any]], date | None]:
    """The tech-debt flags of an asset on ``today`` (the OS first), and its OS's end date.

    Databases are read from the database columns and from the OS text
    (``SQL Server 2012 on Windows Server 2012`` flags both products).
    """
    os_release = identify(operating_system, os_version)
    found = [(os_release, "os")] if os_release is not None else []
    found += [
        (database, "database")
        for database in identify_databases(
            database_type, database_version, operating_system, os_version
        )
    ]
    flags = [flag for release, kind in found if (flag := _flag(release, kind, today))]
    return flags, os_release.end_of_support if os_release is not None else None


def assessment(asset: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The tech-debt columns of an asset about to be created."""
    flags, end = flags_for(
        asset.get("operating_system"),
        asset.get("os_version"),
        today,
        asset.get("database_type"),
        asset.get("database_version"),
    )
    return {"tech_debt_flags": flags, "os_end_of_support": end}
