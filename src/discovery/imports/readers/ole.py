"""Explaining OLE compound files, which look like Excel uploads but cannot be read.

Two kinds of workbook arrive in this container format: a password-protected ``.xlsx`` (Excel
wraps the encrypted package in an OLE file) and a legacy ``.xls`` workbook. The fix differs
for the user, so the container's directory is read to tell them apart: an encrypted package
has ``EncryptionInfo``/``EncryptedPackage`` streams, a legacy workbook a ``Workbook`` (or
``Book``) stream. The directory is followed through the file allocation table, sector by
sector (up to ``MAX_DIRECTORY_SECTORS``).

Anything else that starts with the OLE signature is not guessed at: random bytes after the
signature, a header that does not hold up, or a real compound file of another kind (a Word
document, an Outlook message) is "not a readable file", with the reason.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from discovery.imports.readers.errors import UnreadableFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ENCRYPTED_WORKBOOK = (
    "This workbook is password-protected (encrypted); "
    "save it without a password and upload it again."
)
LEGACY_WORKBOOK = (
    "This is an old-format Excel workbook (.xls); "
    "open it in Excel, save it as an Excel Workbook (.xlsx) and upload that file."
)
NOT_READABLE = "This is not a readable file: {reason}."
DAMAGED_CONTAINER = (
    "it starts like an Office compound file (a legacy .xls or an encrypted workbook), "
    "but the rest of it is not one; it may be damaged"
)
OTHER_CONTAINER = (
    "it is an Office compound file without a workbook in it (a Word document or an "
    "Outlook message, perhaps); export the inventory as CSV or XLSX"
)
MAX_DIRECTORY_SECTORS = 64

_HEADER_SIZE = 512
_ENTRY_SIZE = 128
_LAST_REGULAR_SECTOR = 0xFFFFFFFA
_ENCRYPTED_STREAMS = frozenset({"EncryptionInfo", "EncryptedPackage"})
_WORKBOOK_STREAMS = frozenset({"Workbook", "Book"})


def ole_file_error(stream: BinaryIO, extension: str) -> UnreadableFileError:
    """The user-facing error for a file starting with the OLE signature.

    ``extension`` is no longer consulted: the directory decides, or the file is called
    what it is (damaged or of another kind) instead of being guessed at by its name.
    """
    names = directory_names(stream)
    if names is None:
        return UnreadableFileError(NOT_READABLE.format(reason=DAMAGED_CONTAINER))
    if names & _ENCRYPTED_STREAMS:
        return UnreadableFileError(ENCRYPTED_WORKBOOK)
    if names & _WORKBOOK_STREAMS:
        return UnreadableFileError(LEGACY_WORKBOOK)
    return UnreadableFileError(NOT_READABLE.format(reason=OTHER_CONTAINER))


def directory_names(stream: BinaryIO) -> frozenset[str] | None:
    """The names in the compound file's directory; None if it is not a valid one."""
    stream.seek(0)
    header = stream.read(_HEADER_SIZE)
    if len(header) < _HEADER_SIZE or not header.startswith(OLE_SIGNATURE):
        return None
    major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHH", header, 26)
    if byte_order != 0xFFFE or mini_shift != 6 or (major, sector_shift) not in ((3, 9), (4, 12)):
        return None
    sector_size = 1 << sector_shift
    fat_sector_count, first_directory = struct.unpack_from("<II", header, 44)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < _LAST_REGULAR_SECTOR]
    if not fat_sectors or fat_sector_count == 0 or first_directory >= _LAST_REGULAR_SECTOR:
        return None
    fat = _Fat(stream, sector_size, fat_sectors[:fat_sector_count])
    names: set[str] = set()
    sector, seen = first_directory, 0
    while sector < _LAST_REGULAR_SECTOR and seen < MAX_DIRECTORY_SECTORS:
        data = _read_sector(stream, sector, sector_size)
        if data is None:
            return None
        entries = _entry_names(data)
        if seen == 0 and entries[:1] != ["Root Entry"]:
            return None
        names.update(entries)
        seen += 1
        next_sector = fat.next(sector)
        if next_sector is None:
            return None
        sector = next_sector
    return frozenset(names)


class _Fat:
    """The file allocation table, read one FAT sector at a time as the chain needs it."""

    def __init__(self, stream: BinaryIO, sector_size: int, sectors: list[int]) -> None:
        self._stream = stream
        self._sector_size = sector_size
        self._sectors = sectors
        self._per_sector = sector_size // 4
        self._cache: dict[int, tuple[int, ...]] = {}

    def next(self, sector: int) -> int | None:
        index, offset = divmod(sector, self._per_sector)
        if index >= len(self._sectors):
            return None
        if index not in self._cache:
            data = _read_sector(self._stream, self._sectors[index], self._sector_size)
            if data is None:
                return None
            self._cache[index] = struct.unpack(f"<{self._per_sector}I", data)
        return self._cache[index][offset]


def _read_sector(stream: BinaryIO, sector: int, sector_size: int) -> bytes | None:
    stream.seek((sector + 1) * sector_size)
    data = stream.read(sector_size)
    return data if len(data) == sector_size else None


def _entry_names(sector: bytes) -> list[str]:
    names = []
    for offset in range(0, len(sector) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
        (name_length,) = struct.unpack_from("<H", sector, offset + 64)
        if 2 <= name_length <= 64 and name_length % 2 == 0:
            raw_name = sector[offset : offset + name_length - 2]
            names.append(raw_name.decode("utf-16-le", errors="replace"))
    return names
