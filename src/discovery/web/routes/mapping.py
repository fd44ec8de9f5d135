"""The mapping review: one row per column, the dry run of the chosen mapping, approval.

A column may be a *fallback* of its field (ticked in the form): cleansing reads it where
the field's primary column, and the fallbacks before it, are empty. Fallbacks keep their
suggested order; a column newly ticked comes after them.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from discovery.api.deps import SessionDep, SettingsDep
from discovery.assets.reconcile import validate_match_order
from discovery.canonical import CANONICAL_FIELDS
from discovery.flows import control
from discovery.flows.models import DiscoveryFlow, FlowStatus
from discovery.flows.summary import in_column_order
from discovery.imports.dry_run import dry_run
from discovery.imports.models import DataImport
from discovery.imports.readers import UnreadableFileError
from discovery.imports.service import read_limits, sample_rows
from discovery.mapping.learned import Learned, by_header, list_learned
from discovery.mapping.models import ImportFieldMapping, MatchType
from discovery.mapping.service import MappingError, import_mappings, rank
from discovery.tenancy.models import Role
from discovery.web.deps import Page, PageError, WebPage, render
from discovery.web.deps import redirect as go
from discovery.web.forms import REVIEW_FORM, ReviewCsrfChecked, read_form
from discovery.web.labels import FIELD_TEXT, field_description, field_label
from discovery.web.progress import STATUS_LABELS
from discovery.web.routes.flows import tenant_flow
from discovery.web.routes.imports import sentence

router = APIRouter()

LOW_CONFIDENCE = 0.7
AMBIGUOUS_MARGIN = 0.05
SAMPLES_PER_COLUMN = 3


def _samples(rows: list[dict[str, Any]], column: str) -> list[str]:
    seen: list[str] = []
    for row in rows:
        value = row.get(column)
        text = "" if value is None else str(value).strip()
        if text and text not in seen:
            seen.append(text[:80])
        if len(seen) >= SAMPLES_PER_COLUMN:
            break
    return seen


def _rank_note(mapping: ImportFieldMapping, mappings: list[ImportFieldMapping]) -> str | None:
    target = mapping.target_field
    if target is None or mapping.priority is None:
        return None
    if mapping.priority >= 2:
        return f"Fallback {mapping.priority} for {field_label(target)}."
    others = sorted(
        (m for m in mappings if m.target_field == target and rank(m.priority) >= 2),
        key=lambda m: rank(m.priority),
    )
    listed = ", ".join(m.source_field for m in others)
    return f"Primary column for {field_label(target)}; where it is empty: {listed}."


def _learned_note(mapping: ImportFieldMapping, learned: Learned | None) -> str | None:
    """Where a learned suggestion comes from; a learned unmap is only a suggestion."""
    if learned is None:
        return None
    if mapping.match_type == MatchType.LEARNED.value and mapping.target_field is None:
        return (
            f"Learned: leave unmapped, in {learned.where}. Only a suggestion: "
            "pick a field to keep this column's data."
        )
    if mapping.match_type == MatchType.LEARNED.value:
        return f"Learned in {learned.where}."
    if learned.target_field is None:
        return f"Left unmapped in {learned.where}; not applied here without a review."
    return None


def _review_rows(
    mappings: list[ImportFieldMapping],
    rows: list[dict[str, Any]],
    learned: dict[str, Learned] | None = None,
) -> list[dict[str, Any]]:
    targets = [m.target_field for m in mappings if m.target_field and rank(m.priority) == 1]
    review = []
    for mapping in mappings:
        confidence = mapping.confidence
        alternatives = [a for a in (mapping.alternatives or []) if isinstance(a, dict)]
        close = [
            a
            for a in alternatives
            if confidence is not None
            and isinstance(a.get("confidence"), int | float)
            and a["confidence"] >= confidence - AMBIGUOUS_MARGIN
        ]
        fallback = mapping.target_field is not None and rank(mapping.priority) >= 2
        duplicate = (
            mapping.target_field is not None
            and not fallback
            and targets.count(mapping.target_field) > 1
        )
        notes = []
        if mapping.target_field and confidence is not None and confidence < LOW_CONFIDENCE:
            notes.append("Low confidence: check this one.")
        if close:
            shown = ", ".join(f"{a.get('target_field')} ({a['confidence']:.0%})" for a in close)
            notes.append(f"Conflicting: it could also be {shown}.")
        if duplicate:
            notes.append("Conflicting: another column has the same target.")
        review.append(
            {
                "source": mapping.source_field,
                "target": mapping.target_field,
                "confidence": confidence,
                "percent": (
                    round(confidence * 100)
                    if confidence is not None and mapping.target_field
                    else None
                ),
                "match_type": mapping.match_type,
                "unit": mapping.unit,
                "status": mapping.status,
                "samples": _samples(rows, mapping.source_field),
                "alternatives": alternatives,
                "low": bool(mapping.target_field and confidence is not None)
                and (confidence or 0) < LOW_CONFIDENCE,
                "conflict": bool(close) or duplicate,
                "notes": notes,
                "priority": mapping.priority,
                "fallback": fallback,
                "rank_note": _rank_note(mapping, mappings),
                "learned_note": _learned_note(mapping, (learned or {}).get(mapping.source_field)),
                "target_label": field_label(mapping.target_field) if mapping.target_field else None,
            }
        )
    return review


async def _preview(
    session: SessionDep,
    page: Page,
    data_import: DataImport,
    settings: SettingsDep,
    choices: dict[str, str] | None,
    ticked: set[str] | None,
) -> dict[str, Any]:
    if not data_import.stored_file_path:
        return {"error": "The uploaded file is no longer stored, so it cannot be previewed."}
    limits = read_limits(settings)
    try:
        result = await dry_run(
            session,
            page.context.tenant,
            Path(data_import.stored_file_path),
            file_name=data_import.file_name,
            sheet=data_import.sheet_name,
            match_order=validate_match_order(data_import.options.get("match_keys")),
            limits=limits,
            choices={s: t or None for s, t in choices.items()} if choices else None,
            fallbacks=ticked,
        )
    except (UnreadableFileError, OSError) as exc:
        return {"error": sentence(str(exc))}
    return {
        "counts": result.report.counts,
        "examples": result.report.examples,
        "rows_previewed": result.rows_previewed,
        "truncated": result.truncated,
        "duplicates_in_file": result.report.duplicates_in_file,
        "rows_with_value_errors": result.report.rows_with_value_errors,
    }


async def _review_page(
    request: Request,
    page: Page,
    session: SessionDep,
    settings: SettingsDep,
    flow: DiscoveryFlow,
    *,
    error: str | None = None,
    chosen: dict[str, str] | None = None,
    ticked: set[str] | None = None,
    preview: bool = False,
    status_code: int = 200,
) -> Response:
    data_import = (
        await session.get(DataImport, flow.data_import_id) if flow.data_import_id else None
    )
    if data_import is None:
        raise PageError(404, "This flow has no import to review.")
    mappings = in_column_order(await import_mappings(session, data_import.id), data_import)
    rows = await sample_rows(session, data_import.id, limit=50)
    learned = by_header(
        await list_learned(session, flow.client_account_id), [m.source_field for m in mappings]
    )
    review = _review_rows(mappings, rows, learned)
    for row in review:
        row["chosen"] = (chosen or {}).get(row["source"], row["target"] or "")
        row["ticked"] = row["source"] in ticked if ticked is not None else row["fallback"]
    want_preview = preview or request.query_params.get("preview") == "1"
    return render(
        request,
        "mapping.html",
        {
            "flow": flow,
            "status_label": STATUS_LABELS[FlowStatus(flow.status)],
            "data_import": data_import,
            "rows": review,
            "fields": CANONICAL_FIELDS,
            "field_label": field_label,
            "field_description": field_description,
            "field_text": FIELD_TEXT,
            "awaiting": flow.status == FlowStatus.WAITING_FOR_APPROVAL.value,
            "can_approve": page.allows(Role.ANALYST),
            "error": error,
            "preview": (
                await _preview(session, page, data_import, settings, chosen, ticked)
                if want_preview
                else None
            ),
            "preview_of_choices": bool(chosen),
        },
        page=page,
        status_code=status_code,
    )


@router.get("/flows/{flow_id}/mapping")
async def mapping_page(
    request: Request, flow_id: str, page: WebPage, session: SessionDep, settings: SettingsDep
) -> Response:
    flow = await tenant_flow(session, page, flow_id)
    return await _review_page(request, page, session, settings, flow)


def _chosen(form: FormData) -> dict[str, str]:
    """The reviewer's target per column (empty: leave unmapped), from the review form."""
    chosen: dict[str, str] = {}
    index = 0
    while f"source_{index}" in form:
        source = str(form.get(f"source_{index}"))
        chosen[source] = str(form.get(f"target_{index}") or "").strip()
        index += 1
    return chosen


def _ticked(form: FormData) -> set[str]:
    """The columns the reviewer marked as fallbacks of their field."""
    ticked: set[str] = set()
    index = 0
    while f"source_{index}" in form:
        if form.get(f"fallback_{index}"):
            ticked.add(str(form.get(f"source_{index}")))
        index += 1
    return ticked


def _approval(
    chosen: dict[str, str], ticked: set[str], mappings: list[ImportFieldMapping]
) -> tuple[dict[str, str], set[str], dict[str, list[str]]]:
    """Overrides, unmappings and fallback lists that turn the suggestions into the form.

    A ticked column with a field is a fallback of that field, after the fallbacks it
    already had (in their order); every field that has or had fallbacks gets its list."""
    suggested = {m.source_field: m for m in mappings}
    fallbacks: dict[str, list[str]] = {
        m.target_field: [] for m in mappings if m.target_field and rank(m.priority) >= 2
    }
    ranked: list[tuple[int, int, str, str]] = []
    overrides: dict[str, str] = {}
    unmapped: set[str] = set()
    for position, (source, target) in enumerate(chosen.items()):
        was = suggested[source]
        if target and source in ticked:
            kept = was.target_field == target and rank(was.priority) >= 2
            ranked.append((rank(was.priority) if kept else 1000, position, target, source))
        elif target and (target != was.target_field or rank(was.priority) >= 2):
            overrides[source] = target
        elif not target and was.target_field:
            unmapped.add(source)
    for _rank, _position, target, source in sorted(ranked):
        fallbacks.setdefault(target, []).append(source)
    return overrides, unmapped, fallbacks


def _choice_error(chosen: dict[str, str], mappings: dict[str, str | None]) -> str | None:
    unknown = [t for t in chosen.values() if t and t not in CANONICAL_FIELDS]
    if unknown:
        return f"{unknown[0]!r} is not a field of the inventory; pick one from the list."
    missing = [s for s in chosen if s not in mappings]
    if missing:
        return f"The file has no column {missing[0]!r}; reload the page."
    return None


@router.post("/flows/{flow_id}/mapping/preview", dependencies=[ReviewCsrfChecked])
async def preview(
    request: Request, flow_id: str, page: WebPage, session: SessionDep, settings: SettingsDep
) -> Response:
    """The dry run with the choices currently in the form (nothing is approved)."""
    page.require(Role.ANALYST)
    flow = await tenant_flow(session, page, flow_id)
    mappings = {
        m.source_field: m.target_field
        for m in await import_mappings(session, flow.data_import_id or uuid.uuid4())
    }
    form = await read_form(request, REVIEW_FORM)
    chosen = _chosen(form)
    error = _choice_error(chosen, mappings)
    return await _review_page(
        request,
        page,
        session,
        settings,
        flow,
        error=error,
        chosen=chosen,
        ticked=_ticked(form),
        preview=error is None,
        status_code=200 if error is None else 422,
    )


@router.post("/flows/{flow_id}/mapping", dependencies=[ReviewCsrfChecked])
async def approve(
    request: Request, flow_id: str, page: WebPage, session: SessionDep, settings: SettingsDep
) -> Response:
    page.require(Role.ANALYST)
    flow = await tenant_flow(session, page, flow_id, for_update=True)
    rows = await import_mappings(session, flow.data_import_id or uuid.uuid4())
    mappings = {m.source_field: m.target_field for m in rows}
    form = await read_form(request, REVIEW_FORM)
    chosen, ticked = _chosen(form), _ticked(form)
    error = _choice_error(chosen, mappings)
    if error is None:
        overrides, unmapped, fallbacks = _approval(chosen, ticked, rows)
        try:
            async with session.begin_nested():
                await control.approve_mappings(
                    session,
                    flow,
                    user_id=page.context.user_id,
                    overrides=overrides,
                    unmapped=unmapped,
                    fallbacks=fallbacks,
                )
        except (control.FlowStateError, MappingError) as exc:
            await session.refresh(flow)
            error = sentence(str(exc))
    if error is not None:
        return await _review_page(
            request, page, session, settings, flow, error=error, chosen=chosen, ticked=ticked,
            status_code=422,
        )  # fmt: skip
    return go(
        request,
        f"/flows/{flow.master_flow_id}",
        flash="Mappings approved. The flow goes on with cleansing and the inventory.",
        kind="success",
    )
