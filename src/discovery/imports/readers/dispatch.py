"""``open_table``: the single entry point that turns an uploaded file into a ``Table``.

It enforces the file-size limit before anything is read, decides the format from the content
(see ``detect``), and hands over to the reader for that format.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePath

from discovery.imports.readers.csv_reader import open_csv
from discovery.imports.readers.detect import detect_format
from discovery.imports.readers.errors import (
    EMPTY_FILE,
    UnreadableFileError,
    format_byte_size,
)
from discovery.imports.readers.json_reader import open_json
from discovery.imports.readers.own_export import restore_own_export
from discovery.imports.readers.table import (
    FileFormat,
    ReadBudget,
    ReadLimits,
    Table,
    limit_exceeded,
)
from discovery.imports.readers.xlsx_reader import open_xlsx


@contextmanager
def open_table(
    path: Path,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = ReadLimits(),
) -> Iterator[Table]:
    """Open the uploaded file at ``path`` as a ``Table``.

    ``file_name`` is the name the file was uploaded under; its extension only breaks ties the
    content leaves open. ``sheet`` picks a workbook sheet (case-insensitive) and is ignored for
    CSV and JSON. Entering the context reads the headers and peeks the first data row, so an
    empty or header-only file fails here; ``Table.rows`` then streams the rest and must be
    consumed before the context exits.

    Raises ``UnreadableFileError`` (``LimitExceededError`` for a limit) with a user-facing
    message for any content that cannot be imported. ``OSError`` from opening ``path`` itself
    (a missing file, say) is not about the content and propagates unchanged.
    """
    file_format = checked_format(path, file_name, limits)
    budget = ReadBudget(limits)
    reader: AbstractContextManager[Table]
    if file_format == "xlsx":
        reader = open_xlsx(path, sheet, limits, budget)
    elif file_format == "json":
        reader = open_json(path, limits, budget)
    else:
        reader = open_csv(path, limits, budget)
    with reader as table:
        restore_own_export(table)
        yield table


def checked_format(path: Path, file_name: str | None, limits: ReadLimits) -> FileFormat:
    """The format of the upload at ``path``, after the file-size limit and the empty-file
    check; ``file_name``'s extension only breaks ties the content leaves open."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise limit_exceeded(
            "max_file_bytes",
            f"The file is {format_byte_size(size)}, larger than the limit of "
            f"{format_byte_size(limits.max_file_bytes)}",
            value=size,
            maximum=limits.max_file_bytes,
        )
    if size == 0:
        raise UnreadableFileError(EMPTY_FILE)
    extension = PurePath(file_name).suffix.lower() if file_name else path.suffix.lower()
    with path.open("rb") as stream:
        file_format = detect_format(stream, extension)
    return file_format
