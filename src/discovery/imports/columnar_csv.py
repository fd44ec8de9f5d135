"""The columnar read path for CSV: Polars parses the file and encodes its COPY blocks.

The row-by-row reader (``readers.csv_reader`` behind ``open_table``) spends most of an import
in Python: a dict per row and a ``json.dumps`` per row. For the files most exports are, Polars
does the same work in Rust, a bounded batch at a time: it parses the delimited text, drops
blank rows, builds each row's JSON object and the whole COPY line.

It only takes a file it reads exactly as the row-by-row reader would, and says so before
the first block is sent: ``plan_csv`` judges the file from the same encoding and delimiter
sniffing and the same header rules, then one pass of Polars over the whole file, piece by piece,
checks what Polars cannot reproduce. Any of these sends the file to the row-by-row reader,
unchanged in behaviour:

* an encoding other than UTF-8, or bytes that are not UTF-8 (that reader decodes them as
  cp1252); an Excel ``sep=`` line; a header row that is blank, spans lines or is not the
  first record; one of our own exports (their cells are restored);
* anything Polars refuses to parse (quotes that do not close, text after a closing quote,
  a row longer than the header row: its values get new headers there);
* a cell holding a line break (rows swallowed by an open quote are reported from there),
  a NUL character, or values beyond the header's last non-blank cell;
* a broken limit (rows, blank rows, cell length) or no data rows at all, so the error a
  person sees is the one the row-by-row reader gives.

Row numbers are the same: Polars keeps every record (empty lines too) and a record is one
line here, so a data row's number is its record index after the header row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from discovery.core.export_format import is_own_export
from discovery.core.spaces import python_spaces
from discovery.imports.readers.delimiter import declared_delimiter, sniff_delimiter
from discovery.imports.readers.encoding import SAMPLE_BYTES, decode_sample, sniff_encoding
from discovery.imports.readers.errors import UnreadableFileError
from discovery.imports.readers.headers import HeaderSet
from discovery.imports.readers.rows import is_blank
from discovery.imports.readers.table import ReadBudget, ReadLimits

PIECE_BYTES = 2 * 1024 * 1024
"""Bytes of the file parsed at a time (a COPY block of about twice that)."""
_WHITE_SPACE = python_spaces()
"""Every character ``str.strip()`` removes, so a cell is blank here exactly when the
row-by-row reader finds it blank."""
_ROW = "__row_index"
UTF8 = ("utf-8", "utf-8-sig")


@dataclass(frozen=True)
class CsvPlan:
    """How Polars is to read a file the row-by-row reader would read the same way."""

    path: Path
    encoding: str
    delimiter: str
    raw_width: int
    """Fields in the header record, trailing blank ones included."""
    headers: list[str]
    data_rows: int = 0
    blank_rows: int = 0


def plan_csv(path: Path, limits: ReadLimits, budget: ReadBudget) -> CsvPlan | None:
    """A plan for the columnar path, or None when the file must go row by row."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        whole_file = len(sample) < SAMPLE_BYTES or not raw.read(1)
    encoding = sniff_encoding(sample, whole_file=whole_file)
    if encoding not in UTF8:
        return None
    text = decode_sample(sample, encoding, whole_file=whole_file)
    if declared_delimiter(text):
        return None
    delimiter = sniff_delimiter(text, whole_file=whole_file)
    header = _header_record(text, delimiter, limits)
    if header is None:
        return None
    width = len(header)
    while not header[width - 1].strip():
        width -= 1
    try:
        headers = HeaderSet.from_row(header[:width], limits).names
    except UnreadableFileError:
        return None  # too wide: the row-by-row reader says so
    if is_own_export(headers):
        return None
    plan = CsvPlan(path, encoding, delimiter, len(header), headers)
    return _checked(plan, header, limits, budget)


def _header_record(text: str, delimiter: str, limits: ReadLimits) -> list[str] | None:
    """The first record of the sample when it is a one-line, non-blank header row."""
    csv.field_size_limit(limits.max_cell_chars)  # as the row-by-row reader sets it
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(reader)
        next(reader)  # the header row ends inside the sample
    except (csv.Error, StopIteration):
        return None
    if reader.line_num != 2 or is_blank(first):
        return None
    return first


def _pieces(path: Path) -> Iterator[bytes]:
    """The file in pieces of about ``PIECE_BYTES``, each ending at a line end.

    Polars' own streaming collects ran ahead of a slow consumer and kept what they read
    (600 MB for a 266 MB file); pieces read on demand keep the memory at a few pieces.
    A record is one line here (the check pass proves it piece by piece)."""
    with path.open("rb") as file:
        rest = b""
        while chunk := file.read(PIECE_BYTES):
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut]
            rest = data[cut:]
        if rest:
            yield rest


def _lines(piece: bytes) -> int:
    return piece.count(b"\n") + (not piece.endswith(b"\n"))


def _frame(plan: CsvPlan, piece: bytes, first_record: int) -> pl.DataFrame:
    """One piece parsed: a String column per field and each record's index in the file."""
    return pl.read_csv(
        piece,
        has_header=False,
        separator=plan.delimiter,
        quote_char='"',
        schema={f"c{index}": pl.String for index in range(plan.raw_width)},
        empty_string_is_null=False,
        encoding="utf8",
        row_index_name=_ROW,
        row_index_offset=first_record,
    )


def _is_blank(cell: pl.Expr) -> pl.Expr:
    return cell.str.strip_chars(_WHITE_SPACE).str.len_bytes() == 0


def _blank(plan: CsvPlan) -> pl.Expr:
    return pl.all_horizontal([_is_blank(pl.col(f"c{index}")) for index in range(plan.raw_width)])


def _checked(
    plan: CsvPlan, header: list[str], limits: ReadLimits, budget: ReadBudget
) -> CsvPlan | None:
    """The plan with its row counts, after one pass that finds no reason to go row by row."""
    cells = [pl.col(f"c{index}") for index in range(plan.raw_width)]
    beyond = cells[len(plan.headers) :]
    data = pl.col(_ROW) > 0
    blank = _blank(plan)
    checks = [
        (data & ~blank).sum().alias("data_rows"),
        (data & blank).sum().alias("blank_rows"),
        pl.max_horizontal(cell.str.len_chars() for cell in cells).max().alias("longest"),
        pl.any_horizontal(cell.str.contains(r"[\r\n\x00]") for cell in cells)
        .any()
        .alias("odd_cells"),
        pl.any_horizontal([~_is_blank(cell) for cell in beyond]).any().alias("beyond")
        if beyond
        else pl.lit(False).alias("beyond"),
        *(cell.first().alias(f"h{index}") for index, cell in enumerate(cells)),
    ]
    facts: dict[str, Any] = {}
    records = 0
    try:
        for piece in _pieces(plan.path):
            frame = _frame(plan, piece, records)
            if frame.height != _lines(piece):
                return None  # a record spans lines: the row-by-row reader's case
            found = frame.select(checks).row(0, named=True)
            facts = _merged(facts, found) if facts else found
            records += frame.height
            budget.check()
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None
    if not facts:
        return None
    budget.check()
    if [facts[f"h{index}"] for index in range(plan.raw_width)] != header:
        return None
    data_rows, blank_rows = int(facts["data_rows"] or 0), int(facts["blank_rows"] or 0)
    if (
        facts["odd_cells"]
        or facts["beyond"]
        or data_rows == 0
        or data_rows > limits.max_rows
        or blank_rows > limits.max_blank_rows
        or int(facts["longest"] or 0) > limits.max_cell_chars
    ):
        return None
    return CsvPlan(
        plan.path,
        plan.encoding,
        plan.delimiter,
        plan.raw_width,
        plan.headers,
        data_rows=data_rows,
        blank_rows=blank_rows,
    )


def copy_blocks(plan: CsvPlan, prefix: str, budget: ReadBudget) -> Iterator[tuple[bytes, int]]:
    """``(COPY text, rows)`` blocks of ``prefix \\t row_number \\t raw_row_json`` lines."""
    record = pl.struct(
        pl.col(f"c{index}").alias(name) for index, name in enumerate(plan.headers)
    ).struct.json_encode()
    line = pl.concat_str(
        pl.lit(prefix),
        pl.col(_ROW).cast(pl.String),
        # JSON escapes tabs and line breaks itself; COPY needs its backslashes doubled.
        record.str.replace_all("\\", "\\\\", literal=True),
        separator="\t",
    ).alias("line")
    records = 0
    for piece in _pieces(plan.path):
        frame = _frame(plan, piece, records)
        records += frame.height
        budget.check()
        lines = frame.filter((pl.col(_ROW) > 0) & ~_blank(plan)).select(line)["line"]
        if lines.len():
            yield (lines.str.join("\n").item() + "\n").encode(), lines.len()


def _merged(before: dict[str, Any], piece: dict[str, Any]) -> dict[str, Any]:
    """The check's facts over two parts of the file: counts add up, the longest cell is
    the longer, a finding in either is a finding; the header cells are the first part's."""
    merged = dict(before)
    for name in ("data_rows", "blank_rows"):
        merged[name] = int(before[name] or 0) + int(piece[name] or 0)
    merged["longest"] = max(int(before["longest"] or 0), int(piece["longest"] or 0))
    for name in ("odd_cells", "beyond"):
        merged[name] = bool(before[name]) or bool(piece[name])
    return merged
