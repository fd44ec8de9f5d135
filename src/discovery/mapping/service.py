"""Field-mapping suggestions stored for review, approval with overrides, and learning.

A target may be fed by several columns in priority order: its primary column (priority 1,
or None when it is the only one) and fallbacks (2, 3, …), which cleansing reads where the
columns ranked before them are empty. Functions flush; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.imports.models import DataImport
from discovery.mapping.engine import CANONICAL_FIELDS, MappingResult, Suggestion
from discovery.mapping.models import (
    ImportFieldMapping,
    LearnedFieldMapping,
    MappingStatus,
    MatchType,
)


class MappingError(ValueError):
    """An approval request that cannot be applied; the message says why."""


@dataclass(frozen=True)
class ApprovedMapping:
    source_field: str
    target_field: str
    unit: str | None
    confidence: float | None
    match_type: str | None
    #: None: the target's only column; 1: its primary; 2, 3, …: its fallbacks in order
    priority: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_field": self.source_field,
            "target_field": self.target_field,
            "unit": self.unit,
            "confidence": self.confidence,
            "match_type": self.match_type,
            "priority": self.priority,
        }


def rank(priority: int | None) -> int:
    """A mapping's place among its target's columns (a lone column is 1)."""
    return priority or 1


def header_key(header: str) -> str:
    """Case-, space- and punctuation-insensitive key for learning a header's mapping."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header)
    return " ".join(re.findall(r"[a-z0-9]+", spaced.lower()))


async def learned_mappings(
    session: AsyncSession, client_account_id: uuid.UUID
) -> dict[str, str | None]:
    rows = await session.execute(
        select(LearnedFieldMapping.source_field, LearnedFieldMapping.target_field).where(
            LearnedFieldMapping.client_account_id == client_account_id
        )
    )
    return {source: target for source, target in rows.all()}


async def store_suggestions(
    session: AsyncSession,
    *,
    data_import_id: uuid.UUID,
    client_account_id: uuid.UUID,
    engagement_id: uuid.UUID,
    result: MappingResult,
) -> list[ImportFieldMapping]:
    """Replace the import's suggestions (idempotent when the phase is re-run)."""
    await session.execute(
        delete(ImportFieldMapping).where(ImportFieldMapping.data_import_id == data_import_id)
    )
    rows = [
        ImportFieldMapping(
            data_import_id=data_import_id,
            client_account_id=client_account_id,
            engagement_id=engagement_id,
            source_field=suggestion.source_field,
            target_field=suggestion.target_field,
            confidence=suggestion.confidence,
            match_type=suggestion.match_type,
            unit=suggestion.unit,
            alternatives=[
                {
                    "target_field": alternative.target_field,
                    "confidence": alternative.confidence,
                    "match_type": alternative.match_type,
                }
                for alternative in suggestion.alternatives
            ],
            status=MappingStatus.SUGGESTED.value,
            priority=suggestion.priority,
        )
        for suggestion in result.suggestions
    ]
    session.add_all(rows)
    await session.flush()
    return rows


def all_confident(suggestions: Sequence[Suggestion], threshold: float) -> bool:
    """Whether every mapped column reaches the auto-approval threshold."""
    mapped = [s for s in suggestions if s.target_field is not None]
    return bool(mapped) and all(s.confidence >= threshold for s in mapped)


async def import_mappings(
    session: AsyncSession, data_import_id: uuid.UUID
) -> list[ImportFieldMapping]:
    """The import's mappings in the file's column order."""
    result = await session.execute(
        select(ImportFieldMapping).where(ImportFieldMapping.data_import_id == data_import_id)
    )
    rows = list(result.scalars())
    headers = await session.scalar(
        select(DataImport.read_details["headers"]).where(DataImport.id == data_import_id)
    )
    position = {name: index for index, name in enumerate(headers or [])}
    return sorted(rows, key=lambda row: (position.get(row.source_field, len(position)),
                                         row.source_field))  # fmt: skip


def _listed(names: Sequence[str] | set[str]) -> str:
    return ", ".join(repr(name) for name in sorted(names))


def _check_overrides(
    rows: Sequence[ImportFieldMapping],
    overrides: Mapping[str, str],
    unmapped: set[str],
    fallbacks: Mapping[str, Sequence[str]],
) -> None:
    sources = {row.source_field for row in rows}
    listed = [column for columns in fallbacks.values() for column in columns]
    unknown = (set(overrides) | unmapped | set(listed)) - sources
    if unknown:
        raise MappingError(f"no such column in this import: {_listed(unknown)}")
    bad_targets = {t for t in [*overrides.values(), *fallbacks] if t not in CANONICAL_FIELDS}
    if bad_targets:
        raise MappingError(f"not a canonical asset field: {_listed(bad_targets)}")
    both = sorted(set(overrides) & unmapped)
    if both:
        raise MappingError(f"a column cannot be both mapped and unmapped: {both[0]!r}")
    twice = sorted({column for column in listed if listed.count(column) > 1})
    if twice:
        raise MappingError(f"a column can be listed as a fallback once: {twice[0]!r}")
    steered = sorted(set(listed) & (set(overrides) | unmapped))
    if steered:
        raise MappingError(
            f"{steered[0]!r} is listed as a fallback and also mapped or unmapped: "
            "list it in one place"
        )
    replaced = set(overrides.values())
    for target, columns in fallbacks.items():
        for row in rows:
            other = row.target_field
            if (
                row.source_field in columns
                and other not in (None, target)
                and rank(row.priority) == 1
                and other not in replaced
            ):
                raise MappingError(
                    f"{row.source_field!r} is the primary column of {other!r}: it cannot "
                    f"also be a fallback of {target!r}"
                )


@dataclass(frozen=True)
class _Decision:
    target: str | None
    priority: int | None
    #: set by the fallback lists (not learned: the header means the field, but only as
    #: a second source)
    by_fallbacks: bool


def _decide(
    rows: Sequence[ImportFieldMapping],
    overrides: Mapping[str, str],
    unmapped: set[str],
    fallbacks: Mapping[str, Sequence[str]],
) -> dict[str, _Decision]:
    """Each column's final target and rank. Overridden columns leave their fallback list;
    a target listed in ``fallbacks`` gets exactly those fallbacks, in that order."""
    listed = {
        column: (target, place)
        for target, columns in fallbacks.items()
        for place, column in enumerate(columns, start=2)
    }
    position = {row.source_field: index for index, row in enumerate(rows)}
    target_of: dict[str, str | None] = {}
    hint: dict[str, int] = {}
    from_lists: set[str] = set()
    for row in rows:
        source = row.source_field
        if source in unmapped:
            target_of[source] = None
        elif source in overrides:
            target_of[source] = overrides[source]
        elif source in listed:
            target_of[source], hint[source] = listed[source]
            from_lists.add(source)
        elif row.target_field and rank(row.priority) >= 2:
            if row.target_field in fallbacks:  # its list was replaced without it
                target_of[source] = None
                from_lists.add(source)
            else:
                target_of[source], hint[source] = row.target_field, rank(row.priority)
        else:
            target_of[source] = row.target_field
    groups: dict[str, list[str]] = {}
    for source, target in target_of.items():
        if target:
            groups.setdefault(target, []).append(source)
    decisions = {
        source: _Decision(None, None, source in from_lists)
        for source, target in target_of.items()
        if not target
    }
    for target in sorted(groups):
        columns = groups[target]
        primaries = [c for c in columns if c not in hint]
        if len(primaries) > 1:
            raise MappingError(
                f"{target!r} is the target of more than one column ({', '.join(primaries)}): "
                "unmap or remap all but one, or list the others as its fallbacks"
            )
        if not primaries and fallbacks.get(target):
            raise MappingError(
                f"{target!r} has fallbacks but no primary column: map a column to it "
                "that is not among its fallbacks"
            )
        ordered = primaries + sorted(
            (c for c in columns if c in hint), key=lambda c: (hint[c], position[c])
        )
        for place, source in enumerate(ordered, start=1):
            priority = place if len(ordered) > 1 else None
            decisions[source] = _Decision(target, priority, source in from_lists)
    return decisions


async def approve(
    session: AsyncSession,
    *,
    data_import_id: uuid.UUID,
    client_account_id: uuid.UUID,
    user_id: uuid.UUID | None,
    overrides: Mapping[str, str] | None = None,
    unmapped: set[str] | None = None,
    fallbacks: Mapping[str, Sequence[str]] | None = None,
    learn: bool = True,
) -> list[ApprovedMapping]:
    """Approve the suggestions, with per-column overrides or unmappings, and fallback
    columns per target (``{target: [column, …]}``, replacing the suggested ones of that
    target; an empty list removes them).

    Each target has one primary column; two columns for a target without a rank are an
    error. Overrides and unmappings are learned for the client account, so the same
    header gets them as suggestions next time; fallback lists are not learned.
    Returns the approved mappings in column order, each with its priority.
    """
    overrides = dict(overrides or {})
    unmapped = set(unmapped or set())
    lists = {target: list(columns) for target, columns in (fallbacks or {}).items()}
    rows = await import_mappings(session, data_import_id)
    if not rows:
        raise MappingError("this import has no field-mapping suggestions to approve")
    _check_overrides(rows, overrides, unmapped, lists)
    decisions = _decide(rows, overrides, unmapped, lists)
    now = datetime.now(UTC)
    approved: list[ApprovedMapping] = []
    for row in rows:
        decision = decisions[row.source_field]
        target = decision.target
        changed = target != row.target_field
        row.target_field = target
        row.priority = decision.priority
        row.status = (MappingStatus.APPROVED if target else MappingStatus.REJECTED).value
        row.approved_by = user_id
        row.approved_at = now
        if changed:
            row.match_type = MatchType.MANUAL.value if target else None
            row.confidence = 1.0 if target else None
            if learn and not decision.by_fallbacks:
                await _learn(session, client_account_id, data_import_id, user_id, row)
        if target:
            approved.append(
                ApprovedMapping(
                    row.source_field, target, row.unit, row.confidence, row.match_type,
                    row.priority,
                )
            )  # fmt: skip
    await session.flush()
    return approved


async def _learn(
    session: AsyncSession,
    client_account_id: uuid.UUID,
    data_import_id: uuid.UUID,
    user_id: uuid.UUID | None,
    row: ImportFieldMapping,
) -> None:
    values = {
        "client_account_id": client_account_id,
        "header_key": header_key(row.source_field),
        "source_field": row.source_field,
        "target_field": row.target_field,
        "learned_from_import_id": data_import_id,
        "created_by": user_id,
    }
    statement = insert(LearnedFieldMapping).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["client_account_id", "header_key"],
            set_={
                "source_field": statement.excluded.source_field,
                "target_field": statement.excluded.target_field,
                "learned_from_import_id": statement.excluded.learned_from_import_id,
                "created_by": statement.excluded.created_by,
                "updated_at": datetime.now(UTC),
            },
        )
    )


def in_priority_order(approved: Sequence[ApprovedMapping]) -> list[ApprovedMapping]:
    """Primaries first (in column order), then fallbacks by rank: the order in which the
    cleanser reads the columns of one field (the first usable value wins)."""
    return sorted(approved, key=lambda mapping: rank(mapping.priority))


def approved_from_flow(field_mappings: Mapping[str, Any]) -> list[ApprovedMapping]:
    """The approved set as stored on the discovery flow, in priority order."""
    return in_priority_order(
        [
            ApprovedMapping(
                item["source_field"],
                item["target_field"],
                item.get("unit"),
                item.get("confidence"),
                item.get("match_type"),
                item.get("priority"),
            )
            for item in field_mappings.get("mappings", [])
        ]
    )


def fallbacks_of(mappings: Sequence[Any]) -> dict[str, list[str]]:
    """Target -> its fallback columns in rank order, for mappings with ``target_field``,
    ``source_field`` and ``priority`` (rows, suggestions or approved mappings)."""
    ranked = sorted(
        (m for m in mappings if m.target_field and rank(m.priority) >= 2),
        key=lambda m: rank(m.priority),
    )
    out: dict[str, list[str]] = {}
    for mapping in ranked:
        out.setdefault(mapping.target_field, []).append(mapping.source_field)
    return out


def flow_field_mappings(
    approved: Sequence[ApprovedMapping], user_id: uuid.UUID | None, how: str
) -> dict[str, Any]:
    return {
        "mappings": [mapping.as_dict() for mapping in approved],
        "approved_by": str(user_id) if user_id else None,
        "approved_at": datetime.now(UTC).isoformat(),
        "approval": how,
    }
