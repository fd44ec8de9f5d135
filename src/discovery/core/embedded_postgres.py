"""The embedded PostgreSQL used when no ``DATABASE_URL`` is configured.

``pgserver`` ships PostgreSQL binaries in a wheel. The cluster lives in
``<data dir>/pgdata`` and persists across restarts; several processes of this service
(server, workers, CLI commands) share one running postmaster, which stops when the last
of them exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from discovery.core.settings import Settings

logger = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL could not be started."""


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL in ``data_dir`` and return its libpq URL."""
    pgdata = (data_dir / "pgdata").resolve()
    server = _servers.get(pgdata)
    if server is None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        logger.info("starting embedded PostgreSQL in %s", pgdata)
        try:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); harmless.
                warnings.simplefilter("ignore")
                import pgserver

                server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        except Exception as exc:  # pgserver raises plain exceptions of many kinds
            raise EmbeddedPostgresError(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}"
            ) from exc
        _servers[pgdata] = server
    return str(server.get_uri())


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL`` when configured, else the embedded PostgreSQL's URL (started here).

    It lives here rather than in :mod:`discovery.core.database` so that a command that only
    needs the URL (``discovery db current``) does not load SQLAlchemy for it.
    """
    if settings.database_url:
        return settings.database_url
    return embedded_database_url(settings.data_dir)
