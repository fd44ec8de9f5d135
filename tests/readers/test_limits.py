"""Configured limits: file size, columns and rows raise LimitExceededError naming the limit."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from discovery.imports.readers import LimitExceededError, ReadLimits, open_table
from discovery.imports.readers.errors import format_byte_size
from tests.readers.helpers import read_all, write, write_xlsx


def test_file_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    # Binary garbage would otherwise be reported as "not a CSV, XLSX or JSON file".
    path = write(tmp_path, "in.csv", b"\x00\x01" * 1000)
    with pytest.raises(LimitExceededError) as raised:
        read_all(path, limits=ReadLimits(max_file_bytes=1024))
    assert str(raised.value) == (
        "The file is 2 KiB, larger than the limit of 1 KiB (DISCOVERY_MAX_UPLOAD_BYTES)."
    )
    assert (raised.value.limit, raised.value.value, raised.value.maximum) == (
        "max_file_bytes",
        2000,
        1024,
    )


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n"
    _, rows = read_all(write(tmp_path, "in.csv", data), limits=ReadLimits(max_file_bytes=len(data)))
    assert rows == [(1, {"a": "1", "b": "2"})]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1, "1 byte"),
        (512, "512 bytes"),
        (1536, "1.5 KiB"),
        (500 * 1024 * 1024, "500 MiB"),
        (int(612.3 * 1024 * 1024), "612.3 MiB"),
        (3 * 1024**3, "3 GiB"),
    ],
)
def test_sizes_in_messages_are_readable(size: int, text: str) -> None:
    assert format_byte_size(size) == text


def test_too_many_header_columns_fails_on_entering(tmp_path: Path) -> None:
    header = ",".join(f"c{n}" for n in range(11))
    path = write(tmp_path, "in.csv", f"{header}\n{header}\n".encode())
    limits = ReadLimits(max_columns=10)
    with pytest.raises(LimitExceededError) as raised, open_table(path, limits=limits):
        pytest.fail("entering the table should have failed")
    assert str(raised.value) == (
        "This file has 11 columns, more than the limit of 10 columns (DISCOVERY_MAX_IMPORT_COLUMNS)."
    )
    assert raised.value.limit == "max_columns"


def test_long_row_past_the_column_limit_fails_while_streaming(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", b"a,b\n1,2\n1,2,3\n1,2,3,4\n")
    limits = ReadLimits(max_columns=3)
    with open_table(path, limits=limits) as table:
        assert next(table.rows)[1] == {"a": "1", "b": "2"}
        assert next(table.rows)[1] == {"a": "1", "b": "2", "column_3": "3"}
        with pytest.raises(LimitExceededError, match="4 columns, more than the limit of 3"):
            next(table.rows)


def test_json_keys_past_the_column_limit(tmp_path: Path) -> None:
    records = [{f"k{n}": n for n in range(6)}]
    path = write(tmp_path, "in.json", json.dumps(records).encode())
    with pytest.raises(LimitExceededError, match="6 columns, more than the limit of 5"):
        read_all(path, limits=ReadLimits(max_columns=5))


def test_xlsx_header_past_the_column_limit(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [list(range(8)), list(range(8))]})
    with pytest.raises(LimitExceededError, match="8 columns, more than the limit of 7"):
        read_all(path, limits=ReadLimits(max_columns=7))


def test_row_limit_is_raised_when_the_next_row_is_reached(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", b"a\n1\n\n2\n3\n4\n")
    limits = ReadLimits(max_rows=3)
    consumed = []
    with open_table(path, limits=limits) as table:
        with pytest.raises(LimitExceededError) as raised:
            for number, row in table.rows:
                consumed.append((number, row["a"]))
        assert table.stats.rows_read == 3
    assert consumed == [(1, "1"), (3, "2"), (4, "3")]
    assert str(raised.value) == (
        "This file has more than the limit of 3 data rows (DISCOVERY_MAX_IMPORT_ROWS)."
    )
    assert raised.value.limit == "max_rows"


def test_row_limit_counts_data_rows_not_blank_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", b"a\n1\n\n\n\n2\n3\n")
    table, rows = read_all(path, limits=ReadLimits(max_rows=3))
    assert [row["a"] for _, row in rows] == ["1", "2", "3"]
    assert table.stats.blank_rows_skipped == 3


@pytest.mark.parametrize("kind", ["json", "xlsx"])
def test_row_limit_applies_to_every_format(tmp_path: Path, kind: str) -> None:
    if kind == "json":
        path = write(tmp_path, "in.json", json.dumps([{"a": n} for n in range(5)]).encode())
    else:
        path = write_xlsx(tmp_path / "in.xlsx", {"S": [["a"], *[[n] for n in range(5)]]})
    with pytest.raises(LimitExceededError, match="more than the limit of 4 data rows"):
        read_all(path, limits=ReadLimits(max_rows=4))


def test_limit_error_survives_pickling() -> None:
    error = LimitExceededError("Too big.", limit="max_rows", value=11, maximum=10)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, LimitExceededError)
    assert (str(copy), copy.limit, copy.value, copy.maximum) == ("Too big.", "max_rows", 11, 10)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        ReadLimits(max_rows=0)
