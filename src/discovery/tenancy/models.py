"""Tenancy: a client account holds engagements; users are members of client accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from discovery.core.models import (
    Base,
    created_at_column,
    fq,
    sql_in,
    updated_at_column,
    uuid_pk,
)
from discovery.tenancy.roles import Role as Role


class ClientAccount(Base):
    __tablename__ = "client_accounts"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Engagement(Base):
    __tablename__ = "engagements"
    __table_args__ = (UniqueConstraint("client_account_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("client_accounts"), ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    full_name: Mapped[str | None] = mapped_column(Text)
    is_platform_admin: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class ClientAccountMembership(Base):
    """A user's role in one client account (and so in all of its engagements)."""

    __tablename__ = "client_account_memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "client_account_id"),
        CheckConstraint(sql_in("role", Role), name="role_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(fq("users"), ondelete="CASCADE"))
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("client_accounts"), ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
