"""Reading a delimited text export (CSV, TSV, semicolon CSV) as a streamed table.

The file is never read whole: encoding and delimiter are judged from the first 64 KiB, then
the csv module parses the stream record by record. Opening with ``newline=""`` lets quoted
fields carry embedded line breaks, and values are passed on exactly as they were written.

One unbalanced quote mark makes the csv module read every following line into one cell
until the next quote, so a 1,000-row file can arrive as one row. That is legal CSV, so it
is not refused; the table gets a ``collapsed_rows`` warning instead, naming the row where
it starts, when a record spanning several lines holds a long cell with line breaks and
delimiters, or when the file has far more lines than records, the extra lines inside cells
that hold delimiters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from discovery.imports.readers.delimiter import declared_delimiter, sniff_delimiter
from discovery.imports.readers.encoding import (
    SAMPLE_BYTES,
    decode_sample,
    errors_for,
    sniff_encoding,
)
from discovery.imports.readers.errors import UnreadableFileError
from discovery.imports.readers.rows import cell_too_long, positional_rows, start_rows, take_header
from discovery.imports.readers.table import ReadBudget, ReadLimits, ReadStats, ReadWarning, Table

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

SUSPICIOUS_CELL_CHARS = 2000
"""A cell this long that holds line breaks and delimiters looks like swallowed rows."""
SUSPICIOUS_LINES_PER_RECORD = 4
SUSPICIOUS_EXTRA_LINES = 20
"""Far fewer records than lines: this many times as many lines as records, and at least this
many line breaks inside cells that also hold delimiters (what swallowed rows look like)."""
COLLAPSED_ROWS = "collapsed_rows"
_QUOTE_HINT = "; a closing quote mark may be missing"


@contextmanager
def open_csv(path: Path, limits: ReadLimits, budget: ReadBudget) -> Iterator[Table]:
    """Open ``path`` as a CSV table; headers are read now, rows stream from ``Table.rows``."""
    # Process-wide, and the same for every import: the limit comes from the settings.
    csv.field_size_limit(limits.max_cell_chars)
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        whole_file = len(sample) < SAMPLE_BYTES or not raw.read(1)
        encoding = sniff_encoding(sample, whole_file=whole_file)
        sample_text = decode_sample(sample, encoding, whole_file=whole_file)
        declared = declared_delimiter(sample_text)
        delimiter = declared or sniff_delimiter(sample_text, whole_file=whole_file)
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, errors=errors_for(encoding), newline="")
        with text:
            if declared:
                text.readline()  # the "sep=" line is a hint for Excel, not part of the table
            stats = ReadStats()
            records = _Records(csv.reader(text, delimiter=delimiter), delimiter, stats, limits)
            headers = take_header(records, limits)
            records.header_taken(headers.names)
            yield Table(
                file_format="csv",
                sheet_name=None,
                headers=headers.names,
                detected={"encoding": encoding, "delimiter": delimiter},
                stats=stats,
                rows=start_rows(positional_rows(records, headers), stats, limits, budget),
            )


class _Records(Iterator[list[str]]):
    """The csv reader's records; a record it cannot parse becomes an error naming its row.

    It also watches for collapsed rows (see the module docstring) and adds the warning to
    ``stats``; that costs one comparison per record unless a record spans several lines.
    """

    def __init__(
        self, reader: CsvReader, delimiter: str, stats: ReadStats, limits: ReadLimits
    ) -> None:
        self._reader = reader
        self._delimiter = delimiter
        self._stats = stats
        self._limits = limits
        self._headers: list[str] = []
        self._data_records: int | None = None
        self._header_lines = 0
        self._last_line = 0
        self._first_spanning_row: int | None = None
        self._swallowed_lines = 0
        self._warned = False

    def header_taken(self, headers: list[str]) -> None:
        """From now on records are data rows, numbered from 1."""
        self._data_records = 0
        self._headers = headers
        self._header_lines = self._last_line = self._reader.line_num

    def __next__(self) -> list[str]:
        try:
            record = next(self._reader)
        except csv.Error as error:
            raise self._unreadable(error) from None
        except StopIteration:
            self._check_line_count()
            raise
        if self._data_records is not None:
            self._data_records += 1
            lines = self._reader.line_num - self._last_line
            self._last_line = self._reader.line_num
            if lines > 1:
                self._spanning(record, lines)
        return record

    def _spanning(self, record: list[str], lines: int) -> None:
        if self._warned:
            return
        row = self._data_records or 0
        swallowing = [
            position
            for position, cell in enumerate(record)
            if ("\n" in cell or "\r" in cell) and self._delimiter in cell
        ]
        if not swallowing:
            return
        if self._first_spanning_row is None:
            self._first_spanning_row = row
        self._swallowed_lines += lines - 1
        for position in swallowing:
            cell = record[position]
            if len(cell) > SUSPICIOUS_CELL_CHARS:
                column = self._headers[position] if position < len(self._headers) else None
                where = f'column "{column}"' if column else f"column {position + 1}"
                self._warn(
                    row,
                    f"Row {row} has a {len(cell):,}-character cell in {where} that spans "
                    f"{lines:,} lines and holds delimiters: a quote mark there is probably "
                    "not closed, so the rows after it were read into that cell.",
                )
                return

    def _check_line_count(self) -> None:
        records = self._data_records
        if not records or self._warned or self._first_spanning_row is None:
            return
        lines = self._reader.line_num - self._header_lines
        swallowed = self._swallowed_lines
        if lines >= SUSPICIOUS_LINES_PER_RECORD * records and swallowed >= SUSPICIOUS_EXTRA_LINES:
            row = self._first_spanning_row
            self._warn(
                row,
                f"This file has {lines:,} lines of data but only {records:,} rows: quoted "
                f"values holding delimiters span many lines, starting at row {row}; check "
                "its quote marks.",
            )

    def _warn(self, row: int, message: str) -> None:
        self._warned = True
        self._stats.warnings.append(ReadWarning(COLLAPSED_ROWS, row, message))

    def _unreadable(self, error: csv.Error) -> UnreadableFileError:
        row = self._data_records
        where = "The header row" if row is None else f"Row {row + 1}"
        if "field limit" in str(error):
            return cell_too_long(where, self._limits, hint=_QUOTE_HINT)
        return UnreadableFileError(f"{where} cannot be read as CSV; check its quote marks.")
