"""An import that stops for a reason other than the file ends ``failed``, never ``importing``."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from discovery.imports import service
from discovery.imports.models import DataImport
from tests.flow_helpers import in_transaction, new_tenant, run_file, settings_for
from tests.inventory_files import write_servers_csv


async def test_an_import_stopped_by_an_unexpected_error_is_failed_with_the_reason(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def vanished(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the uploads volume went away")

    monkeypatch.setattr(service, "load_raw_rows", vanished)
    tenant = await new_tenant(database_url)
    summary = await run_file(
        database_url,
        settings_for(database_url, tmp_path / "data"),
        tenant,
        write_servers_csv(tmp_path / "s.csv", 5),
    )
    assert summary["status"] == "failed"

    async def load(session: Any) -> DataImport | None:
        return await session.get(DataImport, uuid.UUID(summary["data_import_id"]))

    data_import = await in_transaction(database_url, load)
    assert data_import is not None
    assert data_import.status == "failed"
    assert data_import.error_message == (
        "The import stopped: OSError: the uploads volume went away"
    )
