"""Reading back one of our own CSV or XLSX files: the ``'`` its cells got is taken off.

The inventory export and the errors CSV neutralise cells a spreadsheet could run as a
formula (see :mod:`discovery.core.export_format`). A file whose header row carries their
signature gets every header and value restored, so re-importing an export changes
nothing. Any other file, and every JSON file (the JSON export is raw), is read as it is.
"""

from __future__ import annotations

from collections.abc import Iterator

from discovery.core.export_format import is_own_export, restore
from discovery.imports.readers.table import Row, Table


def restore_own_export(table: Table) -> None:
    """Make ``table`` yield restored headers and values when it is one of our files."""
    if table.file_format == "json" or not is_own_export(table.headers):
        return
    source = table.headers  # the reader's live list: a long row may append to it
    restored = [restore(name) for name in source]
    rows = table.rows

    def restored_rows() -> Iterator[Row]:
        for row_number, values in rows:
            while len(restored) < len(source):
                restored.append(restore(source[len(restored)]))
            yield row_number, {restore(key): restore(value) for key, value in values.items()}

    table.headers = restored
    table.rows = restored_rows()
