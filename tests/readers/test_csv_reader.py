"""CSV: encodings, delimiters, quoting, header and row rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.imports.readers import open_table
from discovery.imports.readers.encoding import SAMPLE_BYTES
from tests.readers.helpers import read_all, unreadable_message, write


@pytest.mark.parametrize(
    ("delimiter", "content", "notes"),
    [
        (",", 'Name,CPU,Notes\r\nweb01,4,"a;b|c"\r\ndb01,8,plain\r\n', "a;b|c"),
        (";", "Name;CPU;Notes\r\nweb01;4;1,5 GHz\r\ndb01;8;a, b, c\r\n", "1,5 GHz"),
        ("\t", "Name\tCPU\tNotes\nweb01\t4\ta, b; c\ndb01\t8\tplain\n", "a, b; c"),
        ("|", "Name|CPU|Notes\nweb01|4|a,b;c\ndb01|8|plain\n", "a,b;c"),
    ],
)
def test_each_delimiter_is_detected(
    tmp_path: Path, delimiter: str, content: str, notes: str
) -> None:
    table, rows = read_all(write(tmp_path, "in.csv", content.encode()))
    assert table.detected["delimiter"] == delimiter
    assert table.headers == ["Name", "CPU", "Notes"]
    assert [row["Name"] for _, row in rows] == ["web01", "db01"]
    assert rows[0][1]["CPU"] == "4"
    assert rows[0][1]["Notes"] == notes


def test_quoted_delimiters_do_not_count_towards_detection(tmp_path: Path) -> None:
    content = 'a;b\r\n"x;y;z";1\r\n"p;q;r";2\r\n'
    table, rows = read_all(write(tmp_path, "in.csv", content.encode()))
    assert table.detected["delimiter"] == ";"
    assert rows[0][1] == {"a": "x;y;z", "b": "1"}


def test_excel_sep_line_declares_the_delimiter_and_is_skipped(tmp_path: Path) -> None:
    data = "sep=;\r\nName;Price\r\nweb;1,5\r\n".encode("utf-8-sig")
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["delimiter"] == ";"
    assert table.headers == ["Name", "Price"]
    assert rows == [(1, {"Name": "web", "Price": "1,5"})]


def test_single_column_file_reports_comma(tmp_path: Path) -> None:
    table, rows = read_all(write(tmp_path, "in.csv", b"Hostname\nweb01\ndb01\n"))
    assert table.detected["delimiter"] == ","
    assert table.headers == ["Hostname"]
    assert [row for _, row in rows] == [{"Hostname": "web01"}, {"Hostname": "db01"}]


TEXT = "Name;City;Price\r\nMüller;Köln;€ 5\r\nDupont;Genève;12\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected_and_decoded(tmp_path: Path, data: bytes, encoding: str) -> None:
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.detected == {"encoding": encoding, "delimiter": ";"}
    assert table.headers == ["Name", "City", "Price"]
    assert rows[0] == (1, {"Name": "Müller", "City": "Köln", "Price": "€ 5"})
    assert rows[1][1]["City"] == "Genève"


def test_cp1252_euro_byte_and_undefined_bytes(tmp_path: Path) -> None:
    # 0x80 is the euro sign in cp1252; 0x81 is undefined there and falls back to latin-1.
    data = b"Name,Cost\r\nM\xfcller,\x80 3\x81\r\n"
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["encoding"] == "cp1252"
    assert rows[0][1] == {"Name": "Müller", "Cost": "€ 3\x81"}


def test_multibyte_utf8_character_straddling_the_sample_boundary(tmp_path: Path) -> None:
    header = b"Name,Notes\n"
    row = b"web,plain ascii\n"
    body = header + row * ((SAMPLE_BYTES - len(header)) // len(row))
    filler = SAMPLE_BYTES - 1 - len(body) - len(b"x,")
    prefix = body + b"x," + b"a" * filler
    assert len(prefix) == SAMPLE_BYTES - 1  # the 3-byte euro sign starts at the last sample byte
    data = prefix + "€uro\n".encode() + row
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["encoding"] == "utf-8"
    straddling = [row for _, row in rows if row["Name"] == "x"]
    assert straddling[0]["Notes"].endswith("a€uro")


def test_stray_cp1252_byte_after_the_sample_does_not_fail_a_utf8_file(tmp_path: Path) -> None:
    rows_text = "Name,City\n" + "Zoë,Köln\n" * 10_000
    data = rows_text.encode() + b"Caf\xe9,Paris\n"
    assert len(data) > SAMPLE_BYTES
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["encoding"] == "utf-8"
    assert rows[0][1]["Name"] == "Zoë"
    assert rows[-1][1] == {"Name": "Café", "City": "Paris"}


def test_quoted_fields_with_newlines_and_doubled_quotes(tmp_path: Path) -> None:
    data = (
        b'Name,Notes,Size\r\nweb01,"line one\r\nline two\nline ""three""",10\r\ndb01,"a,b",20\r\n'
    )
    _, rows = read_all(write(tmp_path, "in.csv", data))
    assert rows == [
        (1, {"Name": "web01", "Notes": 'line one\r\nline two\nline "three"', "Size": "10"}),
        (2, {"Name": "db01", "Notes": "a,b", "Size": "20"}),
    ]


def test_values_are_not_stripped_or_changed(tmp_path: Path) -> None:
    data = b"Name, Size \n  web01  ,0042\n"
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.headers == ["Name", "Size"]
    assert rows[0][1] == {"Name": "  web01  ", "Size": "0042"}


def test_duplicate_and_empty_headers(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfName,,Name,IP,Name_2, IP \nweb,1,2,3,4,5\n"
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.headers == ["Name", "column_2", "Name_3", "IP", "Name_2", "IP_2"]
    assert rows[0][1] == {
        "Name": "web",
        "column_2": "1",
        "Name_3": "2",
        "IP": "3",
        "Name_2": "4",
        "IP_2": "5",
    }


def test_blank_rows_are_skipped_counted_and_leave_row_number_gaps(tmp_path: Path) -> None:
    data = b"\r\n\r\nName,IP\r\nweb,1\r\n\r\n,,\r\n  ,\t\r\ndb,2\r\n\r\n"
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert table.headers == ["Name", "IP"]
    assert [number for number, _ in rows] == [1, 5]
    assert rows[1][1] == {"Name": "db", "IP": "2"}
    assert table.stats.rows_read == 2
    assert table.stats.blank_rows_skipped == 4


def test_short_rows_are_padded_and_long_rows_add_columns(tmp_path: Path) -> None:
    data = b"Name,IP,OS\nweb\ndb,2,linux,extra,,\napp,3,win,,,\nlast,4,bsd,,,late\n"
    table, rows = read_all(write(tmp_path, "in.csv", data))
    assert rows[0][1] == {"Name": "web", "IP": "", "OS": ""}
    assert rows[1][1] == {"Name": "db", "IP": "2", "OS": "linux", "column_4": "extra"}
    assert rows[2][1] == {"Name": "app", "IP": "3", "OS": "win", "column_4": ""}
    assert rows[3][1]["column_6"] == "late"
    assert table.headers == ["Name", "IP", "OS", "column_4", "column_5", "column_6"]


def test_trailing_empty_header_cells_do_not_become_columns(tmp_path: Path) -> None:
    table, rows = read_all(write(tmp_path, "in.csv", b"Name,IP,,\nweb,1,,\n"))
    assert table.headers == ["Name", "IP"]
    assert rows[0][1] == {"Name": "web", "IP": "1"}


def test_headers_are_known_and_rows_not_yet_consumed_on_entering(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", b"\nName\n\nweb\ndb\n")
    with open_table(path) as table:
        assert table.headers == ["Name"]
        assert table.stats.rows_read == 0
        assert table.stats.blank_rows_skipped == 1  # skipped while peeking the first row
        assert next(table.rows) == (2, {"Name": "web"})
        assert table.stats.rows_read == 1


def test_cell_larger_than_the_field_limit_names_the_row(tmp_path: Path) -> None:
    big = b"x" * (128 * 1024 + 1)
    path = write(tmp_path, "in.csv", b"Name,Notes\nweb,small\ndb," + big + b"\n")
    message = unreadable_message(path)
    assert message.startswith("Row 2 has a cell longer than 131,072 characters")
    assert message.endswith("(DISCOVERY_MAX_CELL_CHARS).")


def test_sheet_argument_is_ignored_for_csv(tmp_path: Path) -> None:
    table, rows = read_all(write(tmp_path, "in.csv", b"a,b\n1,2\n"), sheet="vInfo")
    assert table.sheet_name is None
    assert rows == [(1, {"a": "1", "b": "2"})]


def test_reading_rows_after_leaving_the_context_fails(tmp_path: Path) -> None:
    with open_table(write(tmp_path, "in.csv", b"a\n1\n2\n")) as table:
        pass
    with pytest.raises(ValueError, match="closed file"):
        list(table.rows)
