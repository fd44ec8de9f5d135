"""The stable, machine-readable summary of a flow (``discovery run --json`` and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.models import SCHEMA
from discovery.flows.models import DiscoveryFlow, Phase
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
        "results": await flow_results(session, flow, data_import, counters),
    }


ERRORS_API_PATH = "/api/v1/unified-discovery/imports/{id}/errors"
ERRORS_PAGE_PATH = "/imports/{id}/errors.csv"
SAMPLES = 5

# Assets of one import by their tech-debt state on a given day: past end of support, or
# ending within a year (the flags are stored by the tech-debt phase, the dates let a
# summary read later still tell the two apart).
_END_OF_SUPPORT = text(
    f"""
    SELECT count(*) FILTER (WHERE ended) AS ended,
           count(*) FILTER (WHERE NOT ended) AS ending
      FROM (SELECT bool_or(CAST(f ->> 'end_of_support' AS date) < :today) AS ended
              FROM {SCHEMA}.asset_imports AS ai
              JOIN {SCHEMA}.assets AS a ON a.id = ai.asset_id
             CROSS JOIN LATERAL jsonb_array_elements(a.tech_debt_flags) AS f
             WHERE ai.data_import_id = :import_id
               AND CAST(f ->> 'end_of_support' AS date) <= :horizon
             GROUP BY a.id) AS flagged
    """  # noqa: S608 (the schema constant)
)


async def flow_results(
    session: AsyncSession,
    flow: DiscoveryFlow,
    data_import: DataImport | None,
    counters: dict[str, Any],
) -> dict[str, Any]:
    """What the flow found, in one place for the API, the pages and the CLI: assets
    created, updated, unchanged and merged; invalid rows (with where to get them);
    dependencies found and unresolved; assets past or near end of support; and the
    reviewer's changes to the suggested mappings. ``None`` where a phase has not run."""
    phases = flow.phase_state
    inventory = phases.get(Phase.ASSET_INVENTORY.value, {})
    dependencies = phases.get(Phase.DEPENDENCY_ANALYSIS.value, {})
    assets = None
    if "created" in inventory:
        assets = {
            name: int(inventory.get(name, 0))
            for name in ("created", "updated", "unchanged", "merged_duplicates")
        }
    invalid = None
    if data_import is not None and counters.get("invalid_rows") is not None:
        invalid = {
            "rows": int(counters["invalid_rows"]),
            "errors_csv": ERRORS_PAGE_PATH.format(id=data_import.id),
            "errors_api": ERRORS_API_PATH.format(id=data_import.id),
        }
    found = None
    if "dependencies" in dependencies:
        found = {
            "found": int(dependencies["dependencies"]),
            "unresolved": int(dependencies.get("unresolved_references", 0)),
            "unresolved_samples": list(dependencies.get("unresolved_samples", []))[:SAMPLES],
        }
    end_of_support = None
    if data_import is not None and Phase.TECH_DEBT_ASSESSMENT.value in phases:
        today = datetime.now(UTC).date()
        end_of_support = await _end_of_support(session, data_import, today)
    finished = [state["completed_at"] for state in phases.values() if state.get("completed_at")]
    return {
        "assets": assets,
        "invalid_rows": invalid,
        "dependencies": found,
        "end_of_support": end_of_support,
        "mapping_changes": list(flow.field_mappings.get("reviewer_changes", [])),
        "mapping_reviewed": flow.field_mappings.get("approval") == "reviewed",
        "as_of": max(finished) if finished else None,
    }


async def _end_of_support(
    session: AsyncSession, data_import: DataImport, today: date
) -> dict[str, Any]:
    horizon = today + timedelta(days=365)
    row = (
        await session.execute(
            _END_OF_SUPPORT, {"import_id": data_import.id, "today": today, "horizon": horizon}
        )
    ).one()
    return {"ended": int(row.ended or 0), "ending_within_a_year": int(row.ending or 0)}


def _shown_sample(sample: object) -> str:
    """``web02: ghost01`` (an asset and the reference it holds) as ``web02 → ghost01``."""
    asset, sep, reference = str(sample).partition(": ")
    return f"{asset} → {reference}" if sep else asset


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _shown_time(stamp: str) -> str:
    """``2026-12-02 11:54 UTC``: a stored ISO time, read in UTC with its zone named."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def results_lines(results: dict[str, Any]) -> list[tuple[str, str]]:
    """The results in plain words, as (topic, sentence) pairs: the same on the flow page,
    the start page and the CLI."""
    lines: list[tuple[str, str]] = []
    assets = results.get("assets")
    if assets is not None:
        lines.append(
            (
                "assets",
                f"{_plural(assets['created'], 'asset')} created, {assets['updated']:,} updated, "
                f"{assets['unchanged']:,} unchanged; "
                f"{_plural(assets['merged_duplicates'], 'duplicate row')} merged into "
                "an existing asset.",
            )
        )
    invalid = results.get("invalid_rows")
    if invalid is not None:
        lines.append(
            (
                "invalid rows",
                f"{_plural(invalid['rows'], 'row')} with invalid values"
                + (" (see the errors CSV)." if invalid["rows"] else "."),
            )
        )
    found = results.get("dependencies")
    if found is not None:
        sentence = (
            f"{_plural(found['found'], 'dependency', 'dependencies')} found, "
            f"{_plural(found['unresolved'], 'reference')} to no known asset"
        )
        samples = found["unresolved_samples"]
        sentence += f" (for example {', '.join(map(_shown_sample, samples))})." if samples else "."
        lines.append(("dependencies", sentence))
    support = results.get("end_of_support")
    if support is not None:
        lines.append(
            (
                "end of support",
                f"{_plural(support['ended'], 'asset')} past end of support, "
                f"{support['ending_within_a_year']:,} more ending within a year.",
            )
        )
    changes = results.get("mapping_changes") or []
    if changes:
        shown = "; ".join(
            f"{c['source_field']}: {c['suggested'] or 'not mapped'} → "
            f"{c['approved'] or 'not mapped'}"
            for c in changes
        )
        lines.append(
            ("mapping", f"The reviewer changed {_plural(len(changes), 'column')}: {shown}.")
        )
    elif results.get("mapping_reviewed"):
        lines.append(("mapping", "The reviewer approved the suggested mapping unchanged."))
    if results.get("as_of"):
        lines.append(("as of", f"Last phase finished {_shown_time(results['as_of'])}."))
    return lines
