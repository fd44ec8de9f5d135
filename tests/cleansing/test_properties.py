"""Property tests: the cleanser never raises and always returns JSON-serialisable data."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.cleansing import CANONICAL_FIELDS, IDENTIFYING_FIELDS, FieldMapping, compile_cleanser
from discovery.cleansing.fields import LIST_FIELDS, PERCENT_FIELDS, SIZE_FIELDS
from discovery.cleansing.text import STRIP_CHARS
from discovery.core.export_format import is_formula_like

INTEGER_FIELDS = {"cpu_cores", "cpu_sockets", "disk_count", "nic_count"}
ENUMS = {
    "environment": {"production", "staging", "test", "development", "dr"},
    "criticality": {"low", "medium", "high", "critical"},
    "power_state": {"on", "off", "suspended"},
    "asset_type": {
        "server",
        "virtual_machine",
        "database",
        "application",
        "network",
        "load_balancer",
        "storage",
        "security_group",
        "container",
        "other",
    },
}
UNITS = [None, "B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "bytes"]

# Every field mapped (size fields once per unit), each from its own column.
MAPPINGS = [
    FieldMapping(f"{field}:{unit}", field, unit)
    for field in CANONICAL_FIELDS
    for unit in (UNITS if field in SIZE_FIELDS else [None])
]
CLEANSE = compile_cleanser(MAPPINGS)
FIELDS_BY_COLUMN = {m.source_field: m.target_field for m in MAPPINGS}

# Text that looks like the values inventories hold, plus anything at all.
cells = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,:-/ abcdefABCDEF%GMKTBgmktbi\u00a0\n;|[]\"'x\\", max_size=40),
    st.from_regex(r"\A\s*[+-]?\d{1,12}([.,]\d{1,6})?\s*(GB|MB|TB|KiB|MiB|GiB|%|vCPU)?\s*\Z"),
    st.from_regex(r"\A\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?\Z"),
    st.sampled_from(["-", "N/A", "unknown", "PROD", "Tier 1", "poweredOn", "cmdb_ci_db_x"]),
)


def _stripped_or_typed(value: str) -> bool:
    """Stripped, or, where stripping would have made a formula of it, stripped but for the
    leading white space it was typed with (``"\t=1+1"`` stays as typed)."""
    if value == value.strip():
        return True
    rest = value.lstrip(STRIP_CHARS)
    return rest != value and rest == rest.strip() and is_formula_like(rest)


def _check_value(field: str, value: object) -> None:
    if field in LIST_FIELDS:
        assert isinstance(value, list) and value
        assert all(isinstance(item, str) and item == item.strip() and item for item in value)
        assert len(set(value)) == len(value)
    elif field in INTEGER_FIELDS:
        assert type(value) is int and 0 <= value <= 2_147_483_647
        if field in ("cpu_cores", "cpu_sockets"):
            assert value >= 1
    elif field in SIZE_FIELDS:
        assert type(value) is float and math.isfinite(value) and value >= 0
        assert round(value, 3) == value
    elif field in PERCENT_FIELDS:
        assert type(value) is float and 0 <= value <= 100
    elif field in ENUMS:
        assert value in ENUMS[field]
    else:
        assert isinstance(value, str) and value and _stripped_or_typed(value)
        if field in ("hostname", "fqdn", "mac_address"):
            assert value == value.lower()
        if field == "hostname":
            assert "." not in value
        if field == "fqdn":
            assert "." in value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(FIELDS_BY_COLUMN)), cells))
def test_cleanser_never_raises_and_returns_json(row: dict[str, str]) -> None:
    result = CLEANSE(row)
    json.dumps(result.data, allow_nan=False)
    json.dumps([asdict(error) for error in result.errors])
    for field, value in result.data.items():
        assert field in CANONICAL_FIELDS
        _check_value(field, value)
    for error in result.errors:
        assert error.field in CANONICAL_FIELDS
        if error.field not in SIZE_FIELDS:  # size fields have one column per unit here
            assert error.field not in result.data  # the bad value was nulled
        assert isinstance(error.reason, str) and 0 < len(error.reason) <= 80
        assert error.value and error.value == error.value.strip()
    assert result.is_valid == any(f in result.data for f in IDENTIFYING_FIELDS)
    assert (result.invalid_reason is None) == result.is_valid


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CANONICAL_FIELDS), cells)
def test_each_field_alone_never_raises(field: str, raw: str) -> None:
    result = compile_cleanser([FieldMapping("c", field)])({"c": raw})
    json.dumps(result.data, allow_nan=False)
    # Beside the field itself only derived values may appear: the host name and FQDN
    # (identity derivation) and the platform the hardware names (virtualisation evidence).
    assert set(result.data) - {field} <= {"hostname", "fqdn", "virtualization_platform"}
    assert len(result.errors) <= 1
    assert not (field in result.data and result.errors)
    if field in result.data:
        _check_value(field, result.data[field])
    for error in result.errors:
        assert error.field == field


def test_long_pathological_values_are_cleansed_in_linear_time() -> None:
    # A long run of digits followed by a stray character once made the size pattern
    # backtrack for about a minute; every field must handle such cells in milliseconds.
    n = 20_000
    evil = [
        "1" * n + "!",
        "1" * n + "x",
        "1." + "1" * n + "!",
        "1," * (n // 2) + "!",
        "a" * n + "-",
        "a-" * (n // 2) + "!",
        "a." * (n // 2) + "-",
        "1 " * (n // 2),
        "[" * n,
        ":" * n,
    ]
    cleanse = CLEANSE
    started = time.perf_counter()
    for value in evil:
        result = cleanse(dict.fromkeys(FIELDS_BY_COLUMN, value))
        json.dumps(result.data, allow_nan=False)
    assert time.perf_counter() - started < 10.0
