"""Resolving ``depends_on`` references (IP, FQDN, short host name, name) to assets."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from discovery.assets.dependencies import reference_keys, resolve
from discovery.assets.models import Asset, AssetDependency
from tests.flow_helpers import in_transaction, new_tenant, run_file, settings_for

DB = uuid.UUID(int=1)
WEB = uuid.UUID(int=2)
PAYROLL = uuid.UUID(int=3)
OTHER_DB = uuid.UUID(int=4)

# As ``_targets`` builds them: stored ip/fqdn/hostname, names folded to lower case.
TARGETS: dict[tuple[str, str], uuid.UUID] = {
    ("ip_address", "10.0.0.5"): DB,
    ("fqdn", "db01.prod.example.com"): DB,
    ("hostname", "db01"): DB,
    ("name", "db01"): DB,
    ("ip_address", "10.0.0.7"): WEB,
    ("hostname", "web01"): WEB,
    ("name", "web01"): WEB,
    ("name", "payroll app"): PAYROLL,
    ("ip_address", "2001:db8::10"): OTHER_DB,
}


# --- reference_keys ----------------------------------------------------------------------


def test_ipv4_reference_is_only_an_ip() -> None:
    assert reference_keys("10.0.0.5") == [("ip_address", "10.0.0.5")]
    assert reference_keys("  10.0.0.5 ") == [("ip_address", "10.0.0.5")]


def test_ipv6_reference_is_only_an_ip() -> None:
    assert reference_keys("2001:db8::10") == [("ip_address", "2001:db8::10")]


def test_fqdn_reference_most_specific_first() -> None:
    assert reference_keys("db01.prod.example.com") == [
        ("fqdn", "db01.prod.example.com"),
        ("hostname", "db01"),
        ("name", "db01.prod.example.com"),
    ]


def test_fqdn_reference_case_and_trailing_dot() -> None:
    expected = reference_keys("db01.prod.example.com")
    assert reference_keys("DB01.Prod.Example.COM") == expected
    assert reference_keys("db01.prod.example.com.") == expected
    assert reference_keys(" DB01.PROD.EXAMPLE.COM. ") == expected


def test_short_host_name_reference() -> None:
    assert reference_keys("DB01") == [("hostname", "db01"), ("name", "db01")]
    assert reference_keys("db01.") == [("hostname", "db01"), ("name", "db01")]


def test_name_reference_keeps_its_words() -> None:
    assert reference_keys("Payroll App") == [
        ("hostname", "payroll app"),
        ("name", "payroll app"),
    ]


# --- resolve -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("10.0.0.5", DB),
        ("10.0.0.7", WEB),
        ("2001:db8::10", OTHER_DB),
        ("db01.prod.example.com", DB),
        ("DB01.PROD.EXAMPLE.COM", DB),
        ("db01.prod.example.com.", DB),
        ("db01", DB),
        ("DB01", DB),
        ("web01", WEB),
        ("Web01", WEB),
        # An FQDN the inventory does not know still finds its host by the short name.
        ("web01.dmz.example.com", WEB),
        ("WEB01.dmz.example.com.", WEB),
        ("Payroll App", PAYROLL),
        ("PAYROLL APP", PAYROLL),
        ("  payroll app ", PAYROLL),
    ],
)
def test_resolve(reference: str, expected: uuid.UUID) -> None:
    assert resolve(reference, TARGETS) == expected


@pytest.mark.parametrize(
    "reference",
    ["10.0.0.99", "ghost01", "ghost01.example.com", "Payroll", "db", "", "   "],
)
def test_unresolved_references_give_none(reference: str) -> None:
    assert resolve(reference, TARGETS) is None


def test_an_ip_reference_never_falls_back_to_names() -> None:
    targets = {("name", "10.0.0.5"): WEB, ("hostname", "10"): WEB}
    assert resolve("10.0.0.5", targets) is None


def test_fqdn_match_beats_a_short_name_match() -> None:
    targets = {
        ("fqdn", "db01.prod.example.com"): DB,
        ("hostname", "db01"): OTHER_DB,  # another db01, in another domain
    }
    assert resolve("db01.prod.example.com", targets) == DB
    assert resolve("db01.test.example.com", targets) == OTHER_DB
    assert resolve("db01", targets) == OTHER_DB


def test_host_name_match_beats_a_name_match() -> None:
    targets = {("hostname", "app01"): DB, ("name", "app01"): WEB}
    assert resolve("APP01", targets) == DB


# --- on a real flow ----------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data")


async def test_references_resolve_on_a_real_flow_by_ip_fqdn_host_and_name(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    path = tmp_path / "apps.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Hostname", "FQDN", "IP Address", "Depends On"])
        writer.writerow(["Payroll App", "", "", "10.8.0.1", ""])
        writer.writerow(["WEB01", "web01", "web01.corp.example.com", "10.8.0.2", ""])
        writer.writerow(["db01", "db01", "db01.corp.example.com", "10.8.0.3", ""])
        writer.writerow(["by-ip", "byip", "", "10.8.0.11", "10.8.0.3"])
        writer.writerow(["by-fqdn", "byfqdn", "", "10.8.0.12", "DB01.Corp.Example.com."])
        writer.writerow(["by-host", "byhost", "", "10.8.0.13", "Web01"])
        # A name written as the inventory spells it, and in another case.
        writer.writerow(["by-name", "byname", "", "10.8.0.14", "Payroll App"])
        writer.writerow(["by-name-lower", "bynamelower", "", "10.8.0.15", "payroll app"])
        writer.writerow(["by-ghost", "byghost", "", "10.8.0.16", "ghost99"])
    tenant = await new_tenant(database_url)
    summary = await run_file(database_url, settings, tenant, path)
    assert summary["status"] == "completed", summary["error"]
    result = summary["phases"]["dependency_analysis"]

    async def edges(session: AsyncSession) -> dict[str, str]:
        source, target = aliased(Asset), aliased(Asset)
        rows = await session.execute(
            select(source.name, target.name)
            .select_from(AssetDependency)
            .join(source, source.id == AssetDependency.asset_id)
            .join(target, target.id == AssetDependency.depends_on_asset_id)
            .where(AssetDependency.client_account_id == tenant.client_account_id)
        )
        return dict(rows.all())

    assert await in_transaction(database_url, edges) == {
        "by-ip": "db01",
        "by-fqdn": "db01",
        "by-host": "WEB01",
        "by-name": "Payroll App",
        "by-name-lower": "Payroll App",
    }
    assert result["dependencies"] == 5
    assert result["unresolved_references"] == 1
    assert result["unresolved_samples"] == ["by-ghost: ghost99"]
