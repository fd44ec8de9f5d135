"""The shapes every reader returns: limits in, a lazily streamed ``Table`` out.

A ``Table`` is deliberately format-neutral so that the import pipeline never needs to know
whether the rows came from a CSV export, an RVTools workbook or a JSON dump.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

FileFormat = Literal["csv", "xlsx", "json"]

Row = tuple[int, dict[str, str]]
"""``(row_number, {header: value})``; see ``Table.rows``."""


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds that protect the service from files it should not try to import."""

    max_file_bytes: int = 500 * 1024 * 1024
    max_rows: int = 2_000_000
    max_columns: int = 500

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_rows", "max_columns"):
            if getattr(self, name) < 1:
                raise ValueError(f"ReadLimits.{name} must be at least 1")


@dataclass
class ReadStats:
    """Counters that grow while ``Table.rows`` is consumed."""

    rows_read: int = 0
    """Data rows yielded so far."""
    blank_rows_skipped: int = 0
    """Rows skipped because every cell was empty or whitespace-only."""


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
