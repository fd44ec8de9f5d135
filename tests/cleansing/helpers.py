"""Cleansing one value through the row cleanser, the way the data_cleansing phase does."""

from __future__ import annotations

from discovery.cleansing import FieldMapping, cleanse_value, compile_cleanser


def clean(field: str, raw: str, unit: str | None = None) -> tuple[object, list[str]]:
    """``(cleansed value or None, reasons)`` for one cell mapped to ``field``.

    Also checks that the one-value helper ``cleanse_value`` agrees with the row cleanser
    (the row cleanser inlines and memoises some normalisers), and that each error names
    the field and quotes the stripped value.
    """
    cleanse = compile_cleanser([FieldMapping("column", field, unit)])
    row = cleanse({"column": raw})
    # Twice: the second call may be served from the memo and must give the same answer.
    again = cleanse({"column": raw})
    assert (again.data, again.errors) == (row.data, row.errors)
    value = row.data.get(field)
    reasons = [error.reason for error in row.errors]
    for error in row.errors:
        assert error.field == field
        assert error.value == raw.strip("\u00a0 \t\r\n\u200b\ufeff")
    assert cleanse_value(field, raw, unit) == (value, reasons[0] if reasons else None)
    return value, reasons
