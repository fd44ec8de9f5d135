"""Fallback columns: more columns for a field that already has its primary column.

Cleansing takes a field's value from its primary column and, where that cell is empty,
from its fallbacks in rank order (2, 3, …). After columns have competed for fields
(``resolve``), a column that won nothing becomes a fallback of a field only in two cases:

* **Known exports**: the export's catalogue maps several of its columns to the field
  (RVTools' two OS columns, its two disk totals, AWS's three server ids). The primary is
  the one the catalogue prefers among the filled ones; the others follow in the same
  order. Columns the catalogue marks as stand-ins (AWS logical cores for cores, average
  for peak utilisation) stand in for a missing column, never for an empty cell.
* **Hand-made sheets**, only for a few strong pairs: both columns name the same field
  plainly (an exact or synonym header match of at least 0.85, after what the values say),
  for ``operating_system`` ("OS" and "OS (Tools)", "Operating System" and "Guest OS"), or
  for ``ip_address`` when the fallback's header is one of the plain spellings of an
  address ("IP Address" and "Primary IP"; never "Backup IP", "Mgmt IP" or "Host IP",
  which name another address). Anything weaker stays unmapped, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from discovery.mapping.candidate import Candidate
from discovery.mapping.header_match import EXACT, SYNONYM
from discovery.mapping.known_formats import KnownFormat
from discovery.mapping.normalize import normalize_header
from discovery.mapping.resolve import Claim, ColumnPlan

FORMAT: Final = "format"
#: Fields a hand-made sheet may feed from two columns.
HANDMADE_FIELDS: Final = frozenset({"operating_system", "ip_address"})
HANDMADE_MIN: Final = 0.85
_PLAIN_IP: Final = frozenset(
    normalize_header(h).key
    for h in (
        "IP",
        "IP Address",
        "IP Addresses",
        "IPv4",
        "IPv4 Address",
        "IP v4 Address",
        "Primary IP",
        "Primary IP Address",
        "Primary IPv4",
        "Server IP",
        "Server IP Address",
    )
)


@dataclass(frozen=True)
class Fallback:
    column: int
    target: str
    rank: int
    candidate: Candidate
    primary: str


def _order(cand: Candidate, column: int) -> tuple[float, int, int]:
    return (-round(cand.confidence, 6), -cand.specificity, column)


def _format_pair(primary: Candidate, cand: Candidate, fmt: KnownFormat | None) -> bool:
    return (
        fmt is not None
        and primary.match_type == FORMAT
        and cand.match_type == FORMAT
        and primary.fallback
        and cand.fallback
    )


def _handmade_pair(primary: Candidate, cand: Candidate, header: str) -> bool:
    target = cand.target
    if target not in HANDMADE_FIELDS:
        return False
    strong = all(
        c.match_type in {EXACT, SYNONYM} and round(c.confidence, 3) >= HANDMADE_MIN
        for c in (primary, cand)
    )
    if not strong:
        return False
    return target != "ip_address" or normalize_header(header).key in _PLAIN_IP


def find_fallbacks(
    plans: Sequence[ColumnPlan], claims: Mapping[int, Claim], fmt: KnownFormat | None
) -> list[Fallback]:
    """The fallback columns of each claimed field, ranked from 2, in rank order."""
    primaries = {claim.candidate.target: claim for claim in claims.values()}
    found: dict[str, list[tuple[tuple[float, int, int], int, Candidate]]] = {}
    for plan in plans:
        if plan.index in claims or plan.fixed is not None:
            continue
        eligible = [c for c in plan.candidates if c.assignable]
        if not eligible:
            continue
        cand = eligible[0]  # only the column's own first choice
        claim = primaries.get(cand.target)
        if claim is None or round(cand.confidence, 3) < 0.5:
            continue
        if plans[claim.column].header == plan.header:
            continue  # the same header twice: one column to the cleanser
        primary = claim.candidate
        if _format_pair(primary, cand, fmt) or (
            primary.match_type != FORMAT and _handmade_pair(primary, cand, plan.header)
        ):
            found.setdefault(cand.target, []).append((_order(cand, plan.index), plan.index, cand))
    out: list[Fallback] = []
    for target, entries in found.items():
        primary_header = plans[primaries[target].column].header
        for rank, (_key, column, cand) in enumerate(sorted(entries), start=2):
            out.append(Fallback(column, target, rank, cand, primary_header))
    return out
