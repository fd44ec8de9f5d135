"""A product release with the day its support ends, and where that date comes from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Release:
    product: str
    end_of_support: date
    # Provenance, not identity: two readings of one release are equal whatever the wording.
    source: str = field(default="", compare=False)


def releases(product: str, source: str, dates: Mapping[str, str]) -> dict[str, Release]:
    """A lifecycle table: each version of ``product`` with its end-of-support day and source."""
    return {
        version: Release(f"{product} {version}", date.fromisoformat(day), source)
        for version, day in dates.items()
    }


def release(product: str, day: str, source: str) -> Release:
    return Release(product, date.fromisoformat(day), source)
