"""The app factory: ``create_app(settings, database_url)``.

The lifespan opens the engine (and closes it), so tests build an app on their own
database and run it through ``httpx.ASGITransport`` after entering the lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from discovery import __version__
from discovery.api.body_limit import BodyLimitMiddleware
from discovery.api.deps import CLIENT_HEADER, ENGAGEMENT_HEADER
from discovery.api.docs import install_docs
from discovery.api.errors import install_error_handlers
from discovery.api.middleware import REQUEST_ID_HEADER, RequestIdMiddleware
from discovery.assets.dependency_router import router as dependencies_router
from discovery.assets.router import router as assets_router
from discovery.auth.router import LOGIN_BODY_BYTES
from discovery.auth.router import router as auth_router
from discovery.core.database import create_engine, create_session_factory
from discovery.core.revisions import head_revision
from discovery.core.settings import Settings
from discovery.flows.master_router import router as master_flows_router
from discovery.flows.router import router as flows_router
from discovery.health.cache import HealthCache
from discovery.health.router import router as health_router
from discovery.imports.router import router as imports_router
from discovery.mapping.router import router as learned_router
from discovery.tenancy.row_security import SERVICE_ROLE
from discovery.web.app import install_web

API_PREFIX = "/api/v1"
UNIFIED = "/unified-discovery"

DESCRIPTION = """
Upload inventory exports and turn each into a clean, deduplicated, wired asset inventory.

Authenticate with `POST /api/v1/auth/login` and send `Authorization: Bearer <token>`.
Tenant endpoints also need the headers `X-Client-Account-ID` and `X-Engagement-ID`.
Every error is `{"error": {"code", "message", "details"}}`.
"""


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(auth_router)
    router.include_router(imports_router, prefix=UNIFIED)
    router.include_router(flows_router, prefix=UNIFIED)
    router.include_router(assets_router, prefix=UNIFIED)
    router.include_router(dependencies_router, prefix=UNIFIED)
    router.include_router(learned_router, prefix=UNIFIED)
    router.include_router(master_flows_router)
    router.include_router(health_router)
    return router


def create_app(settings: Settings, database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(database_url, role=SERVICE_ROLE)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        try:
            yield
        finally:
            app.state.session_factory = None
            await engine.dispose()

    app = FastAPI(
        title="Discovery flow service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.signing_key = settings.signing_key()
    app.state.head_revision = head_revision()
    app.state.health_cache = HealthCache(settings.health_cache_ttl_seconds)
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                CLIENT_HEADER,
                ENGAGEMENT_HEADER,
                "Idempotency-Key",
                REQUEST_ID_HEADER,
            ],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(BodyLimitMiddleware, limits={f"{API_PREFIX}/auth/login": LOGIN_BODY_BYTES})
    app.add_middleware(RequestIdMiddleware)
    app.include_router(api_router())
    install_docs(app, "/openapi.json")
    install_web(app)
    return app
