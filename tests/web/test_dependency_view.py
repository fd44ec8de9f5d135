"""The dependency view in a real browser: a small engagement with a reference to a host
that does not exist, then a 500-asset one; the asset page's dependency panel both ways.

Screenshots go to ``test-artifacts/`` at 1280 and 390 px."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.browser import ARTIFACTS, WIDTHS, screenshot
from tests.web.test_browser import sign_in, upload, wait_for_review

SMALL_CSV = """\
Server Name,IP Address,Operating System,Environment,Depends On
web01,10.1.0.11,Ubuntu 22.04,PROD,db01; cache01; nonexistent-host
web02,10.1.0.12,Ubuntu 22.04,PROD,db01
db01,10.1.0.21,Red Hat Enterprise Linux 8,PROD,
cache01,10.1.0.31,Ubuntu 22.04,PROD,
report01,10.1.0.41,Windows Server 2019,UAT,report-db; legacy-ftp; 10.9.9.9
report-db,10.1.0.42,Windows Server 2019,UAT,
lone01,10.1.0.51,Ubuntu 22.04,DEV,
"""
LARGE = 500


def _write_large(path: Path) -> Path:
    """500 servers in application stacks of 2 to 40 (web tier, app tier, one database)."""
    rows = []
    sizes = [40, 30, 25, 20, 12, 8, 5, 3, 2]
    stack = 0
    while len(rows) < LARGE:
        size = min(sizes[stack % len(sizes)], LARGE - len(rows))
        stack += 1
        db = f"stack{stack:02d}-database-primary"
        apps = [f"stack{stack:02d}-app{i:02d}" for i in range(max(1, (size - 1) // 3))]
        webs = [f"stack{stack:02d}-web{i:02d}" for i in range(size - 1 - len(apps))]
        rows.append([db, ""])
        rows.extend([app, db] for app in apps)
        rows.extend([web, apps[i % len(apps)]] for i, web in enumerate(webs))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Server Name", "IP Address", "Depends On"])
        for i, (name, depends) in enumerate(rows[:LARGE]):
            writer.writerow([name, f"10.2.{i // 250}.{i % 250 + 1}", depends])
    return path


def _import(page: Page, path: Path) -> None:
    upload(page, path)
    wait_for_review(page)
    page.get_by_role("link", name="Review the mapping").click()
    expect(page.get_by_label("Map Depends On to")).to_have_value("depends_on")
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.locator("#flow-status")).to_have_text(re.compile("^Completed"), timeout=120_000)


def _picture(page: Page, name: str) -> None:
    """The picture as a person sees it in the window (the page's own scroll box)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.locator(".graph-scroll").screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def _new_engagement(page: Page, client: str, engagement: str) -> None:
    page.goto("/tenant")
    page.get_by_label("Client account", exact=True).fill(client)
    page.get_by_label("Engagement", exact=True).fill(engagement)
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text(f"{client} / {engagement}")


def test_the_dependency_view_shows_groups_and_references_not_found(page: Page, files: Path) -> None:
    page.goto("/")
    sign_in(page)
    page.get_by_label("Client account").fill("Deps Corp")
    page.get_by_label("Engagement").fill("Small")
    page.get_by_role("button", name="Create and work in it").click()
    small = files / "small.csv"
    small.write_text(SMALL_CSV)
    _import(page, small)

    page.get_by_role("link", name="Dependencies").first.click()
    expect(page).to_have_url(re.compile(r"/dependencies$"))
    expect(page.locator("#dep-summary")).to_contain_text("4 dependencies link 6 assets in 2 groups")
    expect(page.locator("#dep-summary")).to_contain_text("1 asset depends on nothing")
    unresolved = page.locator("#unresolved")
    expect(unresolved.get_by_role("heading")).to_have_text(
        "3 references not found in this engagement"
    )
    expect(unresolved.locator("li", has_text="web01")).to_contain_text("nonexistent-host")
    graph = page.locator("#dependency-graph")
    expect(graph.locator("a.node")).to_have_count(6)
    expect(graph.locator(".edges polyline")).to_have_count(4)
    expect(graph.locator("a.node", has_text="db01").locator("title")).to_have_text(
        re.compile(r"^db01 \(")
    )
    groups = page.locator("#groups-table tbody tr")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_contain_text("cache01, db01, web01, web02")
    screenshot(page, "dep-01-small-dependencies")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the dependencies (CSV)").click()
    assert download.value.suggested_filename == "dependencies.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("source_id,source_name,target_id,target_name")
    assert any(line.endswith(",nonexistent-host,not_found") for line in lines)

    # The asset page: both directions linked, and what was not found, never "Nothing".
    graph.locator("a.node", has_text="web01").click()
    expect(page.get_by_role("heading", name="web01", exact=True)).to_be_visible()
    panel = page.locator("#asset-dependencies")
    expect(panel.locator("#unresolved-references")).to_have_text(
        "1 reference not found in this engagement: nonexistent-host"
    )
    expect(panel.get_by_role("link", name="db01")).to_be_visible()
    expect(panel.get_by_role("link", name="cache01")).to_be_visible()
    expect(panel).not_to_contain_text("Nothing")
    screenshot(page, "dep-02-asset-unresolved")
    panel.get_by_role("link", name="db01").click()
    expect(page.get_by_role("heading", name="db01", exact=True)).to_be_visible()
    dependents = page.locator("#asset-dependencies ul.deps")
    expect(dependents.get_by_role("link")).to_have_text(["web01", "web02"])
    expect(page.locator("#asset-dependencies")).to_contain_text("This asset names no dependency.")


def test_a_500_asset_engagement_is_drawn_without_overlaps(page: Page, files: Path) -> None:
    _new_engagement(page, "Deps Corp", "Large")
    _import(page, _write_large(files / "large.csv"))
    page.goto("/dependencies")
    graph = page.locator("#dependency-graph")
    expect(graph.locator("a.node")).to_have_count(LARGE)
    expect(page.locator("#groups-table tbody tr").first).to_contain_text("40")
    # In the browser as drawn: no two asset boxes overlap, and each label fits its box.
    problems = page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('#dependency-graph a.node')].map(a => {
                const r = a.querySelector('rect').getBBox();
                const t = a.querySelector('text').getBBox();
                return {x: r.x, y: r.y, w: r.width, h: r.height, tw: t.x + t.width};
            });
            const bad = [];
            boxes.forEach((b, i) => {
                if (b.tw > b.x + b.w) bad.push('label overflows ' + i);
                for (const o of boxes.slice(i + 1))
                    if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h)
                        bad.push('overlap ' + i);
            });
            return bad;
        }"""
    )
    assert problems == []
    screenshot(page, "dep-03-large-dependencies")
    _picture(page, "dep-05-large-picture")
    page.get_by_label("Fit the picture to the page width").check()
    screenshot(page, "dep-04-large-fitted")
    _picture(page, "dep-06-large-picture-fitted")
