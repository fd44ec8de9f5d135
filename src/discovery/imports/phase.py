"""The ``data_import`` phase handler."""

from __future__ import annotations

import contextlib

from discovery.core.database import unit_of_work
from discovery.flows.phase_contract import PhaseContext, PhaseError, PhaseOutcome
from discovery.imports import service
from discovery.imports.readers import ReadLimits, UnreadableFileError


def limits_for(context: PhaseContext) -> ReadLimits:
    return service.read_limits(context.settings)


async def run_data_import(context: PhaseContext) -> PhaseOutcome:
    if context.data_import_id is None:
        raise PhaseError("the flow has no import")
    import_id = context.data_import_id
    async with unit_of_work(context.factory) as session:
        await service.mark_importing(session, import_id)

    async def progress(rows: int) -> None:
        await context.progress(rows, 0)  # the total is unknown until the file is read

    try:
        async with unit_of_work(context.factory) as session:
            data_import = await service.mark_importing(session, import_id)
            result = await service.load_raw_rows(
                session,
                data_import,
                master_flow_id=context.master_flow_id,
                limits=limits_for(context),
                on_progress=progress,
            )
    except UnreadableFileError as exc:
        message = str(exc)
    except Exception as exc:
        # Not the file's fault (the database, the machine): the phase fails as before and
        # may be retried, but the import says so instead of staying "importing".
        with contextlib.suppress(Exception):
            async with unit_of_work(context.factory) as session:
                await service.mark_failed(
                    session, import_id, f"The import stopped: {type(exc).__name__}: {exc}"[:2000]
                )
        raise
    else:
        if result.ok:
            async with unit_of_work(context.factory) as session:
                await service.analyze_raw_rows(session)
            return PhaseOutcome(result={"rows": result.rows})
        message = result.error or "The file could not be imported."
    async with unit_of_work(context.factory) as session:
        await service.mark_failed(session, import_id, message)
    raise PhaseError(message)
