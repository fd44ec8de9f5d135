"""Choosing a CSV delimiter from a sample of the text.

``csv.Sniffer`` guesses from character frequencies and is easily fooled by commas inside
values or decimal commas in semicolon files. Here every candidate is tried with the real csv
parser (so quoted delimiters do not count) and scored on how well the records agree with the
header row: the header of a real table contains the delimiter, and the data records have as
many fields as the header. Ties go to the more common delimiter, in ``CANDIDATES`` order.

An Excel ``sep=`` first line (``sep=;``), which some European exports carry, is obeyed instead.
"""

from __future__ import annotations

import csv
import io
import itertools
import re

CANDIDATES = (",", ";", "\t", "|")
DEFAULT_DELIMITER = ","
_RECORDS_TO_SCORE = 50
_SEP_LINE = re.compile(r"sep=([^\r\n])(?:\r\n|\n|\r)")


def declared_delimiter(sample: str) -> str | None:
    """The delimiter an Excel ``sep=`` first line declares, if the sample starts with one."""
    match = _SEP_LINE.match(sample)
    return match.group(1) if match else None


def sniff_delimiter(sample: str, *, whole_file: bool) -> str:
    """The best-scoring delimiter for ``sample``, or ``","`` for a single-column file."""
    best = DEFAULT_DELIMITER
    best_score: tuple[float, int] = (0.0, 0)
    for delimiter in CANDIDATES:
        score = _score(sample, delimiter, whole_file=whole_file)
        if score is not None and score > best_score:
            best, best_score = delimiter, score
    return best


def _score(sample: str, delimiter: str, *, whole_file: bool) -> tuple[float, int] | None:
    """``(share of data records as wide as the header, header width)``; None if unusable."""
    widths = _record_widths(sample, delimiter, whole_file=whole_file)
    if not widths or widths[0] < 2:
        return None
    header_width, data_widths = widths[0], widths[1:]
    if not data_widths:
        return (1.0, header_width)
    agreeing = sum(1 for width in data_widths if width == header_width)
    return (agreeing / len(data_widths), header_width)


def _record_widths(sample: str, delimiter: str, *, whole_file: bool) -> list[int]:
    """Field counts of the sample's first non-blank, complete records."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        records = list(itertools.islice(reader, _RECORDS_TO_SCORE + 1))
    except csv.Error:
        return []
    if len(records) > _RECORDS_TO_SCORE:
        records = records[:_RECORDS_TO_SCORE]
    elif not whole_file and len(records) > 1:
        # The sample ends mid-file, so its last record is probably cut short.
        records = records[:-1]
    return [len(record) for record in records if any(field.strip() for field in record)]
