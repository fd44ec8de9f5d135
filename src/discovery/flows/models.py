"""The two records of every flow.

The *master flow* (``crewai_flow_state_extensions``) is what API clients see: its
``flow_id`` IS the master flow id. The child ``discovery_flows`` row carries the phase
flags; its ``flow_id`` and ``master_flow_id`` both equal the master's ``flow_id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
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
from discovery.core.wiring import table_args


class FlowStatus(StrEnum):
    INITIALIZED = "initialized"
    RUNNING = "running"
    WAITING_FOR_APPROVAL = "waiting_for_approval"
    PAUSED = "paused"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Phase(StrEnum):
    DATA_IMPORT = "data_import"
    FIELD_MAPPING = "field_mapping"
    DATA_CLEANSING = "data_cleansing"
    ASSET_INVENTORY = "asset_inventory"
    DEPENDENCY_ANALYSIS = "dependency_analysis"
    TECH_DEBT_ASSESSMENT = "tech_debt_assessment"


class CrewAIFlowStateExtensions(TenantScoped, Base):
    """The master flow record."""

    __tablename__ = "crewai_flow_state_extensions"
    __table_args__ = (
        CheckConstraint(sql_in("flow_status", FlowStatus), name="flow_status_known"),
        Index("ix_master_flows_tenant_status", "client_account_id", "engagement_id", "flow_status"),
        *table_args("crewai_flow_state_extensions"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    flow_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    flow_type: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(fq("users"), ondelete="SET NULL"))
    flow_name: Mapped[str | None] = mapped_column(Text)
    flow_status: Mapped[str] = mapped_column(Text, server_default=FlowStatus.INITIALIZED.value)
    flow_configuration: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    flow_persistence_data: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    phase_execution_times: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    error_history: Mapped[list[Any]] = mapped_column(server_default=text("'[]'"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class DiscoveryFlow(TenantScoped, Base):
    """The child record of a master flow, with one completed flag per phase."""

    __tablename__ = "discovery_flows"
    __table_args__ = (
        CheckConstraint(sql_in("status", FlowStatus), name="status_known"),
        CheckConstraint(
            f"current_phase IS NULL OR {sql_in('current_phase', Phase)}",
            name="current_phase_known",
        ),
        CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100",
            name="progress_in_range",
        ),
        CheckConstraint("flow_id = master_flow_id", name="flow_id_is_master_flow_id"),
        Index("ix_discovery_flows_tenant_status", "client_account_id", "engagement_id", "status"),
        *table_args("discovery_flows"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    flow_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    master_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("crewai_flow_state_extensions", "flow_id"), ondelete="CASCADE"),
        unique=True,
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(fq("users"), ondelete="SET NULL"))
    data_import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(fq("data_imports"), ondelete="SET NULL"), index=True
    )
    flow_name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default=FlowStatus.INITIALIZED.value)
    current_phase: Mapped[str | None] = mapped_column(Text)
    progress_percentage: Mapped[float] = mapped_column(server_default=text("0"))
    data_import_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    field_mapping_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    data_cleansing_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    asset_inventory_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    dependency_analysis_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    tech_debt_assessment_completed: Mapped[bool] = mapped_column(server_default=text("false"))
    field_mappings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    phase_state: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'"))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_phase: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    completed_at: Mapped[datetime | None] = mapped_column()
