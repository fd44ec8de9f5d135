"""Declarative base shared by every domain's models.

Every table lives in the PostgreSQL schema ``migration`` (declared on the metadata, so
nothing depends on ``search_path``), and constraints and indexes get stable names from
a naming convention.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, MetaData, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from discovery.core.ids import uuid7
from discovery.core.revisions import SCHEMA as SCHEMA  # defined where the CLI reads it cheaply

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: UUID(as_uuid=True),
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
    }


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


def time_ordered_pk() -> Mapped[uuid.UUID]:
    """The key of a table loaded in bulk: a version-7 UUID (``discovery.core.ids``)."""
    return mapped_column(
        primary_key=True, default=uuid7, server_default=text(f"{SCHEMA}.uuid_v7()")
    )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(server_default=func.now(), onupdate=func.now())


def fq(table: str, column: str = "id") -> str:
    """A schema-qualified column reference for ``ForeignKey``."""
    return f"{SCHEMA}.{table}.{column}"


def sql_in(column: str, values: type[StrEnum]) -> str:
    """``column IN ('a', 'b')`` for a check constraint over an enum's values."""
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"


class TenantScoped:
    """The two tenant keys every tenant table carries: client account and engagement."""

    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("client_accounts"), ondelete="CASCADE")
    )
    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("engagements"), ondelete="CASCADE")
    )
