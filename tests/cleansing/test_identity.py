"""Identity derivation: host name and FQDN from the host column, the FQDN column or the name."""

from __future__ import annotations

import pytest

from discovery.cleansing import FieldMapping, compile_cleanser
from discovery.cleansing.identity import fqdn_of, hostname_of

CMDB = [
    FieldMapping("Name", "name"),
    FieldMapping("Host", "hostname"),
    FieldMapping("FQDN", "fqdn"),
    FieldMapping("Type", "asset_type"),
]


def cleanse(row: dict[str, str]) -> dict[str, object]:
    return dict(compile_cleanser(CMDB)(row).data)


def test_a_dotted_host_column_gives_the_fqdn_too() -> None:
    data = cleanse({"Name": "CRM App", "Host": "CRM-APP-TST01.fin.example.com"})
    assert data["hostname"] == "crm-app-tst01"
    assert data["fqdn"] == "crm-app-tst01.fin.example.com"
    assert data["name"] == "CRM App"


def test_an_fqdn_column_gives_the_host_name() -> None:
    data = cleanse({"FQDN": "Web01.Corp.Local."})
    assert (data["hostname"], data["fqdn"]) == ("web01", "web01.corp.local")


def test_explicit_columns_win_over_derived_values() -> None:
    data = cleanse({"Name": "web09.other.example", "Host": "web01", "FQDN": "web01b.corp.local"})
    assert data["hostname"] == "web01"
    assert data["fqdn"] == "web01b.corp.local"


def test_the_host_column_beats_the_name_for_the_fqdn() -> None:
    data = cleanse({"Name": "web01.name.example", "Host": "web01.dns.example"})
    assert data["fqdn"] == "web01.dns.example"


def test_a_single_host_like_name_gives_the_host_name_and_keeps_its_case() -> None:
    data = cleanse({"Name": "SRV-DB-01"})
    assert data == {"name": "SRV-DB-01", "hostname": "srv-db-01"}


def test_a_dotted_name_gives_host_name_and_fqdn() -> None:
    data = cleanse({"Name": "APP01.Corp.Example.com"})
    assert data["hostname"] == "app01"
    assert data["fqdn"] == "app01.corp.example.com"
    assert data["name"] == "APP01.Corp.Example.com"


def test_a_name_only_gives_the_fqdn_when_it_names_the_same_host() -> None:
    assert "fqdn" not in cleanse({"Name": "app02.corp.example.com", "Host": "app01"})
    assert cleanse({"Name": "app01.corp.example.com", "Host": "APP01"})["fqdn"] == (
        "app01.corp.example.com"
    )


@pytest.mark.parametrize(
    "name",
    ["Payroll SaaS", "10.0.0.12", "12345", "fe80::1", "CORP\\web01", "web 01", "a/b", "x@y"],
)
def test_names_that_are_not_single_host_tokens_give_neither(name: str) -> None:
    data = cleanse({"Name": name})
    assert "hostname" not in data
    assert "fqdn" not in data


def test_an_application_row_gets_no_host_name_from_its_name() -> None:
    data = cleanse({"Name": "payroll", "Type": "Application"})
    assert "hostname" not in data


def test_a_rejected_host_column_derives_nothing_over_the_error() -> None:
    result = compile_cleanser(CMDB)({"Name": "web01.corp.local", "FQDN": "web_01..corp"})
    assert "fqdn" not in result.data
    assert [e.field for e in result.errors] == ["fqdn"]
    assert result.data["hostname"] == "web01"


def test_a_netbios_domain_gives_no_fqdn() -> None:
    data = cleanse({"Host": "CORP\\WEB01"})
    assert data["hostname"] == "web01"
    assert "fqdn" not in data


def test_helpers() -> None:
    assert fqdn_of("A.B.C") == "a.b.c"
    assert fqdn_of("web01") is None
    assert fqdn_of("10.1.2.3") is None
    assert hostname_of("Web01.corp") == "web01"
    assert hostname_of("Payroll SaaS") is None
    assert hostname_of("4711") is None


def test_a_bare_host_name_in_the_fqdn_column_is_the_host_name() -> None:
    result = compile_cleanser(CMDB)({"Name": "ber-mon13 - IIS frontend", "FQDN": "BER-MON13"})
    assert result.data["hostname"] == "ber-mon13"
    assert "fqdn" not in result.data
    assert [e.field for e in result.errors] == ["fqdn"]
