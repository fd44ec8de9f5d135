"""Mounting the web UI on the FastAPI app: its routes, static files and error pages."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from discovery.web import security
from discovery.web.deps import (
    HERE,
    LoginRequiredError,
    PageError,
    TenantRequiredError,
    login_url,
    redirect,
    render,
)
from discovery.web.routes import (
    assets,
    dependencies,
    flows,
    health,
    home,
    imports,
    learned,
    mapping,
    signin,
    tech_debt,
    users,
)


def web_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in (
        signin,
        home,
        imports,
        flows,
        mapping,
        learned,
        assets,
        tech_debt,
        dependencies,
        health,
        users,
    ):
        router.include_router(module.router)
    return router


def _json_wanted(request: Request) -> bool:
    return request.url.path.endswith(".json") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


REVIEW_EXPIRED = (
    "Your session expired; sign in again to continue your review — your choices were kept."
)
_REVIEW = re.compile(r"^/flows/([^/]+)/mapping(?:/preview)?$")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequiredError)
    if _json_wanted(request):
        return JSONResponse({"error": "Your session has ended; sign in again."}, status_code=401)
    target, message = login_url(request), exc.message
    review = _REVIEW.match(request.url.path)
    if review is not None and security.session_token(request):
        # The review form keeps its choices in the browser (app.js); after signing in
        # the reviewer comes back to the review, which puts them back.
        target = "/login?next=" + quote(f"/flows/{review.group(1)}/mapping?restore=1", safe="/")
        message = REVIEW_EXPIRED
    response = redirect(request, target, flash=message, kind="error")
    if security.session_token(request):
        security.clear_session(response)
    return response


async def _tenant_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TenantRequiredError)
    if _json_wanted(request):
        return JSONResponse(
            {"error": exc.message or "Choose an engagement first."}, status_code=403
        )
    return redirect(request, "/tenant", flash=exc.message, kind="error")


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    if _json_wanted(request):
        return JSONResponse({"error": exc.message}, status_code=exc.status_code)
    return render(request, "error.html", {"message": exc.message}, status_code=exc.status_code)


def _browser(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script)."""
    return (
        not request.url.path.startswith("/api/")
        and not _json_wanted(request)
        and "text/html" in request.headers.get("accept", "")
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _html_errors_for_browsers(api_handler: Handler) -> Handler:
    """A browser that asks for a page that does not exist gets a page that says so."""

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code in (404, 405) and _browser(request):
            message = (
                "There is no page at this address."
                if exc.status_code == 404
                else "This page cannot be opened that way."
            )
            return render(request, "error.html", {"message": message}, status_code=exc.status_code)
        return await api_handler(request, exc)

    return handle


class HeadAsGet:
    """``HEAD`` on a page answers as ``GET`` does (the server sends no body for HEAD).

    FastAPI's GET routes refuse HEAD with 405; link checkers and uptime probes use it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "HEAD"
            and not scope["path"].startswith("/api/")
        ):
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


async def _favicon() -> FileResponse:
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")


def install_web(app: FastAPI) -> None:
    """Serve the UI at ``/`` (the API stays under ``/api/v1``)."""
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(TenantRequiredError, _tenant_required)
    app.add_exception_handler(PageError, _page_error)
    api_handler = app.exception_handlers.get(StarletteHTTPException)
    if api_handler is not None:
        app.add_exception_handler(
            StarletteHTTPException,
            _html_errors_for_browsers(api_handler),  # type: ignore[arg-type]
        )
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.include_router(web_router())
