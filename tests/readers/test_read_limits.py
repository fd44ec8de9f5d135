"""The limits that keep hostile files from exhausting the service, reader by reader.

Each file is built here at a small size, with the limit lowered to match where the default
would need a large file; every error must name its setting.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from discovery.core.settings import Settings
from discovery.imports.readers import LimitExceededError, ReadLimits, open_table
from discovery.imports.readers import table as table_module
from discovery.imports.readers.table import SETTINGS
from tests.hostile import files
from tests.readers.helpers import read_all, write


def _limit_error(path: Path, **limits: int) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as raised:
        read_all(path, limits=ReadLimits(**limits))
    message = str(raised.value)
    assert f"({SETTINGS[raised.value.limit]})." in message, message
    return raised.value


def test_every_limit_names_a_real_setting() -> None:
    aliases = {
        str(choice)
        for field in Settings.model_fields.values()
        for choice in getattr(field.validation_alias, "choices", [])
    }
    assert set(SETTINGS) == set(ReadLimits.__dataclass_fields__)
    assert set(SETTINGS.values()) <= aliases


def test_a_blank_row_bomb_is_refused_before_it_inflates(tmp_path: Path) -> None:
    path = files.blank_row_bomb(tmp_path / "bomb.xlsx", inflated_bytes=64 * 1024**2)
    assert path.stat().st_size < 1024**2
    error = _limit_error(path)
    assert error.limit == "max_compression_ratio"
    assert str(error).startswith('The part "xl/worksheets/sheet1.xml" of this workbook inflates')


def test_a_workbook_declaring_more_than_the_inflated_limit(tmp_path: Path) -> None:
    path = files.plain_workbook(tmp_path / "plain.xlsx", rows=20_000)
    declared = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    error = _limit_error(path, max_decompressed_bytes=declared - 1)
    assert error.limit == "max_decompressed_bytes"
    assert read_all(path, limits=ReadLimits(max_decompressed_bytes=declared))[1][-1][0] == 20_000


def test_an_inflated_cell_is_caught_before_it_is_parsed(tmp_path: Path) -> None:
    path = files.huge_cell_bomb(tmp_path / "cell.xlsx", cell_bytes=8 * 1024**2)
    error = _limit_error(path, max_compression_ratio=100_000)
    assert error.limit == "max_cell_chars"
    assert "xl/worksheets/sheet1.xml" in str(error)


def test_an_oversized_cell_in_a_workbook_names_its_row(tmp_path: Path) -> None:
    path = files.oversized_cell_workbook(tmp_path / "cell.xlsx", cell_chars=5000)
    error = _limit_error(path, max_cell_chars=4096)
    assert str(error).startswith("Row 2 has a cell longer than 4,096 characters")


def test_shared_strings_are_counted_while_parsed(tmp_path: Path) -> None:
    path = files.many_shared_strings(tmp_path / "shared.xlsx", count=5000)
    error = _limit_error(path, max_shared_strings=4999)
    assert error.limit == "max_shared_strings"
    assert "more than the limit of 4,999 shared strings" in str(error)
    table, rows = read_all(path, limits=ReadLimits(max_shared_strings=5000))
    assert table.headers == ["Server Name", "IP Address"]
    assert rows == [(1, {"Server Name": "web01", "IP Address": "10.0.0.1"})]


def test_shared_strings_characters_are_counted(tmp_path: Path) -> None:
    path = files.many_shared_strings(tmp_path / "shared.xlsx", count=5000)
    error = _limit_error(path, max_shared_strings_chars=10_000)
    assert error.limit == "max_shared_strings_chars"


def test_blank_rows_count_against_their_own_limit(tmp_path: Path) -> None:
    path = files.blank_rows_workbook(tmp_path / "blank.xlsx", blank_rows=500)
    error = _limit_error(path, max_blank_rows=499)
    assert str(error) == (
        "This file has more than the limit of 499 blank rows (DISCOVERY_MAX_BLANK_ROWS)."
    )
    table, rows = read_all(path, limits=ReadLimits(max_blank_rows=500))
    assert len(rows) == 3 and table.stats.blank_rows_skipped == 500
    csv = write(tmp_path, "blank.csv", b"a\n1\n" + b",\n" * 10 + b"2\n")
    assert _limit_error(csv, max_blank_rows=9).limit == "max_blank_rows"


def test_a_csv_cell_over_the_limit(tmp_path: Path) -> None:
    path = files.huge_csv_cell(tmp_path / "cell.csv", cell_chars=5000)
    error = _limit_error(path, max_cell_chars=4096)
    assert str(error).startswith("Row 2 has a cell longer than 4,096 characters")


def test_a_json_cell_over_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", json.dumps([{"a": "1"}, {"a": "x" * 5000}]).encode())
    assert str(_limit_error(path, max_cell_chars=4096)).startswith("Row 2 has a cell longer")


@pytest.mark.parametrize("depth", [65, 10_000])
def test_json_nested_too_deep(tmp_path: Path, depth: int) -> None:
    error = _limit_error(files.deep_json(tmp_path / "deep.json", depth=depth))
    assert str(error) == (
        "This JSON is nested more than 64 levels deep, the most a file may be "
        "(DISCOVERY_MAX_JSON_DEPTH)."
    )


def test_json_nested_too_deep_before_its_records(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", b'{"meta": ' + b"[" * 500 + b"]" * 500 + b', "records": []}')
    assert _limit_error(path).limit == "max_json_depth"


def test_json_within_the_depth_limit_is_read(tmp_path: Path) -> None:
    path = files.deep_json(tmp_path / "deep.json", depth=62)  # list and record make 64
    _, rows = read_all(path)
    assert rows[0][1]["Notes"] == "[" * 62 + "]" * 62


def test_the_time_budget_stops_a_long_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.count(step=0.5)  # every look at the clock: half a second later
    monkeypatch.setattr(table_module, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    path = files.plain_csv(tmp_path / "plain.csv", rows=100)
    limits = ReadLimits(max_read_seconds=10)
    with open_table(path, limits=limits) as table, pytest.raises(LimitExceededError) as raised:
        for _ in table.rows:
            pass
    assert str(raised.value) == (
        "Reading this file took longer than the limit of 10 seconds (DISCOVERY_MAX_READ_SECONDS)."
    )
    assert 10 < table.stats.rows_read < 100
