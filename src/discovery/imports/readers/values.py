"""Turning typed cell values (XLSX cells, JSON values) into the strings every row holds.

Rows are always ``dict[str, str]`` so that cleansing and mapping see one representation no
matter which format a value came from. The conversions favour what a person typed or saw:
``4096`` rather than ``4096.0``, ``true`` rather than ``True``, ISO 8601 for dates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from json.encoder import encode_basestring as _quote


def scalar_to_text(value: object) -> str:
    """A single cell or JSON scalar as text; unknown types fall back to ``str()``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_to_text(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    # timedelta (duration-formatted cells) and anything unexpected: Python's own text form.
    return str(value)


def json_value_to_text(value: object) -> str:
    """A JSON value as text: scalars as ``scalar_to_text``, containers as compact JSON."""
    if isinstance(value, dict | list):
        return _compact_json(value)
    return scalar_to_text(value)


def _float_to_text(value: float) -> str:
    # repr() is the shortest text that round-trips; integral values lose their ".0" because
    # spreadsheets store every number as a float and "4096" is what the user typed.
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _compact_json(value: object) -> str:
    """Compact JSON that keeps ijson's ``Decimal`` numbers as numbers (json.dumps cannot).

    Hand-rolled rather than one ``json.dumps`` call per value because nested values are common
    in JSON exports and this runs for every one of them.
    """
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        members = (f"{_quote(str(key))}:{_compact_json(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_compact_json(item) for item in value) + "]"
    return _quote(str(value))
