"""The seed's foreign-key workflow (§8), on the real wiring constraints.

For each wiring foreign key (``discovery.core.wiring``): with an orphaned reference in
the table, the key can be added NOT VALID; from that moment a new bad row is rejected
(the deferred back-link key at commit); VALIDATE fails while the orphan exists and
succeeds once it is fixed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import AssetDependency, FailedAssetChunk
from discovery.migrations.helpers import WIRING_FOREIGN_KEYS, WiringForeignKey
from tests.factories import Factory

FOREIGN_KEYS = {fk.name: fk for fk in WIRING_FOREIGN_KEYS}


async def _is_validated(session: AsyncSession, name: str) -> bool:
    result = await session.execute(
        text("SELECT convalidated FROM pg_constraint WHERE conname = :name"), {"name": name}
    )
    return bool(result.scalar_one())


async def _fails_with_fk_violation(
    session: AsyncSession, work: Callable[[], Awaitable[object]]
) -> str:
    savepoint = await session.begin_nested()
    with pytest.raises(IntegrityError) as raised:
        await work()
    await savepoint.rollback()
    return str(raised.value.orig)


async def _check_deferred_now(session: AsyncSession) -> None:
    """Run the checks a commit would run: the deferred back-link key's, here."""
    await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    await session.execute(text("SET CONSTRAINTS ALL DEFERRED"))


async def _two_rows_of(session: AsyncSession, factory: Factory, table: str) -> list[uuid.UUID]:
    """Two wired rows of ``table``: the one to orphan and another."""
    flow = await factory.flow()
    first, first_raw = await factory.wired_asset(flow, 1)
    second, second_raw = await factory.wired_asset(flow, 2)
    if table == "assets":
        return [first.id, second.id]
    if table == "raw_import_records":
        return [first_raw.id, second_raw.id]
    rows: list[object]
    if table == "asset_dependencies":
        rows = [
            AssetDependency(**flow.tenant.keys(), asset_id=a.id, depends_on_asset_id=b.id)
            for a, b in ((first, second), (second, first))
        ]
    else:
        rows = [
            FailedAssetChunk(
                **flow.tenant.keys(), discovery_flow_id=flow.discovery_flow_id,
                chunk_number=n, first_row_number=n, last_row_number=n, error="boom",
            )
            for n in (1, 2)
        ]  # fmt: skip
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(FOREIGN_KEYS))
async def test_add_not_valid_then_validate_workflow(
    session: AsyncSession, factory: Factory, name: str
) -> None:
    fk: WiringForeignKey = FOREIGN_KEYS[name]
    orphan, other = await _two_rows_of(session, factory, fk.table)
    column = fk.link_column

    async def set_link(row: uuid.UUID, value: object) -> None:
        await session.execute(
            text(f"UPDATE migration.{fk.table} SET {column} = :value WHERE id = :id"),  # noqa: S608
            {"value": value, "id": row},
        )
        # As at a commit; a table with pending trigger events cannot be altered either.
        await _check_deferred_now(session)

    good_value = (
        await session.execute(
            text(f"SELECT {column} FROM migration.{fk.table} WHERE id = :id"),  # noqa: S608
            {"id": orphan},
        )
    ).scalar_one()
    assert good_value is not None

    await _check_deferred_now(session)
    if not fk.deferrable:
        # An orphaned raw-row link breaks the back-link too; this test is about ``fk``.
        await session.execute(
            text(FOREIGN_KEYS["fk_assets_raw_import_records_backlink"].drop_sql())
        )

    # An orphaned reference exists while the constraint is absent.
    await session.execute(text(fk.drop_sql()))
    await set_link(orphan, uuid.uuid4())

    # 1. Adding it NOT VALID succeeds despite the orphan ...
    await session.execute(text(fk.add_not_valid_sql()))
    assert not await _is_validated(session, fk.name)

    # ... and a new bad row is rejected (the deferred key when checked, as at commit).
    async def plant_another() -> None:
        await set_link(other, uuid.uuid4())

    message = await _fails_with_fk_violation(session, plant_another)
    assert fk.name in message

    # 2. VALIDATE fails while the orphan exists.
    async def validate() -> None:
        await session.execute(text(fk.validate_sql()))

    message = await _fails_with_fk_violation(session, validate)
    assert fk.name in message
    assert not await _is_validated(session, fk.name)

    # 3. Fixed, it validates, and still rejects bad rows.
    await set_link(orphan, good_value)
    await session.execute(text(fk.validate_sql()))
    assert await _is_validated(session, fk.name)
    await _fails_with_fk_violation(session, plant_another)
