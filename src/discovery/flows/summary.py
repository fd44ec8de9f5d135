"""The stable, machine-readable summary of a flow (``discovery run --json`` and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from discovery.flows.models import DiscoveryFlow
from discovery.flows.service import FINISHED
from discovery.health.metrics import Tenant, wiring_health
from discovery.imports.models import DataImport
from discovery.mapping.models import ImportFieldMapping
from discovery.mapping.service import import_mappings

COUNTERS = (
    "total_rows",
    "blank_rows_skipped",
    "valid_rows",
    "invalid_rows",
    "processed_rows",
    "column_count",
    "file_size_bytes",
)


def in_column_order(
    mappings: Sequence[ImportFieldMapping], data_import: DataImport
) -> list[ImportFieldMapping]:
    """An import's mappings in the order of its file's columns."""
    position = {h: i for i, h in enumerate(data_import.read_details.get("headers", []))}
    return sorted(mappings, key=lambda m: position.get(m.source_field, len(position)))


async def flow_summary(
    session: AsyncSession, flow: DiscoveryFlow, *, with_health: bool = True
) -> dict[str, Any]:
    """The flow's status, counters, mappings and phases; with its tenant's wiring health
    once it has finished, unless ``with_health`` is false (pollers, cached callers)."""
    data_import = (
        await session.get(DataImport, flow.data_import_id) if flow.data_import_id else None
    )
    mappings = (
        in_column_order(await import_mappings(session, data_import.id), data_import)
        if data_import
        else []
    )
    counters = {name: getattr(data_import, name) for name in COUNTERS} if data_import else {}
    error = (
        {"phase": flow.error_phase, "message": flow.error_message} if flow.error_message else None
    )
    health = None
    if with_health and flow.status in FINISHED:
        tenant = Tenant(flow.client_account_id, flow.engagement_id)
        health = (await wiring_health(session, tenant)).as_dict()
    return {
        "master_flow_id": str(flow.master_flow_id),
        "discovery_flow_id": str(flow.id),
        "data_import_id": str(flow.data_import_id) if flow.data_import_id else None,
        "status": flow.status,
        "current_phase": flow.current_phase,
        "progress_percentage": flow.progress_percentage,
        "import_status": data_import.status if data_import else None,
        "file_name": data_import.file_name if data_import else None,
        "file_format": data_import.file_format if data_import else None,
        "counters": counters,
        "warnings": data_import.warnings if data_import else [],
        "field_mappings": [
            {
                "source_field": m.source_field,
                "target_field": m.target_field,
                "confidence": m.confidence,
                "match_type": m.match_type,
                "status": m.status,
                "priority": m.priority,
            }
            for m in mappings
        ],
        "error": error,
        "phases": {
            name: {k: v for k, v in state.items() if k not in {"started_at"}}
            for name, state in flow.phase_state.items()
        },
        "health": health,
    }
