"""Drop two indexes of ``assets`` that no query reads any more.

- ``ix_assets_match_fqdn`` (tenant, ``fqdn``): reconciliation and dependency analysis
  look FQDNs up by equality, and ``ix_assets_prefix_fqdn`` (0026, ``text_pattern_ops``,
  whose operator family includes ``=``) serves that as well as prefix search; the FQDN is
  not a sort key of the listing.
- ``ix_assets_tenant_name`` (tenant, ``name``): names are matched, sorted and searched by
  ``name_key`` since 0025/0026; no statement filters or orders an engagement's assets by
  ``name``.

Each index is kept up on every asset written: together 0.5-1 s of the inventory's
write time per 100,000 assets. Dropped ``CONCURRENTLY`` (writes go on); the downgrade
builds them again the same way.

Revision ID: 0032
Revises: 0031
"""

from collections.abc import Sequence

from alembic import op

from discovery.migrations.helpers import (
    create_index_concurrently,
    drop_index_concurrently,
    set_timeouts,
)

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = ("client_account_id", "engagement_id")
UNUSED = (("ix_assets_match_fqdn", "fqdn"), ("ix_assets_tenant_name", "name"))


def upgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for name, _column in UNUSED:
            drop_index_concurrently(name)


def downgrade() -> None:
    set_timeouts()
    with op.get_context().autocommit_block():
        for name, column in UNUSED:
            create_index_concurrently(name, "assets", [*TENANT, column])
