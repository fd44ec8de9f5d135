"""Receiving an uploaded file: a ``multipart/form-data`` body streamed to a temporary file.

The body is parsed as it arrives (``python-multipart``'s streaming parser), the file part
is written to disk chunk by chunk and hashed on the way, and the size limit is enforced
while streaming: nothing is ever held whole in memory and an oversized upload is refused
as soon as it crosses the limit. Then the first bytes are sniffed with the readers' own
format detection, so an image or a PDF renamed ``.csv`` is refused before any import
exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from discovery.core.settings import Settings
from discovery.imports.readers import ReadLimits, open_table
from discovery.imports.readers.detect import HEAD_BYTES, detect_format
from discovery.imports.readers.errors import EMPTY_FILE, UnreadableFileError, format_byte_size
from discovery.imports.storage import safe_file_name

FILE_FIELD = "file"
MAX_FIELDS = 16
MAX_FIELD_BYTES = 16 * 1024
MAX_HEADER_BYTES = 8 * 1024
# Room for the multipart framing and the small form fields around the file itself.
ENVELOPE_BYTES = 1024 * 1024

ACCEPTED_EXTENSIONS = frozenset({"", ".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".xls"})
ACCEPTED_CONTENT_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "application/json",
        "application/csv",
        "application/x-csv",
        "application/zip",
        "application/vnd.ms-excel",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


class UploadError(Exception):
    """The upload cannot be accepted; ``str(exc)`` is meant for the person uploading."""


class MalformedUploadError(UploadError):
    """The request is not a well-formed multipart form with one file."""


class NotMultipartError(MalformedUploadError):
    """The request body is not ``multipart/form-data``."""


class MissingFileError(MalformedUploadError):
    """The form has no file part."""


class UploadTooLargeError(UploadError):
    pass


class UnsupportedFileError(UploadError):
    """The file is not CSV, XLSX or JSON (by its name, its declared type or its content)."""


class EmptyFileError(UploadError):
    pass


@dataclass
class ReceivedUpload:
    path: Path
    file_name: str
    content_type: str
    size: int
    sha256: str
    fields: dict[str, str] = field(default_factory=dict)

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def check_declared_type(file_name: str, content_type: str) -> None:
    """Refuse by name or declared type before reading any content."""
    extension = PurePath(file_name).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise UnsupportedFileError(
            f"{file_name!r} is not a CSV, XLSX or JSON file (extension {extension})."
        )
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind and not kind.startswith("text/") and kind not in ACCEPTED_CONTENT_TYPES:
        raise UnsupportedFileError(
            f"files of type {kind} cannot be imported; send CSV, XLSX or JSON."
        )


def sniff(path: Path, file_name: str) -> str:
    """The format the readers will see; raises for content that is none of them."""
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
        if not head:
            raise EmptyFileError(EMPTY_FILE)
        try:
            return detect_format(stream, PurePath(file_name).suffix.lower())
        except UnreadableFileError as exc:
            if str(exc) == EMPTY_FILE:
                raise EmptyFileError(EMPTY_FILE) from None
            raise UnsupportedFileError(str(exc)) from None


class _FormReader:
    """Callbacks for the streaming parser; file bytes are queued for the async writer."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.file_name: str | None = None
        self.content_type = ""
        self.file_bytes = 0
        self.pending: list[bytes] = []
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: tuple[str, bytearray] | None = None
        self._in_file = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self._field = None
        self._in_file = False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]
        self._check_header()

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        self._check_header()

    def _check_header(self) -> None:
        if len(self._header_name) + len(self._header_value) > MAX_HEADER_BYTES:
            raise MalformedUploadError("a header of the multipart body is too long")

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is not None:
            if name != FILE_FIELD or self.file_name is not None:
                raise MalformedUploadError(
                    f"send exactly one file, in the form field {FILE_FIELD!r}"
                )
            self.file_name = safe_file_name(filename.decode("utf-8", "replace"))
            self.content_type = self._headers.get(b"content-type", b"").decode("latin-1")
            check_declared_type(self.file_name, self.content_type)
            self._in_file = True
            return
        if len(self.fields) >= MAX_FIELDS:
            raise MalformedUploadError(f"too many form fields (at most {MAX_FIELDS})")
        self._field = (name, bytearray())

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.file_bytes += end - start
            if self.file_bytes > self.max_bytes:
                raise UploadTooLargeError(
                    f"The file is larger than the limit of {format_byte_size(self.max_bytes)} "
                    "(DISCOVERY_MAX_UPLOAD_BYTES)."
                )
            self.pending.append(data[start:end])
        elif self._field is not None:
            self._field[1].extend(data[start:end])
            if len(self._field[1]) > MAX_FIELD_BYTES:
                raise MalformedUploadError(f"the form field {self._field[0]!r} is too long")

    def _part_end(self) -> None:
        if self._field is not None:
            name, value = self._field
            try:
                self.fields[name] = value.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedUploadError(f"the form field {name!r} is not UTF-8 text") from None
        self._field = None
        self._in_file = False

    def _end(self) -> None:
        self.ended = True


def _boundary(content_type: str | None) -> bytes:
    kind, options = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise NotMultipartError(
            "send the file as multipart/form-data (for example: curl -F file=@servers.csv)"
        )
    return options[b"boundary"]


def _write(handle: IO[bytes], digest: hashlib._Hash, blocks: list[bytes]) -> None:
    for block in blocks:
        digest.update(block)
        handle.write(block)


async def receive_request_upload(request: Request, settings: Settings) -> ReceivedUpload:
    """:func:`receive_upload` for an HTTP request, into the uploads directory's
    ``incoming`` folder, under DISCOVERY_MAX_UPLOAD_BYTES (the API and the web UI)."""
    length = request.headers.get("content-length")
    return await receive_upload(
        request.stream(),
        content_type=request.headers.get("content-type"),
        content_length=int(length) if length and length.isdigit() else None,
        directory=settings.uploads_dir / "incoming",
        max_bytes=settings.max_upload_bytes,
    )


async def receive_upload(
    chunks: AsyncIterator[bytes],
    *,
    content_type: str | None,
    content_length: int | None,
    directory: Path,
    max_bytes: int,
) -> ReceivedUpload:
    """Stream a multipart body into a temporary file in ``directory``.

    The whole body, not only the file, is bounded: by its ``Content-Length`` before a
    byte is read, and by counting while it streams (a chunked body declares no length).
    The caller removes the file (:meth:`ReceivedUpload.remove`) when done with it.
    """
    boundary = _boundary(content_type)
    most = max_bytes + ENVELOPE_BYTES
    too_large = (
        f"The upload is larger than the limit of {format_byte_size(max_bytes)} "
        "(DISCOVERY_MAX_UPLOAD_BYTES)."
    )
    if content_length is not None and content_length > most:
        raise UploadTooLargeError(
            f"The upload is {format_byte_size(content_length)}, larger than the limit of "
            f"{format_byte_size(max_bytes)} (DISCOVERY_MAX_UPLOAD_BYTES)."
        )
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    descriptor, name = await asyncio.to_thread(tempfile.mkstemp, dir=directory, suffix=".upload")
    path = Path(name)
    reader = _FormReader(max_bytes)
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
            async for chunk in chunks:
                received += len(chunk)
                if received > most:
                    raise UploadTooLargeError(too_large)
                try:
                    parser.write(chunk)
                except FormParserError as exc:
                    raise MalformedUploadError(f"the multipart body is malformed: {exc}") from None
                if reader.pending:
                    blocks, reader.pending = reader.pending, []
                    await asyncio.to_thread(_write, handle, digest, blocks)
        if not reader.ended:
            raise MalformedUploadError("the multipart body is incomplete")
        if reader.file_name is None:
            raise MissingFileError(f"the form has no file: send it in the field {FILE_FIELD!r}")
        await asyncio.to_thread(sniff, path, reader.file_name)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return ReceivedUpload(
        path=path,
        file_name=reader.file_name,
        content_type=reader.content_type,
        size=reader.file_bytes,
        sha256=digest.hexdigest(),
        fields=reader.fields,
    )


def check_local_file(path: Path, limits: ReadLimits, sheet: str | None = None) -> None:
    """The checks an upload passes, for a file on disk (the command line's imports): the
    name, the content sniff, and the headers plus a first row, so an image, an empty or a
    header-only file is refused before an import is recorded.

    Raises :class:`UploadError` (``UnsupportedFileError``, ``EmptyFileError``) or
    ``UnreadableFileError`` with the message the API gives.
    """
    check_declared_type(path.name, "")
    sniff(path, path.name)
    with open_table(path, file_name=path.name, sheet=sheet, limits=limits):
        pass
