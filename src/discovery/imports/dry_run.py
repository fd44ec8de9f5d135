"""The dry run of an import: what it would map, cleanse, create and update. Writes nothing.

The file is read with the import's own readers, the mappings are suggested as the
mapping phase would (learned mappings of the client account included), the rows are
cleansed with the same cleanser and reconciled against the engagement's assets with the
inventory phase's own :class:`~discovery.assets.preview.Reconciler`. Only SELECTs run.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.export import reimported_lineage
from discovery.assets.inventory import existing_assets
from discovery.assets.preview import (
    AssetShape,
    PreviewReport,
    Reconciler,
    decision_order,
    incoming_asset,
)
from discovery.cleansing import CleansedRow, FieldMapping, compile_cleanser
from discovery.imports.readers import ReadLimits, Table, open_table
from discovery.imports.readers.table import Row
from discovery.mapping.engine import MappingResult, suggest_mappings
from discovery.mapping.models import MatchType
from discovery.mapping.phase import SAMPLE_ROWS
from discovery.mapping.service import learned_mappings, rank
from discovery.tenancy.context import Tenant

BATCH = 1000
#: the rank of a column a reviewer adds to a field's fallbacks: after the suggested ones
_AFTER_SUGGESTED = 1000
# A preview keeps every asset it would create in memory (to find duplicates in the
# file), so it looks at this many rows at most and says when it stopped early.
MAX_PREVIEW_ROWS = 100_000


@dataclass
class DryRun:
    file_format: str
    sheet_name: str | None
    headers: list[str]
    rows_previewed: int
    truncated: bool
    blank_rows_skipped: int
    mapping: MappingResult
    report: PreviewReport


def with_choices(
    result: MappingResult,
    choices: Mapping[str, str | None],
    fallbacks: Collection[str] | None = None,
) -> MappingResult:
    """The suggestions with a reviewer's choices applied (source column -> target, None:
    unmapped), as approving them would: a changed column counts as a manual mapping and
    leaves its fallback list. ``fallbacks`` (a review form's ticked columns), when given,
    says which mapped columns are fallbacks: the suggested ones keep their rank, others
    come after them, and an unticked one is no fallback."""
    suggestions = []
    for suggestion in result.suggestions:
        source = suggestion.source_field
        target = choices.get(source, suggestion.target_field)
        changed = target != suggestion.target_field
        if changed:
            suggestion = replace(
                suggestion,
                target_field=target,
                confidence=1.0 if target else 0.0,
                match_type=MatchType.MANUAL.value if target else None,
                priority=None,
            )
        if fallbacks is not None and target:
            was_fallback = not changed and rank(suggestion.priority) >= 2
            if source in fallbacks and not was_fallback:
                suggestion = replace(suggestion, priority=_AFTER_SUGGESTED)
            elif source not in fallbacks and was_fallback:
                suggestion = replace(suggestion, priority=None)
        suggestions.append(suggestion)
    return replace(result, suggestions=tuple(suggestions))


def _take(rows: Iterator[Row], count: int) -> list[Row]:
    return list(itertools.islice(rows, count))


def _shape(result: MappingResult, headers: Sequence[str]) -> AssetShape:
    mapped = [s for s in result.suggestions if s.target_field]
    return AssetShape(
        mapped_sources=frozenset(s.source_field for s in mapped),
        confidence_by_target={
            str(s.target_field): s.confidence for s in mapped if rank(s.priority) == 1
        },
        detected_format=result.detected_format,
        ignored_sources=reimported_lineage(headers),
    )


def _errors(cleansed: CleansedRow) -> list[dict[str, Any]]:
    return [{"field": e.field, "value": e.value, "reason": e.reason} for e in cleansed.errors]


async def dry_run(
    session: AsyncSession,
    tenant: Tenant,
    path: Path,
    *,
    file_name: str,
    sheet: str | None,
    match_order: Sequence[str],
    limits: ReadLimits,
    choices: Mapping[str, str | None] | None = None,
    fallbacks: Collection[str] | None = None,
) -> DryRun:
    """Raises ``UnreadableFileError`` for a file the import would fail on.

    ``choices`` (source column -> target or None) previews a reviewed mapping instead of
    the suggestions, and ``fallbacks`` its fallback columns (see ``with_choices``)."""
    learned = await learned_mappings(session, tenant.client_account_id)
    with ExitStack() as stack:
        table: Table = await asyncio.to_thread(
            stack.enter_context, open_table(path, file_name=file_name, sheet=sheet, limits=limits)
        )
        first = await asyncio.to_thread(_take, table.rows, max(BATCH, SAMPLE_ROWS))
        headers = list(table.headers)
        mapping = suggest_mappings(headers, [values for _, values in first[:SAMPLE_ROWS]], learned)
        if choices:
            mapping = with_choices(mapping, choices, fallbacks)
        cleanse = compile_cleanser(
            [
                FieldMapping(s.source_field, s.target_field, s.unit)
                for s in sorted(mapping.suggestions, key=lambda s: rank(s.priority))
                if s.target_field
            ],
            headers,
        )
        shape = _shape(mapping, headers)
        reconciler = Reconciler([], match_order)
        report = PreviewReport()
        batch, seen = first, 0
        while batch and seen < MAX_PREVIEW_ROWS:
            batch = batch[: MAX_PREVIEW_ROWS - seen]
            seen += len(batch)
            cleansed = [(number, raw, cleanse(raw)) for number, raw in batch]
            incoming = {
                number: incoming_asset(shape, row.data, raw, row.errors)
                for number, raw, row in cleansed
                if row.is_valid
            }
            reconciler.know(
                await existing_assets(
                    session,
                    tenant.client_account_id,
                    tenant.engagement_id,
                    list(incoming.values()),
                    match_order,
                )
            )
            for number, raw, row in cleansed:
                if not row.is_valid:
                    report.add_error(number, raw, row.invalid_reason, _errors(row))
            valid = [(number, row) for number, _raw, row in cleansed if row.is_valid]
            # As the inventory does: shadow rows after the rows they stand for.
            for position in decision_order([incoming[number] for number, _ in valid]):
                number, row = valid[position]
                extra = {"id": None, "preview_row_number": number}
                report.add(number, reconciler.decide(incoming[number], extra), _errors(row))
            batch = await asyncio.to_thread(_take, table.rows, BATCH)
        truncated = bool(batch)
        return DryRun(
            file_format=table.file_format,
            sheet_name=table.sheet_name,
            headers=list(table.headers),
            rows_previewed=seen,
            truncated=truncated,
            blank_rows_skipped=table.stats.blank_rows_skipped,
            mapping=mapping,
            report=report,
        )
