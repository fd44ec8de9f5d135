"""Reconciliation (match keys, merge, the in-memory Reconciler) and the three scores."""

from __future__ import annotations

from typing import Any

import pytest

from discovery.assets import scores
from discovery.assets.preview import AssetShape, Reconciler, incoming_asset
from discovery.assets.reconcile import (
    DEFAULT_MATCH_ORDER,
    MATCH_KEYS,
    MatchOrderError,
    asset_keys,
    match_keys,
    merge,
    validate_match_order,
)

# --- match keys --------------------------------------------------------------------------


def test_default_order_is_the_issues_order_of_trust() -> None:
    # Issue 11 adds the name alone (for assets of the same type) as the last resort.
    assert DEFAULT_MATCH_ORDER == (
        "external_id",
        "serial_number",
        "hostname",
        "ip_address_name",
        "name",
    )


def test_match_keys_in_default_order() -> None:
    data = {
        "external_id": "CI0001",
        "serial_number": "CZJ1234",
        "fqdn": "Web01.Example.COM",
        "ip_address": "10.0.0.1",
        "name": "WEB01",
    }
    assert match_keys(data, DEFAULT_MATCH_ORDER) == [
        ("external_id", "CI0001"),
        ("serial_number", "CZJ1234"),
        ("fqdn", "web01.example.com"),
        ("hostname", "web01"),  # derived from the FQDN when there is no host name
        ("ip_address_name", "10.0.0.1|web01"),
    ]


def test_match_keys_follow_a_custom_order() -> None:
    data = {"external_id": "CI1", "serial_number": "SN1", "hostname": "app01"}
    assert match_keys(data, ("hostname", "serial_number")) == [
        ("hostname", "app01"),
        ("serial_number", "SN1"),
    ]


def test_ids_and_serials_are_exact_names_are_folded() -> None:
    keys = match_keys({"serial_number": " AbC-1 ", "hostname": "APP01"}, DEFAULT_MATCH_ORDER)
    assert keys == [("serial_number", "AbC-1"), ("hostname", "app01")]


def test_ip_address_alone_or_name_alone_is_no_key() -> None:
    assert match_keys({"ip_address": "10.0.0.1"}, DEFAULT_MATCH_ORDER) == []
    assert match_keys({"name": "app01"}, DEFAULT_MATCH_ORDER) == []


@pytest.mark.parametrize(
    "placeholder",
    [
        "To be filled by O.E.M.",
        "to be filled by o.e.m.",
        "  To Be Filled By O.E.M.  ",
        "Default string",
        "System Serial Number",
        "Not Specified",
        "N/A",
        "Unknown",
        "None",
        "0",
        "00000000",
        "123456789",
        "-",
        "",
        "   ",
    ],
)
def test_placeholder_serials_and_ids_are_never_keys(placeholder: str) -> None:
    data = {"serial_number": placeholder, "external_id": placeholder}
    assert match_keys(data, DEFAULT_MATCH_ORDER) == []


def test_non_string_values_are_no_keys() -> None:
    assert match_keys({"serial_number": 12345, "hostname": None}, DEFAULT_MATCH_ORDER) == []


def test_asset_keys_use_every_kind_whatever_the_order() -> None:
    asset = {"external_id": "CI1", "serial_number": "SN1", "hostname": "a", "fqdn": "a.x.com"}
    assert set(asset_keys(asset)) == {
        ("external_id", "CI1"),
        ("serial_number", "SN1"),
        ("fqdn", "a.x.com"),
        ("hostname", "a"),
    }


# --- match order validation --------------------------------------------------------------


def test_validate_match_order_defaults() -> None:
    assert validate_match_order(None) == DEFAULT_MATCH_ORDER
    assert validate_match_order([]) == DEFAULT_MATCH_ORDER


def test_validate_match_order_keeps_order_and_drops_repeats() -> None:
    assert validate_match_order(["hostname", "serial_number", "hostname"]) == (
        "hostname",
        "serial_number",
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["fqdn", "ip_address+name"], ("hostname", "ip_address_name")),
        (["Serial_Number", " External_ID "], ("serial_number", "external_id")),
        (["ip_address", "fqdn/hostname", "hostname"], ("ip_address_name", "hostname")),
    ],
)
def test_match_keys_accept_other_spellings_of_the_same_key(
    given: list[str], expected: tuple[str, ...]
) -> None:
    assert validate_match_order(given) == expected


@pytest.mark.parametrize("bad", ["serial", "mac_address", "host name", ""])
def test_unknown_match_keys_are_rejected_clearly(bad: str) -> None:
    with pytest.raises(MatchOrderError) as raised:
        validate_match_order(["external_id", bad])
    message = str(raised.value)
    assert repr(bad) in message
    for key in MATCH_KEYS:
        assert key in message  # the error lists what is allowed
    assert isinstance(raised.value, ValueError)


# --- merge -------------------------------------------------------------------------------


def test_merge_non_empty_new_values_win_and_empty_never_erase() -> None:
    existing = {"operating_system": "W2K8 R2", "environment": "production", "cpu_cores": 4}
    incoming = {
        "operating_system": "Windows Server 2022",
        "environment": None,
        "cpu_cores": "",
        "memory_gb": 16,
    }
    assert merge(existing, incoming) == {
        "operating_system": "Windows Server 2022",
        "memory_gb": 16,
    }


def test_merge_an_equal_value_is_no_change() -> None:
    assert merge({"hostname": "a", "cpu_cores": 4}, {"hostname": "a", "cpu_cores": 4}) == {}


def test_merge_zero_is_a_value_not_an_empty() -> None:
    assert merge({"cpu_cores": 4}, {"cpu_cores": 0}) == {"cpu_cores": 0}


def test_merge_unites_tags_and_dependencies_in_order() -> None:
    existing = {"tags": ["pci", "web"], "depends_on": ["db01"]}
    incoming = {"tags": ["web", "dmz"], "depends_on": ["db01", "cache01"]}
    assert merge(existing, incoming) == {
        "tags": ["pci", "web", "dmz"],
        "depends_on": ["db01", "cache01"],
    }
    # A subset changes nothing; an empty list erases nothing.
    assert merge(existing, {"tags": ["web"], "depends_on": []}) == {}


def test_merge_lists_into_a_missing_field() -> None:
    assert merge({"tags": None}, {"tags": ["a"]}) == {"tags": ["a"]}


def test_merge_custom_attributes_are_combined() -> None:
    existing = {"custom_attributes": {"Rack": "R1", "Notes": "old"}}
    assert merge(existing, {"custom_attributes": {"Notes": "new", "Cost": "12"}}) == {
        "custom_attributes": {"Rack": "R1", "Notes": "new", "Cost": "12"}
    }
    assert merge(existing, {"custom_attributes": {}}) == {}
    assert merge(existing, {"custom_attributes": {"Rack": "R1"}}) == {}


# --- the Reconciler ----------------------------------------------------------------------


def _known() -> list[dict[str, Any]]:
    return [
        {"id": "A", "name": "a", "external_id": "CI-A", "serial_number": "SN-A", "hostname": "a"},
        {"id": "B", "name": "b", "serial_number": "SN-B", "hostname": "b"},
        {"id": "C", "name": "c", "fqdn": "c.example.com", "hostname": "c"},
        {"id": "D", "name": "d", "ip_address": "10.0.0.4"},
    ]


@pytest.mark.parametrize(
    ("row", "asset_id", "matched_by"),
    [
        # external_id beats a serial and a host name that point elsewhere.
        ({"external_id": "CI-A", "serial_number": "SN-B", "hostname": "b"}, "A", "external_id"),
        # serial beats the host name.
        ({"serial_number": "SN-B", "hostname": "a"}, "B", "serial_number"),
        # an unknown external id does not stop the next keys from matching.
        ({"external_id": "CI-NEW", "serial_number": "SN-B"}, "B", "serial_number"),
        ({"fqdn": "c.example.com"}, "C", "fqdn"),
        ({"fqdn": "C.Example.Com"}, "C", "fqdn"),
        ({"hostname": "A"}, "A", "hostname"),
        ({"fqdn": "a.other-domain.net"}, "A", "hostname"),  # the short name matches
        ({"ip_address": "10.0.0.4", "name": "D"}, "D", "ip_address_name"),
    ],
)
def test_reconciler_default_order(row: dict[str, Any], asset_id: str, matched_by: str) -> None:
    reconciler = Reconciler(_known(), DEFAULT_MATCH_ORDER)
    decision = reconciler.decide(row, {"id": "NEW"})
    assert decision.action in {"update", "unchanged"}
    assert decision.asset["id"] == asset_id
    assert decision.matched_by == matched_by


@pytest.mark.parametrize(
    "row",
    [
        {"hostname": "zzz"},
        {"ip_address": "10.0.0.4", "name": "not-d"},  # the IP alone is not enough
        {"ip_address": "10.0.0.4"},
        {"serial_number": "SN-Z", "external_id": "CI-Z"},
    ],
)
def test_reconciler_creates_when_nothing_matches(row: dict[str, Any]) -> None:
    reconciler = Reconciler(_known(), DEFAULT_MATCH_ORDER)
    decision = reconciler.decide(row, {"id": "NEW", "discovery_flow_id": "F"})
    assert decision.action == "create"
    assert decision.asset == {**row, "id": "NEW", "discovery_flow_id": "F"}
    assert decision.matched_by is None


def test_reconciler_custom_order() -> None:
    row = {"serial_number": "SN-A", "hostname": "b"}
    by_default = Reconciler(_known(), DEFAULT_MATCH_ORDER).decide(row, {"id": "NEW"})
    assert (by_default.asset["id"], by_default.matched_by) == ("A", "serial_number")

    host_first = Reconciler(_known(), ("hostname", "serial_number")).decide(row, {"id": "NEW"})
    assert (host_first.asset["id"], host_first.matched_by) == ("B", "hostname")


def test_a_key_left_out_of_the_order_never_matches() -> None:
    reconciler = Reconciler(_known(), ("serial_number",))
    decision = reconciler.decide({"hostname": "a", "external_id": "CI-A"}, {"id": "NEW"})
    assert decision.action == "create"


def test_placeholder_serials_never_match() -> None:
    known = [{"id": "A", "hostname": "a", "serial_number": "To be filled by O.E.M."}]
    reconciler = Reconciler(known, DEFAULT_MATCH_ORDER)
    decision = reconciler.decide(
        {"hostname": "b", "serial_number": "To be filled by O.E.M."}, {"id": "NEW"}
    )
    assert decision.action == "create"
    # And two new rows with the same placeholder stay two assets.
    again = reconciler.decide(
        {"hostname": "c", "serial_number": "TO BE FILLED BY O.E.M."}, {"id": "NEW2"}
    )
    assert again.action == "create"
    assert again.asset["id"] == "NEW2"


def test_reconciler_update_merges_and_records_what_changed() -> None:
    existing = {
        "id": "A",
        "name": "app01",
        "hostname": "app01",
        "operating_system": "W2K8 R2",
        "environment": "production",
        "tags": ["pci"],
        "depends_on": ["db01"],
        "completeness_score": 0.3,
        "quality_score": 0.9,
    }
    reconciler = Reconciler([existing], DEFAULT_MATCH_ORDER)
    decision = reconciler.decide(
        {
            "hostname": "app01",
            "operating_system": "Windows Server 2022",
            "environment": None,
            "ip_address": "",
            "memory_gb": 32,
            "tags": ["web"],
            "depends_on": ["db01", "cache01"],
            "quality_score": 0.1,  # scores of the new row never overwrite
        },
        {"id": "IGNORED", "discovery_flow_id": "F2"},
    )
    assert decision.action == "update"
    assert decision.matched_by == "hostname"
    asset = decision.asset
    assert asset is existing  # the known asset, updated in place
    assert asset["id"] == "A"
    assert "discovery_flow_id" not in asset  # lineage of a new asset is not merged in
    assert asset["operating_system"] == "Windows Server 2022"
    assert asset["environment"] == "production"  # None did not erase
    assert "ip_address" not in asset  # "" did not write anything
    assert asset["tags"] == ["pci", "web"]
    assert asset["depends_on"] == ["db01", "cache01"]
    assert asset["quality_score"] == 0.9
    # Completeness recomputed: name, hostname, operating_system, memory_gb, environment.
    assert asset["completeness_score"] == 0.5
    assert decision.changes == {
        "operating_system": "Windows Server 2022",
        "memory_gb": 32,
        "tags": ["pci", "web"],
        "depends_on": ["db01", "cache01"],
        "completeness_score": 0.5,
    }
    assert decision.previous == {
        "operating_system": "W2K8 R2",
        "memory_gb": None,
        "tags": ["pci"],
        "depends_on": ["db01"],
        "completeness_score": 0.3,
    }


def test_reconciler_same_values_are_unchanged() -> None:
    existing = {"id": "A", "hostname": "app01", "operating_system": "RHEL 8", "tags": ["a"]}
    reconciler = Reconciler([dict(existing)], DEFAULT_MATCH_ORDER)
    decision = reconciler.decide(
        {"hostname": "app01", "operating_system": "RHEL 8", "tags": ["a"], "environment": None},
        {"id": "NEW"},
    )
    assert decision.action == "unchanged"
    assert decision.changes == {}
    assert decision.asset == existing


def test_an_asset_created_earlier_in_the_same_batch_is_matched() -> None:
    reconciler = Reconciler([], DEFAULT_MATCH_ORDER)
    first = reconciler.decide(
        {"hostname": "app01", "serial_number": "SN1", "tags": ["a"]}, {"id": "NEW1"}
    )
    assert first.action == "create"
    # The second row only shares the serial; the third only the (new) IP + name.
    second = reconciler.decide(
        {"name": "app01", "serial_number": "SN1", "ip_address": "10.0.0.1", "tags": ["b"]},
        {"id": "NEW2"},
    )
    assert second.action == "update"
    assert second.matched_by == "serial_number"
    assert second.asset is first.asset
    third = reconciler.decide({"ip_address": "10.0.0.1", "name": "app01"}, {"id": "NEW3"})
    assert third.action == "unchanged"
    assert third.matched_by == "ip_address_name"
    assert third.asset is first.asset
    assert first.asset["id"] == "NEW1"
    assert first.asset["tags"] == ["a", "b"]


def test_an_update_makes_its_new_keys_findable() -> None:
    reconciler = Reconciler([{"id": "A", "hostname": "app01"}], DEFAULT_MATCH_ORDER)
    reconciler.decide({"hostname": "app01", "serial_number": "SN-NEW"}, {"id": "X"})
    decision = reconciler.decide({"serial_number": "SN-NEW"}, {"id": "Y"})
    assert decision.asset["id"] == "A"
    assert decision.matched_by == "serial_number"


def test_a_key_already_known_keeps_its_first_asset() -> None:
    first = {"id": "OLD", "hostname": "app01"}
    second = {"id": "NEWER", "hostname": "app01"}
    reconciler = Reconciler([first, second], DEFAULT_MATCH_ORDER)
    assert reconciler.decide({"hostname": "app01"}, {"id": "N"}).asset["id"] == "OLD"


# --- incoming_asset ----------------------------------------------------------------------

SHAPE = AssetShape(
    mapped_sources=frozenset({"Server", "IP", "OS", "Type"}),
    confidence_by_target={
        "hostname": 0.9,
        "ip_address": 0.6,
        "operating_system": None,
    },
    detected_format=None,
    ignored_sources=frozenset({"data_import_id"}),
)


def test_incoming_asset_shape() -> None:
    asset = incoming_asset(
        SHAPE,
        {
            "hostname": "app01",
            "ip_address": "10.0.0.1",
            "operating_system": "RHEL 8",
            "asset_type": None,
            "not_a_canonical_field": "dropped",
        },
        {
            "Server": "APP01",
            "IP": "10.0.0.1",
            "OS": "RHEL 8",
            "Type": "??",
            "Rack": "R12",
            "Blank": "  ",
            "data_import_id": "lineage of an export",
        },
        [],
    )
    assert asset["name"] == "app01"  # the host name stands in for a missing name
    assert asset["asset_type"] == "server"
    assert "type" not in asset
    assert "not_a_canonical_field" not in asset
    assert asset["custom_attributes"] == {"Rack": "R12"}
    # hostname 0.9, ip 0.6, OS chosen by a person 1.0.
    assert asset["confidence_score"] == pytest.approx(0.833)
    assert asset["completeness_score"] == pytest.approx(0.4)  # name, hostname, ip, OS


@pytest.mark.parametrize(
    ("cleansed", "name"),
    [
        ({"name": "Payroll", "hostname": "app01"}, "Payroll"),
        ({"fqdn": "app01.example.com"}, "app01.example.com"),
        ({"ip_address": "10.0.0.9"}, "10.0.0.9"),
        ({}, None),
    ],
)
def test_incoming_asset_name_fallback(cleansed: dict[str, Any], name: str | None) -> None:
    assert incoming_asset(SHAPE, cleansed, {}, None)["name"] == name


# --- scores, by hand ---------------------------------------------------------------------


def test_confidence_score_is_the_mean_of_the_mappings_that_supplied_values() -> None:
    data = {"hostname": "a", "ip_address": "10.0.0.1", "environment": "production", "os": ""}
    confidences = {
        "hostname": 0.9,
        "ip_address": 0.6,
        "environment": None,  # a person chose it: 1.0
        "operating_system": 0.2,  # supplied no value: not counted
    }
    # (0.9 + 0.6 + 1.0) / 3 = 0.8333…
    assert scores.confidence_score(data, confidences) == 0.833


def test_confidence_score_without_supplied_values_is_none() -> None:
    assert scores.confidence_score({"hostname": ""}, {"hostname": 0.9}) is None
    assert scores.confidence_score({"hostname": "a"}, {}) is None


def test_completeness_score_counts_the_ten_key_fields() -> None:
    assert len(scores.KEY_FIELDS) == 10
    assert scores.completeness_score({}) == 0.0
    data = {
        "name": "a",
        "hostname": "a",
        "ip_address": "10.0.0.1",
        "serial_number": "SN1",  # not a key field
        "environment": "",
        "tags": [],
    }
    assert scores.completeness_score(data) == 0.3
    full = dict.fromkeys(scores.KEY_FIELDS, "x")
    assert scores.completeness_score(full) == 1.0
    # 0 cores is a value: 2 of 10.
    assert scores.completeness_score({"name": "a", "cpu_cores": 0}) == 0.2


def test_quality_score_is_valid_over_valid_plus_rejected() -> None:
    data = {"hostname": "a", "ip_address": "10.0.0.1", "cpu_cores": None, "os": "RHEL 8"}
    assert scores.quality_score(data, [{"field": "cpu_cores"}]) == 0.75  # 3 / (3 + 1)
    assert scores.quality_score(data, None) == 1.0
    assert scores.quality_score({"a": "x"}, [{"e": 1}, {"e": 2}]) == 0.333  # 1 / 3
    assert scores.quality_score({}, []) == 1.0
    assert scores.quality_score({}, [{"e": 1}]) == 0.0


# --- scores of incoming assets: the documented formulas ----------------------------------
# README "Asset scores": quality = valid *mapped* values / (valid + rejected values), and
# confidence = mean confidence of the mappings that *supplied* the asset's values. The
# name that incoming_asset derives from the host name, and the asset_type it classifies,
# are not values the row's mappings supplied.


def test_incoming_asset_quality_counts_only_the_rows_mapped_values() -> None:
    shape = AssetShape(
        mapped_sources=frozenset({"Server", "CPU"}),
        confidence_by_target={"hostname": 1.0, "cpu_cores": 1.0},
        detected_format=None,
    )
    # One valid mapped value (hostname), one rejected (cpu_cores "lots", nulled).
    asset = incoming_asset(
        shape,
        {"hostname": "app01", "cpu_cores": None},
        {"Server": "app01", "CPU": "lots"},
        [{"field": "cpu_cores", "value": "lots", "error": "not a number"}],
    )
    assert asset["quality_score"] == 0.5  # 1 valid / (1 valid + 1 rejected)


@pytest.mark.parametrize(
    ("cleansed", "raw"),
    [
        # The Name column is empty in this row: the name is derived from the host name.
        ({"name": None, "hostname": "app01"}, {"Server": "app01"}),
        # The Type value was not recognised (cleansing gave None): the type is classified.
        ({"asset_type": None, "hostname": "app01"}, {"Server": "app01", "Type": "??"}),
    ],
)
def test_incoming_asset_confidence_ignores_a_mapping_that_supplied_nothing(
    cleansed: dict[str, Any], raw: dict[str, Any]
) -> None:
    shape = AssetShape(
        mapped_sources=frozenset({"Name", "Server", "Type"}),
        confidence_by_target={"name": 0.5, "hostname": 1.0, "asset_type": 0.5},
        detected_format=None,
    )
    asset = incoming_asset(shape, cleansed, raw, [])
    assert asset["confidence_score"] == 1.0  # only the hostname mapping supplied a value


# --- issue 11: in-file duplicates, alternate ids, shadow rows, the name alone -----------


def test_a_duplicate_only_fills_blanks_and_keeps_its_other_ids_as_alternates() -> None:
    from discovery.assets.reconcile import alternate_ids, merge

    first = {"external_id": "A1", "name": "web01", "cpu_cores": 4, "os": None,
             "custom_attributes": {"Rack": "R1"}}  # fmt: skip
    duplicate = {"external_id": "B2", "name": "WEB01", "cpu_cores": 8, "os": "Linux",
                 "serial_number": "S9", "custom_attributes": {"Rack": "R2", "Row": "7"}}  # fmt: skip
    changes = merge(first, duplicate, fill_only=True)
    assert changes["os"] == "Linux"
    assert changes["serial_number"] == "S9"  # a blank identity field is filled
    assert "external_id" not in changes and "name" not in changes and "cpu_cores" not in changes
    assert changes["custom_attributes"]["Rack"] == "R1"
    assert changes["custom_attributes"]["Row"] == "7"
    assert changes["custom_attributes"]["alternate_ids"] == "external_id=B2"
    assert alternate_ids({**first, **changes}) == [("external_id", "B2")]
    # The same duplicate again adds nothing.
    assert merge({**first, **changes}, duplicate, fill_only=True) == {}


def test_across_imports_newer_values_still_win() -> None:
    from discovery.assets.reconcile import merge

    assert merge({"external_id": "A1", "cpu_cores": 4}, {"external_id": "B2", "cpu_cores": 8}) == {
        "external_id": "B2",
        "cpu_cores": 8,
    }


def test_assets_are_found_by_their_alternate_ids() -> None:
    from discovery.assets.reconcile import alternate_lookup_values, asset_keys

    asset = {"external_id": "A1",
             "custom_attributes": {"alternate_ids": "external_id=B2; fqdn=web01.b.example"}}  # fmt: skip
    keys = asset_keys(asset)
    assert ("external_id", "B2") in keys and ("fqdn", "web01.b.example") in keys
    assert alternate_lookup_values([{"external_id": "B2", "fqdn": "Web01.B.example"}]) == [
        "external_id=B2",
        "fqdn=web01.b.example",
        "hostname=web01",
    ]
    # Nonsense in the attribute is ignored, never a key.
    assert asset_keys({"custom_attributes": {"alternate_ids": "junk; colour=red"}}) == []


def test_shadow_rows_are_srm_placeholders_marked_true() -> None:
    from discovery.assets.reconcile import is_shadow

    assert is_shadow({"custom_attributes": {"SRM Placeholder": "True"}})
    assert not is_shadow({"custom_attributes": {"SRM Placeholder": "False"}})
    assert not is_shadow({"custom_attributes": {"Template": "True"}})
    assert not is_shadow({})


def test_the_name_key_carries_the_type() -> None:
    keys = match_keys({"name": "Payroll", "asset_type": "application"}, DEFAULT_MATCH_ORDER)
    assert keys == [("name", "application|payroll")]
    assert match_keys({"name": "Payroll"}, DEFAULT_MATCH_ORDER) == []


def test_the_reconciler_treats_a_second_row_of_the_file_as_a_duplicate() -> None:
    from discovery.assets.preview import Reconciler

    existing = [{"id": 1, "external_id": "A1", "name": "a", "asset_type": "server", "ram": 4}]
    reconciler = Reconciler(existing, DEFAULT_MATCH_ORDER)
    first = reconciler.decide({"external_id": "A1", "ram": 8}, {})
    assert first.changes == {"ram": 8, "completeness_score": first.changes["completeness_score"]}
    second = reconciler.decide({"external_id": "A1", "ram": 16}, {})
    assert second.action == "unchanged"  # this import already updated it: blanks only
    # An asset an earlier chunk of this import touched is treated the same way.
    earlier = Reconciler(existing, DEFAULT_MATCH_ORDER, in_import=[1])
    assert earlier.decide({"external_id": "A1", "ram": 16}, {}).action == "unchanged"
