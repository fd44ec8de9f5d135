"""A flow's phases as steps for the progress page and its polling endpoint."""

from __future__ import annotations

from typing import Any

from discovery.flows.models import FlowStatus, Phase
from discovery.flows.schemas import FlowDetail
from discovery.flows.service import RESTING
from discovery.web.labels import phase_name

PHASE_LABELS = {
    Phase.DATA_IMPORT: "Read the file",
    Phase.FIELD_MAPPING: "Suggest field mappings",
    Phase.DATA_CLEANSING: "Cleanse values",
    Phase.ASSET_INVENTORY: "Build the inventory",
    Phase.DEPENDENCY_ANALYSIS: "Resolve dependencies",
    Phase.TECH_DEBT_ASSESSMENT: "Assess tech debt",
}
STATUS_LABELS = {
    FlowStatus.INITIALIZED: "Starting",
    FlowStatus.RUNNING: "Running",
    FlowStatus.WAITING_FOR_APPROVAL: "Waiting for your mapping review",
    FlowStatus.PAUSED: "Paused",
    FlowStatus.COMPLETED: "Completed",
    FlowStatus.COMPLETED_WITH_ERRORS: "Completed with errors",
    FlowStatus.FAILED: "Failed",
    FlowStatus.CANCELLED: "Cancelled",
}
AT_REST = RESTING  # where a flow waits for someone; the page stops polling
CURRENT_STEP = {
    FlowStatus.RUNNING: "running",
    FlowStatus.INITIALIZED: "running",
    FlowStatus.WAITING_FOR_APPROVAL: "waiting",
    FlowStatus.PAUSED: "paused",
    FlowStatus.CANCELLED: "cancelled",
}


def seconds(milliseconds: Any) -> str | None:
    if not isinstance(milliseconds, int | float):
        return None
    return f"{milliseconds / 1000:.1f} s"


def steps(detail: FlowDetail) -> list[dict[str, Any]]:
    failed_phase = detail.error.phase if detail.error else None
    found: list[dict[str, Any]] = []
    for phase in Phase:
        state = detail.phases.get(phase.value, {})
        if detail.status == FlowStatus.FAILED and failed_phase == phase.value:
            status = "failed"
        elif "completed_at" in state:
            status = "done"
        elif detail.current_phase == phase.value:
            status = CURRENT_STEP.get(detail.status, "pending")
        else:
            status = "pending"
        done, total = state.get("done"), state.get("total")
        if status == "done":
            percent = 100
        elif isinstance(done, int) and isinstance(total, int) and total > 0:
            percent = min(100, round(100 * done / total))
        else:
            percent = 0
        elapsed = detail.phase_execution_times.get(phase.value, state.get("elapsed_ms"))
        found.append(
            {
                "phase": phase.value,
                "label": PHASE_LABELS[phase],
                "status": status,
                "percent": percent,
                "done": done if isinstance(done, int) else None,
                "total": total if isinstance(total, int) else None,
                "time": seconds(elapsed),
            }
        )
    return found


def snapshot(detail: FlowDetail) -> dict[str, Any]:
    """What the progress page shows, as JSON for its polling script."""
    return {
        "status": detail.status.value,
        "status_label": STATUS_LABELS[detail.status],
        "at_rest": detail.status in AT_REST,
        "progress": round(detail.progress_percentage),
        "current_phase": detail.current_phase,
        "steps": steps(detail),
        "error": (
            {
                "phase": detail.error.phase,
                "phase_label": phase_name(detail.error.phase),
                "message": detail.error.message,
            }
            if detail.error
            else None
        ),
        "counters": detail.counters,
        "warnings": [warning.message for warning in detail.warnings],
        "awaiting_approval": detail.status == FlowStatus.WAITING_FOR_APPROVAL,
    }
