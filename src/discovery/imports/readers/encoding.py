"""Choosing the text encoding of an upload from a sample of its first bytes.

Inventory exports arrive as UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel)
or Windows-1252 (older Excel "CSV" on Western-European Windows). A BOM is trusted; otherwise
valid UTF-8 in the sample means UTF-8, and anything else is taken as cp1252.

Decoding never fails on a stray byte: bytes that are not valid in the chosen encoding are read
as cp1252 (and as latin-1 for the five bytes cp1252 leaves undefined). A UTF-8 export with an
odd Windows-1252 character deep inside then still imports, showing the character that was
most likely meant, instead of failing half-way through a large file.
"""

from __future__ import annotations

import codecs

SAMPLE_BYTES = 64 * 1024

FALLBACK_ERRORS = "discovery-readers-cp1252-fallback"
"""Name of the codec error handler registered by this module (see module docstring)."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    text = "".join(_byte_as_cp1252(byte) for byte in error.object[error.start : error.end])
    return text, error.end


def _byte_as_cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error(FALLBACK_ERRORS, _decode_bytes_as_cp1252)


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` announces, if any."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def is_wide_encoding(encoding: str) -> bool:
    """True for UTF-16/32, whose text legitimately contains NUL bytes."""
    return encoding in ("utf-16", "utf-32")


def sniff_encoding(sample: bytes, *, whole_file: bool) -> str:
    """The codec name to read the file with, judged from its first bytes.

    ``whole_file`` says whether ``sample`` is the entire file; if not, a multibyte UTF-8
    character cut off at the end of the sample is not held against UTF-8.
    """
    announced = bom_encoding(sample)
    if announced is not None:
        return announced
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=whole_file)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_sample(sample: bytes, encoding: str, *, whole_file: bool) -> str:
    """``sample`` as text, tolerating a character cut off at its end."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors_for(encoding))
    return decoder.decode(sample, final=whole_file)


def errors_for(encoding: str) -> str:
    """The codec error handler to read ``encoding`` with."""
    return "replace" if is_wide_encoding(encoding) else FALLBACK_ERRORS
