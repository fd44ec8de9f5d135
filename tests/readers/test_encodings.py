"""Text encodings beyond UTF-8 and cp1252, decoded exactly: real encoded files, generated
here, read through the reader and compared value by value.

The legacy code pages are judged by charset-normalizer on the first 64 KiB (see
``readers/encoding.py``); UTF-16 without its BOM by its NUL bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.readers.helpers import read_all, write

CZECH = [
    ("Dvořák Antonín", "Brno-Královo Pole", "účetní systém; příliš žluťoučký kůň"),
    ("Šťastný Jiří", "Ústí nad Labem", "ďábelské ódy"),
    ("Černý Přemysl", "Plzeň", "zálohovací server"),
]
POLISH = [
    ("Łukasz Żółć", "Kraków", "zażółć gęślą jaźń"),
    ("Grzegorz Brzęczyszczykiewicz", "Łódź", "serwer księgowości"),
    ("Ślązak Śmigły", "Gdańsk", "źdźbło ćwiczeń"),
]
JAPANESE = [
    ("山田 太郎", "東京データセンター", "本番環境のウェブサーバー"),
    ("佐藤 花子", "大阪", "経理システムのデータベース"),
    ("鈴木 一郎", "名古屋", "開発用の仮想マシン（共有）"),  # noqa: RUF001
]
GERMAN = [
    ("Jürgen Müller", "München", "Größe 5 € Straße"),
    ("Zoë Françoise", "Genève", "Kundenportal – Produktion"),  # noqa: RUF001
    ("Ärzte Weiß", "Köln", "Österreich GmbH"),
]
SPANISH = [  # ñ and ¿ are letters in cp1250 (ń, ż): a plausible-looking wrong decoding
    ("José Núñez", "Málaga", "¿servidor de producción?"),
    ("Begoña Ibáñez", "Logroño", "año fiscal"),
]


def _csv(rows: list[tuple[str, str, str]]) -> str:
    lines = ["Owner,Location,Description"]
    lines += [",".join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("rows", "encoding", "detected"),
    [
        (CZECH, "cp1250", "cp1250"),
        (CZECH, "iso8859_2", "iso8859_2"),
        (POLISH, "cp1250", "cp1250"),
        (POLISH, "iso8859_2", "iso8859_2"),
        (JAPANESE, "shift_jis", "cp932"),  # cp932 is Microsoft's superset of Shift-JIS
        (GERMAN, "cp1252", "cp1252"),
        (SPANISH, "cp1252", "cp1252"),
    ],
    ids=["czech-cp1250", "czech-iso-8859-2", "polish-cp1250", "polish-iso-8859-2",
         "japanese-shift-jis", "german-cp1252", "spanish-cp1252"],
)  # fmt: skip
def test_legacy_code_pages_are_detected_and_decoded_exactly(
    tmp_path: Path, rows: list[tuple[str, str, str]], encoding: str, detected: str
) -> None:
    table, read = read_all(write(tmp_path, "in.csv", _csv(rows).encode(encoding)))
    assert table.detected["encoding"] == detected
    assert table.headers == ["Owner", "Location", "Description"]
    assert [tuple(values.values()) for _, values in read] == rows


def test_a_larger_central_european_export(tmp_path: Path) -> None:
    rows = (CZECH + POLISH) * 400  # past the 64 KiB sample
    data = _csv(rows).encode("cp1250")
    assert len(data) > 64 * 1024
    table, read = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["encoding"] == "cp1250"
    assert [tuple(values.values()) for _, values in read] == rows


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom(tmp_path: Path, codec: str) -> None:
    data = _csv(CZECH + JAPANESE).encode(codec)
    table, read = read_all(write(tmp_path, "in.csv", data))
    assert table.detected["encoding"] == codec
    assert [tuple(values.values()) for _, values in read] == CZECH + JAPANESE


def test_utf16_json_without_a_bom(tmp_path: Path) -> None:
    data = '[{"Owner": "Dvořák", "Notes": "本番"}]'.encode("utf-16-le")
    table, read = read_all(write(tmp_path, "in.json", data))
    assert read == [(1, {"Owner": "Dvořák", "Notes": "本番"})]
    assert table.detected["encoding"] == "utf-16-le"


def test_utf8_stays_on_the_fast_exact_path(tmp_path: Path) -> None:
    table, read = read_all(write(tmp_path, "in.csv", _csv(CZECH + JAPANESE).encode("utf-8")))
    assert table.detected["encoding"] == "utf-8"
    assert [tuple(values.values()) for _, values in read] == CZECH + JAPANESE
