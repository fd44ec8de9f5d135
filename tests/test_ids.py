"""Time-ordered keys: the Python generator and the database's ``migration.uuid_v7()``."""

from __future__ import annotations

import itertools
import time
import uuid

from sqlalchemy import text

from discovery.core.ids import uuid7, uuid7_block, uuid7_timestamp_ms


def test_uuid7_layout_and_order() -> None:
    before = time.time_ns() // 1_000_000
    ids = [uuid7() for _ in range(20_000)]  # many within one millisecond
    after = time.time_ns() // 1_000_000
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    # The counter may borrow a few milliseconds ahead when it runs out; never behind.
    assert before <= uuid7_timestamp_ms(ids[0]) <= uuid7_timestamp_ms(ids[-1]) <= after + 10


def test_uuid4_is_not_read_as_time_ordered() -> None:
    assert uuid.uuid4().version == 4


async def test_database_uuid_v7(session) -> None:  # type: ignore[no-untyped-def]
    before = time.time_ns() // 1_000_000
    values = (
        (await session.execute(text("SELECT migration.uuid_v7() FROM generate_series(1, 500)")))
        .scalars()
        .all()
    )
    after = time.time_ns() // 1_000_000
    assert len(set(values)) == 500
    assert {v.version for v in values} == {7}
    assert {v.variant for v in values} == {uuid.RFC_4122}
    stamps = [uuid7_timestamp_ms(v) for v in values]
    # Clocks of client and server are the same machine's; allow a little skew.
    assert before - 1_000 <= min(stamps) <= max(stamps) <= after + 1_000


async def test_bulk_tables_default_to_time_ordered_keys(session) -> None:  # type: ignore[no-untyped-def]
    defaults = dict(
        (
            await session.execute(
                text(
                    "SELECT table_name, column_default FROM information_schema.columns"
                    " WHERE table_schema = 'migration' AND column_name = 'id'"
                    " AND table_name IN ('raw_import_records', 'assets', 'asset_imports',"
                    " 'data_imports')"
                )
            )
        ).all()
    )
    assert defaults["raw_import_records"] == "migration.uuid_v7()"
    assert defaults["assets"] == "migration.uuid_v7()"
    assert defaults["asset_imports"] == "migration.uuid_v7()"
    assert defaults["data_imports"] == "gen_random_uuid()"


def test_a_block_of_ids_continues_the_process_order() -> None:
    before = uuid7()
    block = [uuid.UUID(text) for text in uuid7_block(10_000)]  # > 4,096: borrows milliseconds
    after = uuid7()
    ordered = [before, *block, after]
    assert all(a < b for a, b in itertools.pairwise(ordered))
    assert {v.version for v in block} == {7} and {v.variant for v in block} == {uuid.RFC_4122}
    assert [str(v) for v in block] == [str(uuid.UUID(str(v))) for v in block]
    assert uuid7_block(0) == []
