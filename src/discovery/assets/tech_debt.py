"""The ``tech_debt_assessment`` phase: flag assets whose OS is past end of support.

The flags depend only on an asset's OS text, and an export repeats a few OS strings over
many rows. So the phase groups the import's assets by their OS text and stored flags (one
aggregate query), assesses each distinct OS once, and rewrites only the assets whose
stored flags differ from the assessment. The inventory phase already stores the flags of
the assets it creates (writing them there costs nothing extra, while rewriting 100,000
assets afterwards cost seconds); this phase catches every other change: assets updated
with a new OS, assets of earlier imports, dates that have passed since.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from discovery.assets.end_of_support import flags_for
from discovery.core.database import unit_of_work
from discovery.flows.models import Phase
from discovery.flows.runner import PhaseContext, PhaseError, PhaseOutcome, register

__all__ = ["flags_for", "run_tech_debt"]

_GROUPS = text(
    """
    SELECT a.operating_system, a.os_version, a.tech_debt_flags, a.os_end_of_support,
           count(*) AS assets
      FROM migration.assets AS a
      JOIN migration.asset_imports AS ai ON ai.asset_id = a.id
     WHERE ai.data_import_id = :import_id
     GROUP BY 1, 2, 3, 4
    """
)

# One statement per distinct OS text whose stored assessment is out of date.
_APPLY = text(
    """
    UPDATE migration.assets AS a
       SET tech_debt_flags = CAST(:flags AS jsonb), os_end_of_support = :end_of_support,
           current_phase = :phase, updated_at = now()
      FROM migration.asset_imports AS ai
     WHERE ai.asset_id = a.id AND ai.data_import_id = :import_id
       AND a.operating_system IS NOT DISTINCT FROM :operating_system
       AND a.os_version IS NOT DISTINCT FROM :os_version
       AND (a.tech_debt_flags <> CAST(:flags AS jsonb)
            OR a.os_end_of_support IS DISTINCT FROM :end_of_support)
    """
)


@register(Phase.TECH_DEBT_ASSESSMENT)
async def run_tech_debt(context: PhaseContext) -> PhaseOutcome:
    if context.data_import_id is None:
        raise PhaseError("the flow has no import")
    today = datetime.now(UTC).date()
    assessed = flagged = rewritten = 0
    async with unit_of_work(context.factory) as session:
        groups = (await session.execute(_GROUPS, {"import_id": context.data_import_id})).all()
        stale: dict[tuple[str | None, str | None], tuple[list[dict[str, Any]], date | None]] = {}
        for operating_system, os_version, stored_flags, stored_end, count in groups:
            flags, end = flags_for(operating_system, os_version, today)
            assessed += count
            flagged += count if flags else 0
            if (flags, end) != (stored_flags, stored_end):
                stale[(operating_system, os_version)] = (flags, end)
                rewritten += count
        for (operating_system, os_version), (flags, end) in stale.items():
            await session.execute(
                _APPLY,
                {
                    "flags": json.dumps(flags),
                    "end_of_support": end,
                    "phase": Phase.TECH_DEBT_ASSESSMENT.value,
                    "import_id": context.data_import_id,
                    "operating_system": operating_system,
                    "os_version": os_version,
                },
            )
    return PhaseOutcome(result={"assessed": assessed, "flagged": flagged, "reassessed": rewritten})
