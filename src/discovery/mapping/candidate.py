"""A possible target for one column, with how sure we are and why."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Candidate:
    target: str
    confidence: float
    match_type: str
    reason: str
    #: tokens of the phrase that matched: on a tie, the more specific header wins
    specificity: int = 0
    #: source unit fixed by a known export (RVTools ``Memory`` is MB)
    unit: str | None = None
    #: may win the column (False: only shown as an alternative)
    assignable: bool = True
    #: may back up another column of the same field cell by cell (False: a stand-in for
    #: a column the file lacks, such as logical cores for cores)
    fallback: bool = True

    def adjusted(self, delta: float, note: str | None = None) -> Candidate:
        confidence = min(1.0, max(0.0, self.confidence + delta))
        reason = f"{self.reason}; {note}" if note else self.reason
        return replace(self, confidence=confidence, reason=reason)


def best_per_target(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the strongest candidate of each target, strongest first (stable, deterministic)."""
    best: dict[str, Candidate] = {}
    for cand in candidates:
        current = best.get(cand.target)
        if current is None or (cand.confidence, cand.specificity) > (
            current.confidence,
            current.specificity,
        ):
            best[cand.target] = cand
    return sorted(best.values(), key=lambda c: (-c.confidence, -c.specificity, c.target))
