"""Contains-search for the service through the trigram index, under row-level security.

Under row-level security PostgreSQL applies a condition as an index condition only if
its functions are leakproof. ``LIKE`` is not, so the service's contains-search (``q`` with
``search=contains``) could not use the trigram index of 0024 and read the engagement's
assets (235 ms for a rare match at 400,000 assets, against 0.4 ms through the index).

``assets_containing(pattern, after_created_at, after_id, max_rows)`` runs as the owner and
returns the ids of the first ``max_rows`` assets, in the listing's default order
(created_at, id) and after the keyset cursor when one is given, whose search text
(``discovery.assets.models.SEARCH_TEXT_SQL``) is ``LIKE pattern``. The tenant is the one
the transaction's settings name, exactly as the policies read it, never an argument: the
function tells a caller nothing it could not read itself. Each call is planned with its
values (dynamic SQL), so that a rare match goes through the trigram index and a common one
walks the (tenant, created_at, id) index until the page is full. Without pg_trgm it walks
that index in both cases.

The downgrade drops the function.

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

from alembic import op

from discovery.assets.models import SEARCH_TEXT_SQL
from discovery.migrations.helpers import SCHEMA, set_timeouts

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "discovery_service"
SIGNATURE = "assets_containing(text, timestamptz, uuid, integer)"
_CLIENT = "nullif(current_setting('discovery.client_account_id', true), '')::uuid"
_ENGAGEMENT = "nullif(current_setting('discovery.engagement_id', true), '')::uuid"
_MATCHING = (
    f"SELECT a.id FROM {SCHEMA}.assets AS a"  # noqa: S608 (constants)
    f" WHERE a.client_account_id = {_CLIENT} AND a.engagement_id = {_ENGAGEMENT}"
    f" AND {SEARCH_TEXT_SQL} LIKE $1 ESCAPE '\\'"
)
_ORDERED = " ORDER BY a.created_at, a.id LIMIT $2"
_AFTER = " AND (a.created_at, a.id) > ($3, $4)"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.assets_containing(
    pattern text, after_created_at timestamptz, after_id uuid, max_rows integer
) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $function$
BEGIN
  IF after_id IS NULL THEN
    RETURN QUERY EXECUTE $q${_MATCHING}{_ORDERED}$q$ USING pattern, max_rows;
  ELSE
    RETURN QUERY EXECUTE $q${_MATCHING}{_AFTER}{_ORDERED}$q$
      USING pattern, max_rows, after_created_at, after_id;
  END IF;
END
$function$
"""


def upgrade() -> None:
    set_timeouts()
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SCHEMA}.{SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{SIGNATURE} TO {ROLE}")


def downgrade() -> None:
    set_timeouts()
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.{SIGNATURE}")
