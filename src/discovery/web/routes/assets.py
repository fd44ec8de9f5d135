"""The inventory: a filtered, paged table of assets; one asset with its lineage; exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import FactoryDep, SessionDep, SettingsDep
from discovery.api.errors import ApiError
from discovery.assets.filters import TECH_DEBT_FILTERS, AssetFilter, SearchMode, TechDebtFilter
from discovery.assets.graph import asset_references
from discovery.assets.lineage import asset_lineage, find_asset
from discovery.assets.listing import InvalidCursorError, Sort, SortedCursor, list_assets
from discovery.assets.router import export_inventory
from discovery.assets.schemas import AssetOut
from discovery.assets.tech_debt_report import shown_flags
from discovery.canonical import CANONICAL_FIELDS, AssetType, Environment
from discovery.flows.router import list_flows
from discovery.imports.models import DataImport
from discovery.web.deps import PageError, WebPage, parse_uuid, render
from discovery.web.labels import field_label
from discovery.web.routes.imports import sentence

router = APIRouter()
DEFAULT_SORT = Sort("name")


def _asset_type(value: str | None) -> AssetType | None:
    try:
        return AssetType(value) if value else None
    except ValueError:
        raise PageError(400, f"{value!r} is not an asset type.") from None


def _environment(value: str | None) -> Environment | None:
    try:
        return Environment(value) if value else None
    except ValueError:
        raise PageError(400, f"{value!r} is not an environment.") from None


def _tech_debt(value: str | None) -> TechDebtFilter | None:
    if not value:
        return None
    for known in TECH_DEBT_FILTERS:
        if value == known:
            return known
    raise PageError(400, f"{value!r} is not a tech-debt filter (any, high or medium).")


def _int(value: str | None, default: int, what: str) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise PageError(400, f"The {what} must be a whole number of at least 1.")
    return int(value)


@router.get("/assets")
async def inventory(
    request: Request, page: WebPage, session: SessionDep, settings: SettingsDep
) -> Response:
    params = request.query_params
    flow_text = params.get("flow_id") or None
    flow_id = parse_uuid(flow_text, "flow") if flow_text else None
    asset_type = _asset_type(params.get("asset_type"))
    environment = _environment(params.get("environment"))
    q = (params.get("q") or "").strip()[:200] or None
    search: SearchMode = "contains" if params.get("search") == "contains" else "prefix"
    tech_debt = _tech_debt(params.get("tech_debt"))
    number = min(_int(params.get("page"), 1, "page"), 1_000_000)
    maximum = settings.max_page_size
    requested = _int(params.get("page_size"), maximum, "page size")
    size = min(requested, maximum)
    # The domain's own filter; the tenant comes from the checked context, never the query.
    where = AssetFilter(
        client_account_id=page.context.client_account_id,
        engagement_id=page.context.engagement_id,
        master_flow_id=flow_id,
        asset_type=asset_type.value if asset_type else None,
        environment=environment.value if environment else None,
        q=q,
        search=search,
        tech_debt=tech_debt,
    )
    try:
        # By name unless asked otherwise: the order people look things up in.
        sort = Sort.parse(params["sort"]) if params.get("sort") else DEFAULT_SORT
    except ValueError as exc:
        raise PageError(400, f"{str(exc).capitalize()}.") from None
    # "Next" carries a keyset cursor (``after``) in the page's sort, so that a deep page
    # reads its rows from the sort's index instead of skipping every row before it;
    # ``page`` then only numbers the page. Page links and "Previous" use the page number.
    after = None
    if params.get("after"):
        try:
            after = SortedCursor.decode(params["after"])
        except InvalidCursorError:
            raise PageError(400, "That link to the next page is broken; start again.") from None
        if after.sort != sort:
            raise PageError(400, "That link to the next page is for another order.")
    result = await list_assets(
        session, where, page_size=size, page=number, sort=sort, after_sorted=after
    )
    flows = await list_flows(page.context, session, status=None, limit=50, offset=0)
    total_pages = max(1, -(-result.total // size))
    first = (number - 1) * size + 1 if result.assets else 0
    filters = {
        "q": q or "",
        "search": search,
        "asset_type": asset_type.value if asset_type else "",
        "environment": environment.value if environment else "",
        "flow_id": str(flow_id) if flow_id else "",
        "tech_debt": tech_debt or "",
    }
    query = {k: v for k, v in filters.items() if v and not (k == "search" and v == "prefix")}
    return render(
        request,
        "assets.html",
        {
            "assets": [AssetOut.model_validate(a) for a in result.assets],
            "total": result.total,
            "total_exact": result.total_exact,
            "first": first,
            "last": first + len(result.assets) - 1 if result.assets else 0,
            "page_number": number,
            "total_pages": total_pages,
            "page_size": size,
            "capped": requested > maximum,
            "max_page_size": maximum,
            "filters": filters,
            "asset_types": [t.value for t in AssetType],
            "environments": [e.value for e in Environment],
            "flows": flows.data,
            "query": query,
            # The pager's and the sort links' query: the filters and a chosen page size.
            "page_query": {**({"page_size": size} if size != maximum else {}), **query},
            "sort": sort,
            "next_after": result.next_sorted_cursor,
        },
        page=page,
    )


@router.get("/assets/export")
async def export(
    request: Request, page: WebPage, session: SessionDep, factory: FactoryDep
) -> Response:
    """The API's export function, with the inventory page's filters."""
    params = request.query_params
    file_format = params.get("format", "csv")
    if file_format not in ("csv", "xlsx", "json"):
        raise PageError(400, "Exports are CSV, XLSX or JSON.")
    flow_text = params.get("flow_id") or None
    try:
        return await export_inventory(
            page.context,
            session,
            factory,
            file_format=file_format,  # type: ignore[arg-type]
            flow_id=parse_uuid(flow_text, "flow") if flow_text else None,
            asset_type=_asset_type(params.get("asset_type")),
            environment=_environment(params.get("environment")),
            q=(params.get("q") or "").strip()[:200] or None,
            search="contains" if params.get("search") == "contains" else "prefix",
            tech_debt=_tech_debt(params.get("tech_debt")),
        )
    except ApiError as exc:
        raise PageError(exc.status_code, sentence(exc.message)) from None


def _fields(asset: AssetOut) -> list[tuple[str, str, Any]]:
    """(field name, its label, value) of every field the asset has a value for."""
    values = asset.model_dump()
    return [
        (name, field_label(name), values.get(name))
        for name in CANONICAL_FIELDS
        if values.get(name) not in (None, [], "")
    ]


async def _in_file_order(session: SessionDep, record: dict[str, Any]) -> dict[str, Any]:
    """A raw row's values in the order of its file's columns (JSONB keeps its own order)."""
    raw: dict[str, Any] = record["raw_data"]
    data_import = await session.get(DataImport, record["data_import_id"])
    headers = data_import.read_details.get("headers", []) if data_import else []
    position = {header: i for i, header in enumerate(headers)}
    return dict(sorted(raw.items(), key=lambda item: position.get(item[0], len(position))))


@router.get("/assets/{asset_id}")
async def asset_page(
    request: Request, asset_id: str, page: WebPage, session: SessionDep
) -> Response:
    asset = await find_asset(session, page.context.tenant, parse_uuid(asset_id, "asset"))
    if asset is None:
        raise PageError(404, "There is no such asset in this engagement.")
    lineage = await asset_lineage(session, page.context.tenant, asset)
    shown = AssetOut.model_validate(asset)
    rows = [
        {**record, "raw_data": await _in_file_order(session, record)}
        for record in lineage.raw_records
    ]
    return render(
        request,
        "asset.html",
        {
            "asset": shown,
            "fields": _fields(shown),
            "lineage": lineage,
            "raw_rows": rows,
            "references": await asset_references(session, page.context.tenant, asset),
            "tech_debt_flags": shown_flags(shown.tech_debt_flags),
        },
        page=page,
    )
