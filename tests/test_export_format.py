"""The cell rule of our exports: nothing a spreadsheet runs, and an exact way back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from discovery.core.export_format import (
    LINEAGE_COLUMNS,
    is_formula_like,
    is_own_export,
    neutralise,
    restore,
)

# Text built mostly from the characters that matter here, plus anything at all.
tricky = st.one_of(
    st.text(alphabet="'=+-@\t\r\n 0123456789.eE|!A", max_size=12),
    st.text(max_size=12),
)


@given(tricky)
def test_restore_undoes_neutralise_exactly(value: str) -> None:
    assert restore(neutralise(value)) == value


@given(tricky)
def test_a_neutralised_cell_never_starts_a_formula(value: str) -> None:
    cell = neutralise(value)
    assert not is_formula_like(cell)
    assert cell == value or cell == "'" + value


@given(tricky)
def test_a_cell_we_did_not_change_is_read_back_unchanged(value: str) -> None:
    if neutralise(value) == value:
        assert restore(value) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),
        ("'-5", "''-5"),
        # No spreadsheet runs these: they are written as they are.
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("-1e-3", "-1e-3"),
        ("-", "-"),
        ("'abc", "'abc"),
        ("web-01", "web-01"),
        ("", ""),
    ],
)
def test_cells(value: str, cell: str) -> None:
    assert neutralise(value) == cell
    assert restore(cell) == value


def test_our_files_are_known_by_their_header_row() -> None:
    assert is_own_export(["name", "Notes", *LINEAGE_COLUMNS])
    assert is_own_export(["row_number", "Server Name", "errors"])
    assert is_own_export(["__row_number", "row_number", "errors", "_errors"])
    assert not is_own_export(["name", "asset_id", "Notes"])
    assert not is_own_export(["Server Name", "row_number", "errors"])
    assert not is_own_export(["errors"])
