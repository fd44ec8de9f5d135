"""Which schema revision the code needs and which one a database is at, without Alembic.

Every command that talks to the database checks the two first. Importing Alembic (and
letting it import every migration module to build its revision graph) costs more than
the rest of a quick command such as ``discovery tenants list``, so the head is read from
the header lines of the migration files and the current revision from Alembic's version
table with one query. ``tests/test_migrations.py`` checks that this reading and
Alembic's own agree, so the two cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
SCHEMA = "migration"  # the schema of every table (``discovery.core.models`` takes it from here)
VERSION_TABLE = "alembic_version"

# ``revision: str = "0019"`` and ``down_revision: str | None = "0018"`` (or ``None``, or a
# tuple for a merge), at the start of a line as Alembic's template writes them.
_HEADER = re.compile(
    r"^(?P<name>revision|down_revision)\s*(?::[^=\n]*)?=\s*(?P<value>.+?)\s*$", re.MULTILINE
)


class RevisionGraphError(RuntimeError):
    """The migration files do not form one line of revisions with a single head."""


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revisions: tuple[str, ...]
    path: Path


def _down(value: object, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RevisionGraphError(f"{path.name}: down_revision is not a revision id: {value!r}")


def read_revision(path: Path) -> Revision:
    """The ``revision`` and ``down_revision`` of one migration file, read as text."""
    found: dict[str, object] = {}
    for match in _HEADER.finditer(path.read_text(encoding="utf-8")):
        name = match["name"]
        if name in found:
            continue  # the header comes first; a later line of the same name is code
        try:
            found[name] = ast.literal_eval(match["value"])
        except (ValueError, SyntaxError):
            raise RevisionGraphError(
                f"{path.name}: {name} is not a literal: {match['value']}"
            ) from None
    revision = found.get("revision")
    if not isinstance(revision, str) or "down_revision" not in found:
        raise RevisionGraphError(f"{path.name}: no `revision` and `down_revision` lines")
    return Revision(revision, _down(found["down_revision"], path), path)


def read_revisions(versions_dir: Path = VERSIONS_DIR) -> list[Revision]:
    """Every migration of ``versions_dir`` (the files Alembic loads: ``*.py``)."""
    return [
        read_revision(path)
        for path in sorted(versions_dir.glob("*.py"))
        if not path.name.startswith("_")
    ]


def heads(revisions: list[Revision]) -> set[str]:
    """The revisions no other revision comes after."""
    pointed_at = {down for r in revisions for down in r.down_revisions}
    return {r.revision for r in revisions} - pointed_at


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration: the revision this version of the code needs."""
    found = heads(read_revisions())
    if len(found) != 1:  # pragma: no cover - the package ships one line of migrations
        raise RevisionGraphError(f"expected one head revision, found {sorted(found) or 'none'}")
    return found.pop()


_VERSIONS_SQL = f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}"  # noqa: S608 - constants


def _libpq(url: str) -> str:
    """``DATABASE_URL`` as libpq takes it (``postgresql+psycopg://`` is SQLAlchemy's form)."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme == "postgresql+psycopg" else url


async def current_revision_async(database_url: str) -> str | None:
    """The revision the database is at, or None when no migration was applied.

    One psycopg connection and two statements: no SQLAlchemy engine to set up for it.
    """
    import psycopg

    table = f"{SCHEMA}.{VERSION_TABLE}"
    async with await psycopg.AsyncConnection.connect(_libpq(database_url)) as connection:
        cursor = await connection.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        found = await cursor.fetchone()
        if not (found and found[0]):
            return None
        cursor = await connection.execute(_VERSIONS_SQL)
        rows = [str(row[0]) for row in await cursor.fetchall()]
    if len(rows) > 1:
        raise RevisionGraphError(f"the database is at several revisions: {sorted(rows)}")
    return rows[0] if rows else None


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None when no migration was applied."""
    import asyncio

    return asyncio.run(current_revision_async(database_url))
