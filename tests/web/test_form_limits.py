"""Form bodies are bounded before they are parsed (and before authentication): sign-in and
every small form at 64 KiB and 16 fields, uploads at DISCOVERY_MAX_UPLOAD_BYTES, streamed
into the data directory, never the system temporary directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from discovery.api.app import create_app
from discovery.web.forms import SMALL_FORM
from tests.api.conftest import Account, api_settings, serving
from tests.web.test_pages import choose, csrf_of, sign_in

MiB = 1024 * 1024
GiB = 1024 * MiB
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


class Body:
    """A request body that would be ``total`` bytes, counting how much of it was read."""

    def __init__(self, total: int, chunk: bytes = b"a" * MiB, head: bytes = b"") -> None:
        self.total = total
        self.chunk = chunk
        self.head = head
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.head:
            self.consumed += len(self.head)
            yield self.head
        while self.consumed < self.total:
            self.consumed += len(self.chunk)
            yield self.chunk


def names_in(directory: Path, pattern: str = "*") -> list[str]:
    return [path.name for path in directory.glob(pattern)]


def open_files_under(directory: Path) -> list[str]:
    """Files this process holds open under ``directory``, deleted ones included (a
    spooled temporary file has no name once created)."""
    found = []
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary directory, made an empty one of this test's."""
    directory = tmp_path / "system-tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


async def test_an_oversized_sign_in_body_is_413_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    token = csrf_of((await client.get("/login")).text)
    body = Body(2 * GiB, head=f"csrf_token={token}&email=".encode())
    response = await client.post(
        "/login", content=body, headers={**URLENCODED, "Content-Length": str(2 * GiB)}
    )
    assert response.status_code == 413, response.text
    assert "larger than the limit of 64 KiB" in response.text
    assert body.consumed <= len(body.head) + MiB  # at most the first chunk was produced


async def test_a_chunked_sign_in_body_is_refused_once_past_the_cap(
    client: httpx.AsyncClient,
) -> None:
    token = csrf_of((await client.get("/login")).text)
    body = Body(2 * GiB, chunk=b"a" * 4096, head=f"csrf_token={token}&email=".encode())
    response = await client.post("/login", content=body, headers=URLENCODED)  # no length
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413, response.text
    # Read up to the limit and one chunk more, not the 2 GiB it would have been.
    assert SMALL_FORM.max_bytes < body.consumed <= SMALL_FORM.max_bytes + 2 * 4096


async def test_too_many_fields_are_refused(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/login")).text)
    fields = {f"f{n}": "x" for n in range(SMALL_FORM.max_fields)}
    response = await client.post("/login", data={"csrf_token": token, **fields})
    assert response.status_code == 413, response.text
    assert f"more than {SMALL_FORM.max_fields} fields" in response.text


async def test_a_multipart_sign_in_is_refused_unread_and_nothing_is_spooled(
    client: httpx.AsyncClient, system_temp: Path
) -> None:
    head = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    body = Body(2 * GiB, head=head)
    response = await client.post(
        "/login", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 415, response.text
    assert body.consumed <= len(head) + MiB
    assert names_in(system_temp) == []


async def test_a_small_form_within_the_limits_still_works(
    client: httpx.AsyncClient, account: Account
) -> None:
    assert (await sign_in(client, account.members["admin"].email)).status_code == 303
    assert (await choose(client, account)).status_code == 303
    # The CSRF token may come as a header, with an empty body (the sign-out button's way).
    token = csrf_of((await client.get("/tenant")).text)
    out = await client.post("/logout", headers={"X-CSRF-Token": token})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"


def _upload_head(name: str) -> bytes:
    return (
        f'--b\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\nName,IP\r\n"
    ).encode()


@pytest.mark.parametrize("where", ["api", "web"])
async def test_an_upload_streams_into_the_data_directory(
    where: str,
    database_url: str,
    account: Account,
    tmp_path: Path,
    system_temp: Path,
) -> None:
    """While the body streams, its file is in DISCOVERY_DATA_DIR/uploads/incoming and
    nothing is in the system temporary directory; a chunked body past the limit is 413."""
    settings = api_settings(database_url, tmp_path / "data", max_upload_bytes=4 * MiB)
    incoming = settings.uploads_dir / "incoming"
    seen: dict[str, list[str]] = {"incoming": [], "system": []}

    class Watched(Body):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in super().__aiter__():
                if self.consumed > 2 * MiB and not seen["incoming"]:
                    seen["incoming"] = names_in(incoming, "*.upload")
                    seen["system"] = open_files_under(system_temp) + names_in(system_temp)
                yield chunk

    body = Watched(64 * MiB, chunk=b"web01,10.0.0.1\r\n" * 4096, head=_upload_head("s.csv"))
    app: FastAPI = create_app(settings, database_url)
    async with serving(app) as client:
        multipart = {"Content-Type": "multipart/form-data; boundary=b"}
        if where == "api":
            url, headers = "/api/v1/unified-discovery/imports", account.headers("analyst")
        else:
            await sign_in(client, account.members["analyst"].email)
            await choose(client, account)
            token = csrf_of((await client.get("/imports")).text)
            url = "/imports/upload"
            headers = {"X-CSRF-Token": token, "X-Requested-With": "XMLHttpRequest"}
        response = await client.post(url, content=body, headers={**headers, **multipart})
    assert response.status_code == 413, response.text
    assert "DISCOVERY_MAX_UPLOAD_BYTES" in response.text
    assert len(seen["incoming"]) == 1, seen
    assert seen["system"] == []
    assert body.consumed < 6 * MiB  # not the 64 MiB it would have been
    assert names_in(incoming) == []  # removed once refused
