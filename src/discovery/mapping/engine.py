"""Suggest a canonical field for every column of an inventory export.

``suggest_mappings`` looks at each column's header and sample values, recognises known
exports (RVTools, AWS Migration Hub, Azure Migrate, ServiceNow), reuses mappings the
client approved before, then settles competing columns so that each canonical field has
one primary column. A few columns that lost may back up the primary where its cells are
empty (``priority`` 2, 3, …; the primary then has ``priority`` 1; see ``fallbacks``).
Every column gets exactly one suggestion, in source order; a column with no field goes to
the asset's custom attributes (``target_field=None``). Pure and deterministic: the same
input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from discovery.mapping.candidate import Candidate
from discovery.mapping.context import context_candidates
from discovery.mapping.fallbacks import Fallback, find_fallbacks
from discovery.mapping.fields import CANONICAL_FIELDS, FIELD_ORDER
from discovery.mapping.known_formats import KnownFormat, detect_format
from discovery.mapping.normalize import learned_key, normalize_header
from discovery.mapping.planning import plan_column
from discovery.mapping.resolve import ColumnPlan, resolve
from discovery.mapping.units import choose_unit
from discovery.mapping.value_patterns import ColumnProfile, profile_column

__all__ = [
    "CANONICAL_FIELDS",
    "Alternative",
    "MappingResult",
    "Suggestion",
    "suggest_mappings",
]

_MAX_ALTERNATIVES = 3
_ALTERNATIVE_FLOOR = 0.25


@dataclass(frozen=True)
class Alternative:
    target_field: str
    confidence: float
    match_type: str


@dataclass(frozen=True)
class Suggestion:
    source_field: str
    target_field: str | None
    confidence: float
    match_type: str | None
    unit: str | None
    alternatives: tuple[Alternative, ...]
    reason: str
    #: None: the field's only column; 1: its primary column, which has fallbacks;
    #: 2, 3, …: a fallback, read where the columns ranked before it are empty
    priority: int | None = None


@dataclass(frozen=True)
class MappingResult:
    suggestions: tuple[Suggestion, ...]
    detected_format: str | None


def _alternatives(plan: ColumnPlan, exclude: str | None) -> tuple[Alternative, ...]:
    best: dict[str, Candidate] = {}
    for cand in [*plan.candidates, *plan.display]:
        if cand.target == exclude:
            continue
        current = best.get(cand.target)
        if current is None or cand.confidence > current.confidence:
            best[cand.target] = cand
    ranked = sorted(
        (c for c in best.values() if c.confidence >= _ALTERNATIVE_FLOOR),
        key=lambda c: (-round(c.confidence, 3), FIELD_ORDER[c.target]),
    )
    return tuple(
        Alternative(c.target, round(c.confidence, 3), c.match_type)
        for c in ranked[:_MAX_ALTERNATIVES]
    )


def _unmapped_reason(plan: ColumnPlan, winners: dict[str, tuple[str, float]]) -> str:
    eligible = [c for c in plan.candidates if c.assignable]
    if eligible and round(eligible[0].confidence, 3) >= 0.5:
        lost = eligible[0]
        by = winners.get(lost.target)
        taken = f" to '{by[0]}' ({by[1]:.2f})" if by else ""
        return f"{lost.target} went{taken}; kept as custom attribute"
    shown = [*eligible, *plan.display]
    if shown:
        top = max(shown, key=lambda c: (c.confidence, -FIELD_ORDER[c.target]))
        return (
            f"no field reached 0.5 (closest: {top.target} {top.confidence:.2f});"
            " kept as custom attribute"
        )
    return "no canonical field matched; kept as custom attribute"


def _fallback_note(fallback: Fallback) -> str:
    before = (
        f"'{fallback.primary}' is"
        if fallback.rank == 2
        else f"'{fallback.primary}' and the fallbacks before it are"
    )
    return f"fallback {fallback.rank} for {fallback.target}: read where {before} empty"


def _with_unit(cand: Candidate, header: str, profile: ColumnProfile) -> tuple[str | None, str]:
    choice = choose_unit(cand.target, normalize_header(header), profile, cand.unit)
    if choice.note is None:
        return choice.unit, cand.reason
    return choice.unit, f"{cand.reason} ({choice.note})"


def suggest_mappings(
    headers: Sequence[str],
    samples: Sequence[Mapping[str, str]],
    learned: Mapping[str, str | None] | None = None,
) -> MappingResult:
    """One suggestion per header, in order, plus the recognised export (if any)."""
    normalized = [normalize_header(h) for h in headers]
    fmt: KnownFormat | None = detect_format(normalized)
    approved: dict[str, str | None] = {}
    for key in sorted((learned or {}).keys()):
        approved.setdefault(learned_key(key), (learned or {})[key])

    profiles = [profile_column(h, samples) for h in headers]
    context = context_candidates(normalized)
    plans = [
        plan_column(
            i,
            header,
            normalized[i],
            profiles[i],
            fmt,
            approved,
            has_samples=bool(samples),
            context=context[i],
        )
        for i, header in enumerate(headers)
    ]
    claims = resolve(plans)
    winners = {
        claim.candidate.target: (headers[column], claim.candidate.confidence)
        for column, claim in claims.items()
    }
    fallbacks: dict[int, Fallback] = {f.column: f for f in find_fallbacks(plans, claims, fmt)}
    backed_up = {f.target for f in fallbacks.values()}

    suggestions: list[Suggestion] = []
    for plan in plans:
        claim = claims.get(plan.index)
        fallback = fallbacks.get(plan.index)
        chosen = claim.candidate if claim is not None else None
        if chosen is None and fallback is not None:
            chosen = fallback.candidate
        if chosen is not None:
            unit, reason = _with_unit(chosen, plan.header, profiles[plan.index])
            priority: int | None
            if claim is None and fallback is not None:
                reason, priority = f"{_fallback_note(fallback)}; {reason}", fallback.rank
            else:
                priority = 1 if chosen.target in backed_up else None
            suggestions.append(
                Suggestion(
                    source_field=plan.header,
                    target_field=chosen.target,
                    confidence=round(chosen.confidence, 3),
                    match_type=chosen.match_type,
                    unit=unit,
                    alternatives=_alternatives(plan, chosen.target),
                    reason=reason,
                    priority=priority,
                )
            )
        elif plan.fixed is not None:
            suggestions.append(
                Suggestion(
                    source_field=plan.header,
                    target_field=None,
                    confidence=round(plan.fixed.confidence, 3),
                    match_type=plan.fixed.match_type,
                    unit=None,
                    alternatives=_alternatives(plan, None),
                    reason=plan.fixed.reason,
                )
            )
        else:
            suggestions.append(
                Suggestion(
                    source_field=plan.header,
                    target_field=None,
                    confidence=0.0,
                    match_type=None,
                    unit=None,
                    alternatives=_alternatives(plan, None),
                    reason=_unmapped_reason(plan, winners),
                )
            )
    return MappingResult(tuple(suggestions), fmt.name if fmt else None)
