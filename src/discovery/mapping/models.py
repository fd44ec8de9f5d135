"""``import_field_mappings``: one suggested (then approved or rejected) target per column,
with its rank when several columns feed one target."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from discovery.core.models import (
    Base,
    TenantScoped,
    created_at_column,
    fq,
    sql_in,
    updated_at_column,
    uuid_pk,
)


class MatchType(StrEnum):
    EXACT = "exact"
    SYNONYM = "synonym"
    FUZZY = "fuzzy"
    VALUE_PATTERN = "value_pattern"
    FORMAT = "format"
    LEARNED = "learned"
    MANUAL = "manual"


class MappingStatus(StrEnum):
    SUGGESTED = "suggested"
    APPROVED = "approved"
    REJECTED = "rejected"


class ImportFieldMapping(TenantScoped, Base):
    __tablename__ = "import_field_mappings"
    __table_args__ = (
        UniqueConstraint("data_import_id", "source_field"),
        CheckConstraint(
            f"match_type IS NULL OR {sql_in('match_type', MatchType)}", name="match_type_known"
        ),
        CheckConstraint(sql_in("status", MappingStatus), name="status_known"),
        CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name="confidence_in_range",
        ),
        CheckConstraint("priority IS NULL OR priority >= 1", name="priority_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    data_import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("data_imports"), ondelete="CASCADE")
    )
    source_field: Mapped[str] = mapped_column(Text)
    target_field: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column()
    match_type: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    alternatives: Mapped[list[Any] | None] = mapped_column()
    #: None: the target's only column; 1: its primary column, which has fallbacks;
    #: 2, 3, …: a fallback, read (in rank order) where the columns before it are empty
    priority: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, server_default=MappingStatus.SUGGESTED.value)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("users"), ondelete="SET NULL")
    )
    approved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class LearnedFieldMapping(Base):
    """A mapping a user approved for a header, offered again to the same client account.

    Learned per client account (not per engagement): the same client's tools export the
    same headers across engagements. ``target_field`` None means "leave unmapped".
    """

    __tablename__ = "learned_field_mappings"
    __table_args__ = (UniqueConstraint("client_account_id", "header_key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("client_accounts"), ondelete="CASCADE")
    )
    header_key: Mapped[str] = mapped_column(Text)
    source_field: Mapped[str] = mapped_column(Text)
    target_field: Mapped[str | None] = mapped_column(Text)
    learned_from_import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("data_imports"), ondelete="SET NULL")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("users"), ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
