"""One error shape everywhere, request ids in headers and logs, CORS."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from discovery.api.app import create_app
from discovery.api.middleware import RequestIdFilter
from discovery.core.settings import SettingsError, load_settings
from tests.api.conftest import Account, api_settings, serving


def _shape(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return dict(body["error"])


async def test_unknown_routes_and_methods_use_the_error_shape(client: httpx.AsyncClient) -> None:
    error = _shape(await client.get("/api/v1/nothing-here"), 404, "not_found")
    assert error["message"] == "no route GET /api/v1/nothing-here"
    response = await client.put("/api/v1/auth/login", json={})
    _shape(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (b'{"email": "a@b.c"}', ["body", "password"]),
        (b'{"email": 5, "password": "x"}', ["body", "email"]),
        (b"{not json", ["body", 1]),
        (b"[]", ["body"]),
    ],
)
async def test_validation_errors_are_422_with_field_details(
    client: httpx.AsyncClient, content: bytes, loc: list[object]
) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=content, headers={"Content-Type": "application/json"}
    )
    error = _shape(response, 422, "validation_error")
    details = error["details"]
    assert isinstance(details, list) and details
    assert details[0]["loc"] == [str(part) for part in loc]
    assert set(details[0]) == {"loc", "message", "type"}


async def test_an_unexpected_error_is_a_500_without_internals(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise RuntimeError("password=hunter2 at /srv/secret/path")

    app.add_api_route("/api/v1/boom", boom)
    async with serving(app) as client:
        with caplog.at_level(logging.ERROR, logger="discovery.api"):
            response = await client.get("/api/v1/boom", headers={"X-Request-ID": "trace-500"})
    error = _shape(response, 500, "internal_error")
    assert error == {
        "code": "internal_error",
        "message": "internal server error",
        "details": {"request_id": "trace-500"},
    }
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert response.headers["X-Request-ID"] == "trace-500"
    assert any("hunter2" in (r.exc_text or "") for r in caplog.records)  # logged, not returned


async def test_request_ids_are_echoed_or_generated_and_appear_in_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="discovery.api.access"):
        given = await client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
        generated = await client.get("/api/v1/health")
        unsafe = await client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert given.headers["X-Request-ID"] == "abc-123"
    assert len(generated.headers["X-Request-ID"]) == 32
    assert unsafe.headers["X-Request-ID"] not in ("bad id\twith spaces", "")
    access = [r for r in caplog.records if r.name == "discovery.api.access"]
    assert [r.request_id for r in access] == [  # type: ignore[attr-defined]
        "abc-123",
        generated.headers["X-Request-ID"],
        unsafe.headers["X-Request-ID"],
    ]
    assert "GET /api/v1/health -> 200" in access[0].getMessage()


async def test_cors_is_off_by_default_and_follows_the_setting(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path, account: Account
) -> None:
    origin = {"Origin": "https://app.example.com"}
    assert (
        "access-control-allow-origin"
        not in (await client.get("/api/v1/health", headers=origin)).headers
    )

    settings = api_settings(
        database_url, tmp_path / "data", cors_origins="https://app.example.com, https://b.example"
    )
    assert settings.cors_origins == ("https://app.example.com", "https://b.example")
    async with serving(create_app(settings, database_url)) as cors_client:
        simple = await cors_client.get("/api/v1/health", headers=origin)
        assert simple.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "X-Request-ID" in simple.headers["access-control-expose-headers"]
        preflight = await cors_client.options(
            "/api/v1/unified-discovery/assets",
            headers={
                **origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization, x-client-account-id, x-engagement-id",
            },
        )
        assert preflight.status_code == 200
        assert "x-engagement-id" in preflight.headers["access-control-allow-headers"].lower()
        other = await cors_client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_a_bad_cors_origin_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=re.escape("DISCOVERY_CORS_ORIGINS='app.example.com'")):
        load_settings(data_dir=tmp_path, cors_origins="app.example.com")


async def test_the_openapi_document_and_docs_are_served(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/api/v1/unified-discovery/imports" in document["paths"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (path, status)
    assert (await client.get("/docs")).status_code == 200
