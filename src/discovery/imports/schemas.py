"""Request options and response bodies of ``/api/v1/unified-discovery/imports``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from discovery.assets.reconcile import MATCH_KEYS

MULTIPART_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A CSV, XLSX or JSON inventory export.",
                    },
                    "sheet": {"type": "string", "description": "Worksheet of an XLSX file."},
                    "auto_approve": {
                        "type": "boolean",
                        "description": "Approve the suggested mappings and run to the end.",
                    },
                    "match_keys": {
                        "type": "string",
                        "description": (
                            "Comma-separated match keys in order of trust, any of "
                            + ", ".join(MATCH_KEYS)
                        ),
                    },
                },
            }
        }
    },
}


class ImportStarted(BaseModel):
    data_import_id: uuid.UUID
    master_flow_id: uuid.UUID
    status: str = Field(description="The flow's status (running, or failed when unreadable).")
    import_status: str
    idempotent_replay: bool = Field(
        description="True when an earlier upload with the same Idempotency-Key was returned."
    )


class ImportCounters(BaseModel):
    total_rows: int
    blank_rows_skipped: int
    valid_rows: int
    invalid_rows: int
    processed_rows: int
    column_count: int
    file_size_bytes: int


class ImportWarning(BaseModel):
    code: str = Field(description="What looks wrong, e.g. `collapsed_rows`.")
    row: int = Field(description="The data row where it starts.")
    message: str


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    file_name: str
    file_format: str | None
    sheet_name: str | None
    status: str
    error_message: str | None
    warnings: list[ImportWarning] = Field(
        description="The file was imported, but parts of it look wrong (a collapsed row, …)."
    )
    counters: ImportCounters
    master_flow_id: uuid.UUID | None
    flow_status: str | None
    idempotency_key: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class ImportList(BaseModel):
    data: list[ImportOut]


class ImportDeleted(BaseModel):
    data_import_id: uuid.UUID
    master_flow_id: uuid.UUID | None = Field(description="The import's flow, deleted with it.")
    raw_rows_deleted: int
    assets_deleted: int = Field(description="Assets only this import had created.")
    assets_kept: int = Field(description="Assets other imports also created or updated.")


class SuggestedMapping(BaseModel):
    source_field: str
    target_field: str | None
    confidence: float
    match_type: str | None
    unit: str | None
    reason: str
    priority: int | None = Field(
        default=None, description="1: primary column with fallbacks; 2, 3, …: a fallback."
    )


class PreviewCounts(BaseModel):
    create: int
    update: int
    unchanged: int
    error: int


class PreviewOut(BaseModel):
    file_name: str
    file_format: str
    sheet_name: str | None
    detected_format: str | None = Field(description="A recognised export (RVTools, …).")
    rows_previewed: int
    truncated: bool = Field(description="The file has more rows than a preview looks at.")
    blank_rows_skipped: int
    counts: PreviewCounts
    rows_with_value_errors: int = Field(description="Valid rows with some rejected values.")
    duplicates_in_file: int
    field_mappings: list[SuggestedMapping]
    examples: dict[str, list[dict[str, Any]]] = Field(
        description="Up to ten rows per outcome: create, update (with changes), unchanged, error."
    )
