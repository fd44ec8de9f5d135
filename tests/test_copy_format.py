"""COPY text encoding round-trips through a real COPY: escapes, NULL, booleans, JSON."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core import copy_format

AWKWARD = [
    "plain",
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    'quote " and \\u0000 literal',
    "ünïcödé ✓ 中文",
    "",
]


async def _driver(session: AsyncSession) -> AsyncConnection[Any]:
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection  # type: ignore[no-any-return]


@pytest.mark.parametrize("value", AWKWARD)
async def test_text_and_json_fields_round_trip(session: AsyncSession, value: str) -> None:
    driver = await _driver(session)
    await driver.execute("CREATE TEMP TABLE copy_probe (t text, j jsonb, b boolean, n text)")
    document = {"key\twith tab": value, "nested": [value, {"v": value}], "n": None, "i": 4}
    payload = copy_format.line(
        [
            copy_format.text_field(value),
            copy_format.json_field(document),
            copy_format.text_field(True),
            copy_format.text_field(None),
        ]
    )
    async with driver.cursor() as cursor:
        async with cursor.copy("COPY copy_probe FROM STDIN") as copy:
            await copy.write(payload.encode())
        await cursor.execute("SELECT t, j, b, n FROM copy_probe")
        row = await cursor.fetchone()
    assert row == (value, document, True, None)


async def test_nul_characters_are_dropped_from_json(session: AsyncSession) -> None:
    driver = await _driver(session)
    await driver.execute("CREATE TEMP TABLE copy_nul (j jsonb)")
    async with driver.cursor() as cursor:
        async with cursor.copy("COPY copy_nul FROM STDIN") as copy:
            await copy.write(copy_format.line([copy_format.json_field({"a": "x\x00y"})]).encode())
        await cursor.execute("SELECT j FROM copy_nul")
        assert await cursor.fetchone() == ({"a": "xy"},)
