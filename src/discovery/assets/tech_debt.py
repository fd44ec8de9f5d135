"""The ``tech_debt_assessment`` phase: flag assets whose OS or database is past end of support.

The flags depend only on an asset's OS and database text (``operating_system``,
``os_version``, ``database_type``, ``database_version``), and an export repeats a few of
those over many rows. So the phase groups the import's assets by that text and their
stored flags (one aggregate query), assesses each distinct tuple once, and rewrites only
the assets whose stored flags differ from the assessment. The inventory phase already
stores the flags of the assets it creates (writing them there costs nothing extra, while
rewriting 100,000 assets afterwards cost seconds); this phase catches every other change:
assets updated with a new OS or database, assets of earlier imports, dates that have
passed since, flags of an earlier shape.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import text

from discovery.assets.end_of_support import flags_for
from discovery.core.database import unit_of_work
from discovery.core.models import SCHEMA
from discovery.flows.models import Phase
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome

__all__ = ["flags_for", "run_tech_debt"]


class _Software(NamedTuple):
    """The text an asset's flags depend on: one assessment per distinct value."""

    operating_system: str | None
    os_version: str | None
    database_type: str | None
    database_version: str | None


_GROUPS = text(
    f"""
    SELECT a.operating_system, a.os_version, a.database_type, a.database_version,
           a.tech_debt_flags, a.os_end_of_support, count(*) AS assets
      FROM {SCHEMA}.assets AS a
      JOIN {SCHEMA}.asset_imports AS ai ON ai.asset_id = a.id
     WHERE ai.data_import_id = :import_id
     GROUP BY 1, 2, 3, 4, 5, 6
    """  # noqa: S608 (the schema constant)
)

# One statement per distinct OS and database text whose stored assessment is out of date.
_APPLY = text(
    f"""
    UPDATE {SCHEMA}.assets AS a
       SET tech_debt_flags = CAST(:flags AS jsonb), os_end_of_support = :end_of_support,
           current_phase = :phase, updated_at = now()
      FROM {SCHEMA}.asset_imports AS ai
     WHERE ai.asset_id = a.id AND ai.data_import_id = :import_id
       AND a.operating_system IS NOT DISTINCT FROM :operating_system
       AND a.os_version IS NOT DISTINCT FROM :os_version
       AND a.database_type IS NOT DISTINCT FROM :database_type
       AND a.database_version IS NOT DISTINCT FROM :database_version
       AND (a.tech_debt_flags <> CAST(:flags AS jsonb)
            OR a.os_end_of_support IS DISTINCT FROM :end_of_support)
    """  # noqa: S608 (the schema constant)
)


async def run_tech_debt(context: PhaseContext) -> PhaseOutcome:
    if context.data_import_id is None:
        raise PhaseError("the flow has no import")
    today = datetime.now(UTC).date()
    assessed = flagged = rewritten = 0
    async with unit_of_work(context.factory) as session:
        groups = (await session.execute(_GROUPS, {"import_id": context.data_import_id})).all()
        stale: dict[_Software, tuple[list[dict[str, Any]], date | None]] = {}
        for *software, stored_flags, stored_end, count in groups:
            key = _Software(*software)
            flags, end = flags_for(
                key.operating_system,
                key.os_version,
                today,
                key.database_type,
                key.database_version,
            )
            assessed += count
            flagged += count if flags else 0
            if (flags, end) != (stored_flags, stored_end):
                stale[key] = (flags, end)
                rewritten += count
        for key, (flags, end) in stale.items():
            await session.execute(
                _APPLY,
                {
                    "flags": json.dumps(flags),
                    "end_of_support": end,
                    "phase": Phase.TECH_DEBT_ASSESSMENT.value,
                    "import_id": context.data_import_id,
                    **key._asdict(),
                },
            )
    return PhaseOutcome(result={"assessed": assessed, "flagged": flagged, "reassessed": rewritten})
