"""Deciding an upload's format from its content, with the file name as a tie-breaker.

Consultants rename files, and tools save files under misleading extensions (an HTML table
called ``.xls``, a CSV called ``.txt``), so the first bytes decide. The extension only settles
genuinely ambiguous text: a CSV whose first header starts with ``[`` or ``{`` stays a CSV when
it is named ``.csv``, and a ``.json`` file is parsed as JSON even if it does not start like a
list of records (so the user gets the JSON explanation of what is wrong).
"""

from __future__ import annotations

from typing import BinaryIO

from discovery.imports.readers.encoding import is_wide_encoding, text_encoding
from discovery.imports.readers.errors import EMPTY_FILE, UnreadableFileError, not_a_table_file
from discovery.imports.readers.ole import OLE_MAGIC, ole_file_error
from discovery.imports.readers.table import FileFormat

HEAD_BYTES = 8 * 1024

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "it is a PNG image"),
    (b"\xff\xd8\xff", "it is a JPEG image"),
    (b"GIF8", "it is a GIF image"),
    (b"%PDF-", "it is a PDF document"),
    (b"\x1f\x8b", "it is a gzip-compressed file; extract it and upload the file inside"),
    (b"7z\xbc\xaf\x27\x1c", "it is a 7-Zip archive; extract it and upload the file inside"),
    (b"Rar!\x1a\x07", "it is a RAR archive; extract it and upload the file inside"),
)

_MARKUP_STARTS = ("<?xml", "<html", "<!doctype html", "<table")
_MARKUP_REASON = (
    "it is an HTML or XML document (some tools save these with an .xls name); "
    "open it in Excel, save it as an Excel Workbook (.xlsx) and upload that file"
)
_TEXT_TABLE_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})


def detect_format(stream: BinaryIO, extension: str) -> FileFormat:
    """The format to read ``stream`` as; raises ``UnreadableFileError`` for anything else.

    ``extension`` is the lower-case suffix of the uploaded file's name (``""`` if unknown).
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise ole_file_error(stream, extension)
    for signature, reason in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise not_a_table_file(reason)
    encoding = text_encoding(head)
    if (encoding is None or not is_wide_encoding(encoding)) and b"\x00" in head:
        raise not_a_table_file("it contains binary data")
    text = _leading_text(head, encoding).lower()
    if not text and len(head) < HEAD_BYTES:
        raise UnreadableFileError(EMPTY_FILE)
    if text.startswith(_MARKUP_STARTS):
        raise not_a_table_file(_MARKUP_REASON)
    if text[:1] in ("[", "{") and extension not in _TEXT_TABLE_EXTENSIONS:
        return "json"
    if extension == ".json":
        return "json"
    return "csv"


def _leading_text(head: bytes, encoding: str | None) -> str:
    """The start of the text without BOM and leading whitespace, good enough to classify it."""
    text = head.decode(encoding or "latin-1", errors="ignore")
    return text.lstrip("\ufeff \t\r\n\x0b\x0c\xa0")
