"""Files that cannot be imported: each raises UnreadableFileError with a clear message.

``unreadable_message`` lets any other exception type escape, which fails the test.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from discovery.imports.readers import UnreadableFileError
from tests.hostile.files import ole_compound_file, ole_garbage
from tests.readers.helpers import ole_file, read_all, unreadable_message, write, write_xlsx

EMPTY = "The file is empty."
NO_DATA = "This file has a header row but no data rows."
DAMAGED = "This file looks like an Excel workbook but cannot be opened: it may be damaged."
NO_LIST = "This JSON file holds no list of records"
ENCRYPTED = (
    "This workbook is password-protected (encrypted); "
    "save it without a password and upload it again."
)
NOT_READABLE_OLE = "This is not a readable file: it starts like an Office compound file"


def _xlsx_bytes(tmp_path: Path) -> bytes:
    rows: list[list[object]] = [["Name", "IP"]]
    rows.extend([f"vm{n}", f"10.0.{n}"] for n in range(500))
    return write_xlsx(tmp_path / "source.xlsx", {"S": rows}).read_bytes()


def _zip_without_workbook(_: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


def _random_binary(_: Path) -> bytes:
    return b"\x01\x02" + os.urandom(2048) + b"\x00" + os.urandom(2048)


CORPUS: list[tuple[str, Callable[[Path], bytes], str | None, str]] = [
    ("zero bytes", lambda _: b"", None, EMPTY),
    ("whitespace only", lambda _: b"  \r\n\t\n   \n", None, EMPTY),
    ("BOM only", lambda _: b"\xef\xbb\xbf", None, EMPTY),
    ("UTF-16 BOM and spaces", lambda _: b"\xff\xfe" + "  \n".encode("utf-16-le"), None, EMPTY),
    ("header only", lambda _: b"Name,IP\r\n", None, NO_DATA),
    ("header and blank rows", lambda _: b"Name,IP\r\n\r\n,\r\n  ,  \r\n", None, NO_DATA),
    ("random binary", _random_binary, None, "This file is not a CSV, XLSX or JSON file: "),
    ("PNG", lambda _: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.csv", "it is a PNG image"),
    ("PDF", lambda _: b"%PDF-1.7\nabc,def\n", None, "it is a PDF document"),
    ("HTML as .xls", lambda _: b"<html><table><tr><td>1</td></tr>", "a.xls", "HTML or XML"),
    ("xlsx header only", lambda p: write_xlsx(p / "h.xlsx", {"S": [["a", "b"], [None, " "]]}).read_bytes(), None, NO_DATA),
    ("xlsx empty sheet", lambda p: write_xlsx(p / "e.xlsx", {"S": []}).read_bytes(), None, EMPTY),
    ("zip, not a workbook", _zip_without_workbook, "a.xlsx", DAMAGED),
    ("empty zip", lambda _: b"PK\x05\x06" + b"\x00" * 18, None, DAMAGED),
    ("truncated xlsx", lambda p: _xlsx_bytes(p)[: len(_xlsx_bytes(p)) // 2], None, DAMAGED),
    # Garbage after the OLE signature is called what it is, whatever the file's name.
    ("bare OLE header", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, None,
     NOT_READABLE_OLE),
    ("OLE signature and random bytes", lambda _: ole_garbage(), "a.xlsx", NOT_READABLE_OLE),
    ("encrypted xlsx", lambda _: ole_file(["EncryptionInfo", "EncryptedPackage"]), None,
     ENCRYPTED),
    ("encrypted xlsx, directory beyond its first sector",
     lambda _: ole_compound_file(["EncryptedPackage"], filler_entries=6), "a.xls", ENCRYPTED),
    ("OLE named .xlsx", lambda _: b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "a.xlsx",
     NOT_READABLE_OLE),
    ("legacy xls", lambda _: ole_file(["Workbook", "SummaryInformation"]), None,
     "This is an old-format Excel workbook (.xls)"),
    ("legacy xls named .xlsx", lambda _: ole_file(["Book"]), "a.xlsx",
     "This is an old-format Excel workbook (.xls)"),
    ("OLE named .xls", lambda _: b"\xd0\xcf\x11\xe0" + b"\xff" * 100, "a.xls", NOT_READABLE_OLE),
    ("Word document", lambda _: ole_file(["WordDocument"]), "a.xlsx",
     "This is not a readable file: it is an Office compound file without a workbook in it"),
    ("JSON 42", lambda _: b"42", "a.json", NO_LIST),
    ("JSON object without list", lambda _: b'{"foo": 1}', None, NO_LIST),
    ("JSON list under another key", lambda _: b'{"rows": [{"a": 1}]}', None, NO_LIST),
    ("JSON records not a list", lambda _: b'{"records": {"a": 1}}', None, NO_LIST),
    ("JSON list of scalars", lambda _: b"[1, 2]", None, "Record 1 of the JSON list is a number"),
    ("JSON empty list", lambda _: b"[]", None, "This JSON file holds no records"),
    ("JSON list of empty objects", lambda _: b"[{}, {}]", None, "This JSON file holds no records"),
    ("truncated JSON", lambda _: b'[{"a": 1}, {"a": 2}, {"a"', None,
     "The JSON is malformed near record 3: the file ends before the JSON is complete"),
    ("truncated JSON object", lambda _: b'{"meta": {"x": [1, 2', None,
     "The JSON is malformed before the first record: the file ends before"),
    ("JSON trailing garbage", lambda _: b'[{"a": 1}] oops', None,
     "The JSON is malformed near record 2: there is unexpected text after the end"),
    ("JSON not UTF-8", lambda _: b'[{"a": "M\xfcller"}]', None,
     "The JSON is malformed near record 1: it contains text that is not valid UTF-8"),
    ("whitespace .json", lambda _: b" \n ", "a.json", EMPTY),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "file_name", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_bad_input_raises_unreadable_file_error(
    tmp_path: Path, make: Callable[[Path], bytes], file_name: str | None, expected: str
) -> None:
    path = write(tmp_path, "upload", make(tmp_path))
    message = unreadable_message(path, file_name=file_name)
    assert expected in message


def test_a_csv_whose_header_starts_with_a_bracket_stays_csv_when_named_csv(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "upload", b"[Server],IP\nweb,1\n")
    table, rows = read_all(path, file_name="export.CSV")
    assert table.file_format == "csv"
    assert table.headers == ["[Server]", "IP"]
    assert rows == [(1, {"[Server]": "web", "IP": "1"})]
    assert "malformed" in unreadable_message(path)  # without the name, it is taken as JSON


def test_json_detection_does_not_depend_on_the_name(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.txt.csv.bin", b'  \n[{"a": 1}]')
    table, rows = read_all(path, file_name="inventory.xlsx")
    assert table.file_format == "json"
    assert rows == [(1, {"a": "1"})]


def _mutations(data: bytes, seed: int, count: int) -> list[bytes]:
    chooser = random.Random(seed)
    variants = []
    for _ in range(count):
        mutated = bytearray(data)
        if chooser.random() < 0.4:
            mutated = mutated[: chooser.randrange(1, len(mutated))]
        for _ in range(chooser.randrange(1, 8)):
            mutated[chooser.randrange(len(mutated))] = chooser.randrange(256)
        variants.append(bytes(mutated))
    return variants


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_damaged_variants_only_ever_raise_unreadable_file_error(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        original = "Name;IP;Notes\r\n" + "".join(
            f'vm{n};10.0.0.{n};"a\r\nb"\r\n' for n in range(50)
        )
        data = original.encode()
    elif kind == "json":
        data = (
            "[" + ",".join(f'{{"n": {n}, "o": {{"x": [1.5, null]}}}}' for n in range(50)) + "]"
        ).encode()
    else:
        data = _xlsx_bytes(tmp_path)
    outcomes = {"read": 0, "unreadable": 0}
    for index, variant in enumerate(_mutations(data, seed=len(kind), count=150)):
        path = write(tmp_path, f"variant{index}", variant)
        try:
            read_all(path)
        except UnreadableFileError as error:
            assert "\n" not in str(error)
            outcomes["unreadable"] += 1
        else:
            outcomes["read"] += 1
    assert sum(outcomes.values()) == 150
    if kind != "csv":  # nearly any change breaks JSON or a zip; CSV mostly still reads
        assert outcomes["unreadable"] > 0
