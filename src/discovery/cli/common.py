"""What every command shares: settings, the database it talks to, and error reporting."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

# The database layers load only when a command needs them: ``--help`` stays quick.
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from discovery.core.settings import Settings

T = TypeVar("T")

EXIT_ERROR = 1
EXIT_CONFIG = 2

# Plain help (no boxes, no ``<bool>`` type hints), wrapped to the terminal up to this width.
HELP_WIDTH = 100
CONTEXT_SETTINGS: dict[str, Any] = {
    "max_content_width": HELP_WIDTH,
    "help_option_names": ["-h", "--help"],
}


def command_group(help_text: str) -> typer.Typer:
    """A ``discovery`` command group with the shared help settings."""
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings=CONTEXT_SETTINGS,
        pretty_exceptions_enable=False,
    )


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def info(message: str) -> None:
    """Progress and explanations go to stderr, so stdout stays machine-readable."""
    typer.echo(message, err=True)


def settings() -> Settings:
    from discovery.core.settings import SettingsError, get_settings

    try:
        loaded = get_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from None
    logging.getLogger().setLevel(loaded.log_level)
    return loaded


def database_url() -> str:
    """The database to use: ``DATABASE_URL``, or the embedded server (started here)."""
    from discovery.core.embedded_postgres import EmbeddedPostgresError, resolve_database_url

    current = settings()
    try:
        return resolve_database_url(current)
    except EmbeddedPostgresError as exc:
        fail(str(exc))


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine, turning database connection problems into one clear line."""
    try:
        return asyncio.run(coroutine)
    except Exception as exc:
        problem = _database_problem(exc)
        if problem is None:
            raise
        fail(problem)


def _database_problem(exc: Exception) -> str | None:
    """The line to show for a database error (psycopg's own, or SQLAlchemy's wrapping one),
    None for any other exception."""
    import psycopg

    # Only a command that loaded SQLAlchemy can get its errors: no import just to look.
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError):
        reachable = not isinstance(exc, sqlalchemy_exc.OperationalError)
        shown: BaseException = exc.orig or exc
    elif isinstance(exc, psycopg.Error):
        reachable = not isinstance(exc, psycopg.OperationalError)
        shown = exc
    else:
        return None
    what = "database error" if reachable else "cannot reach the database"
    return f"{what}: {_first_line(shown)}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def ready_database_url() -> str:
    """A database whose schema is at the newest migration.

    The embedded database is brought up to date automatically; an external one is never
    migrated behind the operator's back: they are told to run ``discovery db upgrade``.
    Alembic loads only to migrate: the check reads the revisions without it.
    """
    from discovery.core import revisions

    url = database_url()
    current = run(revisions.current_revision_async(url))
    head = revisions.head_revision()
    if current != head and settings().database_url is None:
        from discovery.core import migrations

        migrations.upgrade(url)
        return url
    if current != head:
        fail(
            f"the database schema is at revision {current or 'none'}, this version needs "
            f"{head}: run `discovery db upgrade`"
        )
    return url


async def with_session(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one unit of work (committed on success) and dispose the engine."""
    from discovery.core.database import create_engine, create_session_factory, unit_of_work

    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            return await work(session)
    finally:
        await engine.dispose()
