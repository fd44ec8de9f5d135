"""Row-level security: the database's own wall between tenants, behind the application's.

The service (API, web pages, workers) connects as ``DATABASE_URL``'s user and, on every
new connection, switches to the role ``discovery_service`` (``SERVICE_ROLE``), which owns
nothing and does not bypass row-level security. The policies of migration 0028 let that
role see and write only the rows of the tenant named by two settings of the current
transaction, ``discovery.client_account_id`` and ``discovery.engagement_id``; with them
unset it sees no tenant row at all, so a query that forgot its tenant filter returns
nothing instead of another tenant's data. Migrations and the CLI connect as the owner,
whom the policies do not restrict.

The tenant is set where it is decided: :func:`discovery.tenancy.access.resolve_context`
(the one access check of requests) and the phase runner (jobs, from their flow). The
settings are transaction-local, so a session remembers its tenant (``session.info``) and
sets them again at the start of each of its transactions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from discovery.core.revisions import SCHEMA
from discovery.tenancy.context import Tenant

SERVICE_ROLE = "discovery_service"
CLIENT_SETTING = "discovery.client_account_id"
ENGAGEMENT_SETTING = "discovery.engagement_id"
_TENANT = "discovery.tenant"

_SET_TENANT = text(
    f"SELECT set_config('{CLIENT_SETTING}', :client, true),"
    f" set_config('{ENGAGEMENT_SETTING}', :engagement, true)"
)
_FLOW_TENANT = text(
    f"SELECT client_account_id, engagement_id FROM {SCHEMA}.discovery_flow_tenant(:flow)"  # noqa: S608 (the schema constant)
)


def _parameters(tenant: Tenant) -> dict[str, str]:
    return {"client": str(tenant.client_account_id), "engagement": str(tenant.engagement_id)}


@event.listens_for(Session, "after_begin")
def _set_tenant_on_begin(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    tenant = session.info.get(_TENANT)
    if isinstance(tenant, Tenant):
        connection.execute(_SET_TENANT, _parameters(tenant))


async def enter_tenant(session: AsyncSession, tenant: Tenant) -> None:
    """Scope ``session`` to ``tenant``: its current transaction (if one has begun) and
    every later one."""
    session.info[_TENANT] = tenant
    if session.in_transaction():
        await session.execute(_SET_TENANT, _parameters(tenant))


def entered_tenant(session: AsyncSession) -> Tenant | None:
    """The tenant ``session`` is scoped to, if it is (the service's sessions always are)."""
    tenant = session.info.get(_TENANT)
    return tenant if isinstance(tenant, Tenant) else None


def tenant_factory(
    factory: async_sessionmaker[AsyncSession], tenant: Tenant
) -> async_sessionmaker[AsyncSession]:
    """A session factory like ``factory`` whose sessions are scoped to ``tenant``."""
    options: dict[str, Any] = {
        **factory.kw,
        "info": {**factory.kw.get("info", {}), _TENANT: tenant},
    }
    return async_sessionmaker(class_=factory.class_, **options)


async def flow_tenant(session: AsyncSession, flow_id: uuid.UUID) -> Tenant | None:
    """The tenant of a flow (a discovery flow's id or its master flow's), for a job that
    knows only the id; None if there is no such flow. Read through the owner's function
    ``discovery_flow_tenant``: the service role sees no flow before it knows the tenant."""
    row = (await session.execute(_FLOW_TENANT, {"flow": flow_id})).first()
    return Tenant(row.client_account_id, row.engagement_id) if row else None


async def flow_factory(
    factory: async_sessionmaker[AsyncSession], flow_id: uuid.UUID
) -> async_sessionmaker[AsyncSession]:
    """``factory`` scoped to the tenant of the flow ``flow_id`` (as is, if there is no
    such flow: the caller's own look-up then finds none and says so)."""
    async with factory() as session:
        tenant = await flow_tenant(session, flow_id)
    return factory if tenant is None else tenant_factory(factory, tenant)


@dataclass(frozen=True)
class RowSecurityReport:
    """What a database has of row-level security (``discovery db row-security``)."""

    role_exists: bool
    role_bypasses: bool  # superuser or BYPASSRLS: the policies would not hold for it
    user: str
    user_may_act_as_role: bool
    #: Tables of the schema that hold tenant data, each with whether its policy stands.
    tables: dict[str, bool]

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.role_exists:
            found.append(f"the role {SERVICE_ROLE} does not exist: run `discovery db upgrade`")
        elif self.role_bypasses:
            found.append(f"the role {SERVICE_ROLE} is a superuser or has BYPASSRLS")
        elif not self.user_may_act_as_role:
            found.append(
                f"{self.user} is not a member of {SERVICE_ROLE}:"
                f" GRANT {SERVICE_ROLE} TO {self.user}"
            )
        unguarded = sorted(table for table, guarded in self.tables.items() if not guarded)
        if unguarded:
            found.append(f"no row-level security policy on: {', '.join(unguarded)}")
        return found


_REPORT_ROLE = text(
    "SELECT r.rolsuper OR r.rolbypassrls AS bypasses,"
    " pg_has_role(current_user, r.oid, 'MEMBER') AS member"
    " FROM pg_roles AS r WHERE r.rolname = :role"
)
# Tenant tables: those with a client account column (but the tenancy's own), and the
# asset imports; guarded: row security on and the tenant policy for the service role.
_REPORT_TABLES = text(
    """
    SELECT c.relname AS name,
           c.relrowsecurity AND EXISTS (
               SELECT FROM pg_policy AS p
                WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation'
                  AND (SELECT oid FROM pg_roles WHERE rolname = :role) = ANY(p.polroles))
               AS guarded
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = :schema AND c.relkind = 'r'
       AND (c.relname = 'asset_imports' OR EXISTS (
               SELECT FROM pg_attribute AS a
                WHERE a.attrelid = c.oid AND a.attname = 'client_account_id'
                  AND NOT a.attisdropped))
       AND c.relname NOT IN ('engagements', 'client_account_memberships',
                             'user_tenant_preferences')
     ORDER BY c.relname
    """
)


async def row_security_report(session: AsyncSession) -> RowSecurityReport:
    role = (await session.execute(_REPORT_ROLE, {"role": SERVICE_ROLE})).first()
    user = str((await session.execute(text("SELECT current_user"))).scalar_one())
    tables = await session.execute(_REPORT_TABLES, {"role": SERVICE_ROLE, "schema": SCHEMA})
    return RowSecurityReport(
        role_exists=role is not None,
        role_bypasses=bool(role and role.bypasses),
        user=user,
        user_may_act_as_role=bool(role and role.member),
        tables={row.name: bool(row.guarded) for row in tables},
    )
