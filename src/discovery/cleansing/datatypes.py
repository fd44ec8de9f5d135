"""The cleanser's inputs and outputs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """An approved mapping of one source column onto one canonical field.

    ``unit`` is the source unit of a size column (``"MB"``, ``"GiB"``, ``"bytes"``, …) as read
    from its header; a unit written in the value itself (``"16 GB"``) takes precedence.
    """

    source_field: str
    target_field: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class FieldError:
    """A value that could not be cleansed; the field is left out of the cleansed data."""

    field: str
    value: str
    reason: str


@dataclass(slots=True)
class CleansedRow:
    """One raw row after cleansing.

    ``data`` holds only fields with a value, each JSON-serialisable (``str``, ``int``,
    ``float`` or ``list[str]``).
    """

    data: dict[str, object]
    errors: list[FieldError]
    is_valid: bool
    invalid_reason: str | None


class InvalidValue(Exception):
    """Raised by a normaliser for a value it rejects; ``reason`` is shown to the user."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
