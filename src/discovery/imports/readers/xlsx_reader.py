"""Reading one sheet of an Excel workbook (.xlsx/.xlsm) as a streamed table.

openpyxl's read-only mode streams the sheet XML instead of building every cell in memory, and
``data_only`` gives the values Excel last calculated rather than formula text. The sheet's
recorded dimensions are ignored (``reset_dimensions``): some tools write wrong ones, which
would silently cut rows off or pad every row with thousands of empty cells.

Sheet choice: the requested sheet (case-insensitive), else ``vInfo`` when present because that
is the VM inventory sheet of an RVTools export, else the first worksheet in workbook order (the
"active" sheet is whatever was selected when the file was saved, which is not meaningful;
chartsheets are passed over).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from discovery.imports.readers.errors import LimitExceededError, UnreadableFileError
from discovery.imports.readers.rows import positional_rows, start_rows, take_header
from discovery.imports.readers.table import ReadBudget, ReadLimits, ReadStats, Table
from discovery.imports.readers.values import scalar_to_text
from discovery.imports.readers.xlsx_archive import open_workbook

DAMAGED_WORKBOOK = "This file looks like an Excel workbook but cannot be opened: it may be damaged."
RVTOOLS_SHEET = "vInfo"


@contextmanager
def open_xlsx(
    path: Path, sheet: str | None, limits: ReadLimits, budget: ReadBudget
) -> Iterator[Table]:
    """Open one sheet of the workbook at ``path``; rows stream from ``Table.rows``.

    The archive is guarded against zip bombs and oversized parts (see ``xlsx_archive``)."""
    with path.open("rb") as stream:
        workbook = _load(stream, limits, budget)
        try:
            worksheet, reason = _choose_sheet(workbook, sheet)
            worksheet.reset_dimensions()
            records = _Records(worksheet.iter_rows(values_only=True))
            try:
                headers = take_header(records, limits)
                stats = ReadStats()
                yield Table(
                    file_format="xlsx",
                    sheet_name=worksheet.title,
                    headers=headers.names,
                    detected={"sheet": worksheet.title, "sheet_choice": reason},
                    stats=stats,
                    rows=start_rows(positional_rows(records, headers), stats, limits, budget),
                )
            finally:
                records.close()
        finally:
            workbook.close()


def _load(stream: BinaryIO, limits: ReadLimits, budget: ReadBudget) -> Any:
    """The workbook in read-only mode; any failure to open it, other than a broken limit,
    means the file is damaged.

    A stream rather than a path is passed: openpyxl refuses paths whose extension it does not
    know, and stored uploads need not keep their original name.
    """
    try:
        return open_workbook(stream, limits, budget)
    except LimitExceededError:
        raise
    except Exception:  # openpyxl fails in many ways (zip, XML, KeyError, ...) on a bad file.
        raise UnreadableFileError(DAMAGED_WORKBOOK) from None


def _choose_sheet(workbook: Any, requested: str | None) -> tuple[Any, str]:
    """The worksheet to read and why it was chosen ("requested", "rvtools" or "first")."""
    names: list[str] = list(workbook.sheetnames)
    if requested is not None:
        wanted = requested.strip().casefold()
        for name in names:
            if name.strip().casefold() == wanted:
                return _worksheet(workbook, name), "requested"
        available = ", ".join(f'"{name}"' for name in names)
        raise UnreadableFileError(
            f'This workbook has no sheet named "{requested}"; its sheets are: {available}.'
        )
    for name in names:
        if name.casefold() == RVTOOLS_SHEET.casefold():
            return _worksheet(workbook, name), "rvtools"
    for name in names:
        if _has_cells(workbook[name]):
            return workbook[name], "first"
    raise UnreadableFileError("This workbook has no worksheet with cells, only charts.")


def _worksheet(workbook: Any, name: str) -> Any:
    worksheet = workbook[name]
    if not _has_cells(worksheet):
        raise UnreadableFileError(
            f'The sheet "{name}" is a chart, not a table; choose a sheet that holds the data.'
        )
    return worksheet


def _has_cells(sheet: Any) -> bool:
    """False for a chartsheet, which holds a single chart instead of cells."""
    return hasattr(sheet, "iter_rows")


class _Records(Iterator[Sequence[str]]):
    """The sheet's rows as text cells; a failure while streaming means a damaged file."""

    def __init__(self, rows: Iterator[tuple[object, ...]]) -> None:
        self._rows = rows

    def __next__(self) -> Sequence[str]:
        try:
            cells = next(self._rows)
        except (StopIteration, LimitExceededError):
            raise
        except Exception:  # zlib, zip and XML errors from a truncated or corrupt sheet.
            raise UnreadableFileError(DAMAGED_WORKBOOK) from None
        return [scalar_to_text(value) for value in cells]

    def close(self) -> None:
        """Stop the underlying openpyxl generator so it releases its zip member."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()
