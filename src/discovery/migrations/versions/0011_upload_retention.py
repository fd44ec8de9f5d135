"""Upload retention: when an import's uploaded file was deleted.

``data_imports.file_deleted_at`` is set when the retention sweep deletes an import's
file (``DISCOVERY_UPLOAD_RETENTION_DAYS`` after its flow ended), so that a later re-run
can say why the file is gone. A nullable column without a default: PostgreSQL only
changes the catalogue, no row is rewritten.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    set_timeouts()
    op.add_column(
        "data_imports",
        sa.Column("file_deleted_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    set_timeouts()
    op.drop_column("data_imports", "file_deleted_at", schema=SCHEMA)
