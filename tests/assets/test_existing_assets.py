"""The lookup of the assets a chunk may match: by each key, alternates and folded names."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets.inventory import existing_assets
from tests.factories import Factory


async def test_every_key_finds_its_asset_and_nothing_else(
    session: AsyncSession, factory: Factory
) -> None:
    flow = await factory.flow()
    other = await factory.flow()  # another tenant's twin is never found
    by_key = {
        "external_id": await factory.asset(flow, name="a1", external_id="sys-1"),
        "serial": await factory.asset(flow, name="a2", serial_number="SN-2", memory_gb=1.5),
        "fqdn": await factory.asset(flow, name="a3", fqdn="a3.corp.example"),
        "host": await factory.asset(flow, name="a4", hostname="a4"),
        "host_from_fqdn": await factory.asset(flow, name="a5", hostname="b5"),
        "ip": await factory.asset(flow, name="a6", ip_address="10.1.1.6"),
        "name": await factory.asset(flow, name="Mixed-Case"),
        "alternate": await factory.asset(
            flow, name="a8", custom_attributes={"alternate_ids": "serial_number=SN-8"}
        ),
    }
    await factory.asset(flow, name="unrelated", hostname="zz", ip_address="10.9.9.9")
    await factory.asset(other, name="a1", external_id="sys-1")
    incoming = [
        {"external_id": "sys-1"},
        {"serial_number": "SN-2"},
        {"fqdn": "a3.corp.example"},
        {"hostname": "a4"},
        {"fqdn": "b5.other.example"},
        {"ip_address": "10.1.1.6"},
        {"name": "mixed-case"},
        {"serial_number": "SN-8"},
    ]
    tenant = flow.tenant

    found = await existing_assets(session, tenant.client_account_id, tenant.engagement_id, incoming)

    assert sorted(a["id"] for a in found) == sorted(a.id for a in by_key.values())
    assert [a["id"] for a in found] == [
        a.id for a in sorted(by_key.values(), key=lambda a: (a.created_at, a.id))
    ]
    serial = next(a for a in found if a["id"] == by_key["serial"].id)
    assert serial["memory_gb"] == 1.5 and isinstance(serial["memory_gb"], float)
    without_name = await existing_assets(
        session,
        tenant.client_account_id,
        tenant.engagement_id,
        [{"name": "mixed-case"}],
        order=("external_id", "serial_number", "hostname", "ip_address_name"),
    )
    assert without_name == []
