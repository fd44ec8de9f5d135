"""The consultant's view in a real browser: where a learned suggestion comes from,
forgetting it, a review that survives an expired session, and the inventory's order.

One ``discovery serve`` for the module (its own embedded database); the tests build on
each other. Screenshots go to /tmp/review_shots/ at 1280 and 390 px.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from playwright.sync_api import BrowserContext, Page, expect

from discovery.auth.tokens import issue_access_token
from tests.web.browser import ADMIN_EMAIL, WIDTHS
from tests.web.test_browser import sign_in, upload, wait_for_review

SHOTS = Path("/tmp/review_shots")
SECRET = "browser-tests-secret-key-0123456789abcdef"  # what discovery_serve starts with
SERVERS = """\
Server Name,IP Address,Operating System,Environment,Owner,Status
Web03,10.0.0.13,Ubuntu 22.04,PROD,alice@example.com,on
DB01,10.0.0.21,Red Hat Enterprise Linux 8,Production,bob@example.com,on
app01,10.0.0.31,Ubuntu 22.04,UAT,carol@example.com,off
"""


REVIEW: dict[str, str] = {}


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)


def work_in(page: Page, client: str, engagement: str) -> None:
    page.goto("/tenant")
    page.get_by_label("Client account", exact=True).fill(client)
    page.get_by_label("Engagement", exact=True).fill(engagement)
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text(f"{client} / {engagement}")


def open_review(page: Page, path: Path) -> None:
    upload(page, path)
    wait_for_review(page)
    page.get_by_role("link", name="Review the mapping").click()
    expect(page.get_by_role("heading", name=re.compile("Review the mapping"))).to_be_visible()


def row(page: Page, source: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-source='{source}']")


def test_a_correction_in_one_engagement_is_shown_with_its_origin_in_another(
    page: Page, files: Path
) -> None:
    page.goto("/")
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/tenant$"))
    page.get_by_label("Client account").fill("Globex")
    page.get_by_label("Engagement").fill("Wave 1")
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text("Globex / Wave 1")

    first = files / "wave1.csv"
    first.write_text(SERVERS)
    open_review(page, first)
    # Target fields carry a label and say what they hold.
    host = row(page, "Owner").locator("option[value=host]")
    expect(host).to_have_text("Hypervisor host")
    expect(row(page, "Server Name").locator(".field-hint")).to_have_text(
        re.compile(r"^name: The asset's display name")
    )
    row(page, "Owner").get_by_label("Map Owner to").select_option("technical_owner")
    row(page, "Environment").get_by_label("Map Environment to").select_option("")
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.locator("#flow-status")).to_have_text("Completed", timeout=90_000)

    work_in(page, "Globex", "Wave 2")
    second = files / "wave2.csv"
    second.write_text(SERVERS)
    open_review(page, second)
    owner = row(page, "Owner")
    expect(owner.get_by_label("Map Owner to")).to_have_value("technical_owner")
    expect(owner.locator(".learned-note")).to_contain_text(
        re.compile(rf"Learned in engagement 'Wave 1' \(wave1\.csv\), by {ADMIN_EMAIL}, .* UTC")
    )
    environment = row(page, "Environment")
    expect(environment.locator(".learned-note")).to_contain_text(
        "Learned: leave unmapped, in engagement 'Wave 1'"
    )
    expect(environment.locator(".learned-note")).to_contain_text("Only a suggestion")
    shoot(page, "mapping-review-provenance")
    REVIEW["url"] = page.url


def test_an_expired_session_keeps_the_review(page: Page, context: BrowserContext) -> None:
    page.goto(REVIEW["url"])
    row(page, "Status").get_by_label("Map Status to").select_option("")
    environment = row(page, "Environment").get_by_label("Map Environment to")
    environment.select_option("environment")

    # The session runs out while the reviewer decides (a token that expired a minute ago).
    cookie = next(c for c in context.cookies() if c["name"] == "discovery_session")
    user_id = uuid.UUID(jwt.decode(cookie["value"], options={"verify_signature": False})["sub"])
    expired = issue_access_token(
        user_id, SECRET, 60, now=datetime.now(UTC) - timedelta(minutes=61)
    ).token
    context.add_cookies([{**cookie, "value": expired}])  # type: ignore[list-item]

    page.get_by_role("button", name="Approve and continue").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("alert")).to_have_text(
        "Your session expired; sign in again to continue your review — your choices were kept."
    )
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/flows/[0-9a-f-]{36}/mapping\?restore=1$"))
    expect(page.locator("#choices-restored")).to_be_visible()
    expect(row(page, "Status").get_by_label("Map Status to")).to_have_value("")
    expect(row(page, "Environment").get_by_label("Map Environment to")).to_have_value("environment")
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.locator("#flow-status")).to_have_text("Completed", timeout=90_000)


def test_forgetting_a_learned_mapping(page: Page) -> None:
    page.goto("/mappings/learned")
    table = page.locator("#learned")
    expect(table.locator("tr[data-learned='Owner']")).to_contain_text("Technical owner")
    expect(table.locator("tr[data-learned='Owner']")).to_contain_text("Wave 1")
    shoot(page, "learned-mappings")
    page.get_by_role("button", name="Forget the mapping of Owner").click()
    expect(page.get_by_role("status")).to_contain_text("Forgotten")
    expect(table.locator("tr[data-learned='Owner']")).to_have_count(0)
    expect(table.locator("tr[data-learned='Status']")).to_have_count(1)


def test_the_inventory_is_sorted_by_name_whatever_the_case(page: Page) -> None:
    page.goto("/assets")
    names = page.locator("#assets-table tbody tr td:first-child")
    expect(names).to_have_text(["app01", "DB01", "Web03"])
    header = page.locator("#assets-table th").first
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(header.locator(".sort-mark")).to_have_text("▲")
    expect(page.locator("#assets-table th").nth(1).locator(".sort-mark")).to_have_text("↕")
    shoot(page, "assets-sorted")


def test_the_health_page_says_what_each_metric_means(page: Page) -> None:
    page.goto("/health")
    tile = page.locator(".tile[data-metric=raw_records_with_orphan_asset_ref]")
    expect(tile.locator(".tile-name")).to_have_text("File rows pointing at a missing asset")
    expect(tile.locator(".tile-meaning")).to_contain_text("that asset is gone")
    shoot(page, "health")
