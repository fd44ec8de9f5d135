"""A trigram index for the listing's contains-search, where the server has pg_trgm.

``q`` with ``search=contains`` matches anywhere in an asset's name, host name, FQDN or IP
address; it is one ``LIKE '%…%'`` over those columns joined by a separator
(``discovery.assets.models.SEARCH_TEXT_SQL``). A GIN index with pg_trgm's
``gin_trgm_ops`` on that expression answers it without reading every asset of the
engagement. pg_trgm is a contrib extension: PostgreSQL servers from distributions ship it,
the embedded server (pgserver) does not. Where it is not available this revision does
nothing, and contains-search reads the engagement's assets (same results, slower).
Built CONCURRENTLY. The downgrade drops the index and leaves the extension, which other
databases' objects may use.

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import text

from discovery.assets.models import CONTAINS_INDEX, SEARCH_TEXT_SQL
from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _trigrams_available() -> bool:
    if context.is_offline_mode():
        return True  # render what a server with pg_trgm runs
    row = (
        op.get_bind()
        .execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"))
        .first()
    )
    return row is not None


def upgrade() -> None:
    set_timeouts()
    if not _trigrams_available():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.get_context().autocommit_block():
        create_index_concurrently(
            CONTAINS_INDEX, "assets", [text(f"({SEARCH_TEXT_SQL}) gin_trgm_ops")], using="gin"
        )


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        drop_index_concurrently(CONTAINS_INDEX)
