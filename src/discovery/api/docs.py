"""The interactive API docs at ``/docs``, with Swagger UI served by this service.

FastAPI's default page loads Swagger UI from a CDN, so the docs were blank without
internet access (an air-gapped client site). The assets come from the
``swagger-ui-bundle`` package (Swagger UI, Apache-2.0) and are served at
``/static/api-docs``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/static/api-docs"


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Call before the web UI mounts ``/static``, so this more specific mount wins."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="api-docs")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.add_api_route("/docs", docs, include_in_schema=False)
