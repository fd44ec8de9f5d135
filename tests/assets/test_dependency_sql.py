"""The phase's SQL resolution of ``depends_on`` gives what ``resolve()`` gives.

Hypothesis builds small engagements (names that collide, host names and FQDNs in mixed
case, IPv4 and IPv6 addresses, assets created out of id order) and references drawn
from them with case changes, white space, trailing dots, foreign domains, addresses
that are not quite addresses and self-references. The statement runs on PostgreSQL in
slices smaller than the assets, and its edges, counts and unresolved samples must equal
the Python rules applied to the same rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from discovery.assets.dependencies import DEPENDENCY_TYPE, SAMPLES, resolve
from discovery.assets.dependency_sql import RESOLVE_SLICE, pattern_parameters
from discovery.assets.models import Asset, AssetDependency, AssetImport
from discovery.imports.models import DataImport
from discovery.tenancy.models import ClientAccount, Engagement

# Letters whose lower case Python and PostgreSQL agree on (not, say, a dotted capital I).
WORDS = ["db01", "DB01", "web01", "Web01", "app", "payroll app", "Payroll App", "café"]
DOMAINS = [".corp.example.com", ".prod.example.com", ".Example.COM"]
ADDRESSES = [
    "10.0.0.5",
    "10.0.0.7",
    "192.168.1.255",
    "2001:db8::10",
    "2001:DB8::10",
    "::1",
    "::ffff:10.0.0.5",
    "fe80::1%eth0",
    "1:2:3:4:5:6:7:8",
]
NEAR_ADDRESSES = [
    "010.0.0.5",
    "10.0.0.256",
    "10.0.0",
    "10.0.0.5/32",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    ":1::2",
    "12345::1",
    "fe80::1%",
    "::ffff:10.0.0.500",
    "10.0.0.5.",
]
SPACES = ["", " ", "\t", "\u00a0", " \n"]


@dataclass
class World:
    assets: list[dict[str, Any]]
    depends_on: list[list[str]]  # per asset


def _cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.lower(), word.title()])


@st.composite
def worlds(draw: st.DrawFn) -> World:
    count = draw(st.integers(1, 7))
    assets = []
    for _ in range(count):
        word = draw(st.sampled_from(WORDS))
        domain = draw(st.sampled_from(DOMAINS))
        assets.append(
            {
                "name": draw(st.one_of(st.none(), st.just(""), _cased(word))),
                # Stored as cleansing writes them: lower-case (the schema checks it).
                "hostname": draw(st.one_of(st.none(), st.just(""), st.just(word.lower()))),
                "fqdn": draw(st.one_of(st.none(), st.just((word + domain).lower()))),
                "ip_address": draw(st.one_of(st.none(), st.sampled_from(ADDRESSES).map(str.lower))),
                "minutes": draw(st.integers(0, 3)),  # created_at, ties included
            }
        )
    known = [value for asset in assets for value in asset.values() if isinstance(value, str)]
    reference = st.one_of(
        st.sampled_from(known) if known else st.nothing(),
        st.sampled_from(WORDS + ADDRESSES + NEAR_ADDRESSES).flatmap(_cased),
        st.builds(lambda w, d: w + d, st.sampled_from(WORDS), st.sampled_from(DOMAINS)),
        st.text(alphabet="aAbB01.:-% /é", max_size=8),
    ).flatmap(_cased)
    dressed = st.builds(
        lambda before, ref, dots, after: before + ref + dots + after,
        st.sampled_from(SPACES),
        reference,
        st.sampled_from(["", "", ".", ".."]),
        st.sampled_from(SPACES),
    )
    depends_on = [draw(st.lists(dressed, max_size=4)) for _ in assets]
    return World(assets, depends_on)


@pytest.fixture(scope="module")
def sync_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    yield engine
    engine.dispose()


def _python_resolution(
    session: Session, tenant: dict[str, uuid.UUID], sources: list[Asset]
) -> tuple[set[tuple[uuid.UUID, uuid.UUID]], int, int, list[str]]:
    """What ``resolve`` says, with targets built as the phase's Python version built them."""
    targets: dict[tuple[str, str], uuid.UUID] = {}
    rows = session.execute(
        select(Asset.id, Asset.ip_address, Asset.fqdn, Asset.hostname, Asset.name)
        .filter_by(**tenant)
        .order_by(Asset.created_at, Asset.id)
    )
    for asset_id, ip, fqdn, hostname, name in rows:
        keys = (("ip_address", ip), ("fqdn", fqdn), ("hostname", hostname))
        for key in (*keys, ("name", (name or "").lower())):
            if key[1]:
                targets.setdefault(key, asset_id)
    edges: set[tuple[uuid.UUID, uuid.UUID]] = set()
    stored = 0
    unresolved: list[str] = []
    for source in sources:
        for ref in source.depends_on:
            target = resolve(ref, targets)
            if target is None:
                unresolved.append(f"{source.name}: {ref}")
            elif target != source.id:
                edges.add((source.id, target))
                stored += 1
    return edges, stored, len(unresolved), unresolved[:SAMPLES]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), slice_size=st.integers(1, 4))
def test_sql_resolution_equals_python_resolve(
    sync_engine: Engine, world: World, slice_size: int
) -> None:
    with sync_engine.connect() as connection, connection.begin() as transaction:
        session = Session(bind=connection)
        client = ClientAccount(name=f"client-{uuid.uuid4().hex[:8]}")
        session.add(client)
        session.flush()
        engagement = Engagement(client_account_id=client.id, name="engagement")
        session.add(engagement)
        session.flush()
        tenant = {"client_account_id": client.id, "engagement_id": engagement.id}
        data_import = DataImport(
            **tenant,
            file_name="servers.csv",
            file_size_bytes=1,
            file_sha256="0" * 64,
            file_format="csv",
        )
        session.add(data_import)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        assets = [
            Asset(
                **tenant,
                asset_type="server",
                name=fields["name"],
                hostname=fields["hostname"],
                fqdn=fields["fqdn"],
                ip_address=fields["ip_address"],
                created_at=start - timedelta(minutes=fields["minutes"]),
                depends_on=depends_on,
            )
            for fields, depends_on in zip(world.assets, world.depends_on, strict=True)
        ]
        session.add_all(assets)
        session.flush()
        session.add_all(
            AssetImport(asset_id=a.id, data_import_id=data_import.id, action="created")
            for a in assets
        )
        session.flush()
        sources = sorted(assets, key=lambda asset: asset.id)
        expected = _python_resolution(session, tenant, sources)

        parameters = {
            **pattern_parameters(),
            **tenant,
            "data_import_id": data_import.id,
            "flow_id": None,
            "type": DEPENDENCY_TYPE,
            "slice": slice_size,
            "samples": SAMPLES,
        }

        def run() -> tuple[int, int, list[str]]:
            stored = unresolved = 0
            samples: list[str] = []
            after = uuid.UUID(int=0)
            while True:
                row = connection.execute(RESOLVE_SLICE, {**parameters, "after": after}).one()
                if row.last_asset_id is None:
                    return stored, unresolved, samples
                after = row.last_asset_id
                stored += row.stored
                unresolved += row.unresolved
                samples.extend(row.samples[: SAMPLES - len(samples)])

        first = run()
        edges = set(
            session.execute(
                select(AssetDependency.asset_id, AssetDependency.depends_on_asset_id).where(
                    AssetDependency.client_account_id == client.id
                )
            ).all()
        )
        assert (edges, *first) == expected
        # A rerun (a retried phase) inserts nothing more and reports the same.
        assert run() == first
        assert session.scalar(
            select(func.count(AssetDependency.id)).where(
                AssetDependency.client_account_id == client.id
            )
        ) == len(edges)
        transaction.rollback()
