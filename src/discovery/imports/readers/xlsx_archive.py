"""Opening a workbook's zip archive with guards, so no workbook can exhaust the service.

A workbook is a zip of XML parts, and zip is where the hostile files hide: a few megabytes
that inflate to gigabytes of blank rows, one cell of a gigabyte, millions of shared strings.
``open_workbook`` hands openpyxl an archive that

* refuses, before anything is inflated, a member that declares more than
  ``max_compression_ratio`` times its compressed size (members over ``RATIO_FLOOR`` bytes;
  tiny parts compress well and are harmless) or an archive that declares more than
  ``max_decompressed_bytes`` in all;
* counts the bytes as they inflate, against the same two limits (zipfile stops a member at
  its declared size, the count keeps the guard honest), checks the read's time budget on
  every block, and measures the longest stretch of XML without markup, which bounds any
  cell before the XML parser builds it in memory (``max_cell_chars``);
* reads the shared strings itself, counting them (``max_shared_strings``) and their
  characters (``max_shared_strings_chars``) while parsing, because openpyxl keeps them all
  in memory: 12 million of them once took 2.4 GB.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import IO, Any, BinaryIO, Literal, cast

from openpyxl.cell.text import Text  # type: ignore[import-untyped, unused-ignore]
from openpyxl.reader.excel import ExcelReader  # type: ignore[import-untyped, unused-ignore]
from openpyxl.xml.constants import (  # type: ignore[import-untyped, unused-ignore]
    SHARED_STRINGS,
    SHEET_MAIN_NS,
)
from openpyxl.xml.functions import iterparse  # type: ignore[import-untyped, unused-ignore]

from discovery.imports.readers.errors import UnreadableFileError, format_byte_size
from discovery.imports.readers.rows import cell_too_long
from discovery.imports.readers.table import ReadBudget, ReadLimits, limit_exceeded

RATIO_FLOOR = 1024 * 1024
"""Members that inflate to less than this are not held to the compression-ratio limit."""
_BYTES_PER_CHAR = 4
"""UTF-8 takes at most this many bytes for a character: the byte bound on a cell's text."""
_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


def open_workbook(stream: BinaryIO, limits: ReadLimits, budget: ReadBudget) -> Any:
    """The workbook in openpyxl's read-only mode, on a guarded archive (see the docstring);
    the caller closes it.

    Raises ``LimitExceededError`` for a broken limit; every other failure to open it is left
    to the caller (a damaged file fails in many ways).
    """
    reader = _GuardedReader(stream, limits, budget)
    with warnings.catch_warnings():
        # openpyxl warns about features it ignores (styles, data validation, ...).
        warnings.simplefilter("ignore")
        reader.read()
    return reader.wb


class _GuardedReader(ExcelReader):  # type: ignore[misc]
    def __init__(self, stream: BinaryIO, limits: ReadLimits, budget: ReadBudget) -> None:
        super().__init__(stream, read_only=True, data_only=True)
        self.archive = GuardedArchive(stream, limits, budget)
        self.valid_files = self.archive.namelist()
        self._limits = limits
        self._budget = budget

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = read_shared_strings(source, self._limits, self._budget)


def read_shared_strings(source: IO[bytes], limits: ReadLimits, budget: ReadBudget) -> list[str]:
    """The workbook's shared strings, within the count and size limits."""
    strings: list[str] = []
    total = 0
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if root is None:
            root = node
            continue
        if event != "end" or node.tag != _STRING_TAG:
            continue
        text = Text.from_tree(node).content.replace("x005F_", "")
        root.clear()  # parsed strings are kept as str, not as XML elements
        if len(text) > limits.max_cell_chars:
            raise cell_too_long(f"Shared string {len(strings) + 1:,}", limits)
        total += len(text)
        if len(strings) >= limits.max_shared_strings:
            raise limit_exceeded(
                "max_shared_strings",
                f"This workbook has more than the limit of {limits.max_shared_strings:,} "
                "shared strings",
                value=len(strings) + 1,
                maximum=limits.max_shared_strings,
            )
        if total > limits.max_shared_strings_chars:
            raise limit_exceeded(
                "max_shared_strings_chars",
                "The shared strings of this workbook hold more than the limit of "
                f"{limits.max_shared_strings_chars:,} characters",
                value=total,
                maximum=limits.max_shared_strings_chars,
            )
        strings.append(text)
        if len(strings) % 4096 == 0:
            budget.check()
    return strings


class GuardedArchive(zipfile.ZipFile):
    """A zip archive whose members are checked before and while they inflate."""

    def __init__(self, stream: BinaryIO, limits: ReadLimits, budget: ReadBudget) -> None:
        super().__init__(stream)
        self.limits = limits
        self.budget = budget
        self.inflated = 0
        self._inflated_by_member: dict[str, int] = {}
        declared = 0
        for info in self.infolist():
            declared += info.file_size
            self.check_ratio(info, info.file_size)
        if declared > limits.max_decompressed_bytes:
            raise self.too_large(declared)

    def open(
        self, name: str | zipfile.ZipInfo, mode: Literal["r", "w"] = "r", pwd: bytes | None = None,
        *, force_zip64: bool = False,
    ) -> IO[bytes]:  # fmt: skip
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return member
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return cast(IO[bytes], _InflatingMember(member, info, self))

    def check_ratio(self, info: zipfile.ZipInfo, inflated: int) -> None:
        if inflated <= RATIO_FLOOR:
            return
        ratio = inflated / max(info.compress_size, 1)
        if ratio > self.limits.max_compression_ratio:
            raise limit_exceeded(
                "max_compression_ratio",
                f'The part "{info.filename}" of this workbook inflates from '
                f"{format_byte_size(info.compress_size)} to {format_byte_size(info.file_size)}, "
                f"more than the limit of {self.limits.max_compression_ratio:,} times its "
                "compressed size: a zip bomb, or rows of nothing",
                value=int(ratio),
                maximum=self.limits.max_compression_ratio,
            )

    def too_large(self, size: int) -> UnreadableFileError:
        return limit_exceeded(
            "max_decompressed_bytes",
            "This workbook inflates to more than the limit of "
            f"{format_byte_size(self.limits.max_decompressed_bytes)}",
            value=size,
            maximum=self.limits.max_decompressed_bytes,
        )

    def count(self, name: str, inflated: int) -> None:
        """``inflated`` bytes of member ``name`` so far; a member read twice counts once."""
        before = self._inflated_by_member.get(name, 0)
        if inflated > before:
            self._inflated_by_member[name] = inflated
            self.inflated += inflated - before
            if self.inflated > self.limits.max_decompressed_bytes:
                raise self.too_large(self.inflated)


class _InflatingMember(io.BufferedIOBase):
    """A member as it inflates: counted, timed, and measured for over-long text."""

    def __init__(self, member: IO[bytes], info: zipfile.ZipInfo, archive: GuardedArchive) -> None:
        self._member = member
        self._info = info
        self._archive = archive
        self._inflated = 0
        self._run = 0  # bytes since the last "<", carried across blocks
        self._max_run = archive.limits.max_cell_chars * _BYTES_PER_CHAR

    def read(self, size: int | None = -1, /) -> bytes:
        data = self._member.read(-1 if size is None else size)
        if data:
            self._count(data)
        return data

    def _count(self, data: bytes) -> None:
        archive = self._archive
        self._inflated += len(data)
        archive.count(self._info.filename, self._inflated)
        archive.check_ratio(self._info, self._inflated)
        archive.budget.check()
        pieces = data.split(b"<")
        if len(pieces) == 1:
            self._run += len(data)
            longest = self._run
        else:
            longest = max(self._run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
            self._run = len(pieces[-1])
        if max(longest, self._run) > self._max_run:
            where = f'The part "{self._info.filename}" of this workbook'
            raise cell_too_long(where, archive.limits)

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)

    def close(self) -> None:
        self._member.close()
        super().close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False
