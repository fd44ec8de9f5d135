"""Whitespace, null markers and text collapsing shared by every normaliser."""

from __future__ import annotations

from itertools import product
from typing import Final

from discovery.core.export_format import is_formula_like

# Every Unicode white-space character (NBSP, figure space, ideographic space, …) plus the
# zero-width characters spreadsheets and copy-paste leave around values.
STRIP_CHARS: Final[str] = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
    "\u200b\u200c\u200d\u2060\ufeff"
)

#: Cell values that mean "no value" (compared case-insensitively after stripping).
NULL_MARKERS: Final[frozenset[str]] = frozenset(
    {"-", "--", "n/a", "na", "none", "null", "unknown", "?", "tbd", "#n/a", "(null)", "(blank)"}
)


def _case_variants(word: str) -> set[str]:
    return {"".join(chars) for chars in product(*({c.lower(), c.upper()} for c in word))}


# Every upper/lower-case spelling of every marker, so the hot path is one set lookup
# without calling ``str.lower``.
NULL_SPELLINGS: Final[frozenset[str]] = frozenset(
    variant for marker in NULL_MARKERS for variant in _case_variants(marker)
)


def clean_raw(raw: object) -> str | None:
    """The stripped value, or ``None`` when it is empty or a null marker."""
    if raw is None:
        return None
    text = (raw if isinstance(raw, str) else str(raw)).strip(STRIP_CHARS)
    if not text or text in NULL_SPELLINGS:
        return None
    return text


#: First characters of a cleansed value that may make it a formula (it is already stripped).
FORMULA_STARTS: Final[str] = "=+-@"


def keep_typed_lead(raw: object, cleaned: str) -> str:
    """``cleaned``, unless stripping ``raw`` made it formula-like: then ``raw``'s leading
    white space is kept as typed. ``"\t=1+1"`` stays ``"\t=1+1"`` (a TAB or a space is how
    some tools keep a cell from being a formula) and never becomes ``"=1+1"``; a value
    typed as ``=1+1`` stays as typed too, for the exports to neutralise."""
    if not isinstance(raw, str) or not is_formula_like(cleaned):
        return cleaned
    lead = raw[: len(raw) - len(raw.lstrip(STRIP_CHARS))]
    return lead + cleaned


def is_null(text: str) -> bool:
    """Whether an already stripped value is empty or a null marker."""
    return not text or text in NULL_SPELLINGS


def collapse(text: str) -> str:
    """Internal runs of white space collapsed to one space (the value is already stripped)."""
    return " ".join(text.split())


def shorten(text: str, limit: int = 40) -> str:
    """A value cut down for quoting in a short user-facing reason."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
