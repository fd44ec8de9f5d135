"""``/api/v1/auth``: log in (throttled), log out, who am I, personal API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from discovery.api.deps import (
    BearerDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    SigningKeyDep,
    client_address,
)
from discovery.api.errors import BEARER_CHALLENGE, ApiError, documented, error_response
from discovery.auth import service
from discovery.auth.schemas import (
    AccessTokenOut,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenOut,
    EngagementOut,
    LoginRequest,
    MembershipOut,
    MeOut,
)
from discovery.auth.throttle import SignInPolicy
from discovery.auth.tokens import issue_access_token
from discovery.tenancy.models import ClientAccount, ClientAccountMembership, Engagement, User

router = APIRouter(prefix="/auth", tags=["auth"], responses=documented(401, 422))

# Sign-in is open to anyone: its body is bounded before it is read, as the web sign-in
# form's is (see discovery.api.body_limit).
LOGIN_BODY_BYTES = 64 * 1024


@router.post("/login", response_model=AccessTokenOut, responses=documented(413, 429))
async def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key: SigningKeyDep,
) -> AccessTokenOut | Response:
    """Exchange an e-mail and password for an access token (a JWT).

    Throttled per account and per client address: after too many failures, 429 with
    ``Retry-After`` until the lockout ends.
    """
    # Refusals are answered, not raised, so that the failure they counted is committed.
    try:
        user = await service.sign_in(
            session, body.email, body.password, client_address(request), SignInPolicy.of(settings)
        )
    except service.SignInLockedError as exc:
        return error_response(429, str(exc), headers={"Retry-After": str(exc.retry_after)})
    except service.AuthenticationError as exc:
        return error_response(401, str(exc), headers=BEARER_CHALLENGE)
    issued = issue_access_token(user.id, key, settings.token_expiry_minutes)
    return AccessTokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/logout", status_code=204, responses=documented(400))
async def logout(
    principal: PrincipalDep,
    session: SessionDep,
    key: SigningKeyDep,
    credentials: BearerDep,
) -> Response:
    """End the session of the presented access token: it is refused from now on. Other
    sessions and personal API tokens are not affected (revoke those with DELETE
    /auth/tokens/{id})."""
    if principal.api_token_id is not None or credentials is None:
        raise ApiError(
            400,
            "this is a personal API token, not a session: revoke it with "
            "DELETE /api/v1/auth/tokens/{id}",
        )
    await service.end_session(session, credentials.credentials, key)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
async def me(principal: PrincipalDep, session: SessionDep) -> MeOut:
    """The caller, and the client accounts (with engagements) they may act in."""
    user = await session.get(User, principal.user_id)
    assert user is not None  # authenticated in this same transaction
    accounts = select(ClientAccount.id, ClientAccount.name)
    if principal.is_platform_admin:
        rows = [(cid, name, "admin") for cid, name in await session.execute(accounts)]
    else:
        joined = accounts.add_columns(ClientAccountMembership.role).join(
            ClientAccountMembership,
            ClientAccountMembership.client_account_id == ClientAccount.id,
        )
        result = await session.execute(
            joined.where(ClientAccountMembership.user_id == user.id).order_by(ClientAccount.name)
        )
        rows = [(cid, name, role) for cid, name, role in result]
    engagements: dict[uuid.UUID, list[EngagementOut]] = {}
    if rows:
        result = await session.execute(
            select(Engagement.client_account_id, Engagement.id, Engagement.name)
            .where(Engagement.client_account_id.in_([row[0] for row in rows]))
            .order_by(Engagement.name)
        )
        for client_id, engagement_id, name in result:
            engagements.setdefault(client_id, []).append(EngagementOut(id=engagement_id, name=name))
    return MeOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        is_platform_admin=user.is_platform_admin,
        authenticated_with="api_token" if principal.api_token_id else "access_token",
        memberships=[
            MembershipOut(
                client_account_id=cid,
                client_account_name=name,
                role=role,
                engagements=engagements.get(cid, []),
            )
            for cid, name, role in sorted(rows, key=lambda row: row[1])
        ],
    )


@router.post("/tokens", response_model=ApiTokenCreated, status_code=201)
async def create_token(
    body: ApiTokenCreate, principal: PrincipalDep, session: SessionDep
) -> ApiTokenCreated:
    """Create a personal API token; the secret is in this response only."""
    record, secret = await service.create_api_token(
        session, principal.user_id, body.name, body.expires_in_days
    )
    return ApiTokenCreated(**ApiTokenOut.model_validate(record).model_dump(), token=secret)


@router.get("/tokens", response_model=list[ApiTokenOut])
async def list_tokens(principal: PrincipalDep, session: SessionDep) -> list[ApiTokenOut]:
    """Your API tokens, without their secrets."""
    records = await service.list_api_tokens(session, principal.user_id)
    return [ApiTokenOut.model_validate(record) for record in records]


@router.delete("/tokens/{token_id}", response_model=ApiTokenOut, responses=documented(404))
async def revoke_token(
    token_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ApiTokenOut:
    """Revoke one of your API tokens; it stops working at once."""
    record = await service.revoke_api_token(session, principal.user_id, token_id)
    return ApiTokenOut.model_validate(record)
