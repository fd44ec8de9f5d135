"""The columnar inventory chunk decides and writes exactly what the row path does.

Random imports (drawn from small pools, so that identifiers collide: in-file duplicates,
case-different names, FQDNs whose host part is another row's host name, placeholders,
shadow rows, rows with their own alternate ids, blank and non-string custom attributes,
validation errors, old operating systems) are inventoried twice on a real database: in
one engagement with every row through Python (``columnar=False``, the dry run's path),
in another with the plain rows created in SQL. Each engagement first gets the same
earlier import through the row path, so that re-import matches happen too. The assets,
the raw rows' links and notes, the import records and the counters must be the same.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from discovery.assets import columnar
from discovery.assets.inventory import InventoryCounters, build_plan, process_chunk
from discovery.core.database import create_engine, create_session_factory, unit_of_work
from discovery.flows.models import DiscoveryFlow
from tests.factories import Factory, Flow, Tenant


def _or_unique(pool: list[str | None], template: str) -> st.SearchStrategy[str | None]:
    """A value of ``pool`` (they collide often) or one of its own (most rows are distinct
    machines: plain creates, the columnar path's main case)."""
    own = st.integers(0, 10**9).map(template.format)
    return st.one_of(st.sampled_from(pool), own, own)


NAMES = _or_unique(["web01", "WEB01", "db01", "app7", " lb-2 ", "n/a", "", None], "srv-{}")
HOSTS = _or_unique(["web01", "db01", "app7", "fw-core1", "ctr9", None], "host{}")
FQDNS = _or_unique(
    ["web01.corp.example", "app7.corp.example", "x9.example", "n/a.corp.example", "n/a.lab", None],
    "h{}.corp.example",
)
IDS = _or_unique(["sys-1", "sys-2", "N/A", None], "ci-{}")
SERIALS = _or_unique(["SN1", "SN2", "VMware-42 1a 2b", "to be filled by o.e.m.", None], "SN-{}")
IPS = _or_unique(["10.0.0.1", "10.0.0.2", "10.0.0.3", None], "10.9.{}")
TYPES = st.sampled_from(["server", "virtual_machine", "database", "load_balancer", None])
OSES = st.sampled_from(
    ["Windows Server 2012 R2", "CentOS 7", "Ubuntu 22.04", "Red Hat Enterprise Linux 6", None]
)
MAKES = st.sampled_from(
    [(None, None), ("VMware, Inc.", "VMware Virtual Platform"), ("Dell Inc.", "PowerEdge R740"),
     ("F5", "BIG-IP 4000")]
)  # fmt: skip
DATABASES = st.sampled_from([(None, None), ("SQL Server", "2012"), ("PostgreSQL", "9.6")])
PLATFORMS = st.sampled_from([None, "VMware", "physical"])
CUSTOM = st.sampled_from(["rack 4", "  ", "", 42, None, "café", "\u00a0\x1c", True, "a\tb"])
MAPPINGS = [
    ("Name", "name", 0.9), ("Host", "hostname", None), ("FQDN", "fqdn", 0.7),
    ("IP", "ip_address", 0.8), ("OS", "operating_system", 0.95), ("Type", "asset_type", 0.6),
    ("Cores", "cpu_cores", 1.0), ("Memory", "memory_gb", 0.5),
]  # fmt: skip
PRESENT = [target for _source, target, _confidence in MAPPINGS]


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    make, model = draw(MAKES)
    database, version = draw(DATABASES)
    cleansed = {
        "name": draw(NAMES),
        "hostname": draw(HOSTS),
        "fqdn": draw(FQDNS),
        "ip_address": draw(IPS),
        "external_id": draw(IDS),
        "serial_number": draw(SERIALS),
        "asset_type": draw(TYPES),
        "operating_system": draw(OSES),
        "manufacturer": make,
        "model": model,
        "database_type": database,
        "database_version": version,
        "virtualization_platform": draw(PLATFORMS),
        "cpu_cores": draw(st.sampled_from([None, 2, 8])),
        "memory_gb": draw(st.sampled_from([None, 16.0, 7.5])),
        "tags": draw(st.lists(st.sampled_from(["prod", "web"]), max_size=2)),
        "environment": draw(st.sampled_from([None, "production"])),
    }
    raw: dict[str, Any] = {"Name": "x", "Host": "x", "Notes": draw(CUSTOM), "Rack": draw(CUSTOM)}
    if draw(st.booleans()):
        raw["SRM Placeholder"] = draw(st.sampled_from(["True", "False", " true ", ""]))
    alternates = draw(
        st.sampled_from([None, "external_id=sys-2", "hostname=ctr9; fqdn=x9.example"])
    )
    if alternates:
        raw["alternate_ids"] = alternates
    errors = draw(st.sampled_from([[], [{"field": "ip_address", "error": "bad"}]]))
    return {
        "raw": {k: v for k, v in raw.items() if v is not None},
        "cleansed": {k: v for k, v in cleansed.items() if v is not None},
        "errors": errors,
    }


IMPORTS = st.lists(rows(), min_size=1, max_size=14)


async def _import(
    session: Any, factory: Factory, tenant: Tenant, data: list[dict[str, Any]]
) -> Flow:
    flow = await factory.flow(tenant)
    for number, row in enumerate(data, start=1):
        raw = await factory.raw_row(flow, number, **row["raw"])
        raw.cleansed_data, raw.validation_errors, raw.is_valid = (
            row["cleansed"], row["errors"], True
        )  # fmt: skip
    discovery = await session.get(DiscoveryFlow, flow.discovery_flow_id)
    discovery.field_mappings = {
        "mappings": [
            {"source_field": s, "target_field": t, "confidence": c} for s, t, c in MAPPINGS
        ]
    }
    await session.flush()
    return flow


_ASSETS = text(
    """
    SELECT a.*, r.row_number, d.file_name, r.data_import_id AS import_of_row
      FROM migration.assets a JOIN migration.raw_import_records r ON r.id = a.raw_import_records_id
      JOIN migration.data_imports d ON d.id = r.data_import_id
     WHERE a.engagement_id = :engagement
    """
)
_ROWS = text(
    """
    SELECT r.data_import_id, r.row_number, r.processing_notes, r.is_processed,
           ar.row_number AS asset_row, ar.data_import_id AS asset_import
      FROM migration.raw_import_records r
      LEFT JOIN migration.assets a ON a.id = r.asset_id
      LEFT JOIN migration.raw_import_records ar ON ar.id = a.raw_import_records_id
     WHERE r.engagement_id = :engagement ORDER BY r.data_import_id, r.row_number
    """
)
_RECORDS = text(
    """
    SELECT i.data_import_id, r.row_number, r.data_import_id AS asset_import, i.action
      FROM migration.asset_imports i JOIN migration.assets a ON a.id = i.asset_id
      JOIN migration.raw_import_records r ON r.id = a.raw_import_records_id
     WHERE a.engagement_id = :engagement
    """
)
_LINEAGE = {
    "id", "client_account_id", "engagement_id", "discovery_flow_id", "master_flow_id",
    "raw_import_records_id", "created_at", "updated_at", "discovery_timestamp",
    "import_of_row", "discovery_source", "field_mappings_used",
}  # fmt: skip


async def _state(session: Any, tenant: Tenant, imports: list[Flow]) -> dict[str, Any]:
    index = {flow.data_import_id: position for position, flow in enumerate(imports)}
    keys = {"engagement": tenant.engagement_id}
    assets = sorted(
        (
            index[row["import_of_row"]],
            row["row_number"],
            {k: v for k, v in row.items() if k not in _LINEAGE},
        )
        for row in (dict(r._mapping) for r in await session.execute(_ASSETS, keys))
    )
    links = sorted(
        (index[r.data_import_id], r.row_number, r.processing_notes, r.is_processed,
         None if r.asset_import is None else (index[r.asset_import], r.asset_row))
        for r in await session.execute(_ROWS, keys)
    )  # fmt: skip
    records = sorted(
        (index[r.data_import_id], index[r.asset_import], r.row_number, r.action)
        for r in await session.execute(_RECORDS, keys)
    )
    return {"assets": assets, "links": links, "records": records}


async def _inventory(session: Any, flow: Flow, size: int, *, columnar: bool) -> InventoryCounters:
    discovery = await session.get(DiscoveryFlow, flow.discovery_flow_id)
    plan = await build_plan(session, discovery)
    total = InventoryCounters()
    rows = await session.scalar(
        text("SELECT max(row_number) FROM migration.raw_import_records WHERE data_import_id = :i"),
        {"i": flow.data_import_id},
    )
    for first in range(1, int(rows or 0) + 1, size):
        total.add(await process_chunk(session, plan, first, first + size - 1, columnar=columnar))
    return total


async def _compare(
    url: str, earlier: list[dict[str, Any]], later: list[dict[str, Any]], size: int
) -> None:
    engine = create_engine(url)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            factory = Factory(session)
            results = []
            for columnar in (False, True):
                tenant = await factory.tenant()
                first = await _import(session, factory, tenant, earlier)
                await _inventory(session, first, size, columnar=False)
                second = await _import(session, factory, tenant, later)
                counters = await _inventory(session, second, size, columnar=columnar)
                results.append((counters.as_dict(), await _state(session, tenant, [first, second])))
            await session.rollback()
    finally:
        await engine.dispose()
    (row_counters, row_state), (columnar_counters, columnar_state) = results
    assert columnar_counters == row_counters
    assert columnar_state["links"] == row_state["links"]
    assert columnar_state["records"] == row_state["records"]
    differences = [
        (place, field, expected.get(field), got.get(field))
        for (*place, expected), (*_, got) in zip(
            row_state["assets"], columnar_state["assets"], strict=True
        )
        for field in expected.keys() | got.keys()
        if expected.get(field) != got.get(field)
    ]
    assert differences == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(earlier=st.lists(rows(), max_size=6), later=IMPORTS, size=st.sampled_from([3, 500]))
def test_the_columnar_chunk_decides_as_the_row_path(
    database_url: str, earlier: list[dict[str, Any]], later: list[dict[str, Any]], size: int
) -> None:
    asyncio.run(_compare(database_url, earlier, later, size))


_WEB01 = {
    "name": "web01", "hostname": "db01", "fqdn": "web01.corp.example", "ip_address": "10.0.0.1",
    "external_id": "sys-1", "serial_number": "SN1", "asset_type": "server", "tags": [],
}  # fmt: skip
_NAMELESS = {
    "name": "", "hostname": "web01", "fqdn": "app7.corp.example", "ip_address": "10.0.0.2",
    "external_id": "sys-2", "serial_number": "SN2", "asset_type": "server", "tags": [],
}  # fmt: skip


def _with(cleansed: dict[str, Any]) -> dict[str, Any]:
    return {"raw": {"Name": "x", "Notes": "rack 4"}, "cleansed": cleansed, "errors": []}


def test_a_row_without_a_name_is_looked_up_by_the_name_it_gets(database_url: str) -> None:
    """Found by Hypothesis: a nameless row is named after its host name, and the row path
    matches it by that name to the asset called so; the columnar chunk looked the known
    assets up by the empty name and created a second asset."""
    rows = [_with(_WEB01), _with(_WEB01), _with(_WEB01), _with(_NAMELESS)]
    asyncio.run(_compare(database_url, [], rows, 3))


def test_chunks_in_one_transaction_stage_only_their_own_rows(database_url: str) -> None:
    """Found by Hypothesis: several chunks in one transaction staged the earlier chunks'
    plain rows again (the stage is emptied at commit only), a duplicate key."""
    other = {**_NAMELESS, "name": "app7", "hostname": "app7", "external_id": "sys-3"}
    asyncio.run(_compare(database_url, [], [_with(_WEB01), _with(other)], 1))


def test_plain_rows_of_a_fresh_import_skip_the_reconciler(database_url: str) -> None:
    """A file of distinct machines: every row a plain create, same result both ways."""
    later = [
        {"raw": {"Name": "x", "Notes": f"n{i}"},
         "cleansed": {"name": f"srv{i}", "hostname": f"srv{i}", "ip_address": f"10.1.0.{i}",
                      "operating_system": "CentOS 7", "cpu_cores": 4},
         "errors": []}
        for i in range(1, 40)
    ]  # fmt: skip
    asyncio.run(_compare(database_url, [], later, 500))


def _row(**cleansed: Any) -> dict[str, Any]:
    return {"raw": {"Name": "x"}, "cleansed": cleansed, "errors": []}


def test_placeholders_share_no_key_but_an_fqdn_host_part_does(database_url: str) -> None:
    later = [
        _row(name="a1", serial_number="N/A", ip_address="10.2.0.1"),
        _row(name="a2", serial_number="n/a ", ip_address="10.2.0.2"),
        _row(name="b1", fqdn="n/a.corp.example"),
        _row(name="b2", fqdn="n/a.lab.example"),
    ]
    asyncio.run(_compare(database_url, [], later, 500))


def test_the_sieve_sets_aside_rows_with_placeholders_and_keeps_fqdn_host_parts() -> None:
    frame = pl.DataFrame(
        {
            "id": [str(uuid.uuid4()) for _ in range(4)],
            "external_id": [None, None, None, None],
            "serial_number": ["N/A", "n/a ", None, None],
            "fqdn": [None, None, "n/a.corp.example", "n/a.lab.example"],
            "hostname": [None, None, None, None],
            "ip_address": ["10.2.0.1", "10.2.0.2", None, None],
            "name": ["a1", "a2", "b1", "b2"],
            "alternates": [None, None, None, None],
            "shadow": [None, None, None, None],
        },
        schema_overrides=dict.fromkeys(
            ["external_id", "hostname", "alternates", "shadow"], pl.String
        ),
    )
    assert columnar.decide(frame, []).plain.to_list() == [True, True, False, False]
