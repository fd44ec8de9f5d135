"""An engagement's tech debt: its flagged assets by severity and by product, and what each
flag means in plain words (the tech-debt page, the asset page, the exports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.models import SCHEMA
from discovery.tenancy.context import Tenant

#: Worst first: an asset counts once, under its worst flag.
SEVERITIES = ("high", "medium")
SEVERITY_LABELS = {"high": "Past end of support", "medium": "Ends within a year"}
LISTED = 500

_BY_PRODUCT = text(
    f"""
    SELECT f ->> 'product' AS product, f ->> 'severity' AS severity,
           min(f ->> 'end_of_support') AS end_of_support, count(DISTINCT a.id) AS assets
      FROM {SCHEMA}.assets AS a
     CROSS JOIN LATERAL jsonb_array_elements(a.tech_debt_flags) AS f
     WHERE a.client_account_id = :client AND a.engagement_id = :engagement
       AND a.tech_debt_flags <> '[]'::jsonb
     GROUP BY 1, 2
     ORDER BY 4 DESC, 1
    """  # noqa: S608 (the schema constant)
)
_FLAGGED = text(
    f"""
    SELECT a.id, a.name, a.asset_type, a.environment, a.tech_debt_flags
      FROM {SCHEMA}.assets AS a
     WHERE a.client_account_id = :client AND a.engagement_id = :engagement
       AND a.tech_debt_flags <> '[]'::jsonb
     ORDER BY a.tech_debt_flags @> '[{{"severity": "high"}}]'::jsonb DESC, a.name, a.id
    """  # noqa: S608 (the schema constant)
)


def worst_severity(flags: Iterable[Mapping[str, Any]]) -> str | None:
    found = {flag.get("severity") for flag in flags}
    return next((s for s in SEVERITIES if s in found), None)


def flag_meaning(flag: Mapping[str, Any]) -> str:
    """One flag as a sentence a consultant can repeat to the client."""
    product = flag.get("product") or "This product"
    day = flag.get("end_of_support") or "an unknown day"
    if flag.get("severity") == "high":
        return (
            f"{product} has been out of vendor support since {day}: no more security fixes. "
            "Upgrade or replace it before (or as part of) the migration."
        )
    return (
        f"{product} leaves vendor support on {day}, within a year. "
        "Plan the upgrade into the migration wave."
    )


def shown_flags(flags: Iterable[Any]) -> list[dict[str, Any]]:
    """Flags as the asset page shows them (worst first), each with its label and meaning."""
    shown = [
        {**flag, "label": SEVERITY_LABELS.get(str(flag.get("severity")), "Flagged"),
         "meaning": flag_meaning(flag)}
        for flag in flags
        if isinstance(flag, Mapping)
    ]  # fmt: skip
    order = {severity: i for i, severity in enumerate(SEVERITIES)}
    return sorted(shown, key=lambda f: order.get(str(f.get("severity")), len(order)))


def products(flags: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(flag.get("product")) for flag in flags if flag.get("product")]


def earliest_end(flags: Iterable[Mapping[str, Any]]) -> date | None:
    days = [date.fromisoformat(str(f["end_of_support"])) for f in flags if f.get("end_of_support")]
    return min(days) if days else None


@dataclass(frozen=True)
class ProductDebt:
    product: str
    severity: str
    end_of_support: str | None
    assets: int


@dataclass(frozen=True)
class FlaggedAsset:
    id: Any
    name: str | None
    asset_type: str | None
    environment: str | None
    severity: str | None
    flags: list[dict[str, Any]]


@dataclass(frozen=True)
class TechDebtReport:
    by_severity: dict[str, int]
    by_product: list[ProductDebt]
    assets: list[FlaggedAsset] = field(default_factory=list)
    flagged: int = 0

    @property
    def listed_all(self) -> bool:
        return len(self.assets) >= self.flagged


async def tech_debt_report(session: AsyncSession, tenant: Tenant) -> TechDebtReport:
    values = {"client": tenant.client_account_id, "engagement": tenant.engagement_id}
    by_product = [
        ProductDebt(str(p), str(s), e, int(n))
        for p, s, e, n in (await session.execute(_BY_PRODUCT, values)).all()
    ]
    by_severity = dict.fromkeys(SEVERITIES, 0)
    listed: list[FlaggedAsset] = []
    flagged = 0
    for row in (await session.execute(_FLAGGED, values)).all():
        worst = worst_severity(row.tech_debt_flags)
        flagged += 1
        if worst is not None:
            by_severity[worst] += 1
        if len(listed) < LISTED:
            listed.append(
                FlaggedAsset(
                    row.id, row.name, row.asset_type, row.environment, worst, row.tech_debt_flags
                )
            )
    return TechDebtReport(by_severity, by_product, listed, flagged)
