"""Real-format exports, each in the file format its tool produces, through a whole flow.

RVTools as an XLSX workbook (read from its ``vInfo`` sheet, which is not the first),
the AWS and Azure templates as CSV, ServiceNow as JSON: every column mapped as a
consultant would, the flow completes, every wiring-health metric is 0, every raw row is
linked or invalid with a reason, and the asset types are right.
"""

from __future__ import annotations

import csv
import json
import random
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.health.metrics import METRIC_NAMES
from discovery.imports.models import RawImportRecord
from tests.flow_helpers import in_transaction, new_tenant, run_file, settings_for
from tests.mapping.fixtures import FIXTURE_BUILDERS, Fixture


def expected_types(fixture: Fixture) -> Counter[str]:
    """What a consultant would call each row: VMs where the export says so."""
    if fixture.name.startswith("rvtools"):
        return Counter({"virtual_machine": len(fixture.rows)})
    if fixture.name.startswith("aws"):
        return Counter(
            "virtual_machine" if row["ServerType"] == "VM" else "server" for row in fixture.rows
        )
    if fixture.name.startswith("azure"):
        return Counter(
            "virtual_machine" if row["Server type"] == "Virtual" else "server"
            for row in fixture.rows
        )
    # ServiceNow server classes: a VM where the CI's `virtual` flag says so.
    return Counter(
        "virtual_machine" if row.get("virtual", row.get("Virtual")) == "true" else "server"
        for row in fixture.rows
    )


def _write(fixture: Fixture, directory: Path) -> Path:
    if fixture.name.startswith("rvtools"):
        path = directory / "rvtools_export.xlsx"
        workbook = Workbook()
        workbook.active.title = "vHost"  # vInfo is not the first sheet in this workbook
        workbook.active.append(["Host", "Datacenter"])
        sheet = workbook.create_sheet("vInfo")
        sheet.append(fixture.headers)
        for row in fixture.rows:
            sheet.append([row.get(h, "") for h in fixture.headers])
        workbook.save(path)
    elif fixture.name.startswith("servicenow"):
        path = directory / f"{fixture.name}.json"
        path.write_text(json.dumps({"records": fixture.rows}), encoding="utf-8")
    else:
        path = directory / f"{fixture.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fixture.headers)
            writer.writeheader()
            writer.writerows(fixture.rows)
    return path


@pytest.mark.parametrize("builder", FIXTURE_BUILDERS, ids=lambda b: b.__name__.strip("_"))
async def test_known_export_runs_to_a_healthy_inventory(
    database_url: str, tmp_path: Path, builder: Any
) -> None:
    fixture: Fixture = builder(random.Random(11))
    settings = settings_for(database_url, tmp_path / "data")
    tenant = await new_tenant(database_url)
    summary = await run_file(database_url, settings, tenant, _write(fixture, tmp_path))

    assert summary["status"] == "completed", summary["error"]
    assert summary["health"]["metrics"] == dict.fromkeys(METRIC_NAMES, 0)
    mapped = {m["source_field"]: m["target_field"] for m in summary["field_mappings"]}
    assert mapped == fixture.expected
    assert summary["phases"]["field_mapping"]["detected_format"] == fixture.detected_format

    async def load(session: AsyncSession) -> tuple[list[Any], list[Any]]:
        rows = (
            await session.execute(
                select(RawImportRecord.asset_id, RawImportRecord.is_valid,
                       RawImportRecord.processing_notes)
                .where(RawImportRecord.data_import_id == uuid.UUID(summary["data_import_id"]))
            )
        ).all()  # fmt: skip
        assets = (
            await session.execute(
                select(Asset.asset_type).where(Asset.engagement_id == tenant.engagement_id)
            )
        ).all()
        return rows, assets

    rows, assets = await in_transaction(database_url, load)
    assert len(rows) == len(fixture.rows)
    assert all(
        asset_id is not None or (valid is False and notes) for asset_id, valid, notes in rows
    )
    types = Counter(asset_type for (asset_type,) in assets)
    expected = expected_types(fixture)
    right = sum(min(types[name], count) for name, count in expected.items())
    assert right / sum(expected.values()) >= 0.95, (types, expected)
