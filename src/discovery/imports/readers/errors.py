"""Errors a reader raises when an uploaded file cannot be imported.

Their messages are shown to the consultant who uploaded the file, so every message is a
single plain sentence that says what is wrong and, where possible, what to do about it.
Callers can therefore display ``str(exc)`` as it is, without wrapping or translating it.
"""

from __future__ import annotations

import functools


class UnreadableFileError(Exception):
    """The file cannot be imported; ``str(exc)`` is a one-line, user-facing message."""


class LimitExceededError(UnreadableFileError):
    """A configured limit (file size, rows, columns) was exceeded.

    The message names the limit and the value; ``limit``, ``value`` and ``maximum`` carry
    the same facts for callers that want to log or present them differently.
    """

    def __init__(self, message: str, *, limit: str, value: int, maximum: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.maximum = maximum

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Keyword-only arguments are not replayed by the default pickling of exceptions.
        rebuild = functools.partial(
            LimitExceededError, limit=self.limit, value=self.value, maximum=self.maximum
        )
        return rebuild, (str(self),)


EMPTY_FILE = "The file is empty."
NO_DATA_ROWS = "This file has a header row but no data rows."
NOT_A_TABLE_FILE = "This file is not a CSV, XLSX or JSON file: {reason}."


def format_byte_size(size: int) -> str:
    """A byte count as people read it (``"512 bytes"``, ``"12.5 MiB"``) for messages."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:,.1f} {unit}".replace(".0 ", " ")


def not_a_table_file(reason: str) -> UnreadableFileError:
    """The error for content that is none of the supported formats."""
    return UnreadableFileError(NOT_A_TABLE_FILE.format(reason=reason))
