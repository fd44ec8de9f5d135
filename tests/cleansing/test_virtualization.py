"""Virtualisation evidence from the columns exports use, and its negatives."""

from __future__ import annotations

import pytest

from discovery.assets.classify import classify
from discovery.canonical import AssetType
from discovery.cleansing import FieldMapping, compile_cleanser
from discovery.cleansing.virtualization import evidence_columns, hardware_evidence

MAPPED = [
    FieldMapping("Name", "name"),
    FieldMapping("Manufacturer", "manufacturer"),
    FieldMapping("Model", "model"),
    FieldMapping("Class", "asset_type"),
]


def platform(row: dict[str, str]) -> object:
    data = compile_cleanser(MAPPED, list(row))(row).data
    return data.get("virtualization_platform")


def asset_type(row: dict[str, str], detected: str | None = None) -> AssetType:
    return classify(compile_cleanser(MAPPED, list(row))(row).data, detected)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"Name": "a", "virtual": "true"}, "virtual"),  # ServiceNow
        ({"Name": "a", "virtual": "false"}, "physical"),
        ({"Name": "a", "IsPhysical": "0"}, "virtual"),  # Google Migration Center
        ({"Name": "a", "IsPhysical": "1"}, "physical"),
        ({"Name": "a", "Virtual?": "Y"}, "virtual"),  # a hand-kept sheet
        ({"Name": "a", "Is Virtual": "No"}, "physical"),
        ({"Name": "a", "VMware.MoRefId": "vm-1042"}, "VMware"),  # AWS import template
        ({"Name": "a", "VMware.VCenterId": "7f1c"}, "VMware"),
        ({"Name": "a", "VM UUID": "4210c0a4-5f4e"}, "VMware"),
        ({"Name": "a", "Virtual Machine ID": "50110631-26d8"}, "virtual"),  # Azure Migrate
        ({"Name": "a", "virtual": "true", "VM UUID": "4210c0a4"}, "VMware"),
        ({"Name": "a", "Server type": "Virtual"}, "virtual"),
        ({"Name": "a", "Server type": "Physical"}, "physical"),
        ({"Name": "a", "Hypervisor": "Microsoft Hyper-V 2019"}, "Hyper-V"),
        (
            {"Name": "a", "Manufacturer": "VMware, Inc.", "Model": "VMware Virtual Platform"},
            "VMware",
        ),
        (
            {"Name": "a", "Manufacturer": "Microsoft Corporation", "Model": "Virtual Machine"},
            "Hyper-V",
        ),
        (
            {"Name": "a", "Manufacturer": "QEMU", "Model": "Standard PC (i440FX + PIIX, 1996)"},
            "KVM",
        ),
        ({"Name": "a", "Manufacturer": "Dell Inc.", "Model": "PowerEdge R740"}, "physical"),
        # The flag says virtual, the hardware says which platform.
        ({"Name": "a", "virtual": "true", "Manufacturer": "VMware, Inc."}, "VMware"),
        # The hardware beats a CMDB flag, which is often wrong.
        ({"Name": "a", "virtual": "false", "Model": "VMware Virtual Platform"}, "VMware"),
        ({"Name": "a", "virtual": "true", "Model": "PowerEdge R640"}, "physical"),
        # Contradictory hardware says nothing; the flag decides.
        (
            {
                "Name": "a",
                "virtual": "false",
                "Manufacturer": "VMware, Inc.",
                "Model": "PowerEdge R740",
            },
            "physical",
        ),
    ],
)
def test_evidence_is_recorded_as_the_platform(row: dict[str, str], expected: str) -> None:
    assert platform(row) == expected


@pytest.mark.parametrize(
    "row",
    [
        {"Name": "a"},
        {"Name": "a", "Server type": "Web server"},  # says nothing about virtualisation
        {"Name": "a", "virtual": "maybe"},
        {"Name": "a", "IsPhysical": ""},
        {"Name": "a", "Virtual Machine ID": ""},  # Azure Migrate: empty for physical servers
        {"Name": "a", "Manufacturer": "Acme"},
        {"Name": "a", "Notes": "virtual"},  # not a column that says so
    ],
)
def test_no_evidence_records_nothing(row: dict[str, str]) -> None:
    assert platform(row) is None


def test_a_mapped_platform_column_is_kept() -> None:
    mappings = [FieldMapping("Name", "name"), FieldMapping("Platform", "virtualization_platform")]
    row = {"Name": "a", "Platform": "Nutanix AHV", "IsPhysical": "1"}
    assert compile_cleanser(mappings, list(row))(row).data["virtualization_platform"] == (
        "Nutanix AHV"
    )


@pytest.mark.parametrize(("value", "expected"), [("Yes", "virtual"), ("N", "physical")])
def test_a_yes_no_column_mapped_to_the_platform(value: str, expected: str) -> None:
    mappings = [
        FieldMapping("Name", "name"),
        FieldMapping("Virtualized", "virtualization_platform"),
    ]
    row = {"Name": "a", "Virtualized": value}
    assert compile_cleanser(mappings)(row).data["virtualization_platform"] == expected


def test_explicit_server_with_virtual_evidence_is_a_virtual_machine() -> None:
    assert asset_type({"Name": "a", "Class": "cmdb_ci_server", "virtual": "true"}) is (
        AssetType.VIRTUAL_MACHINE
    )
    assert (
        asset_type({"Name": "a", "Class": "Server", "Virtual?": "Y"}) is AssetType.VIRTUAL_MACHINE
    )
    assert asset_type({"Name": "a", "IsPhysical": "0"}) is AssetType.VIRTUAL_MACHINE
    assert (
        asset_type(
            {"Name": "a", "Manufacturer": "VMware, Inc.", "Model": "VMware Virtual Platform"}
        )
        is AssetType.VIRTUAL_MACHINE
    )


def test_a_physical_dell_is_never_virtual() -> None:
    row = {"Name": "a", "Class": "Server", "Manufacturer": "Dell Inc.", "Model": "PowerEdge R640"}
    assert asset_type(row) is AssetType.SERVER
    assert asset_type({**row, "virtual": "false"}) is AssetType.SERVER
    assert asset_type({**row, "virtual": "true"}) is AssetType.SERVER  # the hardware wins
    assert asset_type({"Name": "a", "IsPhysical": "1"}) is AssetType.SERVER


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Load Balancer", AssetType.LOAD_BALANCER),
        ("Database", AssetType.DATABASE),
        ("Container", AssetType.CONTAINER),
        ("Firewall", AssetType.SECURITY_GROUP),
    ],
)
def test_appliances_keep_their_type_even_when_virtual(kind: str, expected: AssetType) -> None:
    assert asset_type({"Name": "a", "Class": kind, "virtual": "true"}) is expected


def test_evidence_columns_are_found_by_header_whatever_the_spelling() -> None:
    found = evidence_columns(["VM", "IsPhysical", "Is Virtual?", "VMware.MoRefId", "Notes"])
    assert [(c.source, c.kind) for c in found] == [
        ("IsPhysical", "physical_flag"),
        ("Is Virtual?", "virtual_flag"),
        ("VMware.MoRefId", "vm_id"),
    ]


def test_hardware_evidence_negatives() -> None:
    assert hardware_evidence("HPE", "ProLiant DL380 Gen10") == "physical"
    assert hardware_evidence("Lenovo", "ThinkSystem SR650") == "physical"
    assert hardware_evidence(None, None) is None
    assert hardware_evidence("VMware, Inc.", "PowerEdge R740") is None
    assert hardware_evidence(None, None, "VMware-42 1a 6f 3b") == "VMware"
    assert hardware_evidence("Dell Inc.", "PowerEdge R740", "CZJ1234") == "physical"
    assert hardware_evidence("Contoso", "Model 9") is None
