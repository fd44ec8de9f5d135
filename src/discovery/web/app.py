"""Mounting the web UI on the FastAPI app: its routes, static files and error pages."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, Response

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
from discovery.web.routes import assets, flows, health, home, imports, mapping, signin


def web_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in (signin, home, imports, flows, mapping, assets, health):
        router.include_router(module.router)
    return router


def _json_wanted(request: Request) -> bool:
    return request.url.path.endswith(".json") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequiredError)
    if _json_wanted(request):
        return JSONResponse({"error": "Your session has ended; sign in again."}, status_code=401)
    response = redirect(request, login_url(request), flash=exc.message, kind="error")
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


def install_web(app: FastAPI) -> None:
    """Serve the UI at ``/`` (the API stays under ``/api/v1``)."""
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(TenantRequiredError, _tenant_required)
    app.add_exception_handler(PageError, _page_error)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(web_router())
