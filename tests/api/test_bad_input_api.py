"""Input that used to answer 500: odd file names, non-ASCII download names, forged
cursors, and a database that is down."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.api.app import create_app
from discovery.api.downloads import ascii_fallback, attachment
from discovery.core import migrations
from discovery.imports.models import DataImport
from tests.api.conftest import Account, api_settings, create_account, serving
from tests.flow_helpers import in_transaction
from tests.web.test_pages import choose, sign_in

IMPORTS = "/api/v1/unified-discovery/imports"
ASSETS = "/api/v1/unified-discovery/assets"
CSV = b"Server Name,IP Address\nweb01,10.0.0.1\n"
BOUNDARY = "discovery-test-boundary"


def _multipart(file_name: bytes, content: bytes) -> bytes:
    """A form with one file part whose ``filename`` is exactly these bytes."""
    return (
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + file_name
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _contents(path: Path) -> bytes:
    return path.read_bytes()


async def _stored(url: str, import_id: str) -> DataImport:
    async def load(session: AsyncSession) -> DataImport | None:
        return await session.get(DataImport, uuid.UUID(import_id))

    data_import = await in_transaction(url, load)
    assert data_import is not None
    return data_import


@pytest.mark.parametrize(
    ("file_name", "shown"),
    [
        (b"a" * 300 + b".csv", "a" * 250 + "….csv"),  # over 255 bytes: was OSError, a 500
        ("é".encode() * 150 + b".csv", "é" * 150 + ".csv"),  # 304 bytes, 154 characters
        (b"../../../etc/passwd.csv", "passwd.csv"),
        (b"..", "upload"),
        (b"we\x00ird\x01\x1f\x7f.csv", "weird.csv"),
        (b"\xff\xfe\xfa.csv", "\ufffd\ufffd\ufffd.csv"),  # not UTF-8
        (b"dir\\sub\\servers.csv", "servers.csv"),
    ],
)
async def test_an_odd_file_name_is_stored_under_a_safe_name_and_shown_cleaned(
    client: httpx.AsyncClient,
    account: Account,
    settings: Any,
    database_url: str,
    file_name: bytes,
    shown: str,
) -> None:
    response = await client.post(
        IMPORTS,
        headers={
            **account.headers("analyst"),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        content=_multipart(file_name, CSV),
    )
    assert response.status_code == 202, response.text
    import_id = response.json()["data_import_id"]
    data_import = await _stored(database_url, import_id)
    assert data_import.file_name == shown
    assert data_import.stored_file_path is not None
    stored = Path(data_import.stored_file_path)
    assert stored.parent == settings.uploads_dir / import_id
    assert stored.name == ("upload.csv" if shown.endswith(".csv") else "upload")
    assert _contents(stored) == CSV
    listed = await client.get(f"{IMPORTS}/{import_id}", headers=account.headers("viewer"))
    assert listed.json()["file_name"] == shown


def _disposition_name(header: str) -> tuple[str, str]:
    """(the ASCII ``filename``, the decoded ``filename*``) of a Content-Disposition."""
    parts = dict(part.strip().split("=", 1) for part in header.split(";")[1:] if "=" in part)
    encoded = parts["filename*"]
    assert encoded.startswith("UTF-8''")
    fallback = parts["filename"]
    assert fallback.startswith('"') and fallback.endswith('"')
    assert fallback.isascii()
    return fallback[1:-1], unquote(encoded.removeprefix("UTF-8''"), encoding="utf-8")


def test_the_download_header_names_any_file_exactly_with_an_ascii_fallback() -> None:
    for name in ("Inventär 東京-errors.csv", 'a"b\\c;d.csv', "assets.csv", "東京.csv"):
        header = attachment(name)["Content-Disposition"]
        header.encode("latin-1")  # what a header value must be on the wire
        fallback, exact = _disposition_name(header)
        assert exact == name
        assert fallback == ascii_fallback(name)
        assert '"' not in fallback and "\\" not in fallback
    assert ascii_fallback("Inventär 東京-errors.csv") == "Inventar -errors.csv"
    assert ascii_fallback("東京.csv") == "csv"


async def test_the_errors_csv_of_a_non_ascii_file_name_downloads(
    app: Any, client: httpx.AsyncClient, account: Account, database_url: str
) -> None:
    name = "Inventär 東京.csv"
    response = await client.post(
        IMPORTS,
        headers={
            **account.headers("analyst"),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        content=_multipart(name.encode(), CSV),
    )
    assert response.status_code == 202, response.text
    import_id = response.json()["data_import_id"]

    errors = await client.get(f"{IMPORTS}/{import_id}/errors", headers=account.headers("viewer"))
    assert errors.status_code == 200, errors.text  # was a UnicodeEncodeError, a 500
    assert _disposition_name(errors.headers["content-disposition"]) == (
        "Inventar -errors.csv",
        "Inventär 東京-errors.csv",
    )
    export = await client.get(f"{ASSETS}/export?format=xlsx", headers=account.headers("viewer"))
    assert export.status_code == 200
    assert _disposition_name(export.headers["content-disposition"]) == (
        "assets.xlsx",
        "assets.xlsx",
    )

    # The web UI's download answers with the same header.
    async with serving(app) as browser:
        assert (await sign_in(browser, account.members["viewer"].email)).status_code == 303
        assert (await choose(browser, account)).status_code == 303
        page = await browser.get(f"/imports/{import_id}/errors.csv")
        assert page.status_code == 200, page.text
        assert _disposition_name(page.headers["content-disposition"])[1] == (
            "Inventär 東京-errors.csv"
        )


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


STAMP = "2026-01-01T00:00:00+00:00"
ID = str(uuid.uuid4())


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor({"t": STAMP, "i": 123}),  # a non-string id: was AttributeError, a 500
        _cursor({"t": STAMP, "i": {"x": 1}}),
        _cursor({"t": STAMP, "i": None}),
        _cursor({"t": 20260101, "i": ID}),
        _cursor({"t": STAMP, "i": "not-a-uuid"}),
        _cursor({"t": "2026-01-01T00:00:00", "i": ID}),  # no time zone
        _cursor({"t": "9999-12-31T23:59:59-14:00", "i": ID}),  # past year 9999 in UTC
        _cursor({"t": STAMP, "i": ID, "extra": 1}),
        _cursor({"t": STAMP}),
        _cursor([STAMP, ID]),
        _cursor("text"),
        _cursor(None),
        base64.urlsafe_b64encode(b"\xff\xfe{").decode(),  # not UTF-8
        base64.urlsafe_b64encode(b"{not json").decode(),
        "A",  # bad base64 padding
        "%%%",
        "ünïcode",
    ],
)
async def test_a_forged_cursor_is_a_422_that_says_so(
    client: httpx.AsyncClient, account: Account, cursor: str
) -> None:
    response = await client.get(
        ASSETS, params={"cursor": cursor}, headers=account.headers("viewer")
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith("invalid request: query.cursor: not a cursor")
    assert error["details"][0]["loc"] == ["query", "cursor"]


async def test_a_real_cursor_still_pages(client: httpx.AsyncClient, account: Account) -> None:
    response = await client.get(
        ASSETS, params={"cursor": _cursor({"t": STAMP, "i": ID})}, headers=account.headers("viewer")
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A PostgreSQL of this test's own, so that it can be stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(tmp_path / "pgdata", cleanup_mode="stop")
    try:
        yield str(server.get_uri()), server
    finally:
        server.cleanup()


async def test_every_route_answers_503_with_retry_after_while_the_database_is_down(
    own_server: tuple[str, Any], tmp_path: Path
) -> None:
    url, server = own_server
    await asyncio.to_thread(migrations.upgrade, url)
    account = await create_account(url)
    app = create_app(api_settings(url, tmp_path / "data"), url)
    api_routes = [
        ("GET", "/api/v1/auth/me"),
        ("GET", IMPORTS),
        ("GET", f"{IMPORTS}/{uuid.uuid4()}/errors"),
        ("GET", "/api/v1/unified-discovery/flows"),
        ("GET", ASSETS),
        ("GET", f"{ASSETS}/export?format=csv"),
        ("GET", f"{ASSETS}/{uuid.uuid4()}"),
        ("GET", "/api/v1/health/wiring"),
        ("GET", "/api/v1/health"),
        ("DELETE", f"{IMPORTS}/{uuid.uuid4()}"),
    ]
    web_pages = ["/", "/imports", "/assets", "/health", "/tenant"]
    async with serving(app) as client, serving(app) as browser:
        up = await client.get("/api/v1/auth/me", headers=account.headers())
        assert up.status_code == 200
        assert (await sign_in(browser, account.members["viewer"].email)).status_code == 303
        assert (await choose(browser, account)).status_code == 303
        assert (await browser.get("/imports")).status_code == 200

        server.cleanup()  # stop the database under the running app

        for method, path in api_routes:
            response = await client.request(method, path, headers=account.headers())
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert int(response.headers["retry-after"]) > 0, path
            assert response.json()["error"]["code"] == "service_unavailable", path
        login = await client.post(
            "/api/v1/auth/login", json={"email": account.members["viewer"].email, "password": "x"}
        )
        assert login.status_code == 503 and "retry-after" in login.headers
        upload = await client.post(
            IMPORTS,
            headers=account.headers("analyst"),
            files={"file": ("s.csv", CSV, "text/csv")},
        )
        assert upload.status_code == 503 and "retry-after" in upload.headers
        for path in web_pages:
            response = await browser.get(path)
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert int(response.headers["retry-after"]) > 0, path
            assert response.headers["content-type"].startswith("text/html")
            assert "The database is unavailable" in response.text
