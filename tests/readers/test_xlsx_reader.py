"""XLSX: sheet choice, cell conversion, header row and trailing empty columns."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import PatternFill

from tests.readers.helpers import read_all, unreadable_message, write_xlsx


def test_first_sheet_is_read_even_when_another_is_active(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx",
        {"Servers": [["Name"], ["web01"]], "Other": [["Name"], ["wrong"]]},
        active=1,
    )
    table, rows = read_all(path)
    assert table.file_format == "xlsx"
    assert table.sheet_name == "Servers"
    assert table.detected == {"sheet": "Servers", "sheet_choice": "first"}
    assert rows == [(1, {"Name": "web01"})]


def test_named_sheet_is_matched_case_insensitively(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx", {"Servers": [["Name"], ["web01"]], "Databases": [["DB"], ["pg"]]}
    )
    table, rows = read_all(path, sheet="dataBASES")
    assert table.sheet_name == "Databases"
    assert table.detected["sheet_choice"] == "requested"
    assert rows == [(1, {"DB": "pg"})]


def test_missing_sheet_lists_the_available_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", {"Servers": [["a"], ["1"]], "Apps": [["b"], ["2"]]})
    message = unreadable_message(path, sheet="Storage")
    assert (
        message == 'This workbook has no sheet named "Storage"; its sheets are: "Servers", "Apps".'
    )


def test_rvtools_vinfo_sheet_is_preferred_when_not_first(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "rvtools.xlsx",
        {
            "vCPU": [["VM", "CPUs"], ["web01", 4]],
            "vInfo": [["VM", "Powerstate", "Memory"], ["web01", "poweredOn", 8192]],
        },
    )
    table, rows = read_all(path)
    assert table.sheet_name == "vInfo"
    assert table.detected["sheet_choice"] == "rvtools"
    assert rows == [(1, {"VM": "web01", "Powerstate": "poweredOn", "Memory": "8192"})]


def test_cell_values_are_converted_to_text(tmp_path: Path) -> None:
    header = ["int", "float_int", "float", "tiny", "true", "false", "none", "dt", "midnight", "day"]
    header += ["clock", "text", "formula"]
    values: list[object] = [4096, 4096.0, 0.1, 1e-07, True, False, None]
    values += [
        datetime(2024, 3, 5, 14, 30, 15),
        datetime(2024, 3, 5),
        date(2023, 12, 31),
        time(13, 45),
        "  spaced  ",
        "=1+1",
    ]
    path = write_xlsx(tmp_path / "in.xlsx", {"Data": [header, values]})
    _, rows = read_all(path)
    assert rows[0][1] == {
        "int": "4096",
        "float_int": "4096",
        "float": "0.1",
        "tiny": "1e-07",
        "true": "true",
        "false": "false",
        "none": "",
        "dt": "2024-03-05T14:30:15",
        "midnight": "2024-03-05T00:00:00",
        "day": "2023-12-31T00:00:00",
        "clock": "13:45:00",
        "text": "  spaced  ",
        # data_only: a formula never calculated by Excel has no cached value.
        "formula": "",
    }


def test_numeric_header_cells_become_text_names(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["Name", 2024, 3.0], ["a", 1, 2]]})
    table, _ = read_all(path)
    assert table.headers == ["Name", "2024", "3"]


def test_header_is_the_first_non_blank_row_and_blank_rows_are_counted(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx",
        {"S": [[None, None], ["Name", "IP"], ["web", "1"], [None, "  "], ["db", "2"]]},
    )
    table, rows = read_all(path)
    assert table.headers == ["Name", "IP"]
    assert rows == [(1, {"Name": "web", "IP": "1"}), (3, {"Name": "db", "IP": "2"})]
    assert table.stats.blank_rows_skipped == 1


def test_row_numbers_match_sheet_rows_below_a_header_in_row_one(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Name"
    sheet["A2"] = "web"
    sheet["A7"] = "db"  # rows 3-6 are absent from the sheet XML altogether
    workbook.save(tmp_path / "in.xlsx")
    table, rows = read_all(tmp_path / "in.xlsx")
    assert rows == [(1, {"Name": "web"}), (6, {"Name": "db"})]
    assert table.stats.blank_rows_skipped == 4


def test_trailing_styled_empty_cells_do_not_create_columns(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "IP"])
    sheet.append(["web", "10.0.0.1"])
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in (1, 2):
        for column in range(3, 40):
            sheet.cell(row=row, column=column).fill = fill
    workbook.save(tmp_path / "in.xlsx")
    table, rows = read_all(tmp_path / "in.xlsx")
    assert table.headers == ["Name", "IP"]
    assert rows == [(1, {"Name": "web", "IP": "10.0.0.1"})]


def test_value_beyond_the_header_gets_a_column_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx", {"S": [["Name", None, None], ["web", None, None, "note"]]}
    )
    table, rows = read_all(path)
    assert table.headers == ["Name", "column_2", "column_3", "column_4"]
    assert rows[0][1] == {"Name": "web", "column_2": "", "column_3": "", "column_4": "note"}


def test_wrong_recorded_dimensions_do_not_cut_off_data(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["a", "b", "c"], [1, 2, 3], [4, 5, 6]]})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
                assert count == 1
            target.writestr(item, data)
    table, rows = read_all(broken)
    assert table.headers == ["a", "b", "c"]
    assert rows[-1] == (2, {"a": "4", "b": "5", "c": "6"})


def test_extension_does_not_matter_for_a_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "upload.bin", {"S": [["a"], ["1"]]})
    table, rows = read_all(path, file_name="export.csv")
    assert table.file_format == "xlsx"
    assert rows == [(1, {"a": "1"})]


def _workbook_with_leading_chartsheet(path: Path) -> Path:
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    data.append(["Name", "CPU"])
    data.append(["web", 4])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    chartsheet = workbook.create_chartsheet("Chart", 0)
    chartsheet.add_chart(chart)
    workbook.save(path)
    return path


def test_leading_chartsheet_is_passed_over(tmp_path: Path) -> None:
    path = _workbook_with_leading_chartsheet(tmp_path / "in.xlsx")
    table, rows = read_all(path)
    assert table.sheet_name == "Data"
    assert rows == [(1, {"Name": "web", "CPU": "4"})]


def test_requesting_a_chartsheet_is_explained(tmp_path: Path) -> None:
    path = _workbook_with_leading_chartsheet(tmp_path / "in.xlsx")
    assert unreadable_message(path, sheet="chart") == (
        'The sheet "Chart" is a chart, not a table; choose a sheet that holds the data.'
    )
