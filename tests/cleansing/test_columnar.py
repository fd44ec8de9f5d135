"""The columnar cleanser gives exactly what the row cleanser gives, row for row."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.cleansing import FieldMapping, compile_cleanser
from discovery.cleansing.columnar import compile_column_cleanser

# Several columns per field (the first usable one wins; list fields merge), a per-socket
# core count, and unmapped columns that are virtualisation evidence.
MAPPINGS = [
    FieldMapping("VM", "name"),
    FieldMapping("Host Name", "hostname"),
    FieldMapping("DNS Name", "fqdn"),
    FieldMapping("Alt DNS", "fqdn"),
    FieldMapping("IP", "ip_address"),
    FieldMapping("MAC", "mac_address"),
    FieldMapping("Serial", "serial_number"),
    FieldMapping("Type", "asset_type"),
    FieldMapping("Cores", "cpu_cores", "per socket"),
    FieldMapping("Sockets", "cpu_sockets"),
    FieldMapping("Memory", "memory_gb", "MB"),
    FieldMapping("Memory GB", "memory_gb"),
    FieldMapping("Env", "environment"),
    FieldMapping("Maker", "manufacturer"),
    FieldMapping("Model", "model"),
    FieldMapping("Tags", "tags"),
    FieldMapping("Labels", "tags"),
    FieldMapping("Depends", "depends_on"),
    FieldMapping("CPU %", "cpu_utilization_percent_max"),
    FieldMapping("Platform", "virtualization_platform"),
]
EVIDENCE = ["Virtual?", "IsPhysical", "Hypervisor", "VM UUID", "Server type"]
HEADERS = [m.source_field for m in MAPPINGS] + EVIDENCE

SAMPLES: dict[str, list[Any]] = {
    "VM": ["WEB01", "web01.corp.example.com", "Payroll SaaS", "10.0.0.1", " =1+1", "db-02."],
    "Host Name": ["web01", "WEB02.corp.local", "CORP\\APP03", "10.1.1.1", "bad host!", "-"],
    "DNS Name": ["web01.corp.local", "ber-mon13", "x..y", "", "WEB09.EXAMPLE.COM."],
    "Alt DNS": ["alt.example.com", "single", None],
    "IP": ["10.0.0.4", "fe80::1, 10.0.0.5", "10.0.0.300", '["10.0.0.7"]', 12],
    "MAC": ["00:1A:2B:3C:4D:5E", "0:1a:2b:3:4:5", "zz", "001a.2b3c.4d5e"],
    "Serial": ["VMware-42 1c 0a", "SN123", "", "n/a"],
    "Type": ["VM", "Physical", "application", "cmdb_ci_db_mssql", "Web server"],
    "Cores": ["4", "0", "2 cores", "x", 8, 2.0],
    "Sockets": ["2", "1", "-1", ""],
    "Memory": ["2048", "16 GB", "1,024 MB", "-5", "big"],
    "Memory GB": ["8", "0.5", ""],
    "Env": ["PROD", "Pre-prod", "nowhere", "dr"],
    "Maker": ["VMware, Inc.", "Dell Inc.", "Microsoft Corporation", "HP"],
    "Model": ["VMware Virtual Platform", "PowerEdge R740", "Virtual Machine", ""],
    "Tags": ["pci; backup", "a|b|a", '["x", "y"]', "", "n/a, pci"],
    "Labels": ["backup, dr", "pci", None],
    "Depends": ["db01 db02", "Payroll App", "10.1.2.3, web01"],
    "CPU %": ["45%", "101", "0.3", "abc"],
    "Platform": ["VMware", "Yes", "bare metal", "", "Hyper-V"],
    "Virtual?": ["Y", "N", "maybe", "VMware"],
    "IsPhysical": ["1", "0", "true"],
    "Hypervisor": ["KVM", "none", "Hyper-V 2019"],
    "VM UUID": ["4211-aa", "", "x"],
    "Server type": ["Virtual", "Physical", "Web server"],
}

# Any value JSON can hold as a cell (jsonb holds no NUL character): mostly the samples,
# then arbitrary text and scalars.
text = st.text(st.characters(blacklist_characters="\x00"), max_size=12)
cell = st.one_of(
    st.none(),
    text,
    st.integers(min_value=-5, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(text, max_size=2),
)


@st.composite
def raw_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        row: dict[str, Any] = {}
        for column in HEADERS:
            choice = draw(st.integers(min_value=0, max_value=9))
            if choice == 0:
                continue  # the key is absent
            row[column] = draw(cell) if choice == 1 else draw(st.sampled_from(SAMPLES[column]))
        rows.append(row)
    return rows


def _as_stored(rows: list[dict[str, Any]], sources: tuple[str, ...]) -> pl.DataFrame:
    """The batch as the phase reads it: ``raw_data -> 'column'`` as JSON text."""
    return pl.DataFrame(
        {
            source: [json.dumps(row[source]) if source in row else None for row in rows]
            for source in sources
        },
        schema=dict.fromkeys(sources, pl.String),
    )


def _by_row(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    cleanse = compile_cleanser(MAPPINGS, HEADERS)
    out = []
    for row in rows:
        result = cleanse(json.loads(json.dumps(row)))  # as a jsonb round trip gives it
        errors = [{"field": e.field, "value": e.value, "reason": e.reason} for e in result.errors]
        out.append((result.data, errors, result.is_valid, result.invalid_reason))
    return out


def _by_column(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    cleanser = compile_column_cleanser(MAPPINGS, HEADERS)
    frame = cleanser.cleanse(_as_stored(rows, cleanser.sources))
    return [
        (json.loads(data), json.loads(errors), valid, note)
        for data, errors, valid, note in frame.select(
            "cleansed", "errors", "valid", "note"
        ).iter_rows()
    ]


@settings(max_examples=120, deadline=None)
@given(raw_rows())
def test_columnar_cleanser_matches_row_cleanser(rows: list[dict[str, Any]]) -> None:
    assert _by_column(rows) == _by_row(rows)


def test_repeated_values_and_derivations_match() -> None:
    rows = [
        {"VM": "WEB01", "Env": "PROD", "Maker": "VMware, Inc.", "Cores": "4", "Sockets": "2"},
        {"VM": "WEB01", "Env": "PROD", "Virtual?": "Y", "VM UUID": "42"},
        {"Host Name": "web02.corp.local", "Tags": "a", "Labels": "b, a"},
        {"DNS Name": "ber-mon13", "IP": "bad"},
        {"Env": "PROD"},
    ]
    by_column = _by_column(rows)
    assert by_column == _by_row(rows)
    assert by_column[0][0]["cpu_cores"] == 8
    assert by_column[0][0]["hostname"] == "web01"
    assert by_column[2][0]["fqdn"] == "web02.corp.local"
    assert by_column[2][0]["tags"] == ["a", "b"]
    assert by_column[3][0]["hostname"] == "ber-mon13"
    assert by_column[4][2] is False
