"""Running the Alembic migrations from the service and the CLI.

Knowing the revisions (the head the code needs, the one a database is at) does not need
Alembic: that is :mod:`discovery.core.revisions`, re-exported here.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from discovery.core.revisions import (
    MIGRATIONS_DIR,
    current_revision,
    current_revision_async,
    head_revision,
)

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "current_revision_async",
    "downgrade",
    "head_revision",
    "upgrade",
]


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        # Percent signs (from URL-encoded socket paths) must be escaped for ConfigParser.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
