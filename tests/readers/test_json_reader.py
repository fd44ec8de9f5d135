"""JSON: accepted shapes, value conversion, key union, encodings and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discovery.imports.readers import UnreadableFileError, open_table
from tests.readers.helpers import read_all, unreadable_message, write

RECORDS = [{"name": "web01", "cpu": 4}, {"name": "db01", "cpu": 8}]
EXPECTED = [(1, {"name": "web01", "cpu": "4"}), (2, {"name": "db01", "cpu": "8"})]


@pytest.mark.parametrize(
    ("document", "records_at"),
    [
        (RECORDS, "top level"),
        ({"records": RECORDS}, "records"),
        ({"meta": {"items": [1]}, "data": RECORDS}, "data"),
        ({"count": 2, "data": "none", "items": RECORDS, "records": [{"x": 1}]}, "items"),
    ],
)
def test_accepted_shapes(tmp_path: Path, document: object, records_at: str) -> None:
    table, rows = read_all(write(tmp_path, "in.json", json.dumps(document).encode()))
    assert table.file_format == "json"
    assert table.detected == {"encoding": "utf-8", "records_at": records_at}
    assert table.headers == ["name", "cpu"]
    assert rows == EXPECTED


def test_values_are_converted_to_text(tmp_path: Path) -> None:
    text = (
        '[{"s": " keep ", "i": 16, "f": 1.50, "e": 1e3, "t": true, "n": null, '
        '"o": {"a": [1, 2.5, "x"], "b": null}, "l": ["é", false]}]'
    )
    _, rows = read_all(write(tmp_path, "in.json", text.encode()))
    assert rows[0][1] == {
        "s": " keep ",
        "i": "16",
        "f": "1.50",
        "e": "1E+3",
        "t": "true",
        "n": "",
        "o": '{"a":[1,2.5,"x"],"b":null}',
        "l": '["é",false]',
    }


def test_nested_values_are_valid_compact_json(tmp_path: Path) -> None:
    nested = {"quote": 'say "hi"\n', "path": "C:\\temp", "uni": "Zoë €", "n": [0.1, -3, None]}
    path = write(tmp_path, "in.json", json.dumps([{"nested": nested}]).encode())
    _, rows = read_all(path)
    text = rows[0][1]["nested"]
    assert text == json.dumps(nested, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(text) == nested


def test_headers_are_the_union_of_keys_in_first_seen_order(tmp_path: Path) -> None:
    document = [{"a": 1, "b": 2}, {"c": 3, "a": 4}, {}]
    table, rows = read_all(write(tmp_path, "in.json", json.dumps(document).encode()))
    assert table.headers == ["a", "b", "c"]
    assert rows == [(1, {"a": "1", "b": "2", "c": ""}), (2, {"a": "4", "b": "", "c": "3"})]
    assert table.stats.blank_rows_skipped == 1


def test_a_key_first_seen_late_is_appended_while_streaming(tmp_path: Path) -> None:
    document: list[dict[str, object]] = [{"id": n} for n in range(1, 1502)]
    document[1500]["late"] = "yes"
    path = write(tmp_path, "in.json", json.dumps(document).encode())
    with open_table(path) as table:
        assert table.headers == ["id"]
        rows = list(table.rows)
        assert table.headers == ["id", "late"]
    assert rows[-1] == (1501, {"id": "1501", "late": "yes"})
    assert rows[0][1] == {"id": "1"}


def test_keys_are_normalised_like_headers(tmp_path: Path) -> None:
    document = [{"Name": "a", " Name ": "b", "": "c"}]
    table, rows = read_all(write(tmp_path, "in.json", json.dumps(document).encode()))
    assert table.headers == ["Name", "Name_2", "column_3"]
    assert rows[0][1] == {"Name": "a", "Name_2": "b", "column_3": "c"}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b'\xef\xbb\xbf[{"name": "M\xc3\xbcller"}]', "utf-8-sig"),
        (b"\xff\xfe" + '[{"name": "Müller"}]'.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + '[{"name": "Müller"}]'.encode("utf-16-be"), "utf-16"),
    ],
)
def test_bom_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    table, rows = read_all(write(tmp_path, "in.json", data))
    assert table.detected["encoding"] == encoding
    assert rows == [(1, {"name": "Müller"})]


def test_large_utf16_document_is_transcoded_across_chunks(tmp_path: Path) -> None:
    document = [{"name": f"Zoë-{n}", "note": "€" * 50} for n in range(3000)]
    data = b"\xff\xfe" + json.dumps(document, ensure_ascii=False).encode("utf-16-le")
    table, rows = read_all(write(tmp_path, "in.json", data))
    assert table.stats.rows_read == 3000
    assert rows[-1][1] == {"name": "Zoë-2999", "note": "€" * 50}


def test_record_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", b'[{"a": 1}, {"a": 2}, [3]]')
    message = unreadable_message(path)
    assert message.startswith("Record 3 of the JSON list is a list, not an object")


def test_malformed_json_mid_file_names_the_record(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", b'[{"a": 1}, {"a": 2}, {"a": tru}, {"a": 4}]')
    with open_table(path) as table:
        assert next(table.rows) == (1, {"a": "1"})
        assert next(table.rows) == (2, {"a": "2"})
    message = unreadable_message(path)
    assert message.startswith("The JSON is malformed near record 3: ")


def test_malformed_first_record_fails_on_entering(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", b'[{"a" 1}]')
    with pytest.raises(UnreadableFileError) as raised, open_table(path):
        pytest.fail("entering the table should have failed")
    assert str(raised.value).startswith("The JSON is malformed near record 1: ")


def test_malformed_json_beyond_the_header_sample_is_raised_while_streaming(
    tmp_path: Path,
) -> None:
    good = ",".join(f'{{"a": {n}}}' for n in range(1, 1201))
    path = write(tmp_path, "in.json", f'{{"records": [{good}, {{"a" 1}}]}}'.encode())
    with open_table(path) as table:
        consumed = []
        with pytest.raises(UnreadableFileError) as raised:
            for number, _ in table.rows:
                consumed.append(number)
    assert consumed[-1] == 1200
    assert str(raised.value).startswith("The JSON is malformed near record 1201: ")


def test_scalar_top_level_is_not_a_record_list(tmp_path: Path) -> None:
    message = unreadable_message(write(tmp_path, "in.json", b'"just text"'), file_name="x.json")
    assert message.startswith("This JSON file holds no list of records")


def test_empty_record_list(tmp_path: Path) -> None:
    message = unreadable_message(write(tmp_path, "in.json", b'{"records": []}'))
    assert message == "This JSON file holds no records with any values."
