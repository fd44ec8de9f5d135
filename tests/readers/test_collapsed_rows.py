"""An unbalanced quote that swallows the rows after it is reported, not silently imported."""

from __future__ import annotations

from pathlib import Path

from tests.hostile import files
from tests.readers.helpers import read_all, write


def test_one_unbalanced_quote_warns_and_names_the_row(tmp_path: Path) -> None:
    table, rows = read_all(files.unbalanced_quote_csv(tmp_path / "in.csv", rows=999))
    assert len(rows) == 1
    [warning] = table.stats.warnings
    assert warning.code == "collapsed_rows"
    assert warning.row == 1
    assert warning.message.startswith("Row 1 has a ")
    assert 'cell in column "Notes" that spans 1,000 lines and holds delimiters' in warning.message


def test_the_quote_opening_further_down_is_the_row_named(tmp_path: Path) -> None:
    good = "".join(f"web{n},10.0.0.{n},fine\n" for n in range(1, 6))
    rest = "".join(f"db{n},10.0.1.{n},note {n}\n" for n in range(200))
    path = write(tmp_path, "in.csv", f'Name,IP,Notes\n{good}app,10.0.2.1,"open\n{rest}'.encode())
    table, rows = read_all(path)
    assert len(rows) == 6
    assert [w.row for w in table.stats.warnings] == [6]


def test_many_short_multi_line_cells_warn_on_the_line_count(tmp_path: Path) -> None:
    # Every cell shorter than the suspicious size, but each swallows delimited lines.
    body = "".join(f'web{n},"a,1\nb,2\nc,3\nd,4\ne,5",x\n' for n in range(60))
    table, rows = read_all(write(tmp_path, "in.csv", f"Name,Notes,Other\n{body}".encode()))
    assert len(rows) == 60
    [warning] = table.stats.warnings
    assert warning.row == 1
    assert warning.message == (
        "This file has 300 lines of data but only 60 rows: quoted values holding delimiters "
        "span many lines, starting at row 1; check its quote marks."
    )


def test_legitimate_multi_line_notes_do_not_warn(tmp_path: Path) -> None:
    body = "".join(f'web{n},"rack {n}\nrow 2, shelf 3",ok\n' for n in range(500))
    body += 'db1,"line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7",ok\n' * 20
    table, rows = read_all(write(tmp_path, "in.csv", f"Name,Notes,Other\n{body}".encode()))
    assert len(rows) == 520
    assert table.stats.warnings == []


def test_fifty_swallowed_rows_warn(tmp_path: Path) -> None:
    table, rows = read_all(files.unbalanced_quote_csv(tmp_path / "in.csv", rows=50))
    assert len(rows) == 1
    assert [(w.code, w.row) for w in table.stats.warnings] == [("collapsed_rows", 1)]
    assert table.stats.warnings[0].message.startswith("This file has 51 lines of data but only 1")


def test_a_plain_file_does_not_warn(tmp_path: Path) -> None:
    table, rows = read_all(files.plain_csv(tmp_path / "in.csv", rows=2000))
    assert len(rows) == 2000
    assert table.stats.warnings == []
