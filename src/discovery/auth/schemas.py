"""Request and response bodies of ``/api/v1/auth``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from discovery.api.types import Text


class LoginRequest(BaseModel):
    email: Text = Field(min_length=1, max_length=320, examples=["admin@localhost"])
    password: str = Field(min_length=1, max_length=1024)


class AccessTokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class ApiTokenCreate(BaseModel):
    name: Text = Field(min_length=1, max_length=100, description="What the token is for.")
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="Lifetime in days; none: until revoked."
    )

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name must not be blank")
        return value


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    token_prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="The secret; shown this once, only its hash is stored.")


class EngagementOut(BaseModel):
    id: uuid.UUID
    name: str


class MembershipOut(BaseModel):
    client_account_id: uuid.UUID
    client_account_name: str
    role: str
    engagements: list[EngagementOut]


class MeOut(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str | None
    is_platform_admin: bool
    authenticated_with: Literal["access_token", "api_token"]
    memberships: list[MembershipOut]
