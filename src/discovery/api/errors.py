"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import html
import logging
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from discovery.assets.reconcile import MatchOrderError
from discovery.auth.service import ApiTokenNotFoundError, AuthenticationError
from discovery.flows.control import FlowStateError, IdempotencyConflictError
from discovery.flows.service import FlowNotFoundError
from discovery.imports.deletion import ImportNotFoundError
from discovery.mapping.service import MappingError
from discovery.tenancy.access import AccessDeniedError

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}

# Domain errors whose message is written for the user: the status each one answers with.
DOMAIN_ERRORS: dict[type[Exception], int] = {
    AuthenticationError: 401,
    AccessDeniedError: 403,
    FlowNotFoundError: 404,
    ApiTokenNotFoundError: 404,
    ImportNotFoundError: 404,
    FlowStateError: 409,
    IdempotencyConflictError: 409,
    MappingError: 422,
    MatchOrderError: 422,
}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    """Raised by endpoints and dependencies; rendered in the error shape."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code or CODES.get(status_code, "error")
        self.details = details
        self.headers = headers


def error_response(
    status_code: int,
    message: str,
    *,
    code: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorBody(
            code=code or CODES.get(status_code, "error"), message=message, details=details
        )
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase.lower()
    except ValueError:
        return "error"


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status_code, exc.message, code=exc.code, details=exc.details, headers=exc.headers
    )


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _phrase(exc.status_code)
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        message = f"no route {request.method} {request.url.path}"
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(exc.status_code, message, headers=dict(exc.headers or {}) or None)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": [str(part) for part in item["loc"]], "message": item["msg"], "type": item["type"]}
        for item in exc.errors()
    ]
    first = details[0] if details else None
    message = (
        f"invalid request: {_location(tuple(first['loc']))}: {first['message']}"
        if first
        else "invalid request"
    )
    return error_response(422, message, details=details)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status_code = next(
        (status for kind, status in DOMAIN_ERRORS.items() if isinstance(exc, kind)), 400
    )
    headers = BEARER_CHALLENGE if status_code == 401 else None
    return error_response(status_code, str(exc), headers=headers)


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # Input the validation let through but PostgreSQL refuses (a value out of range, a
    # character text cannot hold): the caller's data, so a 422, never a 500. Logged, as
    # it also means a validation rule is missing.
    logger.warning("database refused a value in %s %s: %s", request.method, request.url.path, exc)
    return error_response(422, "invalid input: a value is out of range or cannot be stored")


# The database cannot be reached or stopped answering (connection refused or lost, the
# server shutting down, no connection free in the pool): a 503 the caller may retry.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "the database is unavailable; try again in a few seconds"
_UNAVAILABLE_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>Service unavailable</h1>
<p>{html.escape(UNAVAILABLE_MESSAGE.capitalize())}.</p><p><a href="">Try again</a></p></main>
</body></html>
"""


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.error(
        "database unavailable in %s %s: %s",
        request.method,
        request.url.path,
        str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1],
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.url.path.startswith("/api/"):
        return error_response(503, UNAVAILABLE_MESSAGE, headers=headers)
    # A web page: plain HTML that needs neither the database nor the page templates.
    return HTMLResponse(_UNAVAILABLE_PAGE, status_code=503, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, _database_unavailable)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for kind in DOMAIN_ERRORS:
        app.add_exception_handler(kind, _domain_error)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses, all in the error shape."""
    return {
        status: {"model": ErrorResponse, "description": _phrase(status).capitalize()}
        for status in statuses
    }
