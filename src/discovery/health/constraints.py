"""Dropping and restoring the wiring foreign keys (``discovery.core.wiring``) outside of Alembic.

``drop-wiring-constraints`` is the plans' fast rollback: if the foreign keys get in the
way of a live system (a writer that cannot satisfy them yet), they go in one short
transaction. ``restore-wiring-constraints`` puts them back the safe way: NOT VALID
first, then VALIDATE, which fails while orphans exist (run ``repair-wiring`` first).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.migrations.helpers import LOCK_TIMEOUT, SCHEMA, WIRING_FOREIGN_KEYS


async def existing_wiring_constraints(session: AsyncSession) -> dict[str, bool]:
    """The wiring foreign keys present now, each with whether it is validated."""
    result = await session.execute(
        text(
            "SELECT c.conname, c.convalidated FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = :schema AND c.conname = ANY(:names)"
        ),
        {"schema": SCHEMA, "names": [fk.name for fk in WIRING_FOREIGN_KEYS]},
    )
    return {name: bool(valid) for name, valid in result.all()}


async def _set_lock_timeout(session: AsyncSession) -> None:
    await session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


async def drop_wiring_constraints(session: AsyncSession) -> list[str]:
    """Drop the wiring foreign keys that exist; returns the names dropped."""
    await _set_lock_timeout(session)
    present = await existing_wiring_constraints(session)
    dropped = [fk for fk in WIRING_FOREIGN_KEYS if fk.name in present]
    for foreign_key in dropped:
        await session.execute(text(foreign_key.drop_sql()))
    return [foreign_key.name for foreign_key in dropped]


async def add_missing_wiring_constraints(session: AsyncSession) -> list[str]:
    """Add the missing wiring foreign keys NOT VALID: new rows are checked from now on.

    Commit this before validating, so the brief lock of ADD CONSTRAINT is released before
    the long validation scan starts.
    """
    await _set_lock_timeout(session)
    present = await existing_wiring_constraints(session)
    added = [fk for fk in WIRING_FOREIGN_KEYS if fk.name not in present]
    for foreign_key in added:
        await session.execute(text(foreign_key.add_not_valid_sql()))
    return [foreign_key.name for foreign_key in added]


async def validate_wiring_constraints(session: AsyncSession) -> None:
    """Validate the wiring foreign keys; fails while orphaned references exist."""
    await _set_lock_timeout(session)
    for foreign_key in WIRING_FOREIGN_KEYS:
        await session.execute(text(foreign_key.validate_sql()))
