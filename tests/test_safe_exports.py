"""Exports that are safe to open: no cell a spreadsheet would run as a formula, XLSX text
always a string cell, JSON raw, and a re-import of our own file that changes nothing."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.export import ExportFormat, ExportScope, export_assets
from discovery.assets.models import Asset
from discovery.canonical import CANONICAL_FIELDS
from discovery.core.export_format import is_formula_like
from discovery.imports.error_report import error_rows_csv
from discovery.imports.models import DataImport
from tests.flow_helpers import TenantIds, in_transaction, new_tenant, run_file, settings_for

HOSTILE_HEADER = '=HYPERLINK("http://x","header")'
HEADER = ["Server Name", "IP Address", "Operating System", "Notes", "Cost", HOSTILE_HEADER]
# (name, notes, cost): formulas of every trigger, values that look like them but are safe,
# and quotes that belong to the value.
ROWS = [
    ('=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "-5"),
    ("\t=1+1", "\r=1+1", "+3.5"),
    ("+SUM(1,2)", "@SUM(A1)", "-1e-3"),
    ("-2+3", "-", "=1+1"),
    ("'abc", "'=1+1", "''@x"),
    ("@cmd", "\t=HYPERLINK(1)", "'-5"),
    ("plain-name", "-5", "--"),
]
TRIGGERS = "=+-@\t\r"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data")


def _hostile_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, (name, notes, cost) in enumerate(ROWS, start=1):
            writer.writerow(
                [name, f"10.9.0.{number}", "Ubuntu 22.04", notes, cost, f"=A{number}*2"]
            )
    return path


async def _export(url: str, tenant: TenantIds, path: Path, file_format: ExportFormat) -> Path:
    async def write(session: AsyncSession) -> int:
        scope = ExportScope(tenant.client_account_id, tenant.engagement_id)
        return await export_assets(session, scope, path, file_format)

    assert await in_transaction(url, write) == len(ROWS)
    return path


async def _inventory(url: str, tenant: TenantIds) -> dict[uuid.UUID, dict[str, Any]]:
    async def load(session: AsyncSession) -> dict[uuid.UUID, dict[str, Any]]:
        result = await session.execute(
            select(Asset).where(
                Asset.client_account_id == tenant.client_account_id,
                Asset.engagement_id == tenant.engagement_id,
            )
        )
        return {
            asset.id: {
                **{name: getattr(asset, name) for name in CANONICAL_FIELDS},
                "custom_attributes": asset.custom_attributes,
                "updated_at": asset.updated_at,
            }
            for asset in result.scalars()
        }

    return await in_transaction(url, load)


def _unsafe(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell[:1] in TRIGGERS and is_formula_like(cell)]


@pytest.fixture
async def imported(
    database_url: str, settings: Any, tmp_path: Path
) -> tuple[TenantIds, dict[uuid.UUID, dict[str, Any]]]:
    tenant = await new_tenant(database_url)
    summary = await run_file(database_url, settings, tenant, _hostile_csv(tmp_path / "in.csv"))
    assert summary["status"] == "completed", summary["error"]
    inventory = await _inventory(database_url, tenant)
    assert len(inventory) == len(ROWS)
    return tenant, inventory


async def test_cleansing_keeps_values_as_typed_and_never_makes_a_formula(
    database_url: str, imported: tuple[TenantIds, dict[uuid.UUID, dict[str, Any]]]
) -> None:
    _, inventory = imported
    names = {asset["name"] for asset in inventory.values()}
    # The TAB in front of "=1+1" is kept: stripping it would have made a live formula.
    assert names == {name for name, _, _ in ROWS}
    notes = {asset["custom_attributes"]["Notes"] for asset in inventory.values()}
    assert notes == {notes for _, notes, _ in ROWS}


async def test_the_csv_export_neutralises_every_formula_and_reimports_unchanged(
    database_url: str,
    settings: Any,
    tmp_path: Path,
    imported: tuple[TenantIds, dict[uuid.UUID, dict[str, Any]]],
) -> None:
    tenant, before = imported
    export = await _export(database_url, tenant, tmp_path / "export.csv", "csv")
    table = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))
    cells = [cell for row in table for cell in row]
    assert _unsafe(cells) == []
    assert "'" + HOSTILE_HEADER in table[0]
    assert "'=cmd|' /C calc'!A0" in cells and "'\t=1+1" in cells and "'@SUM(A1)" in cells
    assert "''=1+1" in cells  # a quote of the value's own is told apart from ours
    assert "-5" in cells and "-" in cells and "'abc" in cells  # safe values as they are

    again = await run_file(database_url, settings, tenant, export)
    assert again["status"] == "completed", again["error"]
    inventory = again["phases"]["asset_inventory"]
    assert (inventory["created"], inventory["updated"], inventory["unchanged"]) == (
        0,
        0,
        len(ROWS),
    )
    assert await _inventory(database_url, tenant) == before


async def test_the_xlsx_export_has_no_formula_cell_and_reimports_unchanged(
    database_url: str,
    settings: Any,
    tmp_path: Path,
    imported: tuple[TenantIds, dict[uuid.UUID, dict[str, Any]]],
) -> None:
    tenant, before = imported
    export = await _export(database_url, tenant, tmp_path / "export.xlsx", "xlsx")
    with zipfile.ZipFile(export) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    workbook = load_workbook(export)  # not read-only: every cell's data_type is known
    sheet = workbook.active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} <= {"s", "n"}
    texts = [str(cell.value) for cell in cells if cell.data_type == "s"]
    assert _unsafe(texts) == []
    assert "'" + HOSTILE_HEADER in texts and "'=cmd|' /C calc'!A0" in texts
    workbook.close()

    again = await run_file(database_url, settings, tenant, export)
    assert again["status"] == "completed", again["error"]
    inventory = again["phases"]["asset_inventory"]
    # XML keeps no carriage return: the one value that held a CR comes back with an LF
    # (and without our quote); every other asset is untouched.
    assert (inventory["created"], inventory["updated"], inventory["unchanged"]) == (
        0,
        1,
        len(ROWS) - 1,
    )
    after = await _inventory(database_url, tenant)
    [changed] = [key for key in before if after[key] != before[key]]
    assert before[changed]["custom_attributes"]["Notes"] == "\r=1+1"
    assert after[changed]["custom_attributes"]["Notes"] == "\n=1+1"
    expected = {**before[changed]["custom_attributes"], "Notes": "\n=1+1"}
    assert after[changed]["custom_attributes"] == expected
    assert {
        k: v for k, v in after[changed].items() if k not in {"custom_attributes", "updated_at"}
    } == {k: v for k, v in before[changed].items() if k not in {"custom_attributes", "updated_at"}}


async def test_the_json_export_stays_raw(
    database_url: str, tmp_path: Path, imported: tuple[TenantIds, dict[uuid.UUID, dict[str, Any]]]
) -> None:
    tenant, before = imported
    export = await _export(database_url, tenant, tmp_path / "export.json", "json")
    records = json.loads(export.read_text(encoding="utf-8"))
    assert {record["name"] for record in records} == {a["name"] for a in before.values()}
    assert {record["Notes"] for record in records} == {notes for _, notes, _ in ROWS}
    assert {record[HOSTILE_HEADER] for record in records} == {
        f"=A{n}*2" for n in range(1, len(ROWS) + 1)
    }


async def test_a_quote_in_a_foreign_file_is_kept(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    """Only our own files lose the quote: in anyone else's it is part of the value."""
    tenant = await new_tenant(database_url)
    path = tmp_path / "foreign.csv"
    path.write_text("Server Name,IP Address,Notes\nweb01,10.8.0.1,'=1+1\n", encoding="utf-8")
    summary = await run_file(database_url, settings, tenant, path)
    assert summary["status"] == "completed", summary["error"]
    [asset] = (await _inventory(database_url, tenant)).values()
    assert asset["custom_attributes"]["Notes"] == "'=1+1"


async def test_the_errors_csv_neutralises_its_cells_and_reimports_restored(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = tmp_path / "bad.csv"
    path.write_text(
        "Server Name,IP Address,Notes\n=HYPERLINK(1),=1+1,@x\n-ok,10.7.0.2,fine\n",
        encoding="utf-8",
    )
    summary = await run_file(database_url, settings, tenant, path)
    assert summary["status"] in {"completed", "completed_with_errors"}, summary["error"]

    async def errors(session: AsyncSession) -> str:
        data_import = await session.get(DataImport, uuid.UUID(summary["data_import_id"]))
        assert data_import is not None
        return "".join([chunk async for chunk in error_rows_csv(session, data_import)])

    text = await in_transaction(database_url, errors)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["row_number", "Server Name", "IP Address", "Notes", "errors"]
    assert table[1][:4] == ["1", "'=HYPERLINK(1)", "'=1+1", "'@x"]
    assert _unsafe([cell for row in table for cell in row]) == []

    # Fixed (the IP address) and uploaded again: the values come back without our quotes.
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text.replace("'=1+1", "10.7.0.1"), encoding="utf-8")
    again = await run_file(database_url, settings, tenant, fixed)
    assert again["status"] in {"completed", "completed_with_errors"}, again["error"]
    names = {asset["name"] for asset in (await _inventory(database_url, tenant)).values()}
    assert "=HYPERLINK(1)" in names
    assert not any(name.startswith("'") for name in names)
