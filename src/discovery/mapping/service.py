"""Field-mapping suggestions stored for review, approval with overrides, and learning.

Functions flush; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_field": self.source_field,
            "target_field": self.target_field,
            "unit": self.unit,
            "confidence": self.confidence,
            "match_type": self.match_type,
        }


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


def _check_overrides(
    rows: Sequence[ImportFieldMapping],
    overrides: Mapping[str, str],
    unmapped: set[str],
) -> None:
    sources = {row.source_field for row in rows}
    unknown = sorted((set(overrides) | unmapped) - sources)
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise MappingError(f"no such column in this import: {listed}")
    bad_targets = sorted({t for t in overrides.values() if t not in CANONICAL_FIELDS})
    if bad_targets:
        listed = ", ".join(repr(name) for name in bad_targets)
        raise MappingError(f"not a canonical asset field: {listed}")
    both = sorted(set(overrides) & unmapped)
    if both:
        raise MappingError(f"a column cannot be both mapped and unmapped: {both[0]!r}")


async def approve(
    session: AsyncSession,
    *,
    data_import_id: uuid.UUID,
    client_account_id: uuid.UUID,
    user_id: uuid.UUID | None,
    overrides: Mapping[str, str] | None = None,
    unmapped: set[str] | None = None,
    learn: bool = True,
) -> list[ApprovedMapping]:
    """Approve the suggestions, with per-column overrides or unmappings.

    Each target may be taken by one column only. Overrides and unmappings are learned
    for the client account, so the same header gets them as suggestions next time.
    """
    overrides = dict(overrides or {})
    unmapped = set(unmapped or set())
    rows = await import_mappings(session, data_import_id)
    if not rows:
        raise MappingError("this import has no field-mapping suggestions to approve")
    _check_overrides(rows, overrides, unmapped)
    now = datetime.now(UTC)
    final: dict[str, str | None] = {}
    for row in rows:
        if row.source_field in unmapped:
            final[row.source_field] = None
        elif row.source_field in overrides:
            final[row.source_field] = overrides[row.source_field]
        else:
            final[row.source_field] = row.target_field
    taken = Counter(target for target in final.values() if target)
    clashes = sorted(target for target, count in taken.items() if count > 1)
    if clashes:
        columns = [s for s, t in final.items() if t == clashes[0]]
        raise MappingError(
            f"{clashes[0]!r} is the target of more than one column ({', '.join(columns)}): "
            "unmap or remap all but one"
        )
    approved: list[ApprovedMapping] = []
    for row in rows:
        target = final[row.source_field]
        changed = target != row.target_field
        row.target_field = target
        row.status = (MappingStatus.APPROVED if target else MappingStatus.REJECTED).value
        row.approved_by = user_id
        row.approved_at = now
        if changed:
            row.match_type = MatchType.MANUAL.value if target else None
            row.confidence = 1.0 if target else None
            if learn:
                await _learn(session, client_account_id, data_import_id, user_id, row)
        if target:
            approved.append(
                ApprovedMapping(row.source_field, target, row.unit, row.confidence, row.match_type)
            )
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


def approved_from_flow(field_mappings: Mapping[str, Any]) -> list[ApprovedMapping]:
    """The approved set as stored on the discovery flow."""
    return [
        ApprovedMapping(
            item["source_field"],
            item["target_field"],
            item.get("unit"),
            item.get("confidence"),
            item.get("match_type"),
        )
        for item in field_mappings.get("mappings", [])
    ]


def flow_field_mappings(
    approved: Sequence[ApprovedMapping], user_id: uuid.UUID | None, how: str
) -> dict[str, Any]:
    return {
        "mappings": [mapping.as_dict() for mapping in approved],
        "approved_by": str(user_id) if user_id else None,
        "approved_at": datetime.now(UTC).isoformat(),
        "approval": how,
    }
