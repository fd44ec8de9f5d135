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
* every row counts against ``max_rows`` (data rows) or ``max_blank_rows``, every cell
  against ``max_cell_chars``, and every row checks the read's time budget;
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
from discovery.imports.readers.table import (
    ReadBudget,
    ReadLimits,
    ReadStats,
    Row,
    limit_exceeded,
)

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
    budget: ReadBudget,
    *,
    no_data_message: str = NO_DATA_ROWS,
) -> Iterator[Row]:
    """Peek the first data row now (raising ``no_data_message`` if there is none) and return
    an iterator that yields it followed by the remaining rows, still lazily."""
    for row_number, row in shaped:
        if row is None:
            _skip_blank(stats, limits, budget)
            continue
        _check_cells(row_number, row, limits)
        return _stream((row_number, row), shaped, stats, limits, budget)
    raise UnreadableFileError(no_data_message)


def _stream(
    first: Row, rest: Iterator[ShapedRow], stats: ReadStats, limits: ReadLimits, budget: ReadBudget
) -> Iterator[Row]:
    stats.rows_read += 1
    yield first
    for row_number, row in rest:
        if row is None:
            _skip_blank(stats, limits, budget)
            continue
        if stats.rows_read >= limits.max_rows:
            raise limit_exceeded(
                "max_rows",
                f"This file has more than the limit of {limits.max_rows:,} data rows",
                value=stats.rows_read + 1,
                maximum=limits.max_rows,
            )
        _check_cells(row_number, row, limits)
        budget.check()
        stats.rows_read += 1
        yield row_number, row


def _skip_blank(stats: ReadStats, limits: ReadLimits, budget: ReadBudget) -> None:
    if stats.blank_rows_skipped >= limits.max_blank_rows:
        raise limit_exceeded(
            "max_blank_rows",
            f"This file has more than the limit of {limits.max_blank_rows:,} blank rows",
            value=stats.blank_rows_skipped + 1,
            maximum=limits.max_blank_rows,
        )
    budget.check()
    stats.blank_rows_skipped += 1


def _check_cells(row_number: int, row: dict[str, str], limits: ReadLimits) -> None:
    if row and max(map(len, row.values())) > limits.max_cell_chars:
        raise cell_too_long(f"Row {row_number}", limits)


def cell_too_long(where: str, limits: ReadLimits, *, hint: str = "") -> LimitExceededError:
    """The error for a cell over ``max_cell_chars``; ``where`` says which row (or part)."""
    return limit_exceeded(
        "max_cell_chars",
        f"{where} has a cell longer than {limits.max_cell_chars:,} characters, the most a cell "
        f"may hold{hint}",
        value=limits.max_cell_chars + 1,
        maximum=limits.max_cell_chars,
    )
