"""The engagement's dependency graph as stored: assets, edges, and the references that
resolved to nothing.

Reads ``asset_dependencies`` (written by the dependency phase) and the ``depends_on``
lists of the assets; never writes. Every query is scoped by the tenant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.components import Component, connected_components
from discovery.assets.models import Asset, AssetDependency
from discovery.assets.references import NOT_FOUND, Identity, ReferenceOutcome, explain
from discovery.tenancy.context import Tenant


@dataclass(frozen=True)
class Node:
    identity: Identity
    asset_type: str
    references: tuple[str, ...]

    @property
    def id(self) -> uuid.UUID:
        return self.identity.id

    @property
    def label(self) -> str:
        i = self.identity
        return i.name or i.hostname or i.fqdn or i.ip_address or str(i.id)


@dataclass(frozen=True)
class Edge:
    source: uuid.UUID
    target: uuid.UUID
    dependency_type: str
    reference: str  # the depends_on value that names the target ("" if none does)
    resolution: str  # ip_address, fqdn, hostname, name, or "stored" when none does


@dataclass(frozen=True)
class Unresolved:
    asset_id: uuid.UUID
    reference: str


@dataclass
class DependencyGraph:
    nodes: dict[uuid.UUID, Node]
    edges: list[Edge]
    unresolved: list[Unresolved]
    total_assets: int
    _components: list[Component[uuid.UUID]] | None = field(default=None, repr=False)

    def sort_key(self, node: uuid.UUID) -> tuple[str, str]:
        return (self.nodes[node].label.lower(), str(node))

    def components(self) -> list[Component[uuid.UUID]]:
        """Connected components of the assets that have at least one edge."""
        if self._components is None:
            connected = {n for e in self.edges for n in (e.source, e.target)}
            self._components = connected_components(
                sorted(connected, key=self.sort_key),
                [(e.source, e.target) for e in self.edges],
                self.sort_key,
            )
        return self._components

    @property
    def unconnected(self) -> int:
        """Assets of the engagement with no dependency either way."""
        connected = {n for e in self.edges for n in (e.source, e.target)}
        return self.total_assets - len(connected)


def _tenant(
    model: type[Asset] | type[AssetDependency], tenant: Tenant
) -> list[ColumnElement[bool]]:
    return [
        model.client_account_id == tenant.client_account_id,
        model.engagement_id == tenant.engagement_id,
    ]


async def read_graph(session: AsyncSession, tenant: Tenant) -> DependencyGraph:
    """Every edge of the engagement, the assets at either end or with references, and
    each reference explained (which target it named and how, or not found)."""
    edge_rows = (
        await session.execute(
            select(
                AssetDependency.asset_id,
                AssetDependency.depends_on_asset_id,
                AssetDependency.dependency_type,
            )
            .where(*_tenant(AssetDependency, tenant))
            .order_by(AssetDependency.asset_id, AssetDependency.depends_on_asset_id)
        )
    ).all()
    as_source = exists().where(AssetDependency.asset_id == Asset.id)
    as_target = exists().where(AssetDependency.depends_on_asset_id == Asset.id)
    asset_rows = (
        await session.execute(
            select(
                Asset.id,
                Asset.name,
                Asset.hostname,
                Asset.fqdn,
                Asset.ip_address,
                Asset.asset_type,
                Asset.depends_on,
            ).where(*_tenant(Asset, tenant), or_(Asset.depends_on != [], as_source, as_target))
        )
    ).all()
    total = await session.scalar(
        select(func.count()).select_from(Asset).where(*_tenant(Asset, tenant))
    )
    nodes = {
        row.id: Node(
            Identity(row.id, row.name, row.hostname, row.fqdn, row.ip_address),
            row.asset_type,
            tuple(row.depends_on or ()),
        )
        for row in asset_rows
    }
    targets: dict[uuid.UUID, list[Identity]] = {}
    for source, target, _ in edge_rows:
        if source in nodes and target in nodes:
            targets.setdefault(source, []).append(nodes[target].identity)
    named: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    how: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    unresolved: list[Unresolved] = []
    for node in sorted(nodes.values(), key=lambda n: (n.label.lower(), str(n.id))):
        for outcome in explain(node.references, node.identity, targets.get(node.id, [])):
            if outcome.resolution == NOT_FOUND:
                unresolved.append(Unresolved(node.id, outcome.reference))
            elif outcome.target_id is not None:
                named.setdefault((node.id, outcome.target_id), outcome.reference)
                how.setdefault((node.id, outcome.target_id), outcome.resolution)
    edges = [
        Edge(s, t, kind, named.get((s, t), ""), how.get((s, t), "stored"))
        for s, t, kind in edge_rows
        if s in nodes and t in nodes
    ]
    return DependencyGraph(nodes, edges, unresolved, total or 0)


async def asset_references(
    session: AsyncSession, tenant: Tenant, asset: Asset
) -> list[ReferenceOutcome]:
    """Each ``depends_on`` reference of one asset, explained against its stored edges."""
    rows = (
        await session.execute(
            select(Asset.id, Asset.name, Asset.hostname, Asset.fqdn, Asset.ip_address)
            .join(AssetDependency, AssetDependency.depends_on_asset_id == Asset.id)
            .where(AssetDependency.asset_id == asset.id, *_tenant(Asset, tenant))
            .order_by(Asset.name, Asset.id)
        )
    ).all()
    targets = [Identity(*row) for row in rows]
    source = Identity(asset.id, asset.name, asset.hostname, asset.fqdn, asset.ip_address)
    return explain(asset.depends_on or [], source, targets)
