"""The cross-field rules over whole columns, run once per distinct combination of inputs.

Identity (:func:`.identity.derive_identity`) and virtualisation evidence
(:func:`.virtualization.platform_from`) read several fields of a row. The rows that may
need them are narrowed down by column expressions, their inputs made distinct, the rule
applied to each combination, and the results joined back in row order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from discovery.core.combinations import per_combination

from .identity import derive_identity
from .virtualization import is_vmware_serial, platform_from

#: What a VMware guest's serial number is reduced to (only whether it is one matters).
_VMWARE_SERIAL: str = "VMware-00 "


def _per_combination(
    inputs: pl.DataFrame,
    needed: pl.Series,
    outputs: Sequence[str],
    rule: Callable[[tuple[Any, ...]], tuple[str | None, ...]],
) -> pl.DataFrame:
    """``rule`` once per distinct row of ``inputs`` where ``needed``; null elsewhere."""
    return per_combination(inputs, dict.fromkeys(outputs, pl.String), rule, needed)


def _identity_rule(combination: tuple[Any, ...]) -> tuple[str | None, str | None]:
    hostname, fqdn, name, asset_type, rejected_host, rejected_fqdn, raw_host, raw_fqdn = combination
    data: dict[str, object] = {
        field: value
        for field, value in (
            ("hostname", hostname),
            ("fqdn", fqdn),
            ("name", name),
            ("asset_type", asset_type),
        )
        if value is not None
    }
    rejected = [f for f, bad in (("hostname", rejected_host), ("fqdn", rejected_fqdn)) if bad]
    derive_identity(data, {"h": raw_host, "f": raw_fqdn}, ("h",), rejected, ("f",))
    new_host = data.get("hostname") if hostname is None else None
    new_fqdn = data.get("fqdn") if fqdn is None else None
    return (
        new_host if isinstance(new_host, str) else None,
        new_fqdn if isinstance(new_fqdn, str) else None,
    )


def derive_identity_columns(
    hostname: pl.Series,
    fqdn: pl.Series,
    name: pl.Series,
    asset_type: pl.Series,
    rejected_hostname: pl.Series,
    rejected_fqdn: pl.Series,
    raw_hostname: pl.Series,
    raw_fqdn: pl.Series,
) -> tuple[pl.Series, pl.Series]:
    """The host name and FQDN derived where the mapped columns gave none (null elsewhere).

    ``raw_hostname``/``raw_fqdn`` are the first non-empty raw values of the columns mapped
    to those fields, stripped."""
    inputs = pl.DataFrame(
        [
            hostname.alias("hostname"),
            fqdn.alias("fqdn"),
            name.alias("name"),
            asset_type.alias("asset_type"),
            rejected_hostname.alias("rejected_hostname"),
            rejected_fqdn.alias("rejected_fqdn"),
            raw_hostname.alias("raw_hostname"),
            raw_fqdn.alias("raw_fqdn"),
        ]
    )
    # Both present: nothing to derive. Neither anything to derive from: nothing either.
    needed = pl.select(
        (hostname.is_null() | fqdn.is_null())
        & (
            hostname.is_not_null()
            | fqdn.is_not_null()
            | name.is_not_null()
            | raw_fqdn.is_not_null()
        )
    ).to_series()
    derived = _per_combination(inputs, needed, ("new_hostname", "new_fqdn"), _identity_rule)
    return derived["new_hostname"], derived["new_fqdn"]


def derive_virtualization_column(
    already_set: pl.Series,
    findings: Sequence[tuple[bool, pl.Series]],
    manufacturer: pl.Series,
    model: pl.Series,
    serial_number: pl.Series,
) -> pl.Series:
    """``virtualization_platform`` from the evidence, where no column gave it (else null).

    ``findings`` are each evidence column's finding per row, in column order, flagged
    ``True`` for a VM id column (what it implies counts after what the others state)."""
    serials = serial_number.drop_nulls().unique().to_list()
    vmware = serial_number.replace_strict(
        serials, [is_vmware_serial(s) for s in serials], default=False, return_dtype=pl.Boolean
    )
    inputs = pl.DataFrame(
        [
            manufacturer.alias("manufacturer"),
            model.alias("model"),
            vmware.alias("vmware_serial"),
            *(finding.alias(f"finding_{i}") for i, (_implied, finding) in enumerate(findings)),
        ]
    )
    implied_flags = [implied for implied, _finding in findings]

    def rule(combination: tuple[Any, ...]) -> tuple[str | None]:
        make, kind, vmware_serial, *found = combination
        stated = [f for f, implied in zip(found, implied_flags, strict=True) if f and not implied]
        implied = [f for f, flag in zip(found, implied_flags, strict=True) if f and flag]
        serial = _VMWARE_SERIAL if vmware_serial else None
        return (platform_from(make, kind, serial, stated, implied),)

    derived = _per_combination(inputs, ~already_set, ("platform",), rule)
    return derived["platform"]
