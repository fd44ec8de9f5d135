"""Reading a JSON export (a list of objects) as a streamed table.

Accepted shapes: a top-level array of objects, or an object holding such an array under
``records``, ``data`` or ``items`` (the first of those keys in the document whose value is an
array). ijson parses the file incrementally, so a large export never sits in memory whole:
a short pre-scan of parse events finds where the records are, then the records stream.

Every parse event passes a depth check first (``max_json_depth``): a document nested
thousands deep fails with an error naming the limit before anything is built from it, and
the read's time budget is checked as the events stream.

Headers are the union of the records' keys in first-seen order. The keys of the first
``HEADER_SAMPLE_RECORDS`` records are known on entering the table; a key first seen later is
appended to ``Table.headers`` while streaming.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped, unused-ignore]

from discovery.imports.readers.encoding import text_encoding
from discovery.imports.readers.errors import UnreadableFileError
from discovery.imports.readers.headers import HeaderSet
from discovery.imports.readers.rows import ShapedRow, is_blank, start_rows
from discovery.imports.readers.table import (
    ReadBudget,
    ReadLimits,
    ReadStats,
    Table,
    limit_exceeded,
)
from discovery.imports.readers.values import json_value_to_text

RECORD_KEYS = ("records", "data", "items")
HEADER_SAMPLE_RECORDS = 1000

NO_RECORD_LIST = (
    "This JSON file holds no list of records: expected an array of objects, "
    'or an object with one under "records", "data" or "items".'
)
NO_RECORDS = "This JSON file holds no records with any values."

_CHUNK_BYTES = 64 * 1024
PARSE_BUFFER_BYTES = 2048
"""ijson parses a buffer at a time and builds every event's prefix (``item.item…``) before
the first is seen: 10,000 levels in one 64 KiB buffer made 250 MB of prefixes. A small
buffer bounds that to a few megabytes before the depth check stops the parse, and parses
no slower."""
_OPENING = frozenset({"start_map", "start_array"})
_CLOSING = frozenset({"end_map", "end_array"})
_EVENTS_PER_BUDGET_CHECK = 4096

Event = tuple[str, str, Any]


@contextmanager
def open_json(path: Path, limits: ReadLimits, budget: ReadBudget) -> Iterator[Table]:
    """Open ``path`` as a JSON table; headers are read now, rows stream from ``Table.rows``."""
    with path.open("rb") as raw:
        encoding = text_encoding(raw.read(4096)) or "utf-8"
        prefix = _find_records(_events(_utf8_source(raw, encoding), limits, budget))
        records = _records(_events(_utf8_source(raw, encoding), limits, budget), prefix)
        headers = HeaderSet(limits)
        key_headers: dict[str, str] = {}
        sample, rest = _take_sample(records)
        for record in sample:
            _register_keys(record, headers, key_headers)
        stats = ReadStats()
        shaped = _shaped(itertools.chain(sample, rest), headers, key_headers)
        rows = start_rows(shaped, stats, limits, budget, no_data_message=NO_RECORDS)
        yield Table(
            file_format="json",
            sheet_name=None,
            headers=headers.names,
            detected={
                "encoding": encoding,
                "records_at": "top level" if prefix == "item" else prefix.removesuffix(".item"),
            },
            stats=stats,
            rows=rows,
        )


def _utf8_source(raw: BinaryIO, encoding: str) -> BinaryIO | _Utf8Transcoder:
    """A fresh UTF-8 byte stream of the whole document, without BOM (ijson needs bytes)."""
    raw.seek(0)
    if encoding == "utf-8":
        return raw
    if encoding == "utf-8-sig":
        raw.seek(len(codecs.BOM_UTF8))
        return raw
    return _Utf8Transcoder(raw, encoding)


class _Utf8Transcoder:
    """A minimal binary reader re-encoding a UTF-16/32 stream as UTF-8, chunk by chunk."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if size == 0 or self._done:
            return b""
        while True:
            chunk = self._raw.read(_CHUNK_BYTES if size < 0 else size)
            text = self._decoder.decode(chunk, final=not chunk)
            if not chunk:
                self._done = True
            if text or self._done:
                return text.encode("utf-8")


def _events(
    source: BinaryIO | _Utf8Transcoder, limits: ReadLimits, budget: ReadBudget
) -> Iterator[Event]:
    """ijson's parse events, refusing a document nested deeper than ``max_json_depth``."""
    depth = 0
    for count, event in enumerate(ijson.parse(source, buf_size=PARSE_BUFFER_BYTES), start=1):
        kind = event[1]
        if kind in _OPENING:
            depth += 1
            if depth > limits.max_json_depth:
                raise limit_exceeded(
                    "max_json_depth",
                    f"This JSON is nested more than {limits.max_json_depth:,} levels deep, "
                    "the most a file may be",
                    value=depth,
                    maximum=limits.max_json_depth,
                )
        elif kind in _CLOSING:
            depth -= 1
        if count % _EVENTS_PER_BUDGET_CHECK == 0:
            budget.check()
        yield event


def _find_records(events: Iterator[Event]) -> str:
    """The ijson prefix of the records (``item`` or ``<key>.item``), from a streaming pre-scan."""
    try:
        _, first_event, _ = next(events)
        if first_event == "start_array":
            return "item"
        if first_event == "start_map":
            for prefix, event, value in events:
                if prefix == "" and event == "map_key" and value in RECORD_KEYS:
                    _, value_event, _ = next(events)
                    if value_event == "start_array":
                        return f"{value}.item"
    except ijson.JSONError as error:
        raise UnreadableFileError(
            f"The JSON is malformed before the first record: {_reason(error)}."
        ) from None
    except StopIteration:
        pass
    raise UnreadableFileError(NO_RECORD_LIST)


def _records(events: Iterator[Event], prefix: str) -> Iterator[dict[str, Any]]:
    """The records under ``prefix``, checked to be objects; parse errors name the record."""
    items = ijson.items(events, prefix)
    number = 0
    while True:
        try:
            record = next(items)
        except StopIteration:
            return
        except ijson.JSONError as error:
            raise UnreadableFileError(
                f"The JSON is malformed near record {number + 1}: {_reason(error)}."
            ) from None
        number += 1
        if not isinstance(record, dict):
            raise UnreadableFileError(
                f"Record {number} of the JSON list is {_describe(record)}, not an object; "
                "every record must be an object of field names and values."
            )
        yield record


def _take_sample(
    records: Iterator[dict[str, Any]],
) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """The first records (for the headers) and an iterator over the rest.

    An error among the sampled records is held back and raised where it occurs in the stream,
    after the good records before it, just as it would be further into a large file. (If no
    good record precedes it, peeking the first row raises it on entering the table.)
    """
    sample: list[dict[str, Any]] = []
    try:
        for record in records:
            sample.append(record)
            if len(sample) == HEADER_SAMPLE_RECORDS:
                break
    except UnreadableFileError as error:
        return sample, _raise(error)
    return sample, records


def _raise(error: UnreadableFileError) -> Iterator[dict[str, Any]]:
    raise error
    yield  # unreachable: makes this a generator, so the error is raised when iterated


def _register_keys(record: dict[str, Any], headers: HeaderSet, key_headers: dict[str, str]) -> None:
    for key in record:
        if key not in key_headers:
            key_headers[key] = headers.add(key)


def _shaped(
    records: Iterator[dict[str, Any]], headers: HeaderSet, key_headers: dict[str, str]
) -> Iterator[ShapedRow]:
    for row_number, record in enumerate(records, start=1):
        _register_keys(record, headers, key_headers)
        row = dict.fromkeys(headers.names, "")
        for key, value in record.items():
            row[key_headers[key]] = json_value_to_text(value)
        yield row_number, None if is_blank(row.values()) else row


_CUT_OFF = "the file ends before the JSON is complete (it may have been cut off)"
_KNOWN_REASONS = {
    "premature EOF": _CUT_OFF,  # yajl backends
    "Incomplete or empty JSON": _CUT_OFF,  # pure-Python backend
    "trailing garbage": "there is unexpected text after the end of the JSON",
    "invalid bytes in UTF8 string": "it contains text that is not valid UTF-8",
}


def _reason(error: Exception) -> str:
    """A short, plain reason from an ijson error (which carries a multi-line excerpt)."""
    message = str(error)
    if message[:2] in ("b'", 'b"'):
        message = message[2:]
    first_line = re.split(r"\\n|\n", message, maxsplit=1)[0].strip()
    for known, reason in _KNOWN_REASONS.items():
        if known in first_line:
            return reason
    first_line = re.sub(r"^(lexical|parse) error:\s*", "", first_line).rstrip(".")
    return first_line[:120] or "the JSON syntax is invalid"


def _describe(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text value"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | Decimal):
        return "a number"
    if value is None:
        return "null"
    return "a plain value"
