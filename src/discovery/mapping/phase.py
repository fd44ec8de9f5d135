"""The ``field_mapping`` phase handler: suggest, then approve or wait for a person.

A learned *unmap* drops a column, perhaps one approved in another engagement: it is only
ever a suggestion for a person to accept. When the mappings are approved without a review,
those columns are mapped on their own merits and the phase result lists what was learned
and not applied (``learned_not_applied``).
"""

from __future__ import annotations

from typing import Any

from discovery.core.database import unit_of_work
from discovery.flows import service as flows
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports.models import DataImport
from discovery.imports.service import sample_rows
from discovery.mapping import service
from discovery.mapping.engine import MappingResult, suggest_mappings
from discovery.mapping.learned import by_header, list_learned
from discovery.mapping.models import MatchType

SAMPLE_ROWS = 200


async def run_field_mapping(context: PhaseContext) -> PhaseOutcome:
    if context.data_import_id is None:
        raise PhaseError("the flow has no import")
    async with unit_of_work(context.factory) as session:
        # Locked until commit: two runs of the phase replace the suggestions in turn.
        data_import = await session.get(DataImport, context.data_import_id, with_for_update=True)
        if data_import is None:
            raise PhaseError("the flow's import no longer exists")
        headers = list(data_import.read_details.get("headers", []))
        samples = await sample_rows(session, data_import.id, SAMPLE_ROWS)
        learned = await service.learned_mappings(session, context.client_account_id)
        reviewed = suggest_mappings(headers, samples, learned=learned)
        unmaps = _learned_unmaps(reviewed)
        unattended = (
            suggest_mappings(
                headers, samples, learned={k: v for k, v in learned.items() if v is not None}
            )
            if unmaps
            else reviewed
        )
        options = data_import.options
        settings = context.settings
        how = None
        if options.get("auto_approve"):
            how = "requested"
        elif settings.mapping_auto_approve and service.all_confident(
            unattended.suggestions, settings.mapping_auto_approve_threshold
        ):
            how = f"all at or above {settings.mapping_auto_approve_threshold}"
        result = reviewed if how is None else unattended
        await service.store_suggestions(
            session,
            data_import_id=data_import.id,
            client_account_id=context.client_account_id,
            engagement_id=context.engagement_id,
            result=result,
        )
        summary: dict[str, Any] = {
            "columns": len(result.suggestions),
            "mapped": sum(1 for s in result.suggestions if s.target_field),
            "detected_format": result.detected_format,
        }
        if how is None:
            return PhaseOutcome(result=summary, wait_for_approval=True)
        approved = await service.approve(
            session,
            data_import_id=data_import.id,
            client_account_id=context.client_account_id,
            user_id=context.user_id,
            learn=False,
        )
        flow = await flows.load_flow(session, context.discovery_flow_id, for_update=True)
        flow.field_mappings = service.flow_field_mappings(approved, context.user_id, how)
        if unmaps and how is not None:  # under review they are suggestions, not skipped
            known = by_header(await list_learned(session, context.client_account_id), unmaps)
            summary["learned_not_applied"] = [
                {
                    "source_field": column,
                    "learned": "leave unmapped",
                    "where": known[column].where if column in known else None,
                }
                for column in unmaps
            ]
    return PhaseOutcome(result={**summary, "approval": how})


def _learned_unmaps(result: MappingResult) -> list[str]:
    """Columns the client account's learned mappings would leave unmapped."""
    return [
        s.source_field
        for s in result.suggestions
        if s.target_field is None and s.match_type == MatchType.LEARNED.value
    ]
