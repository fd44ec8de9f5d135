"""The row cleanser: validity, errors, several columns together, mapping-level rules."""

from __future__ import annotations

import json

import pytest

from discovery.assets.models import Asset
from discovery.cleansing import (
    CANONICAL_FIELDS,
    IDENTIFYING_FIELDS,
    INVALID_ROW_REASON,
    CleansedRow,
    FieldError,
    FieldMapping,
    compile_cleanser,
)
from discovery.cleansing import row as row_module
from discovery.cleansing.row import cleanse_value

RVTOOLS = [
    FieldMapping("VM", "name"),
    FieldMapping("DNS Name", "hostname"),
    FieldMapping("Primary IP Address", "ip_address"),
    FieldMapping("CPUs", "cpu_cores"),
    FieldMapping("Memory", "memory_gb", unit="MB"),
    FieldMapping("Provisioned MiB", "storage_gb", unit="MiB"),
    FieldMapping("In Use", "storage_used_gb"),
    FieldMapping("Powerstate", "power_state"),
    FieldMapping("Cluster", "cluster"),
    FieldMapping("Host", "host"),
    FieldMapping("OS according to the VMware Tools", "operating_system"),
    FieldMapping("Env", "environment"),
    FieldMapping("Tags", "tags"),
]


def test_the_contract_fields_are_the_asset_model_columns() -> None:
    assert set(CANONICAL_FIELDS) <= set(Asset.__table__.columns.keys())
    assert len(CANONICAL_FIELDS) == len(set(CANONICAL_FIELDS)) == 37
    assert IDENTIFYING_FIELDS == (
        "name",
        "hostname",
        "fqdn",
        "ip_address",
        "serial_number",
        "external_id",
    )


def test_a_full_rvtools_row() -> None:
    cleanse = compile_cleanser(RVTOOLS)
    result = cleanse(
        {
            "VM": " APP-SRV-01 ",
            "DNS Name": "APP-SRV-01.corp.example.com",
            "Primary IP Address": "fe80::1, 10.20.30.40",
            "CPUs": "4",
            "Memory": "16384",
            "Provisioned MiB": "204,800",
            "In Use": "120.5 GB",
            "Powerstate": "poweredOn",
            "Cluster": "CL-PROD-01",
            "Host": "ESX01.corp.example.com",
            "OS according to the VMware Tools": "Microsoft Windows Server 2019 (64-bit)",
            "Env": "PRD",
            "Tags": "pci; backup",
            "Unmapped column": "ignored",
        }
    )
    assert result == CleansedRow(
        data={
            "name": "APP-SRV-01",
            "hostname": "app-srv-01",
            "ip_address": "10.20.30.40",
            "cpu_cores": 4,
            "memory_gb": 16.0,
            "storage_gb": 200.0,
            "storage_used_gb": 120.5,
            "power_state": "on",
            "cluster": "CL-PROD-01",
            "host": "esx01.corp.example.com",
            "operating_system": "Microsoft Windows Server 2019 (64-bit)",
            "environment": "production",
            "tags": ["pci", "backup"],
            # derived from the DNS Name column's dotted value (identity derivation)
            "fqdn": "app-srv-01.corp.example.com",
        },
        errors=[],
        is_valid=True,
        invalid_reason=None,
    )
    json.dumps(result.data, allow_nan=False)


def test_a_bad_ip_is_nulled_with_an_error_but_the_row_stays_valid() -> None:
    cleanse = compile_cleanser(RVTOOLS)
    result = cleanse({"VM": "web01", "Primary IP Address": " 10.0.0.300 ", "CPUs": "2"})
    assert result.data == {"name": "web01", "cpu_cores": 2, "hostname": "web01"}
    assert result.errors == [FieldError("ip_address", "10.0.0.300", "not a valid IP address")]
    assert result.is_valid is True
    assert result.invalid_reason is None


def test_several_bad_values_are_all_reported_in_mapping_order() -> None:
    cleanse = compile_cleanser(RVTOOLS)
    result = cleanse({"VM": "web01", "Primary IP Address": "nope", "CPUs": "2.5", "Env": "Nonprod"})
    assert result.errors == [
        FieldError("ip_address", "nope", "not a valid IP address"),
        FieldError("cpu_cores", "2.5", "not a whole number"),
        FieldError("environment", "Nonprod", 'unknown environment "Nonprod"'),
    ]
    assert result.data == {"name": "web01", "hostname": "web01"}
    assert result.is_valid


def test_a_row_without_any_identifying_value_is_invalid() -> None:
    cleanse = compile_cleanser(RVTOOLS)
    result = cleanse({"VM": " n/a ", "DNS Name": "", "CPUs": "4", "Cluster": "CL1"})
    assert result.is_valid is False
    assert result.invalid_reason == INVALID_ROW_REASON
    assert result.invalid_reason == (
        "no identifying value: the row has no name, hostname, FQDN, IP address, "
        "serial number or external id"
    )
    assert result.data == {"cpu_cores": 4, "cluster": "CL1"}
    assert result.errors == []


def test_a_row_whose_only_identifier_is_bad_is_invalid_and_lists_the_error() -> None:
    cleanse = compile_cleanser(RVTOOLS)
    result = cleanse({"Primary IP Address": "10.0.0.256", "CPUs": "4"})
    assert result.is_valid is False
    assert result.invalid_reason == INVALID_ROW_REASON
    assert result.errors == [FieldError("ip_address", "10.0.0.256", "not a valid IP address")]


@pytest.mark.parametrize("field", IDENTIFYING_FIELDS)
def test_any_single_identifying_field_makes_a_row_valid(field: str) -> None:
    cleanse = compile_cleanser([FieldMapping("id", field), FieldMapping("cpu", "cpu_cores")])
    value = {"ip_address": "10.0.0.1", "fqdn": "a.example.com"}.get(field, "abc1")
    assert cleanse({"id": value, "cpu": "2"}).is_valid
    assert not cleanse({"id": "", "cpu": "2"}).is_valid


def test_no_mappings_means_every_row_is_invalid() -> None:
    result = compile_cleanser([])({"anything": "x"})
    assert result == CleansedRow({}, [], False, INVALID_ROW_REASON)


def test_an_empty_row_and_missing_columns() -> None:
    result = compile_cleanser(RVTOOLS)({})
    assert (result.data, result.errors, result.is_valid) == ({}, [], False)


def test_hostname_holding_an_ip_does_not_fill_ip_address() -> None:
    cleanse = compile_cleanser(
        [FieldMapping("Host Name", "hostname"), FieldMapping("Name", "name")]
    )
    result = cleanse({"Host Name": "10.1.2.3", "Name": "x"})
    # The rejected host column leaves the host name empty: nothing is derived over an error.
    assert result.data == {"name": "x"}
    assert result.errors == [FieldError("hostname", "10.1.2.3", "an IP address, not a host name")]


def test_a_bare_name_in_the_fqdn_column_is_an_error_and_the_host_name() -> None:
    # Issue 11: "An FQDN column gives no hostname" was a defect; a bare name there is
    # still no FQDN (the error says so), but it is the machine's host name.
    cleanse = compile_cleanser([FieldMapping("FQDN", "fqdn")])
    result = cleanse({"FQDN": "WEB01"})
    assert result.data == {"hostname": "web01"}
    assert result.errors == [FieldError("fqdn", "WEB01", "not a fully-qualified name")]
    assert result.is_valid


def test_unit_from_the_mapping_and_from_the_value_suffix() -> None:
    cleanse = compile_cleanser(
        [
            FieldMapping("Name", "name"),
            FieldMapping("Memory MB", "memory_gb", unit="MB"),
            FieldMapping("Disk", "storage_gb"),
            FieldMapping("Used KB", "storage_used_gb", unit="KiB"),
        ]
    )
    assert cleanse(
        {"Name": "a", "Memory MB": "4096", "Disk": "100", "Used KB": "1048576"}
    ).data == {
        "name": "a",
        "memory_gb": 4.0,
        "storage_gb": 100.0,
        "storage_used_gb": 1.0,
        "hostname": "a",
    }
    assert cleanse(
        {"Name": "a", "Memory MB": "4 GB", "Disk": "1 TB", "Used KB": "512 MB"}
    ).data == {
        "name": "a",
        "memory_gb": 4.0,
        "storage_gb": 1024.0,
        "storage_used_gb": 0.5,
        "hostname": "a",
    }


def test_one_column_mapped_to_two_fields() -> None:
    cleanse = compile_cleanser([FieldMapping("Server", "name"), FieldMapping("Server", "hostname")])
    assert cleanse({"Server": "WEB01.corp.local"}).data == {
        "name": "WEB01.corp.local",
        "hostname": "web01",
        "fqdn": "web01.corp.local",
    }


def test_several_columns_for_one_field_first_usable_value_wins() -> None:
    cleanse = compile_cleanser(
        [
            FieldMapping("Primary IP", "ip_address"),
            FieldMapping("IP Addresses", "ip_address"),
            FieldMapping("Name", "name"),
            FieldMapping("Display Name", "name"),
        ]
    )
    both = cleanse(
        {"Primary IP": "10.0.0.1", "IP Addresses": "10.0.0.2", "Name": "a", "Display Name": "b"}
    )
    assert both.data == {"ip_address": "10.0.0.1", "name": "a", "hostname": "a"}
    assert both.errors == []
    fallback = cleanse({"Primary IP": "n/a", "IP Addresses": "10.0.0.2", "Display Name": " b  c "})
    assert fallback.data == {"ip_address": "10.0.0.2", "name": "b c"}
    bad_first = cleanse({"Primary IP": "bogus", "IP Addresses": "10.0.0.2", "Name": "a"})
    assert bad_first.data == {"ip_address": "10.0.0.2", "name": "a", "hostname": "a"}
    assert bad_first.errors == [FieldError("ip_address", "bogus", "not a valid IP address")]


def test_several_tag_columns_are_merged_without_duplicates() -> None:
    cleanse = compile_cleanser(
        [FieldMapping("Name", "name"), FieldMapping("Tags", "tags"), FieldMapping("Labels", "tags")]
    )
    result = cleanse({"Name": "a", "Tags": "pci, backup", "Labels": "backup|dmz"})
    assert result.data["tags"] == ["pci", "backup", "dmz"]
    only_second = cleanse({"Name": "a", "Tags": "", "Labels": "dmz"})
    assert only_second.data["tags"] == ["dmz"]


def test_an_exactly_repeated_mapping_is_applied_once() -> None:
    cleanse = compile_cleanser([FieldMapping("Tags", "tags"), FieldMapping("Tags", "tags")])
    assert cleanse({"Tags": "a, b"}).data == {"tags": ["a", "b"]}


def test_list_values_are_not_shared_between_rows() -> None:
    cleanse = compile_cleanser([FieldMapping("Tags", "tags"), FieldMapping("Deps", "depends_on")])
    first = cleanse({"Tags": "a, b", "Deps": "db01"})
    first.data["tags"].append("mutated")  # type: ignore[attr-defined]
    first.data["depends_on"].append("mutated")  # type: ignore[attr-defined]
    second = cleanse({"Tags": "a, b", "Deps": "db01"})
    assert second.data == {"tags": ["a", "b"], "depends_on": ["db01"]}


def test_the_memo_stays_bounded_and_results_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(row_module, "MEMO_SIZE", 3)
    cleanse = row_module.compile_cleanser([FieldMapping("Mem", "memory_gb", unit="MB")])
    for n in range(1, 50):
        assert cleanse({"Mem": str(n * 1024)}).data == {"memory_gb": float(n)}
    for n in range(1, 50):
        assert cleanse({"Mem": str(n * 1024)}).data == {"memory_gb": float(n)}
    # A rejected value is reported every time, not remembered as absent.
    assert cleanse({"Mem": "lots"}).errors == [FieldError("memory_gb", "lots", "not a size")]
    assert cleanse({"Mem": "lots"}).errors == [FieldError("memory_gb", "lots", "not a size")]


def test_memoised_values_are_per_mapping_unit() -> None:
    cleanse = compile_cleanser(
        [FieldMapping("A", "memory_gb", unit="MB"), FieldMapping("B", "storage_gb", unit="TB")]
    )
    assert cleanse({"A": "2", "B": "2"}).data == {"memory_gb": 0.002, "storage_gb": 2048.0}


def test_whitespace_and_zero_width_characters_around_values() -> None:
    cleanse = compile_cleanser([FieldMapping("n", "name"), FieldMapping("ip", "ip_address")])
    result = cleanse({"n": "\ufeff\u00a0 web01\u200b \u3000", "ip": "\u00a010.0.0.1\u2009"})
    assert result.data == {"name": "web01", "ip_address": "10.0.0.1", "hostname": "web01"}


def test_values_that_are_not_strings_are_tolerated() -> None:
    cleanse = compile_cleanser(
        [FieldMapping("n", "name"), FieldMapping("c", "cpu_cores"), FieldMapping("m", "memory_gb")]
    )
    result = cleanse({"n": None, "c": 4, "m": 16.5})  # type: ignore[dict-item]
    assert result.data == {"cpu_cores": 4, "memory_gb": 16.5}
    assert not result.is_valid


def test_unknown_target_field_fails_fast() -> None:
    with pytest.raises(ValueError, match=r"'type'.*not a canonical field"):
        compile_cleanser([FieldMapping("Type", "type")])
    with pytest.raises(ValueError, match="not a canonical field"):
        compile_cleanser([FieldMapping("Name", "name"), FieldMapping("x", "custom_attributes")])


@pytest.mark.parametrize("unit", ["MHz", "GBit", "%", "kg"])
def test_unknown_size_unit_fails_fast(unit: str) -> None:
    with pytest.raises(ValueError, match="unknown size unit"):
        compile_cleanser([FieldMapping("Memory", "memory_gb", unit=unit)])


def test_a_unit_on_a_field_without_units_is_ignored() -> None:
    cleanse = compile_cleanser(
        [
            FieldMapping("CPU %", "cpu_utilization_percent_max", unit="%"),
            FieldMapping("CPUs", "cpu_cores", unit="MB"),
            FieldMapping("Name", "name", unit="GB"),
        ]
    )
    assert cleanse({"CPU %": "45", "CPUs": "4", "Name": "a"}).data == {
        "cpu_utilization_percent_max": 45.0,
        "cpu_cores": 4,
        "name": "a",
        "hostname": "a",
    }


def test_compiled_cleanser_is_independent_of_the_mapping_list_afterwards() -> None:
    mappings = [FieldMapping("Name", "name")]
    cleanse = compile_cleanser(mappings)
    mappings.append(FieldMapping("CPU", "cpu_cores"))
    assert cleanse({"Name": "a", "CPU": "2"}).data == {"name": "a", "hostname": "a"}


def test_memoised_columns_still_report_every_bad_value_and_skip_null_markers() -> None:
    cleanse = compile_cleanser(
        [
            FieldMapping("n", "name"),
            FieldMapping("Env", "environment"),
            FieldMapping("OS", "operating_system"),
        ]
    )
    for _ in range(3):
        bad = cleanse({"n": "a", "Env": " Nonprod ", "OS": "n/a"})
        assert bad.errors == [FieldError("environment", "Nonprod", 'unknown environment "Nonprod"')]
        assert bad.data == {"name": "a", "hostname": "a"}
        good = cleanse({"n": "a", "Env": "PRD", "OS": " Ubuntu  22.04 "})
        assert good.data == {
            "name": "a",
            "environment": "production",
            "operating_system": "Ubuntu 22.04",
            "hostname": "a",
        }
        assert good.errors == []


def test_unhashable_cell_values_do_not_crash_the_memo() -> None:
    cleanse = compile_cleanser(
        [FieldMapping("n", "name"), FieldMapping("t", "tags"), FieldMapping("c", "cluster")]
    )
    result = cleanse({"n": "a", "t": ["x", "y"], "c": {"k": 1}})  # type: ignore[dict-item]
    assert result.is_valid and result.errors == []
    assert result.data["cluster"] == "{'k': 1}"  # converted with str()
    tags = result.data["tags"]
    assert isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)


def test_cores_per_socket_times_the_sockets_are_the_total() -> None:
    # ServiceNow: cpu_count is the number of CPUs, cpu_core_count the cores of each.
    cleanse = compile_cleanser(
        [
            FieldMapping("name", "name"),
            FieldMapping("cpu_count", "cpu_sockets"),
            FieldMapping("cpu_core_count", "cpu_cores", unit="per socket"),
        ]
    )
    assert cleanse({"name": "a", "cpu_count": "2", "cpu_core_count": "8"}).data["cpu_cores"] == 16
    # Without a socket count the per-socket figure is all there is.
    assert cleanse({"name": "a", "cpu_core_count": "8"}).data["cpu_cores"] == 8
    # Without the unit the column is the total.
    plain = compile_cleanser([FieldMapping("c", "cpu_cores"), FieldMapping("s", "cpu_sockets")])
    assert plain({"c": "8", "s": "2"}).data["cpu_cores"] == 8


@pytest.mark.parametrize("field", ["name", "operating_system", "application_name"])
@pytest.mark.parametrize(
    ("raw", "cleansed"),
    [
        ("\t=1+1", "\t=1+1"),  # the TAB kept: stripping it would make a live formula
        ("\r=1+1", "\r=1+1"),
        ("  @SUM(A1)  ", "  @SUM(A1)"),
        ("=1+1", "=1+1"),  # as typed; the exports neutralise it
        ("  -5 ", "-5"),  # a plain number is no formula: stripped as always
        ("  web  01 ", "web 01"),
    ],
)
def test_stripping_never_turns_a_value_into_a_formula(field: str, raw: str, cleansed: str) -> None:
    cleanse = compile_cleanser([FieldMapping("c", field)])
    assert cleanse({"c": raw}).data[field] == cleansed
    assert cleanse_value(field, raw) == (cleansed, None)
