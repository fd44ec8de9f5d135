"""Choosing the text encoding of an upload from a sample of its first bytes.

Inventory exports arrive as UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel,
sometimes without its BOM) or a legacy code page of the exporting Windows: cp1252 in Western
Europe, cp1250 or ISO-8859-2 in Central Europe, Shift-JIS in Japan, and so on. The fast,
exact paths come first: a BOM is trusted, and valid UTF-8 in the sample means UTF-8. UTF-16
without a BOM shows itself by NUL bytes in every other position of ASCII-heavy text.

Anything else goes to ``charset-normalizer``, a maintained detector, on the same bounded
sample, among the code pages inventory exports come in (``CODE_PAGES``). Close relatives
(cp1252, cp1250 and ISO-8859-2 share most letters, at different bytes) are then told apart
by how plausible each decoding is: the share of the sample's non-ASCII characters that are
letters rather than symbols or control characters, times the share of those letters that
one language's alphabet holds ("Dvořák" in cp1250 is Czech; the same bytes in cp1252,
"Dvoøák", mix Danish and Italian letters; "Núñez" in cp1250 would be "Núńez").
Ties go to cp1252, then to the detector's order; a file that decodes to the same text in
cp1252 is reported as cp1252, as before. With no answer from the detector, the Latin
relatives are compared all the same.

Decoding never fails on a stray byte: bytes that are not valid in the chosen encoding are read
as cp1252 (and as latin-1 for the five bytes cp1252 leaves undefined). A UTF-8 export with an
odd Windows-1252 character deep inside then still imports, showing the character that was
most likely meant, instead of failing half-way through a large file.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

SAMPLE_BYTES = 64 * 1024

CODE_PAGES = (
    "cp1252", "cp1250", "iso8859_2", "iso8859_15", "cp1251", "koi8_r", "cp1253", "cp1254",
    "cp1257", "cp932", "euc_jp", "gb18030", "big5", "cp949",
)  # fmt: skip
"""The legacy code pages the detector chooses among (Windows and ISO code pages of the
languages inventory exports come in); narrower than all it knows, which makes it surer."""
LATIN_RELATIVES = ("cp1252", "cp1250", "iso8859_2", "iso8859_15", "cp1257", "cp1254")
"""Latin-script code pages that share most letters at different bytes, which the detector
confuses on short samples."""
_WIDE_SAMPLE_BYTES = 4096
_ASCII = re.compile(r"[\x00-\x7f]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "äöüß",  # German
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíñóúü",  # Spanish
        "àáâãçéêíóôõú",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "áäéëíïóöúü",  # Dutch
        "åäæöøéü",  # Danish, Norwegian, Swedish, Finnish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian, Slovene, Bosnian
        "ăâîșțşţ",  # Romanian
        "ąčęėįšųūž",  # Lithuanian
        "āčēģīķļņšūž",  # Latvian
        "äöõüšž",  # Estonian
        "çğıöşü",  # Turkish
    )
)

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
    return encoding in ("utf-16", "utf-32", "utf-16-le", "utf-16-be")


def text_encoding(head: bytes) -> str | None:
    """The encoding a BOM announces, else UTF-16 recognised without its BOM, else None."""
    return bom_encoding(head) or bomless_utf16(head)


def bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` looks like UTF-16 text without a BOM.

    Text in UTF-16 is mostly ASCII characters (delimiters, digits, names), each a NUL byte
    beside its ASCII byte: NULs fill many odd positions (little-endian) or even ones
    (big-endian) and hardly any of the other. Binary data does not keep that up, and the
    sample must decode to text without control characters.
    """
    sample = head[:_WIDE_SAMPLE_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    for encoding, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= 0.3 * pairs and others <= 0.01 * pairs:
            try:
                text = codecs.getincrementaldecoder(encoding)().decode(sample[: pairs * 2])
            except UnicodeDecodeError:
                return None
            controls = len(_CONTROLS.findall(text))
            return encoding if controls <= 0.01 * len(text) else None
    return None


def sniff_encoding(sample: bytes, *, whole_file: bool) -> str:
    """The codec name to read the file with, judged from its first bytes.

    ``whole_file`` says whether ``sample`` is the entire file; if not, a multibyte UTF-8
    character cut off at the end of the sample is not held against UTF-8.
    """
    announced = text_encoding(sample)
    if announced is not None:
        return announced
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=whole_file)
    except UnicodeDecodeError:
        return detect_code_page(sample, whole_file=whole_file)
    return "utf-8"


def detect_code_page(sample: bytes, *, whole_file: bool) -> str:
    """The legacy code page of ``sample`` (bytes that are not UTF-8); see the docstring."""
    detected = [match.encoding for match in from_bytes(sample, cp_isolation=list(CODE_PAGES))]
    best = detected[0] if detected else "cp1252"
    if best in LATIN_RELATIVES:
        candidates = list(dict.fromkeys([*detected, *LATIN_RELATIVES]))
        decoded = {
            name: _decode_or_none(sample, name, whole_file=whole_file) for name in LATIN_RELATIVES
        }
        best = min(
            (name for name in LATIN_RELATIVES if decoded[name] is not None),
            key=lambda name: (
                -_plausibility(decoded[name] or ""),
                name != "cp1252",
                candidates.index(name),
            ),
        )
        if decoded[best] == decoded["cp1252"]:
            return "cp1252"
    return best


def _decode_or_none(sample: bytes, encoding: str, *, whole_file: bool) -> str | None:
    """The sample as the file would be read in ``encoding`` (cp1252 with its fallback for
    the five undefined bytes, as today), or None if it is not text in that encoding."""
    errors = FALLBACK_ERRORS if encoding == "cp1252" else "strict"
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        return decoder.decode(sample, final=whole_file)
    except (UnicodeDecodeError, LookupError):
        return None


def _plausibility(text: str) -> float:
    """How much the non-ASCII characters of ``text`` look like one language's letters."""
    return _letter_share(text) * _one_language_share(text)


def _one_language_share(text: str) -> float:
    """The largest share of the text's distinct non-ASCII letters that one language has."""
    letters = {char for char in _ASCII.sub("", text).lower() if char.isalpha()}
    if not letters:
        return 1.0
    return max(len(letters & alphabet) for alphabet in _ALPHABETS) / len(letters)


def _letter_share(text: str) -> float:
    """The share of non-ASCII characters that are letters: high for the right code page,
    lower for a relative that turns the same bytes into symbols or control characters."""
    foreign = _ASCII.sub("", text)
    if not foreign:
        return 1.0
    return sum(map(str.isalpha, foreign)) / len(foreign)


def decode_sample(sample: bytes, encoding: str, *, whole_file: bool) -> str:
    """``sample`` as text, tolerating a character cut off at its end."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors_for(encoding))
    return decoder.decode(sample, final=whole_file)


def errors_for(encoding: str) -> str:
    """The codec error handler to read ``encoding`` with."""
    return "replace" if is_wide_encoding(encoding) else FALLBACK_ERRORS
