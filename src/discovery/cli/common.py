"""What every command shares: settings, the database it talks to, and error reporting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core import migrations
from discovery.core.database import (
    create_engine,
    create_session_factory,
    resolve_database_url,
    unit_of_work,
)
from discovery.core.embedded_postgres import EmbeddedPostgresError
from discovery.core.settings import Settings, SettingsError, get_settings

T = TypeVar("T")

EXIT_ERROR = 1
EXIT_CONFIG = 2


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def info(message: str) -> None:
    """Progress and explanations go to stderr, so stdout stays machine-readable."""
    typer.echo(message, err=True)


def settings() -> Settings:
    try:
        loaded = get_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from None
    logging.getLogger().setLevel(loaded.log_level)
    return loaded


def database_url() -> str:
    """The database to use: ``DATABASE_URL``, or the embedded server (started here)."""
    current = settings()
    try:
        return resolve_database_url(current)
    except EmbeddedPostgresError as exc:
        fail(str(exc))


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning database connection problems into one clear line."""
    try:
        return asyncio.run(coroutine)
    except OperationalError as exc:
        fail(f"cannot reach the database: {_first_line(exc.orig or exc)}")
    except DBAPIError as exc:
        fail(f"database error: {_first_line(exc.orig or exc)}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def ready_database_url() -> str:
    """A database whose schema is at the newest migration.

    The embedded database is brought up to date automatically; an external one is never
    migrated behind the operator's back: they are told to run ``discovery db upgrade``.
    """
    url = database_url()
    if settings().database_url is None:
        migrations.upgrade(url)
        return url
    current = run(migrations.current_revision_async(url))
    head = migrations.head_revision()
    if current != head:
        fail(
            f"the database schema is at revision {current or 'none'}, this version needs "
            f"{head}: run `discovery db upgrade`"
        )
    return url


async def with_session(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one unit of work (committed on success) and dispose the engine."""
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            return await work(session)
    finally:
        await engine.dispose()
