"""Who is asking, for which tenant: the typed context every tenant query is scoped by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from discovery.tenancy.models import Role

ROLE_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Tenant:
    """One engagement of one client account: the unit every tenant table is scoped by."""

    client_account_id: uuid.UUID
    engagement_id: uuid.UUID


@dataclass(frozen=True)
class RequestContext:
    """A user acting in one tenant with one role (a platform admin acts as ``admin``)."""

    tenant: Tenant
    user_id: uuid.UUID
    role: Role
    is_platform_admin: bool = False

    @property
    def client_account_id(self) -> uuid.UUID:
        return self.tenant.client_account_id

    @property
    def engagement_id(self) -> uuid.UUID:
        return self.tenant.engagement_id

    def allows(self, needed: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[needed]
