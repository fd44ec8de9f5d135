"""Shared helpers: stripping, null markers, number reading and size units."""

from __future__ import annotations

import sys

import pytest

from discovery.cleansing import mapping_unit_factor, unit_factor
from discovery.cleansing.numeric import number_literal
from discovery.cleansing.text import STRIP_CHARS, clean_raw, is_null, shorten


def test_strip_chars_cover_every_unicode_whitespace_character() -> None:
    whitespace = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert whitespace <= set(STRIP_CHARS)
    assert {"\u200b", "\ufeff"} <= set(STRIP_CHARS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" web01 ", "web01"),
        ("\u00a0web01\u00a0", "web01"),
        ("NA", None),
        ("nA", None),
        ("Tbd", None),
        ("n/a ", None),
        ("none", None),
        ("nan", "nan"),
        ("0", "0"),
        ("--", None),
        ("---", "---"),
        (None, None),
        (4, "4"),
    ],
)
def test_clean_raw(raw: object, expected: str | None) -> None:
    assert clean_raw(raw) == expected


def test_is_null_and_shorten() -> None:
    assert is_null("") and is_null("UNKNOWN") and not is_null("unknowns")
    assert shorten("abc") == "abc"
    assert shorten("a" * 41) == "a" * 39 + "…"
    assert len(shorten("a" * 1000)) == 40


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("4", "4"),
        ("-4.5", "-4.5"),
        (".5", ".5"),
        ("4.", "4."),
        ("1e3", "1e3"),
        ("1,024", "1024"),
        ("1,048,576", "1048576"),
        ("1,024.5", "1024.5"),
        ("1.048.576", "1048576"),
        ("1.024,5", "1024.5"),
        ("1,5", "1.5"),
        ("0,125", "0.125"),
        ("12,25", "12.25"),
        ("1,0245", "1.0245"),
        ("1.024", "1.024"),
        ("", None),
        (",", None),
        ("1,,0", None),
        ("1.2.3", None),
        ("12,34,567", None),
        ("1_000", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits
        ("inf", None),
    ],
)
def test_number_literal(text: str, literal: str | None) -> None:
    assert number_literal(text) == literal


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        ("B", 1 / 1024**3),
        ("bytes", 1 / 1024**3),
        ("KB", 1 / 1024**2),
        ("KiB", 1 / 1024**2),
        ("MB", 1 / 1024),
        ("MiB", 1 / 1024),
        (" mb ", 1 / 1024),
        ("GB", 1.0),
        ("GiB", 1.0),
        ("TB", 1024.0),
        ("TiB", 1024.0),
    ],
)
def test_unit_factors(unit: str, factor: float) -> None:
    assert unit_factor(unit) == factor
    assert mapping_unit_factor(unit) == factor


def test_mapping_unit_defaults_to_gb_and_rejects_unknown_units() -> None:
    assert mapping_unit_factor(None) == 1.0
    assert mapping_unit_factor("  ") == 1.0
    assert unit_factor("furlongs") is None
    with pytest.raises(ValueError, match="unknown size unit 'furlongs'"):
        mapping_unit_factor("furlongs")
