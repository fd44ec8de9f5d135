"""``/api/v1/unified-discovery/learned-mappings``: what the client account has learned.

Learned mappings belong to the client account (every engagement of it is offered them),
so the list answers for the client of the request's tenant; forgetting one needs the
analyst role.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from discovery.api.deps import Analyst, SessionDep, Viewer
from discovery.api.errors import ApiError, documented
from discovery.mapping.learned import Learned, forget, list_learned

router = APIRouter(
    prefix="/learned-mappings", tags=["mappings"], responses=documented(401, 403, 404, 422)
)


class LearnedMappingOut(BaseModel):
    id: uuid.UUID
    source_field: str = Field(description="The column header it was learned from.")
    target_field: str | None = Field(description="The field; null: leave the column unmapped.")
    engagement_id: uuid.UUID | None = Field(description="Where it was approved (null: gone).")
    engagement_name: str | None
    file_name: str | None
    learned_by: str | None = Field(description="E-mail of the user who approved it.")
    learned_at: datetime

    @classmethod
    def of(cls, item: Learned) -> LearnedMappingOut:
        return cls(
            id=item.id,
            source_field=item.source_field,
            target_field=item.target_field,
            engagement_id=item.engagement_id,
            engagement_name=item.engagement_name,
            file_name=item.file_name,
            learned_by=item.learned_by,
            learned_at=item.learned_at,
        )


@router.get("", response_model=list[LearnedMappingOut])
async def learned_mappings(context: Viewer, session: SessionDep) -> list[LearnedMappingOut]:
    """The client account's learned mappings, with where and by whom each was learned."""
    return [
        LearnedMappingOut.of(item)
        for item in await list_learned(session, context.client_account_id)
    ]


@router.delete("/{learned_id}", status_code=204)
async def forget_learned_mapping(
    learned_id: uuid.UUID, context: Analyst, session: SessionDep
) -> None:
    """Forget a learned mapping: its header is suggested on its own merits again."""
    if not await forget(session, context.client_account_id, learned_id):
        raise ApiError(404, f"learned mapping {learned_id} does not exist")
