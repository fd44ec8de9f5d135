"""Candidates from a header alone: exact labels, synonyms, qualified synonyms, typos.

A phrase found inside a longer header counts when the other words only qualify it
("Primary IP", "Total RAM"): in English the head noun comes last, so words *after* the
phrase usually name another thing ("IP Gateway", "Memory Reservation") and cost more than
words before it. Words such as "avg", "reservation" or "type" change the meaning wherever
they stand; "secondary" or "backup" keep the field plausible but second-best.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from discovery.canonical import COUNT_FIELDS, PERCENT_FIELDS, SIZE_FIELDS
from discovery.mapping.candidate import Candidate, best_per_target
from discovery.mapping.fields import (
    ALTERNATE_WORDS,
    DIFFERENT_WORDS,
    NEUTRAL_WORDS,
    NON_FIELD_PHRASES,
    NON_FIELD_WORDS,
    PHRASES,
    Phrase,
)
from discovery.mapping.normalize import NormalizedHeader, normalize_header

EXACT: Final = "exact"
SYNONYM: Final = "synonym"
FUZZY: Final = "fuzzy"

# Single words that only make sense with their qualifier ("Cluster Name" is not a name).
_GENERIC_HEADS: Final = frozenset(
    {
        "name",
        "type",
        "class",
        "category",
        "status",
        "state",
        "id",
        "key",
        "version",
        "release",
        "model",
        "product",
        "kind",
        "service",
        "team",
        "contact",
        "support",
        "platform",
        "engine",
        "power",
        "address",
        "capacity",
        "used",
        "label",
        "tier",
        "priority",
        "impact",
        "region",
        "country",
        "room",
        "office",
        "make",
        "brand",
        "vendor",
        "processor",
        "database",
        "db",
        "disk",
        "crit",
        "critical",
        "tag",
        "asset",
        "instance",
    }
)
_CPU_WORDS: Final = frozenset({"cpu", "cpus", "processor", "vcpu", "vcpus", "proc"})
_MEM_WORDS: Final = frozenset({"memory", "mem", "ram"})
_UTIL_WORDS: Final = frozenset({"util", "utilization", "utilisation", "usage", "load", "busy"})
_MAX_WORDS: Final = frozenset(
    {"max", "maximum", "peak", "p95", "p99", "95th", "99th", "percentile", "high", "top"}
)
_AVG_WORDS: Final = frozenset({"avg", "average", "mean", "median", "p50"})
_MIN_WORDS: Final = frozenset({"min", "minimum", "low"})


def _extra_penalty(word: str, *, trailing: bool, phrase_len: int) -> float:
    if word.isdigit():
        return 0.05 if word == "1" else 0.45
    if word in DIFFERENT_WORDS:
        return 0.6
    if word in ALTERNATE_WORDS:
        return 0.45
    if word in NEUTRAL_WORDS:
        return 0.04 if trailing else 0.02
    if trailing:
        return 0.4 if phrase_len == 1 else 0.3
    return 0.12 if phrase_len == 1 else 0.1


def _find(header: tuple[str, ...], compact: str) -> tuple[int, int] | None:
    """First slice of header words that spells the phrase (``data center`` = ``datacenter``)."""
    for start in range(len(header)):
        joined = ""
        for end in range(start, len(header)):
            joined += header[end]
            if joined == compact:
                return start, end + 1
            if len(joined) >= len(compact):
                break
    return None


def _score(header: NormalizedHeader, phrase: Phrase) -> tuple[float, str] | None:
    if header.compact == phrase.compact:
        return phrase.weight, EXACT if phrase.is_label else SYNONYM
    if header.singular_compact == phrase.singular_compact:
        return phrase.weight - 0.02, EXACT if phrase.is_label else SYNONYM
    span = _find(header.singular, phrase.singular_compact)
    if span is not None:
        start, end = span
        leading, trailing = header.singular[:start], header.singular[end:]
        extras = leading + trailing
        n = len(phrase.singular)
        all_neutral = all(w in NEUTRAL_WORDS or w == "1" for w in extras)
        if not all_neutral and n == 1:
            word = phrase.singular[0]
            if word in NEUTRAL_WORDS or word in _GENERIC_HEADS:
                return min(0.35, phrase.weight - 0.3), FUZZY
        penalty = sum(_extra_penalty(w, trailing=False, phrase_len=n) for w in leading)
        penalty += sum(_extra_penalty(w, trailing=True, phrase_len=n) for w in trailing)
        score = phrase.weight - penalty
        if all_neutral:
            return score, SYNONYM
        return min(score, 0.8), FUZZY
    return _fuzzy(header, phrase)


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: a swapped pair of letters counts once."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _fuzzy(header: NormalizedHeader, phrase: Phrase) -> tuple[float, str] | None:
    """Typos only ("Enviroment", "Hostnmae"): same first letter, a few edits apart."""
    a, b = header.compact, phrase.compact
    if len(a) < 6 or len(b) < 6 or a[0] != b[0] or a.startswith(b) or b.startswith(a):
        return None
    words_a, words_b = len(header.tokens), len(phrase.tokens)
    if words_a != words_b and max(words_a, words_b) > 2:
        return None
    if words_a == words_b > 1:
        differing = [(x, y) for x, y in zip(header.tokens, phrase.tokens, strict=True) if x != y]
        if len(differing) != 1:
            return None
        word_a, word_b = differing[0]
        shorter = min(len(word_a), len(word_b))
        if shorter < 4 or _edit_distance(word_a, word_b) > (2 if shorter >= 8 else 1):
            return None
    allowed = 1 if min(len(a), len(b)) <= 8 else 2 if min(len(a), len(b)) <= 14 else 3
    if abs(len(a) - len(b)) > allowed:
        return None
    distance = _edit_distance(a, b)
    if distance > allowed:
        return None
    score = (0.8 - 0.06 * (distance - 1)) * min(1.0, phrase.weight / 0.9)
    return min(score, 0.8), FUZZY


def _utilisation(header: NormalizedHeader) -> list[Candidate]:
    words = set(header.singular) | set(header.tokens)
    if header.unit is not None or header.rate:
        return []
    if not (header.percent or words & _UTIL_WORDS):
        return []
    out: list[Candidate] = []
    for target, subject in (
        ("cpu_utilization_percent_max", _CPU_WORDS),
        ("memory_utilization_percent_max", _MEM_WORDS),
    ):
        if not words & subject:
            continue
        if words & _MAX_WORDS:
            conf, note = 0.93, "peak utilisation"
        elif words & _AVG_WORDS:
            conf, note = 0.6, "average, not peak, utilisation"
        elif words & _MIN_WORDS:
            conf, note = 0.3, "minimum utilisation"
        else:
            conf, note = 0.88, "utilisation"
        out.append(Candidate(target, conf, SYNONYM, f"header names {note} ({target})", 2))
    return out


def _describe(kind: str, phrase: Phrase) -> str:
    if kind == EXACT:
        return f"header matches {phrase.target}"
    if kind == SYNONYM:
        return f"header synonym of {phrase.target} ('{phrase.text}')"
    return f"header resembles '{phrase.text}' ({phrase.target})"


def _phrase_candidates(header: NormalizedHeader, penalty: float) -> list[Candidate]:
    found: list[Candidate] = []
    for phrase in PHRASES:
        scored = _score(header, phrase)
        if scored is None:
            continue
        score, kind = scored
        if header.raw.strip().lower() == phrase.target and phrase.is_label:
            score = 1.0
        score -= penalty
        if score > 0.0:
            found.append(
                Candidate(phrase.target, score, kind, _describe(kind, phrase), len(phrase.tokens))
            )
    return found


def _variants(header: NormalizedHeader) -> list[tuple[NormalizedHeader, float]]:
    """The header, without its bracketed words, and each side of ``A / B``."""
    out = [(header, 0.0)]
    bare = re.sub(r"[(\[{][^)\]}]*[)\]}]", " ", header.raw)
    if bare != header.raw and bare.strip():
        out.append((normalize_header(bare), 0.02))
    parts = [p for p in re.split(r"\s*/\s*", bare) if p.strip()]
    if len(parts) >= 2 and all(len(re.sub(r"[^A-Za-z]", "", p)) >= 2 for p in parts):
        out.extend((normalize_header(p), 0.05) for p in parts)
    return out


def header_candidates(header: NormalizedHeader) -> list[Candidate]:
    """All targets the header could mean, best first (one candidate per target)."""
    return list(_header_candidates(header))


@lru_cache(maxsize=4096)
def _header_candidates(header: NormalizedHeader) -> tuple[Candidate, ...]:
    if not header.tokens:
        return ()
    found: list[Candidate] = []
    for variant, penalty in _variants(header):
        if variant.tokens:
            found.extend(_phrase_candidates(variant, penalty))
    found.extend(_utilisation(header))

    adjusted: list[Candidate] = []
    non_field = is_non_field(header)
    for cand in found:
        if non_field:
            cand = cand.adjusted(-0.4, "header names something outside the schema")
        if header.rate and cand.target in SIZE_FIELDS | COUNT_FIELDS | PERCENT_FIELDS:
            cand = cand.adjusted(-0.5, "header is a rate")
        elif header.percent and cand.target in SIZE_FIELDS | COUNT_FIELDS:
            cand = cand.adjusted(-0.45, "header is a percentage")
        elif header.unit and cand.target in COUNT_FIELDS | PERCENT_FIELDS:
            cand = cand.adjusted(-0.4, f"header carries a size unit ({header.unit})")
        elif header.unit and cand.target not in SIZE_FIELDS:
            cand = cand.adjusted(-0.2, f"header carries a size unit ({header.unit})")
        adjusted.append(cand)
    return tuple(best_per_target(adjusted))


def is_non_field(header: NormalizedHeader) -> bool:
    """The header names something the schema does not hold ("CPU Speed", "iLO IP")."""
    if header.key in NON_FIELD_PHRASES or set(header.tokens) & NON_FIELD_WORDS:
        return True
    padded = f" {header.key} "
    return any(" " in p and f" {p} " in padded for p in NON_FIELD_PHRASES)
