"""Size units and their factor to gigabytes (binary multiples: 1 GB = 1024 MB).

``KiB``/``MiB``/``GiB``/``TiB`` are treated as ``KB``/``MB``/``GB``/``TB``: inventory tools
report binary sizes whichever spelling they use.
"""

from __future__ import annotations

from typing import Final

_KB: Final = 1.0 / 1024**2
_MB: Final = 1.0 / 1024
_BYTE: Final = 1.0 / 1024**3

#: Unit spelling (lower-case) -> multiply by this to get GB.
UNIT_FACTORS: Final[dict[str, float]] = {
    "b": _BYTE,
    "byte": _BYTE,
    "bytes": _BYTE,
    "k": _KB,
    "kb": _KB,
    "kib": _KB,
    "kilobytes": _KB,
    "m": _MB,
    "mb": _MB,
    "mib": _MB,
    "megabytes": _MB,
    "g": 1.0,
    "gb": 1.0,
    "gib": 1.0,
    "gigabytes": 1.0,
    "t": 1024.0,
    "tb": 1024.0,
    "tib": 1024.0,
    "terabytes": 1024.0,
    "p": 1024.0**2,
    "pb": 1024.0**2,
    "pib": 1024.0**2,
    "petabytes": 1024.0**2,
}


def unit_factor(unit: str) -> float | None:
    """The factor to GB of a unit spelling (case-insensitive), or ``None`` if unknown."""
    return UNIT_FACTORS.get(unit.strip().lower())


def mapping_unit_factor(unit: str | None) -> float:
    """The factor of a mapping's unit; no unit means GB. Raises ``ValueError`` if unknown."""
    if unit is None or not unit.strip():
        return 1.0
    factor = unit_factor(unit)
    if factor is None:
        raise ValueError(f"unknown size unit {unit!r}")
    return factor
