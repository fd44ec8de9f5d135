"""Header normalisation: words, compact keys, and the size unit a header declares.

``Memory (In MB)``, ``memoryMB``, ``Memory_MB`` and ``MEMORY MB`` all become the words
``("memory",)`` with unit ``MB``; ``RAM.TotalSizeInMB`` becomes ``ram total size`` (MB);
``O/S`` becomes ``o s`` whose compact key is ``os``. Units are removed from the words used
for matching but reported, so the engine can tell the cleansing step which unit a column
is in. Rates (``MB per second``, ``...PerSecondInKB``) are flagged and carry no size unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Size unit spellings (lower-case) -> the unit reported on a suggestion.
SIZE_UNITS: dict[str, str] = {
    "byte": "B",
    "bytes": "B",
    "kb": "KB",
    "kib": "KB",
    "kbyte": "KB",
    "kbytes": "KB",
    "kilobytes": "KB",
    "mb": "MB",
    "mib": "MB",
    "mbyte": "MB",
    "mbytes": "MB",
    "megabytes": "MB",
    "gb": "GB",
    "gib": "GB",
    "gbyte": "GB",
    "gbytes": "GB",
    "gigabytes": "GB",
    "tb": "TB",
    "tib": "TB",
    "tbyte": "TB",
    "tbytes": "TB",
    "terabytes": "TB",
}

# Mixed-case spellings that camel-case splitting would tear apart.
_KEEP_TOGETHER = (
    ("VMware", "Vmware"),
    ("vCenter", "Vcenter"),
    ("vSphere", "Vsphere"),
    ("vApp", "Vapp"),
    ("MiB", "Mib"),
    ("GiB", "Gib"),
    ("KiB", "Kib"),
    ("TiB", "Tib"),
    ("IPv4", "Ipv4"),
    ("IPv6", "Ipv6"),
    ("MHz", "Mhz"),
    ("GHz", "Ghz"),
    ("MoRef", "Moref"),
    ("SMBios", "Smbios"),
    ("NetBIOS", "Netbios"),
    ("iDRAC", "Idrac"),
    ("iLO", "Ilo"),
    ("macOS", "Macos"),
)

_RATE_WORDS = frozenset(
    {"per", "ps", "sec", "second", "seconds", "throughput", "iops", "mbps", "kbps", "bandwidth"}
)
_PERCENT_WORDS = frozenset({"pct", "percent", "percentage", "prozent"})
_STOPWORDS = frozenset({"the", "of", "a", "an"})
# Words inside brackets that say nothing about the column.
_BRACKET_FILLER = frozenset(
    {"in", "approx", "optional", "required", "mandatory", "bits", "mhz", "ghz", "s", "x"}
)
# A unit glued to a word: ``RAMGB``, ``diskgb``.
_GLUED_PREFIXES = frozenset(
    {"ram", "mem", "memory", "disk", "storage", "size", "capacity", "hdd", "stg", "used"}
)
_GLUED_UNIT = re.compile(r"^([a-z]+?)(mib|gib|tib|kib|mb|gb|tb|kb)$")
_THREE_LETTER_PLURALS = {"ips": "ip", "vms": "vm", "ids": "id", "dcs": "dc", "cis": "ci"}
_NO_SINGULAR = frozenset({"status", "windows", "campus", "canvas", "alias", "analysis", "virus"})


@dataclass(frozen=True)
class NormalizedHeader:
    """A header reduced to what matching needs."""

    raw: str
    tokens: tuple[str, ...]
    singular: tuple[str, ...]
    unit: str | None
    unit_spelling: str | None
    percent: bool
    rate: bool

    @property
    def key(self) -> str:
        return " ".join(self.tokens)

    @property
    def compact(self) -> str:
        return "".join(self.tokens)

    @property
    def singular_compact(self) -> str:
        return "".join(self.singular)


def fold(text: str) -> str:
    """Strip accents (``Kritikalität`` -> ``Kritikalitat``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def learned_key(header: str) -> str:
    """Key for approved mappings: case, space and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]", "", fold(header).lower())


def learned_keys(header: str) -> tuple[str, str]:
    """The header's key with accents folded (``a`` for ``ä``) and with them dropped, so a
    key stored by a client that drops non-ASCII letters still finds the header."""
    return learned_key(header), re.sub(r"[^0-9a-z]", "", header.lower())


def singularize(word: str) -> str:
    if word in _THREE_LETTER_PLURALS:
        return _THREE_LETTER_PLURALS[word]
    if len(word) <= 3 or word in _NO_SINGULAR or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "os")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def _camel_words(chunk: str) -> list[str]:
    if re.fullmatch(r"[a-z][A-Z]{2,}s?|[A-Z]{2,}s", chunk):  # vCPU, vCPUs, NICs, CPUs
        return [chunk.lower()]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", chunk)
    spaced = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})", " ", spaced)
    return spaced.lower().split()


def _words(text: str) -> list[str]:
    for spelling, kept in _KEEP_TOGETHER:
        text = text.replace(spelling, kept)
    text = text.replace("#", " num ")
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", text):
        if not chunk:
            continue
        for word in _camel_words(chunk):
            if re.fullmatch(r"[a-z]{3,}0", word):  # SCCM views: Name0, Model0
                word = word[:-1]
            glued = _GLUED_UNIT.match(word)
            if glued and glued.group(1) in _GLUED_PREFIXES:
                words.extend([glued.group(1), glued.group(2)])
            else:
                words.append(word)
    return words


@lru_cache(maxsize=4096)
def normalize_header(header: str) -> NormalizedHeader:
    """Normalise one header (cached: the same header always gives the same result)."""
    text = fold(header).strip()
    percent = "%" in text
    bracketed = re.findall(r"[(\[{]([^)\]}]*)[)\]}]", text)
    main = re.sub(r"[(\[{][^)\]}]*[)\]}]", " ", text)
    main_words = _words(main)
    bracket_words: list[str] = []
    for group in bracketed:
        group_words = _words(group)
        if group_words == ["b"]:  # "Size (B)"
            group_words = ["bytes"]
        bracket_words.extend(group_words)

    everything = main_words + bracket_words
    rate = any(w in _RATE_WORDS for w in everything)
    percent = percent or any(w in _PERCENT_WORDS for w in everything)

    unit: str | None = None
    unit_spelling: str | None = None
    tokens: list[str] = []
    for source, is_bracket in ((main_words, False), (bracket_words, True)):
        for i, word in enumerate(source):
            if word in SIZE_UNITS:
                if unit is None:
                    unit, unit_spelling = SIZE_UNITS[word], word
                if tokens and tokens[-1] == "in" and not is_bracket:
                    tokens.pop()
                continue
            if word in _PERCENT_WORDS or word in _STOPWORDS:
                continue
            if is_bracket and (word in _BRACKET_FILLER or word in _RATE_WORDS):
                continue
            if is_bracket and word == "in" and i + 1 < len(source):
                continue
            tokens.append(word)
    if rate:
        unit, unit_spelling = None, None
    return NormalizedHeader(
        raw=header,
        tokens=tuple(tokens),
        singular=tuple(singularize(t) for t in tokens),
        unit=unit,
        unit_spelling=unit_spelling,
        percent=percent,
        rate=rate,
    )


_MEANINGLESS = re.compile(
    r"^(?:(?:column|col|field|fld|feld|spalte|attribute|attr|unnamed|untitled|var|variable"
    r"|data|value|custom|extra|misc|blank|new column|header|f|c|x|num)\s*)?\d*$"
)


def is_meaningless(header: NormalizedHeader) -> bool:
    """``column_3``, ``Field1``, ``Unnamed: 4``, empty: the header tells nothing."""
    return bool(_MEANINGLESS.fullmatch(header.key)) or not header.tokens
