"""The files we write for people to open in a spreadsheet, and how we know them again.

**Formula cells.** A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, and some strip a leading TAB or CR first (OWASP, "CSV injection"). Every
text cell of a CSV or XLSX export and of the errors CSV that starts with one of those
gets a leading ``'``, which spreadsheets read as "this is text". Two kinds of value are
left alone because no spreadsheet runs them: a plain number (``-5``, ``+3.5``,
``-1e-3``), which opens as that number, and a lone ``-`` (the common "no value" mark).
The JSON export is never changed.

**Round trip.** Re-importing one of these files must give back the values exactly, so
the ``'`` must be told apart from a quote that belongs to the value. The rule is
injective: a value is prefixed when it is formula-like *or* when it already starts with
quotes followed by a trigger (``'=1`` becomes ``''=1``); :func:`restore` removes one
quote exactly when a value starts with quotes followed by a trigger. ``'abc`` is
written and read as it is.

**Knowing our own files.** :func:`restore` is applied only to a CSV or XLSX whose header
row carries one of our signatures (:func:`is_own_export`): all five lineage columns of
the inventory export, or the errors CSV's first ``row_number`` and last ``errors``
columns. A quote a person typed in any other file is kept as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

#: The inventory export's last columns: where each asset came from.
LINEAGE_COLUMNS: Final = (
    "asset_id", "data_import_id", "source_row_number", "discovery_flow_id", "master_flow_id",
)  # fmt: skip

#: After the lineage: what the tech-debt assessment derived (worst severity, the flagged
#: products, the earliest end of support). Like the lineage, re-importing our own export
#: ignores them (they describe the assessment, not the asset's source data).
DERIVED_COLUMNS: Final = ("tech_debt_severity", "tech_debt_products", "end_of_support_date")

#: First characters a spreadsheet may run as (or strip in front of) a formula.
FORMULA_TRIGGERS: Final = frozenset("=+-@\t\r")

_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ERRORS_FIRST: Final = re.compile(r"_*row_number")
_ERRORS_LAST: Final = re.compile(r"_*errors")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula."""
    if text[:1] not in FORMULA_TRIGGERS:
        return False
    return not (text == "-" or (text[0] in "+-" and _PLAIN_NUMBER.fullmatch(text)))


def _quoted_trigger(text: str) -> bool:
    return text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs: with a leading ``'`` where needed."""
    if is_formula_like(text) or _quoted_trigger(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The value :func:`neutralise` was given (for cells of our own files only)."""
    return text[1:] if _quoted_trigger(text) else text


def is_own_export(headers: Sequence[str]) -> bool:
    """Whether a header row is that of our inventory export or of an errors CSV."""
    if set(LINEAGE_COLUMNS) <= set(headers):
        return True
    return (
        len(headers) >= 2
        and _ERRORS_FIRST.fullmatch(headers[0]) is not None
        and _ERRORS_LAST.fullmatch(headers[-1]) is not None
    )
