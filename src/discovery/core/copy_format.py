"""Encoding rows for ``COPY … FROM STDIN`` in PostgreSQL's text format.

Writing rows one ``write_row`` call at a time costs an await per row; building the text
format ourselves and writing it in large blocks is several times faster on million-row
files. The format: columns separated by tabs, rows by newlines, ``\\N`` for NULL, and a
backslash escaping backslash, tab, newline and carriage return inside values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_field(value: Any) -> str:
    """One value in COPY text format."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).translate(_ESCAPES)


def json_field(value: Any) -> str:
    """A JSON value for a ``jsonb`` column.

    PostgreSQL cannot store the NUL character in text or jsonb, so ``\\u0000`` escapes
    are dropped; no other character is changed.
    """
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if "\\u0000" in encoded:
        encoded = encoded.replace("\\u0000", "")
    return encoded.translate(_ESCAPES)


def line(fields: Iterable[str]) -> str:
    return "\t".join(fields) + "\n"
