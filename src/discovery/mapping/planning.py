"""Per-column candidates, before columns compete: approved mappings, known exports,
header words, then what the values say.
"""

from __future__ import annotations

from collections.abc import Mapping

from discovery.mapping.candidate import Candidate, best_per_target
from discovery.mapping.fields import CANONICAL_FIELDS
from discovery.mapping.header_match import header_candidates, is_non_field
from discovery.mapping.known_formats import KnownFormat
from discovery.mapping.normalize import NormalizedHeader, is_meaningless, learned_keys
from discovery.mapping.resolve import LEARNED, ColumnPlan, Fixed
from discovery.mapping.value_patterns import (
    UNIQUE_FIELDS,
    ColumnProfile,
    support,
    value_guesses,
)

FORMAT = "format"
VALUE_PATTERN = "value_pattern"
LEARNED_CONFIDENCE = 0.99
# A column that is mostly empty in the samples loses ties to a filled one.
_EMPTY_PENALTY = 0.08
_RECOGNISED_FLOOR = 0.3


def _fill_adjusted(cand: Candidate, profile: ColumnProfile, has_samples: bool) -> Candidate:
    if not has_samples or profile.fill >= 0.95:
        return cand
    penalty = _EMPTY_PENALTY * (1.0 - profile.fill)
    return cand.adjusted(-penalty, f"filled in {profile.fill:.0%} of samples")


def _value_adjusted(cand: Candidate, header: NormalizedHeader, profile: ColumnProfile) -> Candidate:
    fit = support(profile, cand.target)
    if fit is not None:
        cand = cand.adjusted(fit.delta, fit.note)
    if profile.count >= 10:
        ratio = profile.distinct_ratio
        if cand.target in UNIQUE_FIELDS and ratio < 0.5:
            cand = cand.adjusted(-0.25, f"values repeat ({ratio:.0%} distinct)")
        if cand.target == "host" and ratio >= 0.95 and header.key == "host":
            cand = cand.adjusted(-0.15, "values are unique per row, unlike hypervisor hosts")
        if cand.target == "hostname" and ratio >= 0.95 and header.key == "host":
            cand = cand.adjusted(0.1, "values are unique per row")
    if cand.target == "storage_gb" and header.unit is None:
        numbers = profile.numbers()
        if len(numbers) >= 3 and profile.share("size_unit") < 0.5 and max(numbers) <= 16:
            cand = cand.adjusted(-0.2, "values look like counts, not sizes")
    if cand.target == "disk_count" and profile.share("size_unit") >= 0.5:
        cand = cand.adjusted(-0.4, "values carry size units")
    return cand


def _value_factor(
    header: NormalizedHeader, best_header: float, contradicted: bool
) -> tuple[float, str | None]:
    if is_meaningless(header):
        return 1.0, None
    if is_non_field(header):
        return 0.4, "header names something outside the schema"
    if contradicted:
        return 0.8, "values overrule the header"
    if best_header >= _RECOGNISED_FLOOR:
        return 0.55, "header points elsewhere"
    return 0.75, "header not recognised"


def _generic(
    header: NormalizedHeader, profile: ColumnProfile, context: list[Candidate]
) -> list[Candidate]:
    raw = header_candidates(header) + context
    from_header = [_value_adjusted(c, header, profile) for c in raw]
    best_raw = max(raw, key=lambda c: c.confidence, default=None)
    contradicted = False
    if best_raw is not None:
        after = next(c for c in from_header if c.target == best_raw.target)
        contradicted = after.confidence <= best_raw.confidence - 0.3
    best_header = max((c.confidence for c in from_header), default=0.0)
    factor, why = _value_factor(header, best_header, contradicted)
    from_values: list[Candidate] = []
    for guess in value_guesses(profile):
        if guess.detector == "hostlike" and not is_meaningless(header):
            continue  # identifiers of every kind look like host names
        reason = f"values look like {profile.evidence(guess.detector)}"
        if why:
            reason += f"; {why}"
        from_values.append(
            Candidate(guess.target, guess.confidence * factor, VALUE_PATTERN, reason, 0)
        )
    return best_per_target(from_header + from_values)


def plan_column(
    index: int,
    header: str,
    norm: NormalizedHeader,
    profile: ColumnProfile,
    fmt: KnownFormat | None,
    approved: Mapping[str, str | None],
    *,
    has_samples: bool,
    context: list[Candidate] | None = None,
) -> ColumnPlan:
    """Everything this column could become, best first, before other columns are seen."""
    generic = _generic(norm, profile, context or [])
    key = next((k for k in learned_keys(header) if k in approved), "")
    if key and (approved[key] is None or approved[key] in CANONICAL_FIELDS):
        target = approved[key]
        if target is None:
            fixed = Fixed(LEARNED, LEARNED_CONFIDENCE, "kept unmapped earlier for this client")
            return ColumnPlan(index, header, [], generic, fixed)
        cand = Candidate(target, LEARNED_CONFIDENCE, LEARNED, "approved earlier for this client")
        return ColumnPlan(index, header, [cand], generic)

    known = fmt.lookup(norm) if fmt is not None else None
    if fmt is not None and known is not None:
        display = [c for c in generic if c.target != known.target]
        if known.target is None:
            reason = f"{fmt.label} column without a canonical field; kept as custom attribute"
            return ColumnPlan(index, header, [], display, Fixed(FORMAT, known.confidence, reason))
        reason = f"{fmt.label} column" + (f": {known.note}" if known.note else "")
        cand = Candidate(
            known.target, known.confidence, FORMAT, reason, 9, known.unit,
            fallback=known.fallback,
        )  # fmt: skip
        return ColumnPlan(index, header, [_fill_adjusted(cand, profile, has_samples)], display)

    candidates = [_fill_adjusted(c, profile, has_samples) for c in generic]
    return ColumnPlan(index, header, best_per_target(candidates))
