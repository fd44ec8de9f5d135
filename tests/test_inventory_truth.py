"""Inventory truth on real-format exports, through real flows on the real database.

Re-imports change nothing; in-file duplicates keep the first row's identity and remember
their other ids; SRM placeholders merge into the VM they stand for; a VM known by its
name alone is found again; host names and FQDNs are derived.
"""

from __future__ import annotations

import csv
import random
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.export import ExportScope, export_assets
from discovery.assets.models import Asset
from discovery.health.metrics import METRIC_NAMES
from discovery.imports.models import RawImportRecord
from tests.flow_helpers import in_transaction, new_tenant, run_file, settings_for
from tests.mapping.fixtures import FIXTURE_BUILDERS, Fixture
from tests.test_known_exports_flow import _write

RVTOOLS_HEADERS = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name",
    "Connection state", "Guest state", "Heartbeat", "CPUs", "Memory", "NICs", "Disks",
    "Provisioned MiB", "In Use MiB", "Primary IP Address", "Datacenter", "Cluster", "Host",
    "OS according to the configuration file", "OS according to the VMware Tools", "VM UUID",
    "VI SDK Server", "VI SDK UUID",
]  # fmt: skip


def _rvtools(path: Path, rows: list[dict[str, str]], headers: list[str]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "vInfo"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def _vm(name: str, **values: str) -> dict[str, str]:
    return {
        "VM": name, "Powerstate": "poweredOn", "Template": "False", "SRM Placeholder": "False",
        "Config status": "green", "Connection state": "connected", "Guest state": "running",
        "Heartbeat": "green", "CPUs": "2", "Memory": "4096", "NICs": "1", "Disks": "1",
        "Provisioned MiB": "40960", "In Use MiB": "20480", "Datacenter": "DC1",
        "Cluster": "CL1", "Host": "esx01.corp.example", "VI SDK Server": "vc01",
        "OS according to the configuration file": "Microsoft Windows Server 2019 (64-bit)",
        **values,
    }  # fmt: skip


async def _assets(url: str, engagement_id: uuid.UUID) -> list[dict[str, Any]]:
    async def load(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await session.execute(
            select(Asset.__table__).where(Asset.engagement_id == engagement_id)
        )
        return [dict(r._mapping) for r in rows]

    return await in_transaction(url, load)


def _inventory(summary: dict[str, Any]) -> tuple[int, int]:
    assert summary["status"] == "completed", summary["error"]
    assert summary["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)
    inventory = summary["phases"]["asset_inventory"]
    return inventory["created"], inventory["updated"]


@pytest.mark.parametrize("builder", FIXTURE_BUILDERS, ids=lambda b: b.__name__.strip("_"))
async def test_re_importing_a_known_export_changes_nothing(
    database_url: str, tmp_path: Path, builder: Any
) -> None:
    fixture: Fixture = builder(random.Random(23))
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    path = _write(fixture, tmp_path)
    first = await run_file(database_url, settings, tenant, path)
    created, _ = _inventory(first)
    assert created > 0
    again = await run_file(database_url, settings, tenant, path)
    assert _inventory(again) == (0, 0)
    assert len(await _assets(database_url, tenant.engagement_id)) == created


async def test_an_rvtools_workbook_known_by_vm_names_alone_re_imports_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    # A public RVTools workbook, anonymised: no UUID, no DNS name, no IP; names like these.
    headers = [h for h in RVTOOLS_HEADERS if h not in ("VM UUID", "DNS Name", "VI SDK UUID")]
    names = [f"crm-app-{i:02d}" for i in range(12)] + ["Payroll SaaS (old)", "VDI Pool 7"]
    path = _rvtools(tmp_path / "rvtools.xlsx", [_vm(n) for n in names], headers)
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (len(names), 0)
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (0, 0)
    assets = {a["name"]: a for a in await _assets(database_url, tenant.engagement_id)}
    assert len(assets) == len(names)
    assert assets["crm-app-03"]["hostname"] == "crm-app-03"
    assert assets["Payroll SaaS (old)"]["hostname"] is None
    assert {a["asset_type"] for a in assets.values()} == {"virtual_machine"}


async def test_srm_placeholders_merge_into_the_vm_they_stand_for(
    database_url: str, tmp_path: Path
) -> None:
    # Two vCenter exports merged: the protected site's VMs, and the recovery site's
    # placeholders of the same VMs (their own UUIDs, powered off, SRM Placeholder True).
    # The first placeholder stands before its VM in the file.
    prod = [
        _vm(f"app{i:02d}", **{"VM UUID": f"4210-prod-{i}", "DNS Name": f"app{i:02d}.corp.example",
                              "Primary IP Address": f"10.0.0.{i + 10}"})
        for i in range(4)
    ]  # fmt: skip
    placeholders = [
        _vm(f"app{i:02d}", **{"VM UUID": f"4210-dr-{i}", "SRM Placeholder": "True",
                              "Powerstate": "poweredOff", "Host": "esx-dr.corp.example",
                              "VI SDK Server": "vc-dr"})
        for i in range(4)
    ]  # fmt: skip
    rows = [placeholders[0], *prod, *placeholders[1:]]
    path = _rvtools(tmp_path / "merged.xlsx", rows, RVTOOLS_HEADERS)
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    summary = await run_file(database_url, settings, tenant, path)
    assert _inventory(summary) == (4, 0)
    assert summary["phases"]["asset_inventory"]["merged_duplicates"] == 4
    assets = {a["name"]: a for a in await _assets(database_url, tenant.engagement_id)}
    assert sorted(assets) == ["app00", "app01", "app02", "app03"]
    for i, name in enumerate(sorted(assets)):
        asset = assets[name]
        assert asset["external_id"] == f"4210-prod-{i}"  # the VM's own identity
        assert asset["power_state"] == "on"
        assert asset["host"] == "esx01.corp.example"
        assert f"external_id=4210-dr-{i}" in asset["custom_attributes"]["alternate_ids"]

    async def notes(session: AsyncSession) -> list[str]:
        result = await session.execute(
            select(RawImportRecord.processing_notes).where(
                RawImportRecord.data_import_id == uuid.UUID(summary["data_import_id"])
            )
        )
        return [n for (n,) in result if n]

    placeholder_notes = [n for n in await in_transaction(database_url, notes) if "SRM" in n]
    assert len(placeholder_notes) == 4
    assert all("merged into asset" in n for n in placeholder_notes)
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (0, 0)


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def test_a_duplicate_ci_keeps_the_first_rows_identity_and_its_own_id_as_alternate(
    database_url: str, tmp_path: Path
) -> None:
    header = ["sys_id", "name", "ip_address", "os", "cpu_count", "serial_number"]
    first_id, second_id = "0c4a2f3d1b9e", "9f8e7d6c5b4a"
    path = _csv(
        tmp_path / "cmdb_ci_server.csv",
        header,
        [
            [first_id, "SRV-FIN-01", "10.1.0.5", "Windows Server 2016", "4", "CZ1234"],
            [second_id, "srv-fin-01", "", "", "8", "CZ1234-B"],  # the duplicate CI
            ["7a7a7a7a7a7a", "SRV-HR-02", "10.1.0.6", "Windows Server 2019", "2", "CZ9999"],
        ],
    )
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    summary = await run_file(database_url, settings, tenant, path)
    assert _inventory(summary) == (2, 0)
    assets = {a["hostname"]: a for a in await _assets(database_url, tenant.engagement_id)}
    fin = assets["srv-fin-01"]
    assert (fin["external_id"], fin["name"], fin["serial_number"]) == (
        first_id,
        "SRV-FIN-01",
        "CZ1234",
    )
    assert fin["cpu_cores"] == 4  # the first row's value; the duplicate only fills blanks
    alternates = fin["custom_attributes"]["alternate_ids"].split("; ")
    assert f"external_id={second_id}" in alternates
    assert "serial_number=CZ1234-B" in alternates
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (0, 0)

    # Our own export carries alternate_ids as a column; re-importing it changes nothing.
    export = tmp_path / "export.csv"

    async def write(session: AsyncSession) -> int:
        return await export_assets(
            session, ExportScope(tenant.client_account_id, tenant.engagement_id), export, "csv"
        )

    assert await in_transaction(database_url, write) == 2
    assert "alternate_ids" in next(csv.reader(export.open(encoding="utf-8")))
    assert _inventory(await run_file(database_url, settings, tenant, export)) == (0, 0)

    # A later file that knows the CI only by the duplicate's sys_id finds the same asset.
    later = _csv(
        tmp_path / "later.csv", ["sys_id", "name", "cpu_count"], [[second_id, "FIN-renamed", "16"]]
    )
    assert _inventory(await run_file(database_url, settings, tenant, later)) == (0, 1)
    after = await _assets(database_url, tenant.engagement_id)
    assert len(after) == 2
    [renamed] = [a for a in after if a["id"] == fin["id"]]
    assert renamed["cpu_cores"] == 16  # across imports a newer value still updates


async def test_the_name_alone_matches_only_an_asset_of_the_same_type(
    database_url: str, tmp_path: Path
) -> None:
    header = ["Name", "Type", "Owner"]
    path = _csv(
        tmp_path / "apps.csv",
        header,
        [["Payroll", "Application", "hr@example.com"], ["Payroll", "Server", "it@example.com"]],
    )
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (2, 0)
    assert _inventory(await run_file(database_url, settings, tenant, path)) == (0, 0)
    types = sorted(a["asset_type"] for a in await _assets(database_url, tenant.engagement_id))
    assert types == ["application", "server"]


async def test_host_names_and_fqdns_are_derived_in_the_inventory(
    database_url: str, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path / "hosts.csv",
        ["Server", "FQDN", "IP Address", "Virtual?"],
        [
            ["crm-app-tst01.fin.example.com", "", "10.2.0.1", "Y"],
            ["", "DB01.Fin.Example.com", "10.2.0.2", "N"],
            ["Payroll SaaS", "", "10.2.0.3", ""],
        ],
    )
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    _inventory(await run_file(database_url, settings, tenant, path))
    assets = {a["ip_address"]: a for a in await _assets(database_url, tenant.engagement_id)}
    crm, db, saas = assets["10.2.0.1"], assets["10.2.0.2"], assets["10.2.0.3"]
    assert (crm["hostname"], crm["fqdn"]) == ("crm-app-tst01", "crm-app-tst01.fin.example.com")
    assert crm["asset_type"] == "virtual_machine"
    assert (db["hostname"], db["fqdn"], db["name"]) == ("db01", "db01.fin.example.com", "db01")
    assert db["asset_type"] == "server"
    assert db["virtualization_platform"] == "physical"
    assert (saas["hostname"], saas["fqdn"]) == (None, None)
