"""Response and request bodies of the flow endpoints (unified discovery and master flows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from discovery.api.types import Text
from discovery.flows.models import FlowStatus
from discovery.imports.schemas import ImportWarning

PRIORITY_DESCRIPTION = (
    "None: the target's only column; 1: its primary column, which has fallbacks; 2, 3, …: "
    "a fallback, read where the columns ranked before it are empty."
)


class FlowBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    master_flow_id: uuid.UUID
    discovery_flow_id: uuid.UUID = Field(validation_alias="id")
    data_import_id: uuid.UUID | None
    flow_name: str | None
    status: FlowStatus
    current_phase: str | None
    progress_percentage: float
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class FlowList(BaseModel):
    data: list[FlowBrief]


class DeadLetterChunkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    chunk_number: int
    first_row_number: int
    last_row_number: int
    error: str
    attempts: int
    created_at: datetime
    reprocessed_at: datetime | None


class FlowError(BaseModel):
    phase: str | None
    message: str


class FlowMappingOut(BaseModel):
    source_field: str
    target_field: str | None
    confidence: float | None
    match_type: str | None
    status: str
    priority: int | None = Field(description=PRIORITY_DESCRIPTION)


class FlowDetail(BaseModel):
    master_flow_id: uuid.UUID
    discovery_flow_id: uuid.UUID
    data_import_id: uuid.UUID | None
    status: FlowStatus
    current_phase: str | None
    progress_percentage: float
    import_status: str | None
    file_name: str | None
    file_format: str | None
    counters: dict[str, int]
    warnings: list[ImportWarning] = Field(description="The import's warnings (see imports).")
    field_mappings: list[FlowMappingOut]
    error: FlowError | None
    error_history: list[dict[str, Any]]
    phases: dict[str, dict[str, Any]] = Field(description="Per-phase results and timings.")
    phase_execution_times: dict[str, int] = Field(description="Milliseconds per finished phase.")
    dead_letter_chunks: list[DeadLetterChunkOut]
    health: dict[str, Any] | None = Field(description="Wiring health once the flow finished.")
    results: dict[str, Any] = Field(
        description=(
            "What the flow found: assets created/updated/unchanged/merged, invalid rows with "
            "the errors CSV's path, dependencies found and unresolved (up to 5 samples), "
            "assets past or within a year of end of support, and the reviewer's mapping "
            "changes (suggested vs approved). A part is null until its phase has run."
        )
    )
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class AlternativeOut(BaseModel):
    target_field: str
    confidence: float
    match_type: str


class FieldMappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source_field: str
    target_field: str | None
    confidence: float | None
    match_type: str | None
    unit: str | None
    status: str
    priority: int | None = Field(description=PRIORITY_DESCRIPTION)
    alternatives: list[AlternativeOut] | None
    approved_at: datetime | None


class FieldMappingsOut(BaseModel):
    master_flow_id: uuid.UUID
    flow_status: FlowStatus
    awaiting_approval: bool
    mappings: list[FieldMappingOut]
    fallbacks: dict[str, list[str]] = Field(
        description="Target -> its fallback columns in rank order (targets that have any)."
    )


class MappingApproval(BaseModel):
    overrides: dict[Text, Text] = Field(
        default_factory=dict,
        description="Source column -> canonical field, replacing the suggestion.",
        examples=[{"Owner": "technical_owner"}],
    )
    unmap: list[Text] = Field(
        default_factory=list,
        description="Source columns to leave unmapped (kept as custom attributes).",
        examples=[["Notes"]],
    )
    fallbacks: dict[Text, list[Text]] = Field(
        default_factory=dict,
        description=(
            "Canonical field -> its fallback columns in order, read where the primary column "
            "(and the fallbacks before) are empty. Replaces the suggested fallbacks of that "
            "field; an empty list removes them."
        ),
        examples=[{"operating_system": ["OS according to the VMware Tools"]}],
    )


class RetryQueuedOut(BaseModel):
    master_flow_id: uuid.UUID
    status: FlowStatus
    pending_chunks: int = Field(description="Dead-lettered chunks the retry will reprocess.")
    queued: bool = Field(
        description="A retry job was queued by this request; false when one was already "
        "queued and has not started yet (it will reprocess the same chunks)."
    )


class MasterFlowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    flow_id: uuid.UUID
    flow_type: str
    flow_name: str | None
    flow_status: FlowStatus
    flow_configuration: dict[str, Any]
    flow_persistence_data: dict[str, Any]
    phase_execution_times: dict[str, int]
    error_history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class MasterFlowDetail(MasterFlowOut):
    discovery_flow: FlowBrief | None


class MasterFlowList(BaseModel):
    data: list[MasterFlowDetail]


class StatusCount(BaseModel):
    flow_type: str
    status: FlowStatus
    count: int


class MasterFlowSummary(BaseModel):
    total: int
    by_type_and_status: list[StatusCount]
    average_phase_milliseconds: dict[str, float] = Field(
        description="Mean time of each phase over the flows that finished it."
    )


class MasterFlowDeleted(BaseModel):
    flow_id: uuid.UUID
    purged: bool
    status: FlowStatus | None = Field(description="cancelled after a soft delete.")
    raw_rows_deleted: int = 0
    assets_deleted: int = 0
    assets_kept: int = 0
