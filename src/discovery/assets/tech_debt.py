"""The ``tech_debt_assessment`` phase: flag assets whose OS is past end of support."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from discovery.assets.end_of_support import identify
from discovery.assets.models import Asset, AssetImport
from discovery.core.database import unit_of_work
from discovery.flows.models import Phase
from discovery.flows.runner import PhaseContext, PhaseError, PhaseOutcome, register

BATCH = 5000

# One set-based statement per batch (an executemany was one statement per asset).
_APPLY = text(
    """
    UPDATE migration.assets AS a
       SET tech_debt_flags = v.flags, os_end_of_support = v.end_of_support,
           current_phase = :phase, updated_at = now()
      FROM unnest(CAST(:ids AS uuid[]), CAST(:flags AS jsonb[]), CAST(:ends AS date[]))
           AS v(id, flags, end_of_support)
     WHERE a.id = v.id
    """
)
SOON = timedelta(days=365)


def flags_for(
    operating_system: str | None, os_version: str | None, today: date
) -> tuple[list[dict[str, Any]], date | None]:
    release = identify(operating_system, os_version)
    if release is None:
        return [], None
    if release.end_of_support < today:
        code, severity = "os_end_of_support", "high"
    elif release.end_of_support - today <= SOON:
        code, severity = "os_end_of_support_within_a_year", "medium"
    else:
        return [], release.end_of_support
    flag = {
        "code": code,
        "severity": severity,
        "product": release.product,
        "end_of_support": release.end_of_support.isoformat(),
    }
    return [flag], release.end_of_support


@register(Phase.TECH_DEBT_ASSESSMENT)
async def run_tech_debt(context: PhaseContext) -> PhaseOutcome:
    if context.data_import_id is None:
        raise PhaseError("the flow has no import")
    today = datetime.now(UTC).date()
    flagged = assessed = 0
    after = uuid.UUID(int=0)
    while True:
        async with unit_of_work(context.factory) as session:
            rows = (
                await session.execute(
                    select(
                        Asset.id,
                        Asset.operating_system,
                        Asset.os_version,
                        Asset.tech_debt_flags,
                        Asset.os_end_of_support,
                    )
                    .join(AssetImport, AssetImport.asset_id == Asset.id)
                    .where(AssetImport.data_import_id == context.data_import_id, Asset.id > after)
                    .order_by(Asset.id)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                break
            changes = []
            for asset_id, operating_system, os_version, old_flags, old_end in rows:
                flags, end = flags_for(operating_system, os_version, today)
                flagged += bool(flags)
                if (flags, end) == (old_flags, old_end):
                    continue  # an assessment that changes nothing writes nothing
                changes.append(
                    {
                        "id": asset_id,
                        "tech_debt_flags": flags,
                        "os_end_of_support": end,
                        "current_phase": Phase.TECH_DEBT_ASSESSMENT.value,
                    }
                )
            if changes:
                await session.execute(
                    _APPLY,
                    {
                        "ids": [c["id"] for c in changes],
                        "flags": [json.dumps(c["tech_debt_flags"]) for c in changes],
                        "ends": [c["os_end_of_support"] for c in changes],
                        "phase": Phase.TECH_DEBT_ASSESSMENT.value,
                    },
                )
            assessed += len(rows)
            after = rows[-1][0]
    return PhaseOutcome(result={"assessed": assessed, "flagged": flagged})
