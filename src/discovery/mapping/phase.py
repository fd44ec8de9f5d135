"""The ``field_mapping`` phase handler: suggest, then approve or wait for a person."""

from __future__ import annotations

from discovery.core.database import unit_of_work
from discovery.flows import service as flows
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports.models import DataImport
from discovery.imports.service import sample_rows
from discovery.mapping import service
from discovery.mapping.engine import suggest_mappings

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
        result = suggest_mappings(headers, samples, learned=learned)
        await service.store_suggestions(
            session,
            data_import_id=data_import.id,
            client_account_id=context.client_account_id,
            engagement_id=context.engagement_id,
            result=result,
        )
        options = data_import.options
        settings = context.settings
        how = None
        if options.get("auto_approve"):
            how = "requested"
        elif settings.mapping_auto_approve and service.all_confident(
            result.suggestions, settings.mapping_auto_approve_threshold
        ):
            how = f"all at or above {settings.mapping_auto_approve_threshold}"
        summary = {
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
    return PhaseOutcome(result={**summary, "approval": how})
