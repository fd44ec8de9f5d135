"""An uploaded file (``data_imports``) and one ``raw_import_records`` row per data row."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from discovery.core.models import (
    Base,
    TenantScoped,
    created_at_column,
    fq,
    sql_in,
    time_ordered_pk,
    updated_at_column,
    uuid_pk,
)
from discovery.core.wiring import table_args


class ImportStatus(StrEnum):
    PENDING = "pending"
    IMPORTING = "importing"
    COMPLETED = "completed"
    FAILED = "failed"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class DataImport(TenantScoped, Base):
    __tablename__ = "data_imports"
    __table_args__ = (
        CheckConstraint(sql_in("status", ImportStatus), name="status_known"),
        CheckConstraint(
            f"file_format IS NULL OR {sql_in('file_format', FileFormat)}", name="file_format_known"
        ),
        Index(
            "ix_data_imports_tenant_created_at", "client_account_id", "engagement_id", "created_at"
        ),
        # A retried upload with the same Idempotency-Key finds its import (per tenant).
        Index(
            "uq_data_imports_tenant_idempotency_key",
            "client_account_id",
            "engagement_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        *table_args("data_imports"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    imported_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("users"), ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(Text)
    file_size_bytes: Mapped[int] = mapped_column(BigInteger)
    file_sha256: Mapped[str] = mapped_column(Text)
    file_format: Mapped[str | None] = mapped_column(Text)
    sheet_name: Mapped[str | None] = mapped_column(Text)
    stored_file_path: Mapped[str | None] = mapped_column(Text)
    #: When the retention sweep deleted the stored file (``stored_file_path`` is then None).
    file_deleted_at: Mapped[datetime | None] = mapped_column()
    read_details: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    options: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    status: Mapped[str] = mapped_column(Text, server_default=ImportStatus.PENDING.value)
    error_message: Mapped[str | None] = mapped_column(Text)
    column_count: Mapped[int] = mapped_column(server_default=text("0"))
    total_rows: Mapped[int] = mapped_column(server_default=text("0"))
    blank_rows_skipped: Mapped[int] = mapped_column(server_default=text("0"))
    valid_rows: Mapped[int] = mapped_column(server_default=text("0"))
    invalid_rows: Mapped[int] = mapped_column(server_default=text("0"))
    processed_rows: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(Text)

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Signs that the file was not read as its author meant (``collapsed_rows``, …),
        each ``{code, row, message}``; kept in ``read_details`` by the import."""
        return list(self.read_details.get("warnings", []))


class RawImportRecord(TenantScoped, Base):
    """One data row of an import, exactly as read, then cleansed and linked to its asset."""

    __tablename__ = "raw_import_records"
    __table_args__ = (
        UniqueConstraint("data_import_id", "row_number"),
        CheckConstraint("row_number >= 1", name="row_number_positive"),
        Index(
            "idx_raw_import_tenant_processed",
            "client_account_id",
            "engagement_id",
            "is_processed",
            "asset_id",
        ),
        Index("idx_raw_import_tenant_id", "client_account_id", "engagement_id", "id"),
        # The rows an import still has waiting for the inventory, in row order (0009).
        Index(
            "ix_raw_import_records_pending",
            "data_import_id",
            "row_number",
            postgresql_where=text(
                "is_valid IS TRUE AND is_processed IS FALSE AND asset_id IS NULL"
            ),
        ),
        *table_args("raw_import_records"),
    )

    id: Mapped[uuid.UUID] = time_ordered_pk()
    data_import_id: Mapped[uuid.UUID] = mapped_column()
    master_flow_id: Mapped[uuid.UUID | None] = mapped_column()
    row_number: Mapped[int] = mapped_column()
    raw_data: Mapped[dict[str, Any]] = mapped_column()
    cleansed_data: Mapped[dict[str, Any] | None] = mapped_column()
    is_valid: Mapped[bool | None] = mapped_column()
    validation_errors: Mapped[list[Any] | None] = mapped_column()
    is_processed: Mapped[bool] = mapped_column(server_default=text("false"))
    processed_at: Mapped[datetime | None] = mapped_column()
    processing_notes: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = created_at_column()
