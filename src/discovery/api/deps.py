"""Request dependencies: the unit of work, the caller, and the tenant context.

- :func:`db_session`: one session and one transaction per request, committed when the
  endpoint returns (before the response is sent), rolled back when it raises.
  Services only flush.
- :func:`current_principal`: the bearer token (access token or ``dft_`` API token).
- :func:`tenant_context`: THE tenant check. Every tenant endpoint depends on it (through
  :data:`Viewer`, :data:`Analyst` or :data:`Admin`, which add the role check).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from discovery.api.errors import BEARER_CHALLENGE, ApiError
from discovery.auth.service import AuthenticationError, Principal, authenticate
from discovery.core.settings import Settings
from discovery.tenancy.access import AccessDeniedError, resolve_context
from discovery.tenancy.context import RequestContext
from discovery.tenancy.models import Role
from discovery.tenancy.service import NotFoundError

# Deepest offset a listing accepts (keeps OFFSET far inside bigint, and queries sane).
MAX_OFFSET = 1_000_000

CLIENT_HEADER = "X-Client-Account-ID"
ENGAGEMENT_HEADER = "X-Engagement-ID"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] | None = getattr(
        request.app.state, "session_factory", None
    )
    if factory is None:
        raise RuntimeError("the app's database is not open (was its lifespan started?)")
    return factory


def get_signing_key(request: Request) -> str:
    """The token-signing key, read once by ``create_app`` (not from disk per request)."""
    key: str = request.app.state.signing_key
    return key


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, uvicorn's
    ``--forwarded-allow-ips`` decides whether ``X-Forwarded-For`` is believed)."""
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(get_settings)]
SigningKeyDep = Annotated[str, Depends(get_signing_key)]
FactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]


async def db_session(factory: FactoryDep) -> AsyncIterator[AsyncSession]:
    async with factory() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from POST /api/v1/auth/login, or an API token (dft_…).",
)


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers=BEARER_CHALLENGE)


async def current_principal(
    request: Request,
    session: SessionDep,
    key: SigningKeyDep,
    credentials: BearerDep,
) -> Principal:
    if credentials is None:
        if request.headers.get("Authorization"):
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        raise _unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    try:
        return await authenticate(session, credentials.credentials, key)
    except AuthenticationError as exc:
        raise _unauthorized(str(exc)) from None


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _header_uuid(name: str, value: str | None) -> uuid.UUID:
    if value is None or not value.strip():
        raise ApiError(400, f"the {name} header is required", details={"header": name})
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ApiError(400, f"the {name} header must be a UUID", details={"header": name}) from None


async def tenant_context(
    session: SessionDep,
    principal: PrincipalDep,
    client_account_id: Annotated[
        str | None,
        Header(alias=CLIENT_HEADER, description="The client account (UUID) to act in."),
    ] = None,
    engagement_id: Annotated[
        str | None,
        Header(alias=ENGAGEMENT_HEADER, description="An engagement (UUID) of that account."),
    ] = None,
) -> RequestContext:
    """Who may do what in which tenant; the one place tenant access is decided."""
    client_id = _header_uuid(CLIENT_HEADER, client_account_id)
    engagement = _header_uuid(ENGAGEMENT_HEADER, engagement_id)
    try:
        context = await resolve_context(
            session,
            user_id=principal.user_id,
            is_platform_admin=principal.is_platform_admin,
            client_account_id=client_id,
            engagement_id=engagement,
        )
    except AccessDeniedError as exc:
        raise ApiError(403, str(exc)) from None
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None
    return context


def requires(role: Role) -> Callable[[RequestContext], Awaitable[RequestContext]]:
    async def check_role(
        context: Annotated[RequestContext, Depends(tenant_context)],
    ) -> RequestContext:
        if not context.allows(role):
            raise ApiError(
                403,
                f"this needs the {role.value} role; yours is {context.role.value}",
                details={"required_role": role.value, "role": context.role.value},
            )
        return context

    return check_role


Viewer = Annotated[RequestContext, Depends(requires(Role.VIEWER))]
Analyst = Annotated[RequestContext, Depends(requires(Role.ANALYST))]
Admin = Annotated[RequestContext, Depends(requires(Role.ADMIN))]
