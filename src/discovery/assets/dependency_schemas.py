"""Response bodies of ``/api/v1/unified-discovery/dependencies``."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class MemberOut(BaseModel):
    asset_id: uuid.UUID
    name: str
    asset_type: str


class InternalEdgeOut(BaseModel):
    source_id: uuid.UUID
    target_id: uuid.UUID
    dependency_type: str


class ComponentOut(BaseModel):
    number: int = Field(description="1 is the largest group; ties ordered by first member.")
    size: int
    edge_count: int
    members: list[MemberOut]
    edges: list[InternalEdgeOut]


class UnresolvedOut(BaseModel):
    asset_id: uuid.UUID
    asset_name: str
    reference: str


class ComponentsOut(BaseModel):
    """Groups of assets linked by dependencies (either way): candidate migration waves."""

    components: list[ComponentOut]
    component_count: int = Field(description="Groups of two or more assets, in all.")
    connected_assets: int
    unconnected_assets: int = Field(description="Assets with no dependency either way.")
    edge_count: int
    unresolved_references: list[UnresolvedOut]
    unresolved_count: int
