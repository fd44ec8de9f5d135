"""Header normalisation shared by all formats.

Downstream mapping keys each value by its header name, so names must be unique, non-empty and
free of invisible padding, and the same file must always give the same names. Rules:

* surrounding whitespace is stripped, including NBSP, BOM and zero-width characters that
  spreadsheet tools and UTF-8-with-BOM exports leave behind;
* an empty name becomes ``column_N`` (N = the 1-based column position);
* a repeated name gets the first free suffix ``_2``, ``_3``, ...; a suffixed name that already
  exists as a real header in the same header row is skipped, so real names always win.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from discovery.imports.readers.errors import LimitExceededError
from discovery.imports.readers.table import ReadLimits, limit_exceeded

_PADDING = re.compile(r"^[\s\ufeff\u200b\u200c\u200d\u2060]+|[\s\ufeff\u200b\u200c\u200d\u2060]+$")


def clean_header_name(raw: str) -> str:
    """``raw`` without surrounding whitespace or invisible padding characters."""
    return _PADDING.sub("", raw)


def placeholder_name(position: int) -> str:
    """The name given to a column without a header; ``position`` is 1-based."""
    return f"column_{position}"


def too_many_columns(count: int, limits: ReadLimits) -> LimitExceededError:
    """The error for a table wider than ``limits.max_columns``."""
    return limit_exceeded(
        "max_columns",
        f"This file has {count:,} columns, more than the limit of {limits.max_columns:,} columns",
        value=count,
        maximum=limits.max_columns,
    )


class HeaderSet:
    """The unique header names of one table, in column order; it may grow while rows stream.

    ``names`` is the very list handed out as ``Table.headers``, so appended headers are visible
    to the caller without copying.
    """

    def __init__(self, limits: ReadLimits) -> None:
        self.names: list[str] = []
        self._used: set[str] = set()
        self._limits = limits

    @classmethod
    def from_row(cls, raw_names: Iterable[str], limits: ReadLimits) -> HeaderSet:
        """Normalise a header row; raises ``LimitExceededError`` if it is too wide."""
        cleaned = [clean_header_name(name) for name in raw_names]
        if len(cleaned) > limits.max_columns:
            raise too_many_columns(len(cleaned), limits)
        headers = cls(limits)
        reserved = {name for name in cleaned if name}
        for position, name in enumerate(cleaned, start=1):
            if name:
                headers._append(name, reserved)
            else:
                headers._append(placeholder_name(position), reserved, generated=True)
        return headers

    def __len__(self) -> int:
        return len(self.names)

    def add(self, raw_name: str) -> str:
        """Append a header for a column found while streaming and return its unique name.

        An empty ``raw_name`` becomes ``column_N`` for the new column's position.
        """
        position = len(self.names) + 1
        if position > self._limits.max_columns:
            raise too_many_columns(position, self._limits)
        name = clean_header_name(raw_name)
        if name:
            return self._append(name, frozenset())
        return self._append(placeholder_name(position), frozenset(), generated=True)

    def extend_to(self, width: int) -> None:
        """Append ``column_N`` headers until there are ``width`` columns."""
        if width > self._limits.max_columns:
            raise too_many_columns(width, self._limits)
        while len(self.names) < width:
            self.add("")

    def _append(
        self, name: str, reserved: set[str] | frozenset[str], *, generated: bool = False
    ) -> str:
        """Record ``name``, suffixed if needed; a generated name also yields to ``reserved``."""
        unique = name
        if name in self._used or (generated and name in reserved):
            suffix = 2
            while f"{name}_{suffix}" in self._used or f"{name}_{suffix}" in reserved:
                suffix += 1
            unique = f"{name}_{suffix}"
        self.names.append(unique)
        self._used.add(unique)
        return unique
