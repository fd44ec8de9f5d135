"""Alembic environment: async engine on psycopg 3, or a connection handed in by a caller."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from discovery.assets.models import CONTAINS_INDEX
from discovery.core.database import sqlalchemy_url
from discovery.core.embedded_postgres import resolve_database_url
from discovery.core.models import SCHEMA
from discovery.core.registry import metadata
from discovery.core.settings import get_settings

config = context.config
VERSION_TABLE = "alembic_version"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate looks at our schema only; tables of other owners are not ours to drop.

    The trigram index of 0024 exists only where the server has pg_trgm, so the models do
    not declare it and the drift check leaves it out.
    """
    if type_ == "table" and reflected and compare_to is None:
        return getattr(obj, "schema", None) == SCHEMA and name != VERSION_TABLE
    return not (type_ == "index" and name == CONTAINS_INDEX)


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        version_table_schema=SCHEMA,
        include_schemas=True,
        include_object=include_object,
        compare_type=True,
        transaction_per_migration=True,
        **kwargs,
    )


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or resolve_database_url(get_settings())


def run_migrations_offline() -> None:
    """Render SQL (``alembic upgrade --sql``) without a database."""
    url = config.get_main_option("sqlalchemy.url") or "postgresql://offline/discovery"
    _configure(url=sqlalchemy_url(url), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    connection.commit()
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(sqlalchemy_url(_database_url()), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
