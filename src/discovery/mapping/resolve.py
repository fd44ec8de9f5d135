"""One column per target: settle competing columns globally.

Every column lists its candidates, best first. The strongest claims are granted first
(approved mappings before everything else); a column whose favourite was taken may fall
back to its next candidate only when that one is strong on its own (>= 0.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from discovery.mapping.candidate import Candidate

LEARNED: Final = "learned"
FIRST_CHOICE_MIN: Final = 0.5
FALLBACK_MIN: Final = 0.6


@dataclass(frozen=True)
class Fixed:
    """A column decided without competition: unmapped by an approved or known mapping."""

    match_type: str
    confidence: float
    reason: str


@dataclass
class ColumnPlan:
    index: int
    header: str
    candidates: list[Candidate]
    display: list[Candidate] = field(default_factory=list)
    fixed: Fixed | None = None


@dataclass(frozen=True)
class Claim:
    column: int
    candidate: Candidate


def resolve(plans: Sequence[ColumnPlan]) -> dict[int, Claim]:
    """Winning candidate per column index (columns left out stay unmapped)."""
    pool: list[tuple[int, float, int, int, int, Candidate]] = []
    for plan in plans:
        if plan.fixed is not None:
            continue
        for rank, cand in enumerate(c for c in plan.candidates if c.assignable):
            floor = FIRST_CHOICE_MIN if rank == 0 else FALLBACK_MIN
            if round(cand.confidence, 3) < floor:
                continue
            bucket = 0 if cand.match_type == LEARNED else 1
            pool.append(
                (bucket, -round(cand.confidence, 6), -cand.specificity, plan.index, rank, cand)
            )
    pool.sort(key=lambda entry: entry[:5])
    chosen: dict[int, Claim] = {}
    taken: set[str] = set()
    for _bucket, _conf, _spec, column, _rank, cand in pool:
        if column in chosen or cand.target in taken:
            continue
        chosen[column] = Claim(column, cand)
        taken.add(cand.target)
    return chosen
