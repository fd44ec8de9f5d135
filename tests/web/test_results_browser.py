"""In a real browser: a reviewed import's results summary (flow page, start page) and the
tech-debt page, inventory filter and asset panel. Screenshots at 1280 and 390 px go to
``test-artifacts/`` (and to ``RESULTS_SHOTS`` when set)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.tech_debt_files import expected_end_of_support, write_servers
from tests.web.browser import ARTIFACTS, screenshot
from tests.web.test_browser import sign_in, upload


def shot(page: Page, name: str) -> None:
    screenshot(page, name, fits=True)
    wanted = os.environ.get("RESULTS_SHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        for width in ("desktop", "mobile"):
            shutil.copy(ARTIFACTS / f"{name}-{width}.png", Path(wanted) / f"{name}-{width}.png")


def test_a_reviewed_import_shows_its_results(page: Page, files: Path) -> None:
    page.goto("/")
    sign_in(page)
    page.get_by_label("Client account").fill("Results Corp")
    page.get_by_label("Engagement").fill("Wave 1")
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text("Results Corp / Wave 1")

    upload(page, write_servers(files / "servers.csv"))
    # The first flow page of a fresh server can take a while on a busy machine.
    expect(page).to_have_url(re.compile(r"/flows/[0-9a-f-]{36}$"), timeout=60_000)
    expect(page.locator("#flow-approval")).to_be_visible(timeout=60_000)
    # Before the inventory is built there are no asset results yet.
    expect(page.locator("#flow-results [data-topic=assets]")).to_have_count(0)
    page.get_by_role("link", name="Review the mapping").click()
    page.get_by_label("Map Environment to").select_option("")
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.locator("#flow-status")).to_have_text(re.compile("^Completed"), timeout=90_000)

    # Drawn by the server once the flow rests, swapped into the live page.
    results = page.locator("#flow-results")
    expect(results.locator("[data-topic=assets] dd")).to_contain_text(
        "4 assets created, 0 updated, 0 unchanged; 1 duplicate row merged into an existing asset."
    )
    expect(results.locator("[data-topic=dependencies] dd")).to_contain_text(
        "1 reference to no known asset (for example web02 → ghost01)."
    )
    ended, ending = expected_end_of_support()
    expect(results.locator("[data-topic='end of support'] dd")).to_contain_text(
        f"{ending} more ending within a year."
    )
    expect(results.locator("[data-topic=mapping] dd")).to_have_text(
        "The reviewer changed 1 column: Environment: environment → not mapped."
    )
    expect(
        results.get_by_role("link", name="Download the rows with errors (CSV)")
    ).to_have_attribute("href", re.compile(r"^/imports/[0-9a-f-]{36}/errors\.csv$"))
    expect(results.locator("[data-topic='as of'] dd")).to_have_text(re.compile(r" UTC\.\s*$"))
    shot(page, "results-flow")

    page.goto("/")
    latest = page.locator("#latest-results")
    expect(latest.get_by_role("heading")).to_have_text("Latest results: servers.csv")
    expect(latest.locator("[data-topic=assets] dd")).to_contain_text("1 duplicate row merged")
    shot(page, "results-start")

    page.get_by_role("link", name="Tech debt", exact=True).click()
    expect(page.get_by_role("heading", name="Tech debt", exact=True)).to_be_visible()
    expect(page.locator("[data-count=flagged]")).to_have_text(str(ended + ending))
    expect(page.get_by_role("img", name=re.compile("^Assets by severity: "))).to_be_visible()
    expect(page.locator("#debt-products")).to_contain_text("Windows Server 2008 R2")
    shot(page, "results-tech-debt")

    page.locator("[data-count=high] a").click()
    expect(page).to_have_url(re.compile(r"/assets\?tech_debt=high$"))
    expect(page.get_by_label("Tech debt")).to_have_value("high")
    expect(page.locator("#assets-table tbody tr")).to_have_count(ended)
    page.get_by_label("Tech debt").select_option("medium")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#assets-table tbody tr")).to_have_count(ending)
    page.get_by_label("Tech debt").select_option("any")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#assets-table tbody tr")).to_have_count(ended + ending)

    page.get_by_role("link", name="web01").click()
    panel = page.locator("#tech-debt-panel")
    expect(panel.locator(".badge")).to_have_text("Past end of support")
    expect(panel).to_contain_text("Windows Server 2008 R2 has been out of vendor support since")
    expect(panel).not_to_contain_text("code:")
    shot(page, "results-asset")
