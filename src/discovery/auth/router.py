"""``/api/v1/auth``: log in, who am I, personal API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy import select

from discovery.api.deps import PrincipalDep, SessionDep, SettingsDep, SigningKeyDep
from discovery.api.errors import documented
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
from discovery.auth.tokens import issue_access_token
from discovery.tenancy.models import ClientAccount, ClientAccountMembership, Engagement, User

router = APIRouter(prefix="/auth", tags=["auth"], responses=documented(401, 422))


@router.post("/login", response_model=AccessTokenOut)
async def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, key: SigningKeyDep
) -> AccessTokenOut:
    """Exchange an e-mail and password for an access token (a JWT)."""
    user = await service.login(session, body.email, body.password)
    issued = issue_access_token(user.id, key, settings.token_expiry_minutes)
    return AccessTokenOut(access_token=issued.token, expires_in=issued.expires_in)


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
