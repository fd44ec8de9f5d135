"""The seed's foreign-key workflow (§8), on the real wiring constraints.

For each wiring foreign key: with an orphaned reference in the table, the key can be
added NOT VALID; from that moment a new bad row is rejected; VALIDATE fails while the
orphan exists and succeeds once it is fixed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.imports.models import RawImportRecord
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


@pytest.mark.parametrize("name", list(FOREIGN_KEYS))
async def test_add_not_valid_then_validate_workflow(
    session: AsyncSession, factory: Factory, name: str
) -> None:
    fk: WiringForeignKey = FOREIGN_KEYS[name]
    flow = await factory.flow()
    asset, raw = await factory.wired_asset(flow, 1)
    other_asset, other_raw = await factory.wired_asset(flow, 2)
    model = Asset if fk.table == "assets" else RawImportRecord
    orphan = asset if fk.table == "assets" else raw
    other = other_asset if fk.table == "assets" else other_raw
    good_value = getattr(orphan, fk.column)
    assert good_value is not None

    # An orphaned reference exists while the constraint is absent.
    await session.execute(text(fk.drop_sql()))
    await session.execute(
        update(model).where(model.id == orphan.id).values({fk.column: uuid.uuid4()})
    )

    # 1. Adding it NOT VALID succeeds despite the orphan ...
    await session.execute(text(fk.add_not_valid_sql()))
    assert not await _is_validated(session, fk.name)

    # ... and a new bad row is rejected at once.
    async def plant_another() -> None:
        await session.execute(
            update(model).where(model.id == other.id).values({fk.column: uuid.uuid4()})
        )

    message = await _fails_with_fk_violation(session, plant_another)
    assert fk.name in message

    # 2. VALIDATE fails while the orphan exists.
    async def validate() -> None:
        await session.execute(text(fk.validate_sql()))

    message = await _fails_with_fk_violation(session, validate)
    assert fk.name in message
    assert not await _is_validated(session, fk.name)

    # 3. Fixed, it validates, and still rejects bad rows.
    await session.execute(
        update(model).where(model.id == orphan.id).values({fk.column: good_value})
    )
    await session.execute(text(fk.validate_sql()))
    assert await _is_validated(session, fk.name)
    await _fails_with_fk_violation(session, plant_another)
