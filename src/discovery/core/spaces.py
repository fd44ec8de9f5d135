"""Blank as Python means it, for SQL that must agree with the Python rules.

``str.strip()`` removes every character for which ``str.isspace()`` is true (29 of them,
``\\x1c`` to ``\\x1f`` and U+3000 among them); PostgreSQL's ``btrim`` removes only what it
is given, and jsonpath regexes know no such class. Statements that decide "blank" or
"stripped" the way the row code does are given this set.
"""

from __future__ import annotations

import sys
from functools import cache


@cache
def python_spaces() -> str:
    """Every character Python's ``str.strip()`` removes."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
