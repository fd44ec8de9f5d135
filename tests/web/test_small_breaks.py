"""A browser's small requests: a favicon, HEAD on pages, an HTML page for a wrong address."""

from __future__ import annotations

import httpx

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_the_favicon_is_served(client: httpx.AsyncClient) -> None:
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.text.startswith("<svg")
    login = await client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg"' in login.text


async def test_head_answers_like_get_on_pages(client: httpx.AsyncClient) -> None:
    start_get, start_head = await client.get("/"), await client.head("/")
    assert start_head.status_code == start_get.status_code == 303  # to the sign-in page
    assert start_head.headers["location"] == start_get.headers["location"]
    login_get, login_head = await client.get("/login"), await client.head("/login")
    assert login_head.status_code == login_get.status_code == 200
    assert login_head.headers["content-type"] == login_get.headers["content-type"]
    # The API keeps its own rules.
    assert (await client.head("/api/v1/health")).status_code == 405


async def test_a_wrong_address_in_a_browser_is_an_html_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in response.text
    assert 'href="/"' in response.text


async def test_the_api_and_scripts_still_get_json_for_a_wrong_address(
    client: httpx.AsyncClient,
) -> None:
    api = await client.get("/api/v1/nope", headers=BROWSER)
    assert api.status_code == 404
    assert api.json()["error"]["message"] == "no route GET /api/v1/nope"
    script = await client.get("/nope", headers={"Accept": "application/json"})
    assert script.status_code == 404
    assert script.headers["content-type"].startswith("application/json")
