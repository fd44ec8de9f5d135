"""One distinct cell value of a column, cleansed: the unit of work of the columnar cleanser.

Cells arrive as the JSON text PostgreSQL gives for ``raw_data -> 'column'``; each distinct
text is decoded and normalised once, the way the row cleanser (:mod:`.row`) treats a cell,
and the results are spread back over the rows by index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .datatypes import InvalidValue
from .normalizers import Normalizer
from .text import FORMULA_STARTS, NULL_SPELLINGS, STRIP_CHARS, keep_typed_lead


def decode(text: str) -> object:
    """The value of one JSON text (a string without escapes is read without a parser)."""
    if text[0] == '"' and "\\" not in text:
        return text[1:-1]
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class Cell:
    """A cleansed cell: its value (``None``: no value), or the rejected value and reason."""

    value: object = None
    rejected: str | None = None
    reason: str | None = None


EMPTY = Cell()


def cleanse_cell(raw: object, normalize: Normalizer) -> Cell:
    """One raw cell through ``normalize``: stripped, null markers dropped, formulas kept
    as typed; falsy cells (``""``, ``0``, ``false``) count as empty, others as their text."""
    if not raw:
        return EMPTY
    value = raw.strip() if isinstance(raw, str) else str(raw).strip()
    if not value.isascii():
        value = value.strip(STRIP_CHARS)
    if not value or value in NULL_SPELLINGS:
        return EMPTY
    try:
        result = normalize(value)
    except InvalidValue as error:
        return Cell(None, value, error.reason)
    if type(result) is str and result and result[0] in FORMULA_STARTS:
        result = keep_typed_lead(raw, result)
    return EMPTY if result is None else Cell(result)
