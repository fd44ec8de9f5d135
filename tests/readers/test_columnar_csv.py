"""The columnar CSV path gives the rows the row-by-row reader gives, or leaves the file to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discovery.core import copy_format
from discovery.imports import columnar_csv
from discovery.imports.readers import ReadLimits
from discovery.imports.readers.table import ReadBudget
from tests.readers.helpers import read_all, write

PREFIX = "p1\tp2"

TAKEN = {
    "plain": b"host,ip,os\nweb01,10.0.0.1,linux\ndb01,10.0.0.2,windows\n",
    "crlf and quotes": b'host,notes\r\n"web01","a, b ""quoted"""\r\ndb01,\r\n',
    "blank rows": b"host,ip\nweb01,1\n\n,\n  ,\t\nweb02,2\n",
    "every kind of white space": "host,ip\nweb01,1\n\x1c,\u3000\xa0\n\x85,\u200b\n".encode(),
    "short rows": b"host,ip,os\nweb01\nweb02,2\n",
    "bom and unicode": "\ufeffhôst;név\nszerver;Dvořák\n".encode(),
    "duplicate and blank headers": b"host,,host,ip\na,b,c,d\n",
    "trailing blank header cells": b"host,ip,,\nweb01,1,,\nweb02,2,,\n",
    "backslashes and tabs": b'host,path\nweb01,"C:\\temp\\x"\nweb02,"a\tb"\n',
    "control characters": b"host,notes\nweb01,bell\x07here\n",
    "no final newline": b"host,ip\nweb01,1",
}

LEFT = {
    "cp1252": "host,name\nweb01,Caf\xe9\n".encode("cp1252"),
    "utf-16": "host,ip\nweb01,1\n".encode("utf-16"),
    "sep line": b"sep=;\nhost;ip\nweb01;1\n",
    "long row": b"host,ip\nweb01,1,extra\n",
    "line break in a cell": b'host,notes\nweb01,"two\nlines"\n',
    "open quote": b'host,notes\nweb01,"never closed\nweb02,x\n',
    "text after a closing quote": b'host,notes\nweb01,"a"b\n',
    "stray invalid byte": b"host,name\nweb01,Caf\xc3\xa9\nweb02,bad\xff\n",
    "nul": b"host,name\nweb01,a\x00b\n",
    "blank line before the header": b"\nhost,ip\nweb01,1\n",
    "header only": b"host,ip\n",
    "own export": b"row_number,host,errors\n1,'=x,missing\n",
    "values beyond a trimmed header": b"host,ip,,\nweb01,1,,x\n",
}


def columnar_rows(path: Path, limits: ReadLimits) -> list[tuple[int, dict[str, str]]] | None:
    budget = ReadBudget(limits)
    plan = columnar_csv.plan_csv(path, limits, budget)
    if plan is None:
        return None
    rows = []
    for data, count in columnar_csv.copy_blocks(plan, PREFIX, budget):
        lines = data.decode().split("\n")
        assert lines[-1] == "" and len(lines) - 1 == count
        for line in lines[:-1]:
            p1, p2, number, record = line.split("\t")
            assert (p1, p2) == ("p1", "p2")
            rows.append((int(number), json.loads(record.replace("\\\\", "\\"))))
    return rows


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_columnar_rows_match_the_row_by_row_reader(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "upload.csv", TAKEN[name])
    limits = ReadLimits()
    table, expected = read_all(path)
    rows = columnar_rows(path, limits)
    assert rows is not None, "the columnar path should take this file"
    assert rows == [
        (number, {**dict.fromkeys(table.headers, ""), **row}) for number, row in expected
    ]
    plan = columnar_csv.plan_csv(path, limits, ReadBudget(limits))
    assert plan is not None
    assert plan.headers == table.headers
    assert plan.blank_rows == table.stats.blank_rows_skipped
    assert (plan.encoding, plan.delimiter) == (
        table.detected["encoding"],
        table.detected["delimiter"],
    )


@pytest.mark.parametrize("name", sorted(LEFT))
def test_files_polars_cannot_read_the_same_way_go_row_by_row(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "upload.csv", LEFT[name])
    limits = ReadLimits()
    assert columnar_csv.plan_csv(path, limits, ReadBudget(limits)) is None


def test_broken_limits_go_row_by_row_for_their_own_error(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.csv", b"host,notes\nweb01,1\nweb02,2\n\n\nweb03,xxxxxxxx\n")
    for limits in (
        ReadLimits(max_rows=2),
        ReadLimits(max_blank_rows=1),
        ReadLimits(max_cell_chars=5),
    ):
        assert columnar_csv.plan_csv(path, limits, ReadBudget(limits)) is None
    assert columnar_csv.plan_csv(path, ReadLimits(max_rows=3), ReadBudget(ReadLimits())) is not None


def test_the_copy_text_decodes_to_the_row_by_row_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.csv", b'host,path\nweb\\01,"a\tb"\n')
    limits = ReadLimits()
    plan = columnar_csv.plan_csv(path, limits, ReadBudget(limits))
    assert plan is not None
    [(data, _)] = list(columnar_csv.copy_blocks(plan, PREFIX, ReadBudget(limits)))
    record = copy_format.json_field({"host": "web\\01", "path": "a\tb"})
    row_text = f"{PREFIX}\t1\t{record}\n"
    assert data.decode() == row_text
