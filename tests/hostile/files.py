"""Hostile upload files, built by the tests at a bounded size.

Each builder writes one file that once stalled, exhausted or confused the service: zip
bombs and oversized cells in a workbook, a flood of shared strings, JSON nested thousands
deep, a CSV whose unbalanced quote swallows the rows after it, UTF-16 without its BOM, and
OLE containers (a real encrypted-workbook directory, a legacy workbook, random bytes).
The workbooks are assembled by hand (the parts a reader needs, no more) so that their XML
can be streamed into the archive without building it in memory.
"""

from __future__ import annotations

import os
import random
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{shared}</Types>"
)
_SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Servers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "{shared}</Relationships>"
)
_SHARED_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _inline(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _row(values: Iterable[str]) -> str:
    return "<row>" + "".join(_inline(value) for value in values) + "</row>"


def write_workbook(
    path: Path,
    sheet_xml: Iterable[str],
    *,
    shared_strings: Iterable[str] | None = None,
    level: int = 6,
) -> Path:
    """A workbook of one sheet, ``Servers``, whose ``<sheetData>`` content is ``sheet_xml``
    (streamed into the archive piece by piece), with a shared-strings part if given."""
    shared = shared_strings is not None
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(shared=_SHARED_TYPE if shared else "")
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(shared=_SHARED_REL if shared else ""),
        )
        _stream_member(archive, "xl/worksheets/sheet1.xml", [_SHEET_START], sheet_xml, [_SHEET_END])
        if shared_strings is not None:
            start = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            items = (f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
            _stream_member(archive, "xl/sharedStrings.xml", [start], items, ["</sst>"])
    return path


def _stream_member(
    archive: zipfile.ZipFile, name: str, head: list[str], body: Iterable[str], tail: list[str]
) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        pending: list[str] = list(head)
        size = 0
        for piece in body:
            pending.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                member.write("".join(pending).encode())
                pending, size = [], 0
        pending.extend(tail)
        member.write("".join(pending).encode())


HEADER = ["Server Name", "IP Address", "Notes"]


def _servers(count: int) -> Iterator[list[str]]:
    for n in range(count):
        yield [f"srv{n:05d}", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", "ok"]


def blank_row_bomb(path: Path, *, inflated_bytes: int) -> Path:
    """A small workbook whose sheet XML inflates to ``inflated_bytes`` of blank rows."""
    blank = "<row/>" * 10_000
    count = max(1, inflated_bytes // len(blank))
    body = [_row(HEADER), _row(["web01", "10.0.0.1", "first"])]
    return write_workbook(path, [*body, *(blank for _ in range(count))], level=9)


def huge_cell_bomb(path: Path, *, cell_bytes: int) -> Path:
    """A small workbook with one cell of ``cell_bytes`` repeated characters (inflates)."""
    chunk = "A" * (1 << 20)

    def cells() -> Iterator[str]:
        yield _row(HEADER)
        yield '<row><c t="inlineStr"><is><t>web01</t></is></c><c t="inlineStr"><is><t>'
        for _ in range(cell_bytes // len(chunk)):
            yield chunk
        yield "</t></is></c></row>"

    return write_workbook(path, cells(), level=9)


def oversized_cell_workbook(path: Path, *, cell_chars: int) -> Path:
    """A workbook whose second data row holds one cell of ``cell_chars`` varied characters
    (it does not compress much, so only the cell-size limit can catch it)."""
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    text = "".join(rng.choices(letters, k=cell_chars))
    rows = [_row(HEADER), _row(["web01", "10.0.0.1", "fine"]), _row(["web02", "10.0.0.2", text])]
    return write_workbook(path, rows)


def many_shared_strings(path: Path, *, count: int) -> Path:
    """A workbook whose shared-strings part holds ``count`` distinct strings."""
    rows = [
        '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>',
        '<row><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>',
    ]
    strings = ("Server Name", "IP Address", "web01", "10.0.0.1")
    shared = (strings[n] if n < len(strings) else f"s{n:x}" for n in range(count))
    return write_workbook(path, rows, shared_strings=shared)


def plain_workbook(path: Path, *, rows: int) -> Path:
    """A clean workbook of ``rows`` servers."""
    return write_workbook(path, [_row(HEADER), *(_row(values) for values in _servers(rows))])


def blank_rows_workbook(path: Path, *, blank_rows: int) -> Path:
    """A workbook with a few servers followed by ``blank_rows`` numbered empty rows (they
    compress only moderately, so the ratio guard does not stop them: the blank-row limit does)."""
    body = [_row(HEADER), *(_row(values) for values in _servers(3))]
    blanks = (f'<row r="{n}"/>' for n in range(5, blank_rows + 5))
    return write_workbook(path, [*body, *blanks])


def deep_json(path: Path, *, depth: int) -> Path:
    """A list with one record whose value is nested ``depth`` lists deep."""
    path.write_bytes(b'[{"Server Name": "web01", "Notes": ' + b"[" * depth + b"]" * depth + b"}]")
    return path


def unbalanced_quote_csv(path: Path, *, rows: int) -> Path:
    """A CSV whose first data row opens a quote that never closes, followed by ``rows`` rows."""
    lines = ["Server Name,IP Address,Notes", 'web00000,10.0.0.1,"rack 4 (the quote is never closed']
    lines.extend(",".join(values) for values in _servers(rows))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plain_csv(path: Path, *, rows: int) -> Path:
    lines = [",".join(HEADER), *(",".join(values) for values in _servers(rows))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def huge_csv_cell(path: Path, *, cell_chars: int) -> Path:
    """A CSV whose second data row has one quoted cell of ``cell_chars`` characters."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write('Server Name,IP Address,Notes\nweb01,10.0.0.1,fine\nweb02,10.0.0.2,"')
        chunk = "x" * (1 << 20)
        for _ in range(cell_chars // len(chunk)):
            handle.write(chunk)
        handle.write(chunk[: cell_chars % len(chunk)] + '"\n')
    return path


def utf16_without_bom(path: Path, *, big_endian: bool = False) -> Path:
    text = "Server Name,IP Address,Notes\r\nwëb01,10.0.0.1,Zürich\r\ndb01,10.0.0.2,Kraków\r\n"
    path.write_bytes(text.encode("utf-16-be" if big_endian else "utf-16-le"))
    return path


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END_OF_CHAIN, _FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def ole_compound_file(stream_names: list[str], *, filler_entries: int = 0) -> bytes:
    """A structurally valid OLE compound file (version 3, 512-byte sectors) whose directory
    holds the root entry, ``filler_entries`` unrelated streams, then ``stream_names``.

    The directory spans as many sectors as it needs, chained through the FAT, so a reader
    that looks only at the first directory sector cannot see names beyond it.
    """
    names = ["Root Entry", *(f"Filler{n}" for n in range(filler_entries)), *stream_names]
    directory_sectors = (len(names) + 3) // 4
    # Sector 0 is the FAT; directory sectors follow; each stream's data is one sector after.
    data_start = 1 + directory_sectors
    sectors = 1 + directory_sectors + len(names) - 1
    fat = [_FREE] * 128
    fat[0] = _FAT_SECTOR
    for index in range(directory_sectors):
        fat[1 + index] = 1 + index + 1 if index + 1 < directory_sectors else _END_OF_CHAIN
    for index in range(len(names) - 1):
        fat[data_start + index] = _END_OF_CHAIN
    header = bytearray(512)
    header[:8] = OLE_SIGNATURE
    struct.pack_into("<HH", header, 24, 0x3E, 3)  # minor, major version
    struct.pack_into("<HHH", header, 28, 0xFFFE, 9, 6)  # byte order, sector and mini shifts
    struct.pack_into("<I", header, 44, 1)  # FAT sectors
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<II", header, 60, _END_OF_CHAIN, 0)  # no mini FAT
    struct.pack_into("<II", header, 68, _END_OF_CHAIN, 0)  # no DIFAT sectors
    difat = [0] + [_FREE] * 108
    struct.pack_into("<109I", header, 76, *difat)
    entries = bytearray(directory_sectors * 512)
    for index, name in enumerate(names):
        offset = index * 128
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entries[offset : offset + len(encoded)] = encoded
        struct.pack_into("<H", entries, offset + 64, len(encoded))
        entries[offset + 66] = 5 if index == 0 else 2  # root storage / stream
        entries[offset + 67] = 1  # black
        # A flat tree: every stream is the right sibling of the previous one.
        left, right = 0xFFFFFFFF, index + 1 if 0 < index < len(names) - 1 else 0xFFFFFFFF
        child = 1 if index == 0 and len(names) > 1 else 0xFFFFFFFF
        struct.pack_into("<III", entries, offset + 68, left, right, child)
        start = _END_OF_CHAIN if index == 0 else data_start + index - 1
        struct.pack_into("<IQ", entries, offset + 116, start, 0 if index == 0 else 512)
    body = bytearray(512 * sectors)
    struct.pack_into("<128I", body, 0, *fat)
    body[512 : 512 + len(entries)] = entries
    return bytes(header + body)


def ole_garbage(size: int = 64 * 1024) -> bytes:
    """The OLE signature followed by random bytes."""
    return OLE_SIGNATURE + os.urandom(size)
