"""Several columns for one field, end to end: RVTools' two OS columns on a real flow.

The suggestion ranks the configuration-file OS first and the VMware Tools OS second;
approval keeps (or changes) the ranks; cleansing reads the fallback where the primary
cell is empty, so a powered-off VM without Tools and a VM without a configuration-file
OS both end with an operating system.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.models import Asset
from discovery.cli.flows import drive_flow
from discovery.cli.progress import ProgressLine
from discovery.core.database import create_engine, create_session_factory
from discovery.flows import control, service
from discovery.imports.dry_run import with_choices
from discovery.mapping import service as mapping
from discovery.mapping.engine import suggest_mappings
from discovery.mapping.models import ImportFieldMapping
from tests.cli_runner import cli_env, discovery
from tests.flow_helpers import TenantIds, in_transaction, new_tenant, run_file, settings_for
from tests.inventory_files import (
    CONFIG_OS_EMPTY,
    TOOLS_OS_EMPTY,
    VINFO_HEADER,
    vinfo_rows,
    write_vinfo_xlsx,
)

TOOLS = "OS according to the VMware Tools"
CONFIG = "OS according to the configuration file"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Any:
    return settings_for(database_url, tmp_path / "data")


async def _assets(url: str, tenant: TenantIds) -> dict[str, Asset]:
    async def load(session: AsyncSession) -> dict[str, Asset]:
        result = await session.execute(
            select(Asset).where(Asset.engagement_id == tenant.engagement_id)
        )
        return {asset.name: asset for asset in result.scalars()}

    return await in_transaction(url, load)


async def _approve_and_finish(
    url: str,
    settings: Any,
    flow_id: uuid.UUID,
    *,
    fallbacks: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    async def approve(session: AsyncSession) -> None:
        flow = await service.find_flow(session, flow_id)
        await control.approve_mappings(session, flow, user_id=None, fallbacks=fallbacks)

    await in_transaction(url, approve)
    return await drive_flow(url, settings, flow_id, ProgressLine(enabled=False))


async def test_each_vm_gets_its_os_from_whichever_column_has_it(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_vinfo_xlsx(tmp_path / "rvtools.xlsx")
    waiting = await run_file(database_url, settings, tenant, path, auto_approve=False)
    assert waiting["status"] == "waiting_for_approval"
    ranks = {
        m["source_field"]: (m["target_field"], m["priority"]) for m in waiting["field_mappings"]
    }
    assert ranks[CONFIG] == ("operating_system", 1)
    assert ranks[TOOLS] == ("operating_system", 2)
    assert ranks["Provisioned MiB"] == ("storage_gb", 1)
    assert ranks["Total disk capacity MiB"] == ("storage_gb", 2)

    done = await _approve_and_finish(database_url, settings, uuid.UUID(waiting["master_flow_id"]))
    assert done["status"] == "completed"
    approved = {m["source_field"]: (m["status"], m["priority"]) for m in done["field_mappings"]}
    assert approved[TOOLS] == ("approved", 2)

    assets = await _assets(database_url, tenant)
    assert len(assets) == 10
    assert all(a.operating_system for a in assets.values()), {
        n: a.operating_system for n, a in assets.items()
    }
    # Powered off, no Tools: the configuration file's OS; no provisioned size: the disks'.
    off = assets[TOOLS_OS_EMPTY]
    assert off.operating_system == "Microsoft Windows Server 2016 (64-bit)"
    assert off.storage_gb == pytest.approx(9 * 40000 / 1024, rel=1e-3)
    # No configuration-file OS: the Tools' one.
    assert assets[CONFIG_OS_EMPTY].operating_system == "Ubuntu Linux (64-bit)"
    # Where both are filled, the primary's value is kept.
    assert assets["crm-app01"].storage_gb == pytest.approx(40960 / 1024, rel=1e-3)


async def test_removing_the_fallback_leaves_the_gap(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_vinfo_xlsx(tmp_path / "rvtools.xlsx")
    waiting = await run_file(database_url, settings, tenant, path, auto_approve=False)
    done = await _approve_and_finish(
        database_url, settings, uuid.UUID(waiting["master_flow_id"]),
        fallbacks={"operating_system": []},
    )  # fmt: skip
    assert done["status"] == "completed"
    approved = {m["source_field"]: m for m in done["field_mappings"]}
    assert (approved[TOOLS]["target_field"], approved[TOOLS]["status"]) == (None, "rejected")
    assert approved[CONFIG]["priority"] is None  # the field's only column now
    assets = await _assets(database_url, tenant)
    assert assets[CONFIG_OS_EMPTY].operating_system is None
    assert assets[TOOLS_OS_EMPTY].operating_system == "Microsoft Windows Server 2016 (64-bit)"


async def _rolled_back(url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            try:
                return await work(session)
            finally:
                await session.rollback()
    finally:
        await engine.dispose()


async def test_approval_sets_replaces_and_checks_fallbacks(
    database_url: str, settings: Any, tmp_path: Path
) -> None:
    tenant = await new_tenant(database_url)
    path = write_vinfo_xlsx(tmp_path / "rvtools.xlsx")
    waiting = await run_file(database_url, settings, tenant, path, auto_approve=False)
    import_id = uuid.UUID(waiting["data_import_id"])

    async def approve(**changes: Any) -> dict[str, tuple[str | None, int | None]]:
        async def work(session: AsyncSession) -> dict[str, tuple[str | None, int | None]]:
            approved = await mapping.approve(
                session,
                data_import_id=import_id,
                client_account_id=tenant.client_account_id,
                user_id=None,
                **changes,
            )
            rows = (
                await session.execute(
                    select(ImportFieldMapping).where(ImportFieldMapping.data_import_id == import_id)
                )
            ).scalars()
            stored = {r.source_field: (r.target_field, r.priority) for r in rows}
            assert {a.source_field: (a.target_field, a.priority) for a in approved} == {
                s: v for s, v in stored.items() if v[0]
            }
            return stored

        result: dict[str, tuple[str | None, int | None]] = await _rolled_back(database_url, work)
        return result

    kept = await approve()
    assert kept[CONFIG] == ("operating_system", 1) and kept[TOOLS] == ("operating_system", 2)

    # The order turned round: the Tools' OS leads once another column is its fallback.
    swapped = await approve(overrides={TOOLS: "operating_system"}, fallbacks={
        "operating_system": [CONFIG]})  # fmt: skip
    assert swapped[TOOLS] == ("operating_system", 1)
    assert swapped[CONFIG] == ("operating_system", 2)

    # A new fallback for a field that had none; an overridden fallback leaves its list.
    more = await approve(
        overrides={"Total disk capacity MiB": "storage_used_gb"},
        unmapped={"In Use MiB"},
        fallbacks={"fqdn": ["VI SDK Server"]},
    )
    assert more["Total disk capacity MiB"] == ("storage_used_gb", None)
    assert more["Provisioned MiB"] == ("storage_gb", None)
    assert more["DNS Name"] == ("fqdn", 1) and more["VI SDK Server"] == ("fqdn", 2)

    # Unmapping the primary promotes its fallback.
    promoted = await approve(unmapped={CONFIG})
    assert promoted[CONFIG] == (None, None)
    assert promoted[TOOLS] == ("operating_system", None)

    errors = [
        ({"fallbacks": {"operating_system": ["Nope"]}}, "no such column in this import: 'Nope'"),
        ({"fallbacks": {"colour": [TOOLS]}}, "not a canonical asset field: 'colour'"),
        (
            {"fallbacks": {"operating_system": ["VM"]}},
            "'VM' is the primary column of 'name': it cannot also be a fallback",
        ),
        (
            {"fallbacks": {"operating_system": [TOOLS], "fqdn": [TOOLS]}},
            f"a column can be listed as a fallback once: '{TOOLS}'",
        ),
        (
            {"fallbacks": {"operating_system": [TOOLS]}, "unmapped": {TOOLS}},
            "is listed as a fallback and also mapped or unmapped",
        ),
        (
            {"fallbacks": {"operating_system": [CONFIG, TOOLS]}},
            "'operating_system' has fallbacks but no primary column",
        ),
        # Two columns for one field without ranks: still the ambiguous choice it was.
        ({"overrides": {TOOLS: "operating_system"}}, "is the target of more than one column"),
    ]
    for changes, message in errors:
        with pytest.raises(mapping.MappingError, match=message.replace("(", r"\(")):
            await approve(**changes)


def test_the_cli_shows_the_ranks_and_approves_with_fallback(
    database_url: str, tmp_path: Path
) -> None:
    env = cli_env(DATABASE_URL=database_url, DISCOVERY_DATA_DIR=str(tmp_path / "data"))
    client = f"Fallbacks {uuid.uuid4().hex[:8]}"
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    assert discovery("tenants", "create-engagement", client, "Wave 1", env=env).returncode == 0
    path = write_vinfo_xlsx(tmp_path / "rvtools.xlsx")

    waiting = discovery("run", str(path), "--client", client, "--engagement", "Wave 1", env=env)
    assert waiting.returncode == 0, waiting.stderr
    lines = waiting.stdout.splitlines()
    assert any(
        line.strip().startswith(f"{TOOLS} -> operating_system (fallback 2)") for line in lines
    ), waiting.stdout
    assert any("-> operating_system (primary)" in line for line in lines), waiting.stdout
    assert "--fallback TARGET=SOURCE" in waiting.stderr
    flow_id = next(line.split()[-1] for line in lines if line.startswith("master flow"))

    bad = discovery("flows", "approve", flow_id, "--fallback", "operating_system", env=env)
    assert bad.returncode != 0 and "--fallback takes TARGET=SOURCE" in bad.stderr
    approved = discovery(
        "flows", "approve", flow_id, "--fallback", "storage_gb=Total disk capacity MiB",
        "--fallback", f"operating_system={TOOLS}", "--json", env=env,
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    summary = json.loads(approved.stdout)
    assert summary["status"] == "completed"
    by_source = {m["source_field"]: m for m in summary["field_mappings"]}
    assert (by_source[TOOLS]["target_field"], by_source[TOOLS]["priority"]) == (
        "operating_system", 2,
    )  # fmt: skip
    assert by_source[CONFIG]["priority"] == 1
    assert all("priority" in m for m in summary["field_mappings"])


def test_the_review_preview_ranks_the_ticked_columns() -> None:
    suggested = suggest_mappings(VINFO_HEADER, vinfo_rows())

    def ranks(choices: dict[str, str | None], ticked: set[str] | None) -> dict[str, Any]:
        chosen = with_choices(suggested, choices, ticked)
        return {s.source_field: (s.target_field, s.priority) for s in chosen.suggestions}

    kept = ranks({TOOLS: "operating_system"}, {TOOLS, "VM ID", "Total disk capacity MiB"})
    assert kept[TOOLS] == ("operating_system", 2)
    assert kept == ranks({}, None)  # the form as suggested previews the suggestion
    changed = ranks({"VM ID": None, "Host": "fqdn"}, {TOOLS, "Host"})
    assert changed["VM ID"] == (None, None)
    assert changed["Host"][0] == "fqdn" and changed["Host"][1] > changed[TOOLS][1]
    assert changed["Total disk capacity MiB"] == ("storage_gb", None)  # unticked
