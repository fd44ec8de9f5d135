"""The source unit of a size column: from the header, the values, the export, or magnitude.

Order of evidence: a unit in the header (``RAM (MB)``) wins; then a unit most values carry
(``16 GB``); then the unit a known export documents (RVTools ``Memory`` is MB); last, the
magnitude of plain numbers (memory above 256 is MB, not GB). Binary spellings count as the
decimal ones (MiB = MB), as inventory tools mean binary sizes either way.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Final

from discovery.canonical import PERCENT_FIELDS, SIZE_FIELDS
from discovery.mapping.normalize import NormalizedHeader
from discovery.mapping.value_patterns import ColumnProfile, value_unit

UNITS: Final = ("B", "KB", "MB", "GB", "TB")


def _majority_value_unit(profile: ColumnProfile) -> tuple[str, float] | None:
    units = [u[1] for u in (value_unit(v) for v in profile.values) if u is not None]
    if not units or len(units) < max(1, profile.count // 2):
        return None
    unit, hits = sorted(Counter(units).items(), key=lambda kv: (-kv[1], UNITS.index(kv[0])))[0]
    return unit, hits / profile.count


def _from_magnitude(target: str, profile: ColumnProfile) -> tuple[str, str]:
    numbers = profile.numbers()
    if not numbers:
        return "GB", "no unit in header or values; GB assumed"
    median = statistics.median(numbers)
    shown = f"{median:g}"
    if target == "memory_gb":
        if median >= 1e9:
            return "B", f"unit B inferred from magnitude (median {shown})"
        if median >= 2e5:
            return "KB", f"unit KB inferred from magnitude (median {shown})"
        if median > 256:
            return "MB", f"unit MB inferred from magnitude (median {shown} > 256)"
        return "GB", f"unit GB inferred from magnitude (median {shown} <= 256)"
    if median >= 1e11:
        return "B", f"unit B inferred from magnitude (median {shown})"
    if median >= 1e8:
        return "KB", f"unit KB inferred from magnitude (median {shown})"
    if median >= 20000:
        return "MB", f"unit MB inferred from magnitude (median {shown} >= 20000)"
    return "GB", f"unit GB inferred from magnitude (median {shown})"


@dataclass(frozen=True)
class UnitChoice:
    unit: str | None
    note: str | None


def choose_unit(
    target: str, header: NormalizedHeader, profile: ColumnProfile, preset: str | None
) -> UnitChoice:
    """The source unit of ``target`` for this column, and where it came from."""
    if target in PERCENT_FIELDS:
        return UnitChoice("%", None)
    if target == "cpu_cores" and preset == "per socket":  # ServiceNow's cpu_core_count
        return UnitChoice(preset, "cores per socket, times cpu_sockets")
    if target not in SIZE_FIELDS:
        return UnitChoice(None, None)
    if header.unit is not None:
        spelled = header.unit_spelling or header.unit
        note = f"unit {header.unit} from header"
        if spelled.lower() in {"mib", "gib", "kib", "tib"}:
            note += f" ({spelled} taken as {header.unit})"
        return UnitChoice(header.unit, note)
    majority = _majority_value_unit(profile)
    if majority is not None:
        unit, share = majority
        return UnitChoice(unit, f"unit {unit} from values ({share:.0%} carry it)")
    if preset is not None:
        return UnitChoice(preset, f"unit {preset} per the export's documentation")
    unit, note = _from_magnitude(target, profile)
    return UnitChoice(unit, note)
