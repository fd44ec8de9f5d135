"""The service's sessions run with PostgreSQL's JIT off, unless DATABASE_URL says otherwise."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from discovery.core.database import create_engine


async def _jit(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW jit"))).scalar_one())
    finally:
        await engine.dispose()


async def test_sessions_run_without_jit(database_url: str) -> None:
    assert await _jit(database_url) == "off"


async def test_options_given_in_the_url_are_kept(database_url: str) -> None:
    own = make_url(database_url).update_query_dict({"options": "-c jit=on"})
    assert await _jit(own.render_as_string(hide_password=False)) == "on"
