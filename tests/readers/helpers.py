"""Building upload files in a test's tmp_path and reading them back in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from discovery.imports.readers import Table, UnreadableFileError, open_table
from tests.hostile.files import ole_compound_file

Rows = list[tuple[int, dict[str, str]]]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **kwargs: Any) -> tuple[Table, Rows]:
    """Open ``path`` and consume every row inside the context."""
    with open_table(path, **kwargs) as table:
        rows = list(table.rows)
    return table, rows


def unreadable_message(path: Path, **kwargs: Any) -> str:
    """The message of the UnreadableFileError that reading ``path`` raises.

    Any other exception type propagates and fails the calling test.
    """
    with pytest.raises(UnreadableFileError) as raised:
        read_all(path, **kwargs)
    message = str(raised.value)
    assert "\n" not in message, "messages are single-line"
    assert "Traceback" not in message and "Error" not in message
    return message


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], *, active: int = 0) -> Path:
    """A real workbook with the given sheets (in order) and rows."""
    workbook = Workbook()
    default = workbook.active
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    workbook.remove(default)
    workbook.active = active
    workbook.save(path)
    return path


def ole_file(stream_names: list[str]) -> bytes:
    """A structurally valid OLE compound file whose directory lists ``stream_names``."""
    return ole_compound_file(stream_names)
