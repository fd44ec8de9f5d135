"""In Chromium against a real ``discovery serve``: deleting an import after its
confirmation, and the users page of a client admin."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.cli_runner import cli_env, discovery
from tests.web.browser import ARTIFACTS, Server, discovery_serve, screenshot
from tests.web.test_browser import SERVERS_CSV, sign_in, upload, wait_for_review

SHOTS = Path(os.environ.get("DISCOVERY_SHOTS_DIR", str(ARTIFACTS)))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve-manage") / "data"


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[Server]:
    with discovery_serve(data_dir) as running:
        yield running


def _shot(page: Page, name: str) -> None:
    screenshot(page, name, fits=True)
    if SHOTS != ARTIFACTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label in ("desktop", "mobile"):
            shutil.copy(ARTIFACTS / f"{name}-{label}.png", SHOTS / f"{name}-{label}.png")


def test_delete_an_import_after_seeing_what_goes(page: Page, files: Path) -> None:
    page.goto("/")
    sign_in(page)
    page.get_by_label("Client account").fill("Acme Corp")
    page.get_by_label("Engagement").fill("Wave 1")
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text("Acme Corp / Wave 1")

    csv = files / "servers.csv"
    csv.write_text(SERVERS_CSV)
    page.goto("/imports")
    page.get_by_label("serial number").uncheck()
    upload(page, csv)
    wait_for_review(page)

    page.goto("/imports")
    expect(page.get_by_role("group", name="Match rows to existing assets by")).to_be_visible()
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete servers.csv?")).to_be_visible()
    expect(page.locator("#delete-plan")).to_contain_text("5 raw rows of this import")
    _shot(page, "manage-import-delete")
    page.get_by_role("button", name="Delete import").click()
    expect(page).to_have_url(re.compile(r"/imports$"))
    expect(page.get_by_role("status")).to_contain_text("servers.csv deleted: 5 raw rows")
    expect(page.get_by_text("No imports yet.")).to_be_visible()


def test_users_page_changes_a_role_and_resets_a_password(
    page: Page, server: Server, data_dir: Path
) -> None:
    env = cli_env(DISCOVERY_DATA_DIR=str(data_dir))
    emails = [f"{name}-{uuid.uuid4().hex[:6]}@example.com" for name in ("ana", "bo")]
    for email, role in zip(emails, ("viewer", "analyst"), strict=True):
        created = discovery("users", "create", email, "--password", "member-pass-1",
                            "--client", "Acme Corp", "--role", role, env=env)  # fmt: skip
        assert created.returncode == 0, created.stderr
    page.goto("/users")
    expect(page.get_by_role("heading", name="Users of Acme Corp")).to_be_visible()
    row = page.locator(f"tr[data-email='{emails[0]}']")
    row.get_by_label(f"Role of {emails[0]}").select_option("analyst")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_have_text(f"{emails[0]} is now analyst.")
    row = page.locator(f"tr[data-email='{emails[1]}']")
    row.get_by_role("button", name="Disable").click()
    expect(page.locator(f"tr[data-email='{emails[1]}']")).to_contain_text("disabled")
    page.locator(f"tr[data-email='{emails[0]}']").get_by_role(
        "button", name="Reset password"
    ).click()
    expect(page.locator("#one-time-password")).to_have_text(re.compile(r"^\S{12,}$"))
    _shot(page, "manage-users")
