"""Reading numbers the way inventory exports write them.

Accepted: ``4``, ``-4``, ``4.5``, ``.5``, ``1e3``; thousands separators when unambiguous
(``1,024``, ``1,048,576``, ``1,024.5``, ``1.048.576``, ``1.024,5``); a decimal comma when it
cannot be a thousands separator (``1,5``, ``0,125``, ``12,25``). A single comma followed by
exactly three digits after a non-zero group (``1,024``) is read as a thousands separator.
"""

from __future__ import annotations

import re
from typing import Final

#: A number ``float()`` reads as it is (ASCII digits only, exponent of at most 3 digits).
#: Written so that no digit can be matched two ways (``\d+\.?\d*`` would backtrack
#: quadratically on a long run of digits followed by a stray character).
PLAIN_NUMBER: Final = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
#: Anything :func:`number_literal` may accept, for use in larger patterns.
ANY_NUMBER: Final = r"[+-]?[\d.,]+(?:[eE][+-]?\d{1,3})?"

_PLAIN: Final = re.compile(PLAIN_NUMBER, re.ASCII)
#: A number with comma thousands separators (``1,024``, ``1,048,576.5``).
COMMA_THOUSANDS: Final = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?"

_COMMA_THOUSANDS: Final = re.compile(COMMA_THOUSANDS, re.ASCII)
_DOT_THOUSANDS: Final = re.compile(
    r"[+-]?[1-9]\d{0,2}(?:(?:\.\d{3}){2,}(?:,\d+)?|(?:\.\d{3})+,\d+)", re.ASCII
)
_DECIMAL_COMMA: Final = re.compile(r"[+-]?\d*,\d+", re.ASCII)


def number_literal(text: str) -> str | None:
    """``text`` rewritten as a plain literal ``float()``/``Decimal()`` accept, or ``None``."""
    if _PLAIN.fullmatch(text):
        return text
    if _COMMA_THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if _DOT_THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    return None
