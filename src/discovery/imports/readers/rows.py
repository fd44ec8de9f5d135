"""Row rules shared by all formats: blank rows, short and long rows, limits, the first peek.

Readers turn their format into raw records; everything about what becomes a data row lives
here so the three formats cannot drift apart:

* the header row is the first non-blank record; its trailing blank cells are dropped;
* a blank row (every cell empty or whitespace-only) is skipped and counted;
* a short row is padded with ``""`` for the missing trailing cells;
* a long row gets extra ``column_N`` headers appended, up to its last non-blank cell, so no
  value is lost; trailing blank cells beyond the headers are dropped instead of inventing empty
  columns (spreadsheet tools and trailing delimiters produce plenty). Growing past
  ``max_columns`` raises ``LimitExceededError``;
* entering a table peeks the first data row, so "header but no data" is reported up front,
  while the rest still streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from discovery.imports.readers.errors import (
    EMPTY_FILE,
    NO_DATA_ROWS,
    LimitExceededError,
    UnreadableFileError,
)
from discovery.imports.readers.headers import HeaderSet
from discovery.imports.readers.table import ReadLimits, ReadStats, Row

ShapedRow = tuple[int, dict[str, str] | None]
"""``(row_number, row)``, with ``row`` None for a blank row that is to be skipped."""


def is_blank(cells: Iterable[str]) -> bool:
    """True when every cell is empty or whitespace-only (also for no cells at all)."""
    return all(not cell.strip() for cell in cells)


def take_header(records: Iterator[Sequence[str]], limits: ReadLimits) -> HeaderSet:
    """Consume records up to and including the header row (the first non-blank one)."""
    for cells in records:
        if not is_blank(cells):
            width = len(cells)
            while not cells[width - 1].strip():
                width -= 1
            return HeaderSet.from_row(cells[:width], limits)
    raise UnreadableFileError(EMPTY_FILE)


def positional_rows(records: Iterable[Sequence[str]], headers: HeaderSet) -> Iterator[ShapedRow]:
    """Key the cells of each record that follows the header row by column position."""
    for row_number, cells in enumerate(records, start=1):
        yield row_number, shape_positional(cells, headers)


def shape_positional(cells: Sequence[str], headers: HeaderSet) -> dict[str, str] | None:
    """One record as ``{header: value}``, or None if it is blank (see module docstring)."""
    if is_blank(cells):
        return None
    known = len(headers)
    if len(cells) > known:
        last_value = max(
            (index for index in range(known, len(cells)) if cells[index].strip()), default=-1
        )
        if last_value >= 0:
            headers.extend_to(last_value + 1)
    row = dict(zip(headers.names, cells, strict=False))
    for name in headers.names[len(cells) :]:
        row[name] = ""
    return row


def start_rows(
    shaped: Iterator[ShapedRow],
    stats: ReadStats,
    limits: ReadLimits,
    *,
    no_data_message: str = NO_DATA_ROWS,
) -> Iterator[Row]:
    """Peek the first data row now (raising ``no_data_message`` if there is none) and return
    an iterator that yields it followed by the remaining rows, still lazily."""
    for row_number, row in shaped:
        if row is None:
            stats.blank_rows_skipped += 1
            continue
        return _stream((row_number, row), shaped, stats, limits)
    raise UnreadableFileError(no_data_message)


def _stream(
    first: Row, rest: Iterator[ShapedRow], stats: ReadStats, limits: ReadLimits
) -> Iterator[Row]:
    stats.rows_read += 1
    yield first
    for row_number, row in rest:
        if row is None:
            stats.blank_rows_skipped += 1
            continue
        if stats.rows_read >= limits.max_rows:
            raise LimitExceededError(
                f"This file has more than the limit of {limits.max_rows:,} data rows.",
                limit="max_rows",
                value=stats.rows_read + 1,
                maximum=limits.max_rows,
            )
        stats.rows_read += 1
        yield row_number, row
