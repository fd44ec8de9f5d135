"""Explaining OLE compound files, which look like Excel uploads but cannot be read.

Two kinds of workbook arrive in this container format: a password-protected ``.xlsx`` (Excel
wraps the encrypted package in an OLE file) and a legacy ``.xls`` workbook. The fix differs for
the user, so the directory of the container is peeked at to tell them apart: an encrypted
package has ``EncryptionInfo``/``EncryptedPackage`` streams, a legacy workbook a ``Workbook`` (or
``Book``) stream. Only the first directory sector is inspected; when that is inconclusive the
file extension decides, and failing that the message covers both cases.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from discovery.imports.readers.errors import UnreadableFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0"

ENCRYPTED_WORKBOOK = (
    "This workbook is password-protected (encrypted); "
    "save it without a password and upload it again."
)
LEGACY_WORKBOOK = (
    "This is an old-format Excel workbook (.xls); "
    "open it in Excel, save it as an Excel Workbook (.xlsx) and upload that file."
)
UNKNOWN_OLE_FILE = (
    "This file is a password-protected workbook or an old-format Excel (.xls) file; "
    "save it as an Excel Workbook (.xlsx) without a password and upload that file."
)

_HEADER_SIZE = 512
_ENTRY_SIZE = 128
_ENCRYPTED_STREAMS = frozenset({"EncryptionInfo", "EncryptedPackage"})
_WORKBOOK_STREAMS = frozenset({"Workbook", "Book"})


def ole_file_error(stream: BinaryIO, extension: str) -> UnreadableFileError:
    """The user-facing error for an OLE compound file (``stream`` is positioned anywhere)."""
    names = _first_directory_entry_names(stream)
    if names & _ENCRYPTED_STREAMS:
        return UnreadableFileError(ENCRYPTED_WORKBOOK)
    if names & _WORKBOOK_STREAMS:
        return UnreadableFileError(LEGACY_WORKBOOK)
    if extension == ".xls":
        return UnreadableFileError(LEGACY_WORKBOOK)
    if extension in (".xlsx", ".xlsm"):
        return UnreadableFileError(ENCRYPTED_WORKBOOK)
    return UnreadableFileError(UNKNOWN_OLE_FILE)


def _first_directory_entry_names(stream: BinaryIO) -> frozenset[str]:
    """Stream names in the first directory sector; empty if the header is not plausible."""
    stream.seek(0)
    header = stream.read(_HEADER_SIZE)
    if len(header) < _HEADER_SIZE:
        return frozenset()
    (sector_shift,) = struct.unpack_from("<H", header, 30)
    (first_directory_sector,) = struct.unpack_from("<I", header, 48)
    if not 9 <= sector_shift <= 16 or first_directory_sector >= 0xFFFFFFFA:
        return frozenset()
    sector_size = 1 << sector_shift
    stream.seek((first_directory_sector + 1) * sector_size)
    sector = stream.read(sector_size)
    names = set()
    for offset in range(0, len(sector) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
        (name_length,) = struct.unpack_from("<H", sector, offset + 64)
        if 2 <= name_length <= 64:
            raw_name = sector[offset : offset + name_length - 2]
            names.add(raw_name.decode("utf-16-le", errors="ignore"))
    return frozenset(names)
