"""The states of a raw row (``raw_import_records``) that the inventory reads and writes.

A row waits for the inventory while it is valid, unlinked and unprocessed; linking it to
its asset processes it, with a note saying what became of it. Each phase that reads or
links rows takes these definitions from here, so that the row path, the columnar chunk and
the chunk ranges agree on which rows are still to do.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import and_

from discovery.imports.models import RawImportRecord


def awaiting_inventory_sql(alias: str = "r") -> str:
    """SQL: the row ``alias`` is still to be inventoried."""
    return (
        f"{alias}.is_valid IS TRUE AND {alias}.asset_id IS NULL AND {alias}.is_processed IS FALSE"
    )


def awaiting_inventory() -> Any:
    """The same condition as a SQLAlchemy expression on ``RawImportRecord``."""
    return and_(
        RawImportRecord.is_valid.is_(True),
        RawImportRecord.asset_id.is_(None),
        RawImportRecord.is_processed.is_(False),
    )


def linked_to(asset_id: str, note: str) -> str:
    """SQL: the ``SET`` list that links a raw row (alias ``r``) to ``asset_id`` and
    processes it with ``note``. The statement's ``WHERE`` must keep ``r.asset_id IS NULL``,
    so that a row already linked is left as it was (and not counted as linked)."""
    return (
        f"asset_id = {asset_id}, is_processed = true, processed_at = now(),"
        f" processing_notes = {note}"
    )


#: The note of a row whose asset was created from it (columnar and row path alike).
CREATED_NOTE_SQL: Final = "'created asset from row ' || r.row_number"
