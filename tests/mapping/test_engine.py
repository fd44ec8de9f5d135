"""Focused behaviour of the mapping engine: conflicts, learning, values, units, contract."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from discovery.mapping.engine import CANONICAL_FIELDS, Suggestion, suggest_mappings
from discovery.mapping.models import MatchType
from tests.mapping.test_fixtures import ALL_FIXTURES

SCHEMA_DOC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "asset-schema.md"


def _by_header(
    headers: list[str], rows: list[dict[str, str]], **kw: object
) -> dict[str, Suggestion]:
    result = suggest_mappings(headers, rows, **kw)  # type: ignore[arg-type]
    return {s.source_field: s for s in result.suggestions}


def _rows(columns: dict[str, list[str]], n: int = 24) -> list[dict[str, str]]:
    return [{h: values[i % len(values)] for h, values in columns.items()} for i in range(n)]


# --- contract -----------------------------------------------------------------------


def test_canonical_fields_follow_the_schema_doc() -> None:
    expected = [
        "name", "hostname", "fqdn", "ip_address", "mac_address", "serial_number", "external_id",
        "asset_type", "operating_system", "os_version", "cpu_cores", "cpu_sockets", "memory_gb",
        "storage_gb", "storage_used_gb", "disk_count", "nic_count", "virtualization_platform",
        "power_state", "manufacturer", "model", "database_type", "database_version",
        "cpu_utilization_percent_max", "memory_utilization_percent_max", "environment",
        "datacenter", "location", "cluster", "host", "application_name", "business_owner",
        "technical_owner", "business_unit", "criticality", "tags", "depends_on",
    ]  # fmt: skip
    assert list(CANONICAL_FIELDS) == expected
    if SCHEMA_DOC.exists():
        text = SCHEMA_DOC.read_text()
        documented = re.findall(r"^\| ([a-z_]+) \|", text, flags=re.M)
        assert list(CANONICAL_FIELDS) == [f for f in documented if f != "field"]


def test_suggestion_invariants_hold_on_every_fixture() -> None:
    allowed = {m.value for m in MatchType} - {MatchType.MANUAL.value}
    for fixture in ALL_FIXTURES:
        result = suggest_mappings(fixture.headers, fixture.rows)
        primaries = [s.target_field for s in result.suggestions if s.target_field and
                     (s.priority or 1) == 1]  # fmt: skip
        assert len(primaries) == len(set(primaries)), fixture.name
        for s in result.suggestions:
            if s.priority is not None and s.priority >= 2:
                assert s.target_field in primaries, (fixture.name, s.source_field)
                assert s.reason.startswith(f"fallback {s.priority} for {s.target_field}")
        for s in result.suggestions:
            assert 0.0 <= s.confidence <= 1.0
            assert s.confidence == round(s.confidence, 3)
            assert s.match_type is None or s.match_type in allowed
            assert s.target_field is None or s.target_field in CANONICAL_FIELDS
            assert s.reason
            assert len(s.alternatives) <= 3
            assert all(a.target_field != s.target_field for a in s.alternatives)
            confs = [a.confidence for a in s.alternatives]
            assert confs == sorted(confs, reverse=True)
            if s.target_field is not None:
                assert s.confidence >= 0.5
            if s.target_field in {"memory_gb", "storage_gb", "storage_used_gb"}:
                assert s.unit in {"B", "KB", "MB", "GB", "TB"}
            elif s.target_field in {
                "cpu_utilization_percent_max",
                "memory_utilization_percent_max",
            }:
                assert s.unit == "%"
            elif s.target_field == "cpu_cores":
                # ServiceNow's cpu_core_count counts one socket's cores.
                assert s.unit in {None, "per socket"}
            else:
                assert s.unit is None


def test_deterministic() -> None:
    fixture = next(f for f in ALL_FIXTURES if f.name == "handmade_consultant_workbook")
    first = suggest_mappings(fixture.headers, fixture.rows)
    again = suggest_mappings(list(fixture.headers), [dict(r) for r in fixture.rows])
    assert first == again
    learned_a = {"Type": "asset_type", "Tier": None, "Site": "datacenter"}
    learned_b = dict(reversed(list(learned_a.items())))
    assert suggest_mappings(fixture.headers, fixture.rows, learned_a) == suggest_mappings(
        fixture.headers, fixture.rows, learned_b
    )


def test_headers_only_without_samples() -> None:
    got = _by_header(["Server Name", "IP Address", "RAM (GB)", "Notes"], [])
    assert {h: s.target_field for h, s in got.items()} == {
        "Server Name": "name",
        "IP Address": "ip_address",
        "RAM (GB)": "memory_gb",
        "Notes": None,
    }
    assert got["RAM (GB)"].unit == "GB"


# --- conflicts ----------------------------------------------------------------------


def test_primary_ip_wins_and_losers_show_ip_as_alternative() -> None:
    rng = random.Random(3)
    ips = [f"10.0.{rng.randrange(255)}.{rng.randrange(1, 255)}" for _ in range(30)]
    rows = _rows(
        {
            "Server": [f"srv{i:02d}" for i in range(30)],
            "Backup IP": [f"10.9.{i}.5" for i in range(30)],
            "Secondary IP": [f"10.8.{i}.5" for i in range(30)],
            "Primary IP": ips,
        },
        30,
    )
    got = _by_header(["Server", "Backup IP", "Secondary IP", "Primary IP"], rows)
    assert got["Primary IP"].target_field == "ip_address"
    for loser in ("Backup IP", "Secondary IP"):
        s = got[loser]
        assert s.target_field is None
        assert s.match_type is None
        assert s.confidence == 0.0
        assert s.alternatives[0].target_field == "ip_address"
        assert s.alternatives[0].confidence >= 0.5
        assert "ip_address went to 'Primary IP'" in s.reason


def test_two_name_like_columns_become_name_and_hostname() -> None:
    rows = _rows(
        {
            "Host Name": [f"web{i:02d}" for i in range(24)],
            "Server Name": [f"WEB{i:02d} (prod)" for i in range(24)],
        }
    )
    got = _by_header(["Host Name", "Server Name"], rows)
    assert got["Host Name"].target_field == "hostname"
    assert got["Server Name"].target_field == "name"


@pytest.mark.parametrize(
    ("header", "target"),
    [("Server", "name"), ("Server Name", "name"), ("VM", "name"), ("CI Name", "name"),
     ("Hostname", "hostname")],
)  # fmt: skip
def test_single_name_column(header: str, target: str) -> None:
    rows = _rows({header: [f"app{i:02d}" for i in range(20)], "OS": ["Windows Server 2019"]})
    assert _by_header([header, "OS"], rows)[header].target_field == target


def test_one_column_per_target_earlier_column_wins_a_tie() -> None:
    rows = _rows({"Application": ["Payroll", "CRM"], "App": ["HR", "Sales"]})
    got = _by_header(["Application", "App"], rows)
    assert got["Application"].target_field == "application_name"
    assert got["App"].target_field is None
    assert got["App"].alternatives[0].target_field == "application_name"


def test_rvtools_os_is_the_configuration_file_then_the_tools() -> None:
    fixture = next(f for f in ALL_FIXTURES if f.name == "rvtools_vinfo")
    got = _by_header(fixture.headers, fixture.rows)
    primary = got["OS according to the configuration file"]
    fallback = got["OS according to the VMware Tools"]
    assert (primary.target_field, primary.priority) == ("operating_system", 1)
    assert (fallback.target_field, fallback.priority) == ("operating_system", 2)
    assert fallback.match_type == "format"
    assert "read where 'OS according to the configuration file' is empty" in fallback.reason
    assert all(a.target_field != "operating_system" for a in fallback.alternatives)

    # The filled column is the primary: with an empty configuration-file column the
    # Tools' OS leads, and the configuration file still backs it up.
    no_config = [dict(r, **{"OS according to the configuration file": ""}) for r in fixture.rows]
    got = _by_header(fixture.headers, no_config)
    assert got["OS according to the VMware Tools"].priority == 1
    assert got["OS according to the configuration file"].priority == 2
    assert got["OS according to the configuration file"].target_field == "operating_system"


def test_known_export_fallbacks_follow_the_catalogue_order() -> None:
    rvtools = next(f for f in ALL_FIXTURES if f.name == "rvtools_vinfo")
    got = _by_header(rvtools.headers, rvtools.rows)
    assert (got["Provisioned MiB"].priority, got["Total disk capacity MiB"].priority) == (1, 2)
    assert got["Total disk capacity MiB"].unit == "MB"
    aws = next(f for f in ALL_FIXTURES if f.name == "aws_migration_hub")
    got = _by_header(aws.headers, aws.rows)
    ids = [(h, got[h].target_field, got[h].priority) for h in ("ExternalId", "VMware.MoRefId",
                                                                 "ServerId")]  # fmt: skip
    assert ids == [
        ("ExternalId", "external_id", 1),
        ("VMware.MoRefId", "external_id", 2),
        ("ServerId", "external_id", 3),
    ]


def test_stand_ins_never_back_up_an_empty_cell() -> None:
    aws = next(f for f in ALL_FIXTURES if f.name == "aws_migration_hub")
    got = _by_header(aws.headers, aws.rows)
    # Threads are not cores, an average is not a peak: not fallbacks.
    assert got["CPU.NumberOfCores"].priority is None
    assert got["CPU.NumberOfLogicalCores"].target_field is None
    assert got["CPU.UsagePct.Avg"].target_field is None
    servicenow = next(f for f in ALL_FIXTURES if f.name == "servicenow_labels")
    got = _by_header(servicenow.headers, servicenow.rows)
    assert got["Support group"].target_field is None
    assert got["Managed by"].priority is None


@pytest.mark.parametrize(
    ("primary", "fallback", "target"),
    [
        ("OS", "OS (Tools)", "operating_system"),
        ("Operating System", "Guest OS", "operating_system"),
        ("IP Address", "Primary IP", "ip_address"),
    ],
)
def test_handmade_strong_pairs_get_a_fallback(primary: str, fallback: str, target: str) -> None:
    values = (
        ["Windows Server 2019", "Red Hat Enterprise Linux 8"]
        if target == "operating_system"
        else [f"10.0.0.{i}" for i in range(1, 25)]
    )
    rows = _rows({"Server": _hosts(24), primary: values, fallback: [*values[1:], values[0]]}, 24)
    for row in rows[::3]:
        row[fallback] = ""  # the more filled column leads
    got = _by_header(["Server", primary, fallback], rows)
    assert (got[primary].target_field, got[primary].priority) == (target, 1)
    assert (got[fallback].target_field, got[fallback].priority) == (target, 2)


@pytest.mark.parametrize(
    ("first", "second", "target"),
    [
        ("IP Address", "Backup IP", "ip_address"),
        ("IP Address", "Mgmt IP", "ip_address"),
        ("IP Address", "Host IP", "ip_address"),
        ("Operating System", "Target OS", "operating_system"),
        ("Operating System", "OS Family", "operating_system"),
        ("Application", "App", "application_name"),
        ("Server Name", "Server", "name"),
    ],
)
def test_handmade_weak_or_other_pairs_get_no_fallback(first: str, second: str, target: str) -> None:
    if target == "ip_address":
        values = [f"10.0.0.{i}" for i in range(1, 25)]
    elif target == "operating_system":
        values = ["Windows Server 2019", "Red Hat Enterprise Linux 8"]
    else:
        values = [f"app{i:02d}" for i in range(24)]
    rows = _rows({first: values, second: values[::-1]}, 24)
    got = _by_header([first, second], rows)
    assert got[first].target_field == target
    assert got[first].priority is None
    assert got[second].priority is None
    assert got[second].target_field != target


def test_azure_first_disk_stands_in_for_storage_with_lower_confidence() -> None:
    fixture = next(f for f in ALL_FIXTURES if f.name == "azure_migrate")
    got = _by_header(fixture.headers, fixture.rows)
    disk = got["Disk 1 size (In GB)"]
    assert disk.target_field == "storage_gb"
    assert disk.match_type == "format"
    assert disk.confidence < got["Cores"].confidence
    assert "first disk only" in disk.reason
    assert got["Disk 2 size (In GB)"].target_field is None


def test_aws_memory_used_is_not_a_utilisation_percentage() -> None:
    fixture = next(f for f in ALL_FIXTURES if f.name == "aws_migration_hub")
    got = _by_header(fixture.headers, fixture.rows)
    assert got["RAM.UsedSizeInMB.Max"].target_field is None
    assert got["CPU.UsagePct.Max"].target_field == "cpu_utilization_percent_max"
    assert got["CPU.UsagePct.Max"].unit == "%"
    assert got["RAM.TotalSizeInMB"].match_type == "format"
    assert got["RAM.TotalSizeInMB"].confidence >= 0.98


# --- learned ------------------------------------------------------------------------


def test_learned_mapping_wins_over_everything() -> None:
    rows = _rows({"IP": ["10.0.0.1", "10.0.0.2"], "Mgmt Addr": ["10.1.0.1", "10.1.0.2"]})
    learned: dict[str, str | None] = {"mgmt_addr": "ip_address", "IP ": None}
    got = _by_header(["IP", "Mgmt Addr"], rows, learned=learned)
    assert got["Mgmt Addr"].target_field == "ip_address"
    assert got["Mgmt Addr"].match_type == "learned"
    assert got["Mgmt Addr"].confidence == 0.99
    assert got["IP"].target_field is None
    assert got["IP"].match_type == "learned"
    assert got["IP"].alternatives[0].target_field == "ip_address"


def test_learned_mapping_beats_a_known_export_and_ignores_unknown_targets() -> None:
    fixture = next(f for f in ALL_FIXTURES if f.name == "servicenow_labels")
    learned: dict[str, str | None] = {
        "CPU COUNT": "cpu_cores",
        "cpu-core-count": None,
        "Company": "not_a_field",
    }
    got = _by_header(fixture.headers, fixture.rows, learned=learned)
    assert (got["CPU count"].target_field, got["CPU count"].match_type) == ("cpu_cores", "learned")
    assert got["CPU core count"].target_field is None
    assert got["Company"].target_field is None
    assert got["Company"].match_type == "format"


def test_learned_keys_ignore_case_punctuation_and_accents() -> None:
    rows = _rows({"Kritikalität": ["hoch", "niedrig"], "Srv-Name": ["a1", "b2"]})
    for learned in ({"kritikalit t": "business_unit"}, {"KRITIKALITAT": "business_unit"}):
        got = _by_header(["Kritikalität", "Srv-Name"], rows, learned=learned)
        assert got["Kritikalität"].target_field == "business_unit"
        assert got["Kritikalität"].match_type == "learned"
    got = _by_header(["Kritikalität", "Srv-Name"], rows, learned={"srv name": "hostname"})
    assert got["Srv-Name"].target_field == "hostname"


# --- values -------------------------------------------------------------------------


def test_meaningless_headers_are_mapped_by_values_alone() -> None:
    rng = random.Random(11)
    rows = _rows(
        {
            "column_3": [f"10.2.{rng.randrange(255)}.{rng.randrange(1, 255)}" for _ in range(24)],
            "Field1": [f"00:50:56:{i:02x}:1a:2b" for i in range(24)],
            "Unnamed: 4": ["Red Hat Enterprise Linux 8", "Windows Server 2022", "SLES 15"],
            "Field 9": ["poweredOn", "poweredOff", "poweredOn"],
        }
    )
    got = _by_header(list(rows[0]), rows)
    assert got["column_3"].target_field == "ip_address"
    assert got["column_3"].match_type == "value_pattern"
    assert 0.6 <= got["column_3"].confidence <= 0.85
    assert "IP addresses (100% of 24 samples)" in got["column_3"].reason
    assert got["Field1"].target_field == "mac_address"
    assert got["Unnamed: 4"].target_field == "operating_system"
    assert got["Field 9"].target_field == "power_state"


def test_value_share_drives_value_confidence() -> None:
    mostly = [f"10.0.0.{i}" for i in range(1, 16)] + ["n-a-x", "unknown", "tbc", "?x"]
    all_ips = [f"10.0.0.{i}" for i in range(1, 20)]
    low = _by_header(["col1"], _rows({"col1": mostly}, 19))["col1"]
    high = _by_header(["col1"], _rows({"col1": all_ips}, 19))["col1"]
    assert low.target_field == high.target_field == "ip_address"
    assert low.confidence < high.confidence


@pytest.mark.parametrize(
    ("values", "target"),
    [
        (["on", "off", "On"], "power_state"),
        (["Running", "Stopped"], "power_state"),
        (["Active", "Retired", "In maintenance"], None),
    ],
)
def test_status_is_a_power_state_only_when_values_say_so(
    values: list[str], target: str | None
) -> None:
    assert _by_header(["Status"], _rows({"Status": values}))["Status"].target_field == target


@pytest.mark.parametrize(
    ("values", "target"),
    [
        (["Tier 1", "Tier 2", "Tier 3"], "criticality"),
        (["Prod", "Dev", "UAT"], "environment"),
    ],
)
def test_tier_is_disambiguated_by_values(values: list[str], target: str) -> None:
    assert _by_header(["Tier"], _rows({"Tier": values}))["Tier"].target_field == target


def test_values_contradicting_the_header_veto_it() -> None:
    rows = _rows({"CPU": ["Intel Xeon Gold 6140", "AMD EPYC 7302"], "IP": ["n/a", "dhcp", "tbd"]})
    got = _by_header(["CPU", "IP"], rows)
    assert got["CPU"].target_field is None
    assert got["CPU"].alternatives[0].target_field == "cpu_cores"
    assert got["IP"].target_field is None


def test_dependency_lists_and_yes_no_flags() -> None:
    rows = _rows(
        {
            "Server": ["app01", "app02", "web01"],
            "Talks To": ["db01; db02", "db01", "app01,app02"],
            "Virtual": ["yes", "no", "yes"],
        }
    )
    got = _by_header(["Server", "Talks To", "Virtual"], rows)
    assert got["Talks To"].target_field == "depends_on"
    assert got["Virtual"].target_field is None


# --- units --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target", "unit"),
    [
        ("Memory (In MB)", "memory_gb", "MB"),
        ("RAM GB", "memory_gb", "GB"),
        ("Provisioned MB", "storage_gb", "MB"),
        ("Disk Size [GiB]", "storage_gb", "GB"),
        ("Memory_KB", "memory_gb", "KB"),
        ("Storage (TB)", "storage_gb", "TB"),
        ("memoryMB", "memory_gb", "MB"),
        ("In Use MiB", "storage_used_gb", "MB"),
        ("RAMGB", "memory_gb", "GB"),
        ("Total Disk Bytes", "storage_gb", "B"),
    ],
)
def test_unit_from_header(header: str, target: str, unit: str) -> None:
    rows = _rows({header: ["4", "8", "16"]})
    s = _by_header([header], rows)[header]
    assert (s.target_field, s.unit) == (target, unit)
    assert f"unit {unit} from header" in s.reason


@pytest.mark.parametrize(
    ("values", "unit", "note"),
    [
        (["16 GB", "32GB", "8 GB"], "GB", "from values"),
        (["512MB", "1024 MB", "2048MB"], "MB", "from values"),
        (["16384", "8192", "32768"], "MB", "inferred"),
        (["16", "8", "32", "64"], "GB", "inferred"),
    ],
)
def test_memory_unit_from_values_or_magnitude(values: list[str], unit: str, note: str) -> None:
    s = _by_header(["Memory"], _rows({"Memory": values}))["Memory"]
    assert (s.target_field, s.unit) == ("memory_gb", unit)
    assert note in s.reason


def test_throughput_in_mb_per_second_is_not_a_size() -> None:
    header = "Disk read throughput (MB per second)"
    s = _by_header([header], _rows({header: ["12.5", "3.1"]}))[header]
    assert s.target_field is None


# --- partial exports and sheet context ----------------------------------------------


def _hosts(n: int = 25) -> list[str]:
    return [f"app{i:02d}" for i in range(n)]


def test_trimmed_rvtools_export_is_still_recognised_and_uses_the_config_file_os() -> None:
    columns = {
        "VM": _hosts(),
        "Powerstate": ["poweredOn", "poweredOff"],
        "CPUs": ["2", "4"],
        "Memory": ["8192", "16384"],
        "Provisioned MB": ["102400"],
        "In Use MB": ["51200"],
        "Primary IP Address": [f"10.2.2.{i + 1}" for i in range(25)],
        "OS according to the configuration file": ["Microsoft Windows Server 2016 (64-bit)"],
        "Host": ["esx01.corp.local", "esx02.corp.local"],
        "Annotation": ["", "legacy"],
    }
    result = suggest_mappings(list(columns), _rows(columns, 25))
    assert result.detected_format == "rvtools_vinfo"
    got = {s.source_field: (s.target_field, s.unit) for s in result.suggestions}
    assert got == {
        "VM": ("name", None),
        "Powerstate": ("power_state", None),
        "CPUs": ("cpu_cores", None),
        "Memory": ("memory_gb", "MB"),
        "Provisioned MB": ("storage_gb", "MB"),
        "In Use MB": ("storage_used_gb", "MB"),
        "Primary IP Address": ("ip_address", None),
        "OS according to the configuration file": ("operating_system", None),
        "Host": ("host", None),
        "Annotation": (None, None),
    }


def test_minimal_aws_import_is_recognised_and_logical_cores_stand_in() -> None:
    columns = {
        "ExternalId": [f"srv-{i}" for i in range(25)],
        "IPAddress": [f"10.70.0.{i + 1}" for i in range(25)],
        "HostName": _hosts(),
        "CPU.NumberOfLogicalCores": ["4", "16"],
        "OS.Name": ["Red Hat Enterprise Linux 9"],
        "RAM.TotalSizeInMB": ["32768"],
    }
    result = suggest_mappings(list(columns), _rows(columns, 25))
    assert result.detected_format == "aws_migration_hub"
    assert [s.target_field for s in result.suggestions] == [
        "external_id", "ip_address", "hostname", "cpu_cores", "operating_system", "memory_gb",
    ]  # fmt: skip


def test_cpu_count_beside_a_core_count_means_sockets() -> None:
    columns = {"Hostname": _hosts(), "CPU": ["1", "2"], "Cores": ["4", "8", "16"]}
    got = _by_header(list(columns), _rows(columns, 25))
    assert got["CPU"].target_field == "cpu_sockets"
    assert got["Cores"].target_field == "cpu_cores"
    alone = {"Hostname": _hosts(), "CPU": ["4", "8"]}
    assert _by_header(list(alone), _rows(alone, 25))["CPU"].target_field == "cpu_cores"


def test_bare_version_column_follows_its_neighbour() -> None:
    columns = {
        "Database": ["Oracle", "SQL Server"],
        "Version": ["19c", "2019"],
        "OS": ["RHEL 8", "Windows Server 2019"],
        "Release": ["8.6", "1809"],
    }
    got = _by_header(list(columns), _rows(columns))
    assert got["Version"].target_field == "database_version"
    assert got["Release"].target_field == "os_version"
