"""Header normalisation rules shared by every format."""

from __future__ import annotations

import pytest

from discovery.imports.readers import LimitExceededError, ReadLimits
from discovery.imports.readers.headers import HeaderSet, clean_header_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Name ", "Name"),
        ("\ufeffName", "Name"),
        ("\xa0Host\xa0name\xa0", "Host\xa0name"),
        ("\u200bIP\t", "IP"),
        ("   ", ""),
    ],
)
def test_clean_header_name_strips_visible_and_invisible_padding(raw: str, expected: str) -> None:
    assert clean_header_name(raw) == expected


def test_empty_headers_become_column_n_by_position() -> None:
    headers = HeaderSet.from_row(["Name", "", " ", "IP"], ReadLimits())
    assert headers.names == ["Name", "column_2", "column_3", "IP"]


def test_duplicates_get_suffixes_in_order() -> None:
    headers = HeaderSet.from_row(["Name", "Name", " Name", "Name"], ReadLimits())
    assert headers.names == ["Name", "Name_2", "Name_3", "Name_4"]


def test_suffix_skips_names_that_exist_as_real_headers() -> None:
    headers = HeaderSet.from_row(["Name", "Name", "Name_2", "Name_3"], ReadLimits())
    assert headers.names == ["Name", "Name_4", "Name_2", "Name_3"]


def test_real_header_wins_over_a_generated_placeholder() -> None:
    headers = HeaderSet.from_row(["", "column_1"], ReadLimits())
    assert headers.names == ["column_1_2", "column_1"]


def test_normalisation_is_deterministic() -> None:
    raw = ["a", "", "a", "a_2", "", "column_2"]
    first = HeaderSet.from_row(raw, ReadLimits()).names
    second = HeaderSet.from_row(raw, ReadLimits()).names
    assert first == second
    assert len(set(first)) == len(first)


def test_add_and_extend_append_unique_names() -> None:
    headers = HeaderSet.from_row(["a", "column_3"], ReadLimits())
    assert headers.add("a") == "a_2"
    headers.extend_to(5)
    assert headers.names == ["a", "column_3", "a_2", "column_4", "column_5"]
    assert headers.add("") == "column_6"
    assert headers.add(" b ") == "b"


def test_too_wide_header_row_raises_limit_error() -> None:
    with pytest.raises(LimitExceededError) as raised:
        HeaderSet.from_row([f"h{i}" for i in range(4)], ReadLimits(max_columns=3))
    assert raised.value.limit == "max_columns"
    assert "4 columns" in str(raised.value) and "limit of 3" in str(raised.value)


def test_growing_past_the_column_limit_raises() -> None:
    headers = HeaderSet.from_row(["a", "b"], ReadLimits(max_columns=3))
    headers.add("c")
    with pytest.raises(LimitExceededError):
        headers.add("d")
    with pytest.raises(LimitExceededError):
        headers.extend_to(4)
    assert headers.names == ["a", "b", "c"]
