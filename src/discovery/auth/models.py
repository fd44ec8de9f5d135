"""Personal API tokens (only a SHA-256 hash of each secret is kept), revoked access
tokens, and the counts of failed sign-ins that throttle guessing."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from discovery.core.models import Base, created_at_column, fq, sql_in, uuid_pk


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("users"), ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    token_prefix: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


class RevokedAccessToken(Base):
    """An access token (a login's JWT, by its ``jti``) ended by signing out before it
    expired. A row is useless once ``expires_at`` has passed and is purged then."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime] = created_at_column()


class ThrottleScope(StrEnum):
    ACCOUNT = "account"  # an e-mail address, as typed (normalised), known or not
    ADDRESS = "address"  # a client address


class SignInFailures(Base):
    """Recent failed sign-ins of one account or one client address, and its lockout.

    Kept in PostgreSQL so that every process serving the API sees the same counts.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (CheckConstraint(sql_in("scope", ThrottleScope), name="scope"),)

    scope: Mapped[str] = mapped_column(Text, primary_key=True)
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None] = mapped_column()
