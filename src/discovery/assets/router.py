"""``/api/v1/unified-discovery/assets``: list (paged), one asset with lineage, export."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from discovery.api.deps import FactoryDep, SessionDep, SettingsDep, Viewer
from discovery.api.downloads import attachment
from discovery.api.errors import ApiError, documented
from discovery.api.types import Text
from discovery.assets.export import TextExport, export_assets
from discovery.assets.filters import AssetFilter, SearchMode, TechDebtFilter
from discovery.assets.lineage import asset_lineage, find_asset
from discovery.assets.listing import SORT_PATTERN, Cursor, InvalidCursorError, Sort, list_assets
from discovery.assets.schemas import (
    AssetDetailOut,
    AssetOut,
    AssetPageOut,
    DependenciesOut,
    LineageOut,
    PageMetadata,
    Pagination,
    asset_page_json,
)
from discovery.canonical import AssetType, Environment
from discovery.core.database import unit_of_work
from discovery.tenancy.context import RequestContext
from discovery.tenancy.row_security import tenant_factory

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/assets", tags=["assets"], responses=documented(400, 401, 403, 404, 422))

DEFAULT_PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # page x page_size stays far inside bigint
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FlowFilter = Annotated[
    uuid.UUID | None,
    Query(description="A master flow id: the assets its import created or updated."),
]
TypeFilter = Annotated[AssetType | None, Query(description="Only assets of this type.")]
EnvironmentFilter = Annotated[Environment | None, Query(description="Only this environment.")]
SearchText = Annotated[
    Text | None,
    Query(
        min_length=1,
        max_length=200,
        description="Case-insensitive search over name, hostname, FQDN and IP address.",
    ),
]
TechDebtQuery = Annotated[
    TechDebtFilter | None,
    Query(
        description="any: assets with a tech-debt flag; high: past end of support; "
        "medium: end of support within a year."
    ),
]
SearchKind = Annotated[
    SearchMode,
    Query(description="prefix (indexed, default): values starting with q; contains: anywhere."),
]


def _filter(
    context: RequestContext,
    flow_id: uuid.UUID | None,
    asset_type: AssetType | None,
    environment: Environment | None,
    q: str | None,
    search: SearchMode,
    tech_debt: TechDebtFilter | None = None,
) -> AssetFilter:
    return AssetFilter(
        client_account_id=context.client_account_id,
        engagement_id=context.engagement_id,
        master_flow_id=flow_id,
        asset_type=asset_type.value if asset_type else None,
        environment=environment.value if environment else None,
        q=(q or "").strip() or None,
        search=search,
        tech_debt=tech_debt,
    )


@router.get("", response_model=AssetPageOut)
async def list_assets_page(
    context: Viewer,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE, description="1-based page (offset paging).")
    ] = None,
    page_size: Annotated[
        int | None,
        Query(ge=1, description="Rows per page; above max_page_size it is capped, not refused."),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="next_cursor of the previous page (keyset paging)."),
    ] = None,
    flow_id: FlowFilter = None,
    asset_type: TypeFilter = None,
    environment: EnvironmentFilter = None,
    q: SearchText = None,
    search: SearchKind = "prefix",
    tech_debt: TechDebtQuery = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=SORT_PATTERN,
            description="Sort offset pages by a column (name, hostname, ip_address, "
            "asset_type, environment, operating_system, created_at); a leading - sorts "
            "descending. Keyset paging (cursor) keeps the default order.",
        ),
    ] = None,
) -> Response:
    """The engagement's assets in a stable order (created_at, id), by page or by cursor;
    or, by page, sorted by a column."""
    if sort is not None and cursor is not None:
        raise ApiError(
            422,
            "invalid request: sort and cursor cannot be combined; keyset paging keeps the "
            "default order",
            details=[
                {"loc": ["query", "sort"], "message": "use sort with page", "type": "value_error"}
            ],
        )
    if cursor is not None and page is not None:
        raise ApiError(
            422,
            "invalid request: page and cursor cannot be combined; follow next_cursor alone",
            details=[
                {"loc": ["query", "cursor"], "message": "use page or cursor", "type": "value_error"}
            ],
        )
    try:
        after = Cursor.decode(cursor) if cursor is not None else None
    except InvalidCursorError as exc:
        raise ApiError(
            422,
            f"invalid request: query.cursor: {exc}",
            details=[{"loc": ["query", "cursor"], "message": str(exc), "type": "value_error"}],
        ) from None
    maximum = settings.max_page_size
    requested = page_size if page_size is not None else min(DEFAULT_PAGE_SIZE, maximum)
    size = min(requested, maximum)
    capped = requested > maximum
    if capped:
        logger.info(
            "page size capped: requested=%d actual=%d tenant=%s/%s user=%s",
            requested,
            size,
            context.client_account_id,
            context.engagement_id,
            context.user_id,
        )
    where = _filter(context, flow_id, asset_type, environment, q, search, tech_debt)
    result = await list_assets(
        session,
        where,
        page_size=size,
        page=page or 1,
        after=after,
        sort=Sort.parse(sort) if sort else None,
    )
    pagination = Pagination(
        page=None if after is not None else (page or 1),
        page_size=size,
        total=result.total,
        total_exact=result.total_exact,
        total_pages=-(-result.total // size),
        next_cursor=result.next_cursor,
    )
    metadata = PageMetadata(page_size_capped=capped, max_page_size=maximum)
    # The body AssetPageOut describes, written straight from the rows (see asset_page_json).
    return Response(
        asset_page_json([row._mapping for row in result.assets], pagination, metadata),
        media_type="application/json",
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@router.get(
    "/export",
    response_class=StreamingResponse,
    response_model=None,
    responses={
        200: {
            "description": "The inventory, streamed.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def export_inventory(
    context: Viewer,
    session: SessionDep,
    factory: FactoryDep,
    file_format: Annotated[
        Literal["csv", "json", "xlsx"], Query(alias="format", description="csv, json or xlsx.")
    ] = "csv",
    flow_id: FlowFilter = None,
    asset_type: TypeFilter = None,
    environment: EnvironmentFilter = None,
    q: SearchText = None,
    search: SearchKind = "prefix",
    tech_debt: TechDebtQuery = None,
) -> StreamingResponse | FileResponse:
    """The inventory as a file: canonical fields, custom attributes, lineage columns.

    CSV and JSON stream from a server-side cursor as they are produced; XLSX is written
    to a temporary file first (the format needs it), then streamed from it."""
    where = _filter(context, flow_id, asset_type, environment, q, search, tech_debt)
    disposition = attachment(f"assets.{file_format}")
    if file_format == "xlsx":
        descriptor, name = await asyncio.to_thread(tempfile.mkstemp, suffix=".xlsx")
        os.close(descriptor)
        path = Path(name)
        try:
            await export_assets(session, where, path, "xlsx")
        except BaseException:
            await asyncio.to_thread(_unlink, path)
            raise
        return FileResponse(
            path,
            media_type=MEDIA_TYPES["xlsx"],
            headers=disposition,
            background=BackgroundTask(_unlink, path),
        )
    text_format: Literal["csv", "json"] = file_format

    async def body() -> AsyncIterator[bytes]:
        async with unit_of_work(tenant_factory(factory, context.tenant)) as stream_session:
            async for chunk in TextExport(stream_session, where, text_format).chunks():
                yield chunk.encode("utf-8")

    return StreamingResponse(body(), media_type=MEDIA_TYPES[file_format], headers=disposition)


@router.get("/{asset_id}", response_model=AssetDetailOut)
async def get_asset(asset_id: uuid.UUID, context: Viewer, session: SessionDep) -> AssetDetailOut:
    """One asset with its lineage (raw rows, imports, flows, mapping hash) and its
    dependencies both ways."""
    asset = await find_asset(session, context.tenant, asset_id)
    if asset is None:
        raise ApiError(404, f"asset {asset_id} does not exist")
    lineage = await asset_lineage(session, context.tenant, asset)
    return AssetDetailOut(
        asset=AssetOut.model_validate(asset),
        lineage=LineageOut.model_validate(
            {
                "raw_records": lineage.raw_records,
                "imports": lineage.imports,
                "discovery_flow": lineage.discovery_flow,
                "master_flow": lineage.master_flow,
                "mapping_hash": asset.field_mappings_used,
            }
        ),
        dependencies=DependenciesOut.model_validate(
            {"depends_on": lineage.depends_on, "dependents": lineage.dependents}
        ),
    )
