"""The three scores every asset carries, each from 0 to 1.

- ``confidence_score``: the mean confidence of the approved mappings that supplied the
  row's values (a mapping a person chose or confirmed counts 1.0).
- ``completeness_score``: the share of the ten key fields that have a value: name,
  hostname, ip_address, operating_system, cpu_cores, memory_gb, storage_gb, environment,
  application_name and business_owner.
- ``quality_score``: the share of the row's mapped values that passed cleansing:
  ``valid / (valid + invalid)``; 1.0 for a row without mapped values or errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

KEY_FIELDS = (
    "name", "hostname", "ip_address", "operating_system", "cpu_cores", "memory_gb",
    "storage_gb", "environment", "application_name", "business_owner",
)  # fmt: skip


def confidence_score(
    data: Mapping[str, Any], confidence_by_target: Mapping[str, float | None]
) -> float | None:
    values = [
        1.0 if confidence is None else float(confidence)
        for target, confidence in confidence_by_target.items()
        if data.get(target) not in (None, "", [])
    ]
    return round(sum(values) / len(values), 3) if values else None


def completeness_score(data: Mapping[str, Any]) -> float:
    present = sum(1 for field in KEY_FIELDS if data.get(field) not in (None, "", []))
    return round(present / len(KEY_FIELDS), 3)


def quality_score(data: Mapping[str, Any], errors: Sequence[Any] | None) -> float:
    bad = len(errors or [])
    good = sum(1 for value in data.values() if value not in (None, "", []))
    return round(good / (good + bad), 3) if good + bad else 1.0
