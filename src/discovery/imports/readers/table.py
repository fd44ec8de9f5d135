"""The shapes every reader returns: limits in, a lazily streamed ``Table`` out.

A ``Table`` is deliberately format-neutral so that the import pipeline never needs to know
whether the rows came from a CSV export, an RVTools workbook or a JSON dump.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from discovery.imports.readers.errors import LimitExceededError

FileFormat = Literal["csv", "xlsx", "json"]

Row = tuple[int, dict[str, str]]
"""``(row_number, {header: value})``; see ``Table.rows``."""


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds that protect the service from files it should not try to import.

    Each is a setting (``SETTINGS`` names it), and the error for a file that breaks one
    names that setting.
    """

    max_file_bytes: int = 500 * 1024 * 1024
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_blank_rows: int = 100_000
    """Blank rows skipped, which cost as much to read as data rows."""
    max_cell_chars: int = 128 * 1024
    """Excel itself stops at 32,767; a row holds at most ``max_columns`` such cells."""
    max_decompressed_bytes: int = 2 * 1024**3
    """XLSX: the bytes all members of the archive inflate to, together."""
    max_compression_ratio: int = 200
    """XLSX: how many times larger than its compressed size a member may inflate."""
    max_shared_strings: int = 2_000_000
    max_shared_strings_chars: int = 64 * 1024 * 1024
    max_json_depth: int = 64
    max_read_seconds: float = 900

    def __post_init__(self) -> None:
        for name in SETTINGS:
            if getattr(self, name) < 1:
                raise ValueError(f"ReadLimits.{name} must be at least 1")


SETTINGS = {
    "max_file_bytes": "DISCOVERY_MAX_UPLOAD_BYTES",
    "max_rows": "DISCOVERY_MAX_IMPORT_ROWS",
    "max_columns": "DISCOVERY_MAX_IMPORT_COLUMNS",
    "max_blank_rows": "DISCOVERY_MAX_BLANK_ROWS",
    "max_cell_chars": "DISCOVERY_MAX_CELL_CHARS",
    "max_decompressed_bytes": "DISCOVERY_MAX_DECOMPRESSED_BYTES",
    "max_compression_ratio": "DISCOVERY_MAX_COMPRESSION_RATIO",
    "max_shared_strings": "DISCOVERY_MAX_SHARED_STRINGS",
    "max_shared_strings_chars": "DISCOVERY_MAX_SHARED_STRINGS_CHARS",
    "max_json_depth": "DISCOVERY_MAX_JSON_DEPTH",
    "max_read_seconds": "DISCOVERY_MAX_READ_SECONDS",
}
"""The setting (environment variable) behind each limit, named in its error message."""


def limit_exceeded(limit: str, message: str, *, value: int, maximum: int) -> LimitExceededError:
    """The error for breaking ``limit``: ``message`` (no final period), then its setting."""
    return LimitExceededError(
        f"{message} ({SETTINGS[limit]}).", limit=limit, value=value, maximum=maximum
    )


class ReadBudget:
    """The time budget of one read: ``check()`` raises once ``max_read_seconds`` have passed.

    Readers call it wherever work accumulates (each record, each inflated block, each JSON
    event batch), so no file can keep a worker busy for longer than the budget.
    """

    def __init__(self, limits: ReadLimits) -> None:
        self._seconds = limits.max_read_seconds
        self._deadline = time.monotonic() + limits.max_read_seconds

    def check(self) -> None:
        if time.monotonic() > self._deadline:
            raise limit_exceeded(
                "max_read_seconds",
                f"Reading this file took longer than the limit of {self._seconds:,g} seconds",
                value=int(self._seconds) + 1,
                maximum=int(self._seconds),
            )


@dataclass
class ReadStats:
    """Counters that grow while ``Table.rows`` is consumed."""

    rows_read: int = 0
    """Data rows yielded so far."""
    blank_rows_skipped: int = 0
    """Rows skipped because every cell was empty or whitespace-only."""
    warnings: list[ReadWarning] = field(default_factory=list)
    """Signs that the file may not have been read as its author meant (see ``ReadWarning``)."""


@dataclass(frozen=True)
class ReadWarning:
    """A file that was read, but whose structure looks wrong (rows collapsed into one, …).

    ``row`` is the data row where the problem starts; ``message`` says it for a person.
    """

    code: str
    row: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "row": self.row, "message": self.message}


@dataclass
class Table:
    """One uploaded file, opened: its headers now, its rows as they are consumed.

    ``rows`` yields ``(row_number, {header: value})``. ``row_number`` is the 1-based position
    of the record among the data records of the file (the header row excluded, skipped blank
    rows included), so it is stable for error reports and may have gaps where blank rows were.

    ``headers`` is a live list: a data row with values beyond the last header, or a JSON record
    with a key not seen before, appends a header while streaming. It is complete once ``rows``
    is exhausted; a row dict has a key for every header known when the row was yielded, so
    treat a missing key as ``""``.

    ``rows`` may raise ``UnreadableFileError`` (or ``LimitExceededError``) while iterating and
    must be consumed inside the ``open_table`` context: leaving it closes the file.
    """

    file_format: FileFormat
    sheet_name: str | None
    headers: list[str]
    detected: dict[str, str]
    stats: ReadStats
    rows: Iterator[Row] = field(repr=False)
