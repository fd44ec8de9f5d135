"""``/api/v1/health``: liveness (no auth) and the tenant's wiring health (cached)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.api.deps import FactoryDep, SettingsDep, Viewer
from discovery.api.errors import RETRY_AFTER_SECONDS, ApiError, documented
from discovery.core.database import unit_of_work
from discovery.health.cache import CachedReport, HealthCache, HealthKey
from discovery.health.liveness import Liveness, check_liveness
from discovery.health.metrics import Tenant, wiring_health
from discovery.health.schemas import LivenessOut, WiringHealthOut
from discovery.tenancy.models import Role
from discovery.tenancy.row_security import tenant_factory

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])


def get_health_cache(request: Request) -> HealthCache:
    cache: HealthCache = request.app.state.health_cache
    return cache


async def cached_health(
    cache: HealthCache,
    factory: async_sessionmaker[AsyncSession],
    tenant: Tenant,
    *,
    detail: bool = False,
    refresh: bool = False,
) -> CachedReport:
    """The tenant's wiring health through the cache (computed in its own transaction)."""

    async def compute() -> dict[str, Any]:
        async with unit_of_work(tenant_factory(factory, tenant)) as session:
            return (await wiring_health(session, tenant, detail=detail)).as_dict()

    key = HealthKey(tenant.client_account_id, tenant.engagement_id, detail)
    return await cache.get(key, compute, refresh=refresh)


HealthCacheDep = Annotated[HealthCache, Depends(get_health_cache)]


def _liveness_body(state: Liveness) -> dict[str, Any]:
    return {
        "status": state.status,
        "database": {
            "reachable": state.reachable,
            "revision": state.revision,
            "head": state.head,
            "at_head": state.at_head,
        },
        "worker": {"alive": state.workers_alive, "last_heartbeat": state.last_heartbeat},
    }


@router.get("", response_model=LivenessOut, responses=documented(503))
async def liveness(request: Request, factory: FactoryDep, settings: SettingsDep) -> LivenessOut:
    """Unauthenticated liveness: 200 while the database answers at the newest migration
    (``status`` says ``degraded`` when no flow worker has sent a heartbeat recently);
    503 otherwise."""
    state = await check_liveness(
        factory, request.app.state.head_revision, settings.worker_stalled_seconds
    )
    body = LivenessOut.model_validate(_liveness_body(state))
    if not state.serving:
        reason = (
            f"the database is unreachable: {state.error}"
            if not state.reachable
            else f"the database schema is at {state.revision or 'no revision'}, not {state.head}"
        )
        raise ApiError(
            503,
            reason,
            details=body.model_dump(mode="json"),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return body


@router.get(
    "/wiring", response_model=WiringHealthOut, responses=documented(400, 401, 403, 404, 422)
)
async def wiring(
    context: Viewer,
    factory: FactoryDep,
    cache: Annotated[HealthCache, Depends(get_health_cache)],
    detail: Annotated[bool, Query(description="Add up to five samples per problem.")] = False,
    refresh: Annotated[bool, Query(description="Bypass the cache (admins only).")] = False,
) -> dict[str, Any]:
    """The tenant's wiring-health metrics, served from a cache for up to
    HEALTH_CACHE_TTL_SECONDS (see ``cached`` and ``cache_age_seconds``)."""
    if refresh and not context.allows(Role.ADMIN):
        raise ApiError(403, "refresh=true bypasses the cache and is for admins only")
    result = await cached_health(cache, factory, context.tenant, detail=detail, refresh=refresh)
    return {
        **result.report,
        "cached": result.cached,
        "cache_age_seconds": round(result.age_seconds, 3),
    }
