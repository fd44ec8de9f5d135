"""Data cleansing: every mapped value of a raw row normalised to the canonical schema.

Pure functions, no I/O. :func:`compile_cleanser` turns the approved field mappings into a
function applied to each raw row (``{column: text}``); see ``asset-schema.md`` for the
canonical fields and the per-module docstrings for the rules.
"""

from .datatypes import CleansedRow, FieldError, FieldMapping, InvalidValue
from .fields import CANONICAL_FIELDS, IDENTIFYING_FIELDS, INVALID_ROW_REASON
from .normalizers import NORMALIZERS, normalizer_for
from .row import RowCleanser, cleanse_value, compile_cleanser
from .units import mapping_unit_factor, unit_factor

__all__ = [
    "CANONICAL_FIELDS",
    "IDENTIFYING_FIELDS",
    "INVALID_ROW_REASON",
    "NORMALIZERS",
    "CleansedRow",
    "FieldError",
    "FieldMapping",
    "InvalidValue",
    "RowCleanser",
    "cleanse_value",
    "compile_cleanser",
    "mapping_unit_factor",
    "normalizer_for",
    "unit_factor",
]
