"""Reading a delimited text export (CSV, TSV, semicolon CSV) as a streamed table.

The file is never read whole: encoding and delimiter are judged from the first 64 KiB, then
the csv module parses the stream record by record. Opening with ``newline=""`` lets quoted
fields carry embedded line breaks, and values are passed on exactly as they were written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from discovery.imports.readers.delimiter import declared_delimiter, sniff_delimiter
from discovery.imports.readers.encoding import (
    SAMPLE_BYTES,
    decode_sample,
    errors_for,
    sniff_encoding,
)
from discovery.imports.readers.errors import UnreadableFileError
from discovery.imports.readers.rows import positional_rows, start_rows, take_header
from discovery.imports.readers.table import ReadLimits, ReadStats, Table

MAX_CELL_CHARS = 16 * 1024 * 1024
"""Largest single cell accepted; ``csv.field_size_limit`` is raised to it (never lowered)."""


@contextmanager
def open_csv(path: Path, limits: ReadLimits) -> Iterator[Table]:
    """Open ``path`` as a CSV table; headers are read now, rows stream from ``Table.rows``."""
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
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
            records = _Records(csv.reader(text, delimiter=delimiter))
            headers = take_header(records, limits)
            records.header_taken()
            stats = ReadStats()
            yield Table(
                file_format="csv",
                sheet_name=None,
                headers=headers.names,
                detected={"encoding": encoding, "delimiter": delimiter},
                stats=stats,
                rows=start_rows(positional_rows(records, headers), stats, limits),
            )


class _Records(Iterator[list[str]]):
    """The csv reader's records; a record it cannot parse becomes an error naming its row."""

    def __init__(self, reader: Iterator[list[str]]) -> None:
        self._reader = reader
        self._data_records: int | None = None

    def header_taken(self) -> None:
        """From now on records are data rows, numbered from 1."""
        self._data_records = 0

    def __next__(self) -> list[str]:
        try:
            record = next(self._reader)
        except csv.Error as error:
            raise self._unreadable(error) from None
        if self._data_records is not None:
            self._data_records += 1
        return record

    def _unreadable(self, error: csv.Error) -> UnreadableFileError:
        row = self._data_records
        where = "The header row" if row is None else f"Row {row + 1}"
        if "field limit" in str(error):
            return UnreadableFileError(
                f"{where} has a cell longer than {MAX_CELL_CHARS:,} characters, the most a cell "
                "may hold; a closing quote mark may be missing."
            )
        return UnreadableFileError(f"{where} cannot be read as CSV; check its quote marks.")
