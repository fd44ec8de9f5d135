"""``classify``: an explicit type column first, then signals, then the fallback."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from discovery.assets.classify import classify
from discovery.canonical import AssetType
from discovery.cleansing.normalizers import normalize_asset_type


def _classified(data: Mapping[str, object], detected_format: str | None = None) -> AssetType:
    result = classify(data, detected_format)
    # Every value classify returns must be a member of the enum, never a bare string.
    assert isinstance(result, AssetType)
    assert result in set(AssetType)
    return result


# --- explicit type column ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_value", "expected"),
    [
        ("Server", AssetType.SERVER),
        ("Physical Server", AssetType.SERVER),
        ("Virtual Machine", AssetType.VIRTUAL_MACHINE),
        ("VM", AssetType.VIRTUAL_MACHINE),
        ("Database", AssetType.DATABASE),
        ("Load Balancer", AssetType.LOAD_BALANCER),
        ("Firewall", AssetType.SECURITY_GROUP),
        ("Switch", AssetType.NETWORK),
        ("Storage Array", AssetType.STORAGE),
        ("Kubernetes Pod", AssetType.CONTAINER),
        ("Business Application", AssetType.APPLICATION),
        ("Printer", AssetType.OTHER),
        # ServiceNow class names (sys_class_name), as cleansing normalises them.
        ("cmdb_ci_win_server", AssetType.SERVER),
        ("cmdb_ci_linux_server", AssetType.SERVER),
        ("cmdb_ci_esx_server", AssetType.SERVER),
        ("cmdb_ci_vmware_instance", AssetType.VIRTUAL_MACHINE),
        ("cmdb_ci_hyper_v_instance", AssetType.VIRTUAL_MACHINE),
        ("cmdb_ci_db_mssql_instance", AssetType.DATABASE),
        ("cmdb_ci_db_ora_instance", AssetType.DATABASE),
        ("cmdb_ci_lb_bigip", AssetType.LOAD_BALANCER),
        ("cmdb_ci_ip_firewall", AssetType.SECURITY_GROUP),
        ("cmdb_ci_ip_switch", AssetType.NETWORK),
        ("cmdb_ci_ip_router", AssetType.NETWORK),
        ("cmdb_ci_storage_device", AssetType.STORAGE),
        ("cmdb_ci_appl_oracle", AssetType.APPLICATION),
        ("cmdb_ci_docker_container", AssetType.CONTAINER),
    ],
)
def test_explicit_type_column_as_cleansing_normalises_it(
    source_value: str, expected: AssetType
) -> None:
    cleansed = normalize_asset_type(source_value)
    assert cleansed == expected.value
    assert _classified({"asset_type": cleansed, "hostname": "web01"}) == expected


def test_explicit_type_wins_over_every_signal() -> None:
    data = {
        "asset_type": "storage",
        "database_type": "Oracle",
        "manufacturer": "F5 Networks",
        "virtualization_platform": "VMware",
        "hostname": "prd-fw-01",
    }
    assert _classified(data, "rvtools_vinfo") == AssetType.STORAGE


def test_an_unrecognised_type_value_falls_back_to_signals() -> None:
    # Cleansing turns an unknown value into None (no error); the signals decide.
    cleansed = normalize_asset_type("Mainframe LPAR thing")
    assert cleansed is None
    data = {"asset_type": cleansed, "manufacturer": "NetApp", "model": "FAS8200"}
    assert _classified(data) == AssetType.STORAGE


# --- hypervisor exports and database columns ---------------------------------------------


def test_rvtools_export_gives_virtual_machines() -> None:
    assert _classified({"name": "app01"}, "rvtools_vinfo") == AssetType.VIRTUAL_MACHINE
    # Even for a row whose name looks like a firewall: every vInfo row is a VM.
    assert _classified({"name": "prd-fw-01"}, "rvtools_vinfo") == AssetType.VIRTUAL_MACHINE


def test_other_formats_are_not_treated_as_hypervisor_exports() -> None:
    assert _classified({"name": "app01"}, "servicenow_cmdb") == AssetType.SERVER
    assert _classified({"name": "app01"}, None) == AssetType.SERVER


@pytest.mark.parametrize("engine", ["Oracle", "Microsoft SQL Server", "PostgreSQL", "MySQL"])
def test_database_engine_column_gives_database(engine: str) -> None:
    data = {"database_type": engine, "hostname": "app01", "operating_system": "RHEL 8"}
    assert _classified(data) == AssetType.DATABASE


def test_database_engine_wins_over_virtualization() -> None:
    data = {"database_type": "Oracle", "virtualization_platform": "VMware", "hostname": "x"}
    assert _classified(data) == AssetType.DATABASE


# --- vendor and model --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("manufacturer", "model", "expected"),
    [
        ("F5 Networks", "BIG-IP 4000", AssetType.LOAD_BALANCER),
        ("F5, Inc.", "", AssetType.LOAD_BALANCER),
        ("Citrix", "NetScaler MPX 8900", AssetType.LOAD_BALANCER),
        ("Cisco Systems", "Catalyst 9300-48P", AssetType.NETWORK),
        ("Cisco", "Nexus 93180YC-EX", AssetType.NETWORK),
        ("Juniper Networks", "EX4300-48T", AssetType.NETWORK),
        ("Juniper Networks", "QFX5100", AssetType.NETWORK),
        ("Arista Networks", "DCS-7050SX-64", AssetType.NETWORK),
        ("Cisco Systems Inc", "UCS B200 M5", AssetType.SERVER),
        ("Cisco Systems Inc", "Cisco UCS C240 M5", AssetType.SERVER),
        ("NetApp", "FAS8200", AssetType.STORAGE),
        ("NetApp, Inc.", "AFF A400", AssetType.STORAGE),
        ("Pure Storage", "FlashArray//X70", AssetType.STORAGE),
        ("PureStorage", "", AssetType.STORAGE),
        ("Palo Alto Networks", "PA-5220", AssetType.SECURITY_GROUP),
        ("Fortinet", "FortiGate-600E", AssetType.SECURITY_GROUP),
        ("Juniper Networks", "SRX340", AssetType.SECURITY_GROUP),  # a firewall, not a switch
        ("Dell Inc.", "PowerEdge R740", AssetType.SERVER),
        ("HPE", "ProLiant DL380 Gen10", AssetType.SERVER),
        ("Lenovo", "ThinkSystem SR650", AssetType.SERVER),
    ],
)
def test_vendor_and_model(manufacturer: str, model: str, expected: AssetType) -> None:
    assert _classified({"manufacturer": manufacturer, "model": model}) == expected


@pytest.mark.parametrize(
    "model",
    [
        # The model strings Cisco UCS servers report (SMBIOS product name / CIMC PID).
        "UCSB-B200-M5",
        "UCSC-C240-M5SX",
        "UCSC-C220-M4S",
        "UCSX-210C-M6",
    ],
)
def test_cisco_ucs_part_numbers_are_servers_not_network(model: str) -> None:
    data = {"manufacturer": "Cisco Systems Inc", "model": model, "hostname": "esx01"}
    assert _classified(data) == AssetType.SERVER


def test_vendor_wins_over_host_name_and_operating_system() -> None:
    data = {"manufacturer": "F5 Networks", "model": "BIG-IP i5800", "hostname": "prd-db-01"}
    assert _classified(data) == AssetType.LOAD_BALANCER


def test_a_virtual_vendor_string_is_a_vm_even_if_it_names_a_vendor_rule() -> None:
    # "Microsoft Corporation Virtual Machine" is Hyper-V's SMBIOS string; the generic
    # rules must not read anything else into it.
    assert (
        _classified({"manufacturer": "Microsoft Corporation", "model": "Virtual Machine"})
        == AssetType.VIRTUAL_MACHINE
    )
    assert (
        _classified({"manufacturer": "VMware, Inc.", "model": "VMware Virtual Platform"})
        == AssetType.VIRTUAL_MACHINE
    )
    assert _classified({"manufacturer": "QEMU", "model": "Standard PC"}) == (
        AssetType.VIRTUAL_MACHINE
    )


def test_an_unknown_vendor_falls_through_to_the_other_signals() -> None:
    data = {"manufacturer": "Acme Computers", "model": "X1", "hostname": "app01"}
    assert _classified(data) == AssetType.SERVER
    assert _classified({**data, "virtualization_platform": "VMware"}) == (AssetType.VIRTUAL_MACHINE)


# --- virtualization columns --------------------------------------------------------------


@pytest.mark.parametrize("platform", ["VMware", "Hyper-V", "KVM", "Nutanix AHV", "Xen"])
def test_a_virtualization_platform_gives_virtual_machine(platform: str) -> None:
    data = {"virtualization_platform": platform, "hostname": "app01"}
    assert _classified(data) == AssetType.VIRTUAL_MACHINE


def test_physical_platform_gives_server() -> None:
    assert _classified({"virtualization_platform": "physical", "hostname": "app01"}) == (
        AssetType.SERVER
    )
    # "physical" also beats a host-name convention.
    assert _classified({"virtualization_platform": "Physical", "hostname": "prd-lb-01"}) == (
        AssetType.SERVER
    )


def test_a_host_column_means_a_guest() -> None:
    assert _classified({"host": "esx01.example.com", "hostname": "app01"}) == (
        AssetType.VIRTUAL_MACHINE
    )


# --- host-name conventions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        ("prd-fw-01", AssetType.SECURITY_GROUP),
        ("fw01", AssetType.SECURITY_GROUP),
        ("edge-asa-2", AssetType.SECURITY_GROUP),
        ("lb01", AssetType.LOAD_BALANCER),
        ("dc1-f5-ltm-01", AssetType.LOAD_BALANCER),
        ("core-sw-01", AssetType.NETWORK),
        ("sw01", AssetType.NETWORK),
        ("dc1-rtr-02", AssetType.NETWORK),
        ("prd-db-01", AssetType.DATABASE),
        ("db01", AssetType.DATABASE),
        ("web_sql_01", AssetType.DATABASE),
        ("nas01", AssetType.STORAGE),
        ("prd-filer-3", AssetType.STORAGE),
        ("k8s-node-01", AssetType.CONTAINER),
        ("PRD-DB-01", AssetType.DATABASE),  # case does not matter
        # No convention: a token only counts whole (or with trailing digits).
        ("web01", AssetType.SERVER),
        ("swift01", AssetType.SERVER),
        ("dbserver", AssetType.SERVER),
        ("prddb01", AssetType.SERVER),
    ],
)
def test_host_name_conventions(hostname: str, expected: AssetType) -> None:
    assert _classified({"hostname": hostname}) == expected


def test_host_name_conventions_apply_to_name_and_fqdn_too() -> None:
    assert _classified({"name": "fw-edge"}) == AssetType.SECURITY_GROUP
    assert _classified({"fqdn": "lb01.example.com"}) == AssetType.LOAD_BALANCER
    # Only the first label of an FQDN is a host name: "db" in the domain is not a hint.
    assert _classified({"fqdn": "app01.db.example.com"}) == AssetType.SERVER


def test_an_operating_system_overrides_host_name_conventions() -> None:
    # A machine with an OS is a server (or VM) even when it is named after its role.
    assert _classified({"hostname": "db01", "operating_system": "Windows Server 2019"}) == (
        AssetType.SERVER
    )


# --- fallback ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"hostname": "app01"},
        {"fqdn": "app01.example.com"},
        {"ip_address": "10.0.0.1"},
        {"name": "Payroll box"},
        {"serial_number": "CZ1234ABC"},
        {"external_id": "CI0001234"},
        {"operating_system": "Red Hat Enterprise Linux 8"},
    ],
)
def test_a_row_with_an_identity_and_no_signal_is_a_server(data: dict[str, str]) -> None:
    assert _classified(data) == AssetType.SERVER


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"environment": "production"},
        {"manufacturer": "Dell Inc."},
        {"hostname": "", "name": None},
        {"cpu_cores": 4, "memory_gb": 16},
    ],
)
def test_a_row_without_identity_or_signal_is_other(data: dict[str, object]) -> None:
    assert _classified(data) == AssetType.OTHER


def test_non_string_values_are_ignored_not_crashed_on() -> None:
    assert _classified({"hostname": 42, "manufacturer": None, "database_type": 0}) == (
        AssetType.OTHER
    )
