"""The tech-debt phase on real flows: flags stored on the assets, re-assessment on change.

The OS strings are chosen so the expected flags do not depend on the day the tests run
(until 2033): the past ones ended years ago, the supported ones end in 2034 or later.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from tests.flow_helpers import TenantIds, in_transaction, new_tenant, run_file, settings_for

HEADER = ["Server Name", "IP Address", "Operating System", "Environment"]

# name -> (ip, OS of the first import)
FIRST = {
    "app01": ("10.7.0.1", "Microsoft Windows Server 2008 R2 (64-bit)"),
    "app02": ("10.7.0.2", "W2K8 R2"),
    "db01": ("10.7.0.3", "Red Hat Enterprise Linux 6 (64-bit)"),
    "app03": ("10.7.0.4", "Windows Server 2025 Datacenter"),
    "app04": ("10.7.0.5", "FreeBSD 13"),
    "app05": ("10.7.0.6", ""),
}
# name -> (flag code or None, end of support or None) after the first import
FIRST_EXPECTED: dict[str, tuple[str | None, date | None]] = {
    "app01": ("os_end_of_support", date(2020, 1, 14)),
    "app02": ("os_end_of_support", date(2020, 1, 14)),
    "db01": ("os_end_of_support", date(2020, 11, 30)),
    "app03": (None, date(2034, 10, 10)),
    "app04": (None, None),
    "app05": (None, None),
}

# The second import: app01 and app02 upgraded, app03 "downgraded" to an EOS OS.
SECOND = {
    **FIRST,
    "app01": ("10.7.0.1", "Microsoft Windows Server 2022 (64-bit)"),
    "app02": ("10.7.0.2", "Windows Server 2022 Standard"),
    "app03": ("10.7.0.4", "CentOS 6"),
}
SECOND_EXPECTED: dict[str, tuple[str | None, date | None]] = {
    **FIRST_EXPECTED,
    "app01": (None, date(2031, 10, 14)),
    "app02": (None, date(2031, 10, 14)),
    "app03": ("os_end_of_support", date(2020, 11, 30)),
}


def _write(path: Path, hosts: dict[str, tuple[str, str]], *, repeat: str | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for name, (ip, operating_system) in hosts.items():
            writer.writerow([name, ip, operating_system, "Production"])
        if repeat is not None:  # a duplicate row: still one asset, assessed once
            ip, operating_system = hosts[repeat]
            writer.writerow([repeat, ip, operating_system, "Production"])
    return path


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data")


async def _assets(url: str, tenant: TenantIds) -> dict[str, Asset]:
    async def load(session: AsyncSession) -> dict[str, Asset]:
        result = await session.execute(
            select(Asset).where(
                Asset.client_account_id == tenant.client_account_id,
                Asset.engagement_id == tenant.engagement_id,
            )
        )
        return {asset.name: asset for asset in result.scalars()}

    return await in_transaction(url, load)


def _check_assets(
    assets: dict[str, Asset], expected: dict[str, tuple[str | None, date | None]]
) -> None:
    assert set(assets) == set(expected)
    for name, (code, end) in expected.items():
        asset = assets[name]
        assert asset.os_end_of_support == end, name
        if code is None:
            assert asset.tech_debt_flags == [], name
        else:
            assert [flag["code"] for flag in asset.tech_debt_flags] == [code], name
            flag = asset.tech_debt_flags[0]
            assert flag["severity"] == "high", name
            assert flag["end_of_support"] == end.isoformat(), name


def _tech_debt(summary: dict[str, Any]) -> dict[str, int]:
    assert summary["status"] == "completed", summary["error"]
    result = summary["phases"]["tech_debt_assessment"]
    return {key: result[key] for key in ("assessed", "flagged", "reassessed")}


async def _first_import(url: str, settings: Any, tmp_path: Path) -> TenantIds:
    tenant = await new_tenant(url)
    summary = await run_file(
        url, settings, tenant, _write(tmp_path / "hosts.csv", FIRST, repeat="app01")
    )
    assert summary["phases"]["asset_inventory"]["created"] == len(FIRST)
    result = _tech_debt(summary)
    assert result["assessed"] == len(FIRST)  # assets, not rows: the repeat is one asset
    assert result["flagged"] == 3
    # The inventory stored the flags of the assets it created: nothing to rewrite.
    assert result["reassessed"] == 0
    return tenant


async def test_every_end_of_support_asset_is_flagged_with_its_date(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await _first_import(database_url, settings, tmp_path)
    _check_assets(await _assets(database_url, tenant), FIRST_EXPECTED)


async def test_a_changed_os_is_reassessed(database_url: str, settings: Any, tmp_path: Path) -> None:
    tenant = await _first_import(database_url, settings, tmp_path)
    before = await _assets(database_url, tenant)

    summary = await run_file(
        database_url, settings, tenant, _write(tmp_path / "hosts-upgraded.csv", SECOND)
    )
    inventory = summary["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"]) == (0, 3)
    result = _tech_debt(summary)
    assert result == {"assessed": len(SECOND), "flagged": 2, "reassessed": 3}

    after = await _assets(database_url, tenant)
    assert {name: a.id for name, a in after.items()} == {name: a.id for name, a in before.items()}
    assert after["app01"].operating_system == "Microsoft Windows Server 2022 (64-bit)"
    _check_assets(after, SECOND_EXPECTED)


async def test_a_reimport_that_changes_nothing_reassesses_nothing(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await _first_import(database_url, settings, tmp_path)
    upgraded = _write(tmp_path / "hosts-upgraded.csv", SECOND)
    changed = _tech_debt(await run_file(database_url, settings, tenant, upgraded))
    assert changed["reassessed"] == 3

    again = await run_file(
        database_url, settings, tenant, _write(tmp_path / "hosts-again.csv", SECOND)
    )
    inventory = again["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"]) == (0, 0)
    assert _tech_debt(again) == {"assessed": len(SECOND), "flagged": 2, "reassessed": 0}
    _check_assets(await _assets(database_url, tenant), SECOND_EXPECTED)


async def test_only_the_imports_assets_are_assessed(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    # Another engagement's assets with the same OS texts are neither counted nor touched.
    other = await _first_import(database_url, settings, tmp_path)
    other_before = await _assets(database_url, other)
    tenant = await new_tenant(database_url)
    summary = await run_file(
        database_url, settings, tenant, _write(tmp_path / "hosts-new-tenant.csv", SECOND)
    )
    assert _tech_debt(summary) == {"assessed": len(SECOND), "flagged": 2, "reassessed": 0}
    _check_assets(await _assets(database_url, tenant), SECOND_EXPECTED)
    other_after = await _assets(database_url, other)
    _check_assets(other_after, FIRST_EXPECTED)
    assert {n: a.updated_at for n, a in other_after.items()} == {
        n: a.updated_at for n, a in other_before.items()
    }


# --- databases: from the database columns and from the OS text ---------------------------

DB_HEADER = [*HEADER, "Database Type", "Database Version"]

# name -> (ip, OS, database type, database version)
DATABASES = {
    # Both columns name the engine, and the OS is past its end too: two flags.
    "sql01": ("10.8.0.1", "Red Hat Enterprise Linux 6 (64-bit)", "Microsoft SQL Server", "2012"),
    "ora01": ("10.8.0.2", "Oracle Linux 7", "Oracle", "12.1.0.2"),
    # No database columns: the OS text names the engine.
    "sql02": ("10.8.0.3", "SQL Server 2012 on Windows Server 2012", "", ""),
    # The same supported OS with two databases: one flagged, one a tool and not flagged.
    "pg01": ("10.8.0.4", "Windows Server 2025 Datacenter", "PostgreSQL", "9.6"),
    "wb01": ("10.8.0.5", "Windows Server 2025 Datacenter", "MySQL Workbench", "8.0"),
    # An OS the tables do not know, a database they do.
    "my01": ("10.8.0.6", "FreeBSD 13", "MySQL", "5.7.38"),
}
# name -> (products flagged, in order, each past its end; the OS's end of support)
DATABASES_EXPECTED: dict[str, tuple[list[tuple[str, str, str]], date | None]] = {
    "sql01": (
        [
            ("os_end_of_support", "RHEL 6", "2020-11-30"),
            ("database_end_of_support", "SQL Server 2012", "2022-07-12"),
        ],
        date(2020, 11, 30),
    ),
    "ora01": (
        [
            ("os_end_of_support", "Oracle Linux 7", "2024-12-31"),
            ("database_end_of_support", "Oracle Database 12.1", "2018-07-31"),
        ],
        date(2024, 12, 31),
    ),
    "sql02": (
        [
            ("os_end_of_support", "Windows Server 2012", "2023-10-10"),
            ("database_end_of_support", "SQL Server 2012", "2022-07-12"),
        ],
        date(2023, 10, 10),
    ),
    "pg01": ([("database_end_of_support", "PostgreSQL 9.6", "2021-11-11")], date(2034, 10, 10)),
    "wb01": ([], date(2034, 10, 10)),
    "my01": ([("database_end_of_support", "MySQL 5.7", "2023-10-31")], None),
}


def _write_databases(path: Path, hosts: dict[str, tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(DB_HEADER)
        for name, (ip, operating_system, database_type, database_version) in hosts.items():
            writer.writerow(
                [name, ip, operating_system, "Production", database_type, database_version]
            )
    return path


def _check_database_flags(
    assets: dict[str, Asset],
    expected: dict[str, tuple[list[tuple[str, str, str]], date | None]],
) -> None:
    assert set(assets) == set(expected)
    for name, (products, end) in expected.items():
        asset = assets[name]
        assert asset.os_end_of_support == end, name
        flags = asset.tech_debt_flags
        assert [(f["code"], f["product"], f["end_of_support"]) for f in flags] == products, name
        assert all(f["severity"] == "high" for f in flags), name
        assert all(f["source"] and "https://" in f["source"] for f in flags), name


async def test_databases_are_flagged_from_their_columns_and_from_the_os_text(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    summary = await run_file(
        database_url, settings, tenant, _write_databases(tmp_path / "databases.csv", DATABASES)
    )
    mappings = {m["source_field"]: m["target_field"] for m in summary["field_mappings"]}
    assert mappings["Database Type"] == "database_type"
    assert mappings["Database Version"] == "database_version"
    assert summary["phases"]["asset_inventory"]["created"] == len(DATABASES)
    # Flags stored as the assets were created: the phase agrees and rewrites nothing.
    assert _tech_debt(summary) == {"assessed": len(DATABASES), "flagged": 5, "reassessed": 0}

    assets = await _assets(database_url, tenant)
    assert assets["sql01"].database_type == "Microsoft SQL Server"
    assert assets["sql01"].database_version == "2012"
    _check_database_flags(assets, DATABASES_EXPECTED)


async def test_a_changed_database_version_is_reassessed(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    await run_file(
        database_url, settings, tenant, _write_databases(tmp_path / "databases.csv", DATABASES)
    )
    # The SQL Server upgraded in place, the OS unchanged: only that asset is rewritten.
    upgraded = {
        **DATABASES,
        "sql01": ("10.8.0.1", "Red Hat Enterprise Linux 6 (64-bit)", "SQL Server", "2025"),
    }
    summary = await run_file(
        database_url, settings, tenant, _write_databases(tmp_path / "upgraded.csv", upgraded)
    )
    inventory = summary["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"]) == (0, 1)
    assert _tech_debt(summary) == {"assessed": len(DATABASES), "flagged": 5, "reassessed": 1}
    assets = await _assets(database_url, tenant)
    _check_database_flags(
        assets,
        {
            **DATABASES_EXPECTED,
            "sql01": ([("os_end_of_support", "RHEL 6", "2020-11-30")], date(2020, 11, 30)),
        },
    )


async def test_flags_of_an_earlier_shape_are_rewritten_and_only_those(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = _write_databases(tmp_path / "databases.csv", DATABASES)
    await run_file(database_url, settings, tenant, path)

    # ora01 as an earlier version stored it: the OS flag only, without its source.
    old = [{"code": "os_end_of_support", "severity": "high", "product": "Oracle Linux 7",
            "end_of_support": "2024-12-31"}]  # fmt: skip

    async def store_old(session: AsyncSession) -> None:
        await session.execute(
            update(Asset)
            .where(Asset.engagement_id == tenant.engagement_id, Asset.name == "ora01")
            .values(tech_debt_flags=old)
        )

    await in_transaction(database_url, store_old)
    before = await _assets(database_url, tenant)

    again = await run_file(database_url, settings, tenant, path)
    inventory = again["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"]) == (0, 0)
    assert _tech_debt(again) == {"assessed": len(DATABASES), "flagged": 5, "reassessed": 1}
    after = await _assets(database_url, tenant)
    _check_database_flags(after, DATABASES_EXPECTED)
    assert after["ora01"].updated_at > before["ora01"].updated_at
    assert {n: a.updated_at for n, a in after.items() if n != "ora01"} == {
        n: a.updated_at for n, a in before.items() if n != "ora01"
    }
