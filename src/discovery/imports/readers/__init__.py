"""Reading an uploaded inventory file (CSV, XLSX or JSON) as a stream of rows.

``open_table`` is the entry point: it detects the format from the content, reads the headers,
and yields a ``Table`` whose rows stream lazily as ``(row_number, {header: value})`` with every
value a string. The same header, blank-row and limit rules apply to every format, so the import
pipeline does not care which tool produced the file. Any file that cannot be imported raises
``UnreadableFileError`` with a message meant for the person who uploaded it.
"""

from discovery.imports.readers.dispatch import open_table
from discovery.imports.readers.errors import LimitExceededError, UnreadableFileError
from discovery.imports.readers.table import ReadLimits, ReadStats, Table

__all__ = [
    "LimitExceededError",
    "ReadLimits",
    "ReadStats",
    "Table",
    "UnreadableFileError",
    "open_table",
]
