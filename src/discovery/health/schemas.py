"""Response bodies of ``/api/v1/health``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from discovery.health.wording import descriptions


class TenantOut(BaseModel):
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID


class SampleOut(BaseModel):
    id: uuid.UUID
    name: str | None
    created_at: datetime


class WiringHealthOut(BaseModel):
    metrics: dict[str, int] = Field(
        description="Every metric counts problems; 0 is healthy. The metrics:\n\n" + descriptions()
    )
    health_status: Literal["healthy", "unhealthy"]
    tenant: TenantOut
    samples: dict[str, list[SampleOut]] | None = Field(
        description="Up to five examples per non-zero metric; only with detail=true."
    )
    proven_by: dict[str, str] = Field(
        description=(
            "How each metric was established: the names of the constraints that rule its "
            "problem out (present, validated, triggers enabled: the metric is 0 by the "
            "database's guarantee), or `counted`."
        )
    )
    cached: bool = Field(description="Served from the cache (at most the TTL old).")
    cache_age_seconds: float = Field(description="Age of the cached result; 0 when fresh.")


class DatabaseOut(BaseModel):
    reachable: bool
    revision: str | None
    head: str
    at_head: bool


class WorkerOut(BaseModel):
    alive: int = Field(description="Workers whose heartbeat is recent.")
    last_heartbeat: datetime | None


class LivenessOut(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="degraded: no worker has sent a heartbeat recently (flows will not advance)."
    )
    database: DatabaseOut
    worker: WorkerOut
