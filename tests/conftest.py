"""Test harness: a real PostgreSQL, built once by the Alembic migrations.

``TEST_DATABASE_URL`` names the database to use; without it the tests start an embedded
PostgreSQL of their own. Each test runs inside an outer transaction that is rolled back;
code under test may commit, which only releases a savepoint.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from discovery.core import migrations
from discovery.core.database import create_engine, libpq_url
from discovery.core.models import SCHEMA
from tests.cli_runner import cli_env
from tests.factories import Factory

REPO_ROOT = Path(__file__).resolve().parent.parent


def _start_embedded(directory: Path) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(directory, cleanup_mode="stop")
    return str(server.get_uri())


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the suite runs in: ``TEST_DATABASE_URL`` or an embedded server."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return _start_embedded(tmp_path_factory.mktemp("pg") / "pgdata")


def _reset_schema(url: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.execute("DROP SCHEMA IF EXISTS procrastinate CASCADE")


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    """The test database, emptied and then built by ``alembic upgrade head``."""
    _reset_schema(server_url)
    migrations.upgrade(server_url)
    return server_url


@pytest.fixture
def scratch_database_url(server_url: str) -> Iterator[str]:
    """A new, empty database on the same server, dropped after the test."""
    from sqlalchemy.engine import make_url

    name = f"discovery_scratch_{uuid.uuid4().hex[:12]}"
    admin = libpq_url(server_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield libpq_url(make_url(admin).set(database=name))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside an outer transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield session
        finally:
            await session.close()
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def factory(session: AsyncSession) -> Factory:
    return Factory(session)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a ``discovery`` subprocess on the test database."""
    return cli_env(DATABASE_URL=database_url, DISCOVERY_DATA_DIR=str(tmp_path / "data"))
