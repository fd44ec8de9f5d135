"""The web UI in a real browser: headless Debian Chromium driving a real ``discovery
serve`` on its own embedded database, from a fresh start to a reviewed, completed import.

The tests run in order and build on each other (one server, one browser profile), as a
consultant would: sign in, choose the tenant, upload, review, approve, look around.
Screenshots of every page go to ``test-artifacts/`` at 1280 and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.inventory_files import CONFIG_OS_EMPTY, write_vinfo_csv
from tests.web.browser import ADMIN_EMAIL, ADMIN_PASSWORD, Server, screenshot

SERVERS_CSV = """\
Server Name,IP Address,Operating System,vCPU,RAM (GB),Environment,Owner,Depends On,Notes,Status
web01,10.0.0.11,Microsoft Windows Server 2012 R2,4,16,PROD,alice@example.com,db01,rack 4,on
web02,10.0.0.12,Microsoft Windows Server 2019,4,16,PROD,alice@example.com,db01,rack 4,on
db01,10.0.0.21,Red Hat Enterprise Linux 8,8,64,Production,bob@example.com,,rack 7,on
app01,10.0.0.31,Ubuntu 22.04,2,8,UAT,carol@example.com,db01,,off
,,Windows Server 2016,2,4,Dev,nobody@example.com,,no name or address,on
"""
SCRIPT = "<script>window.__injected = true</script>"
HOSTILE_CSV = f"""\
Server Name,IP Address,Notes
evil01,10.9.0.1,"{SCRIPT}"
"<img src=x onerror=""window.__injected=true"">",10.9.0.2,fine
"""
SETTLED = re.compile(r"Completed|Failed|Waiting for your mapping review")


def sign_in(page: Page) -> None:
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def upload(page: Page, path: Path) -> None:
    page.goto("/imports")
    page.get_by_label(re.compile("Drop a CSV")).set_input_files(str(path))
    expect(page.locator("#file-chosen")).to_have_text(f"Chosen: {path.name}")
    page.get_by_role("button", name="Upload and start").click()


def wait_for_review(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/flows/[0-9a-f-]{36}$"))
    expect(page.locator("#flow-approval")).to_be_visible(timeout=60_000)


def test_sign_in_and_choose_the_tenant(page: Page, context: BrowserContext) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.get_by_text("Sign in as the platform admin")).to_be_visible()
    expect(page.get_by_text(ADMIN_EMAIL)).to_be_visible()
    screenshot(page, "01-login")

    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")

    sign_in(page)
    # A fresh server has no client account: the admin creates one here.
    expect(page).to_have_url(re.compile(r"/tenant$"))
    expect(
        page.get_by_role("heading", name="Create the first client account and engagement")
    ).to_be_visible()
    screenshot(page, "02-tenant-empty")
    page.get_by_label("Client account").fill("Acme Corp")
    page.get_by_label("Engagement").fill("Wave 2")
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text("Acme Corp / Wave 2")

    page.goto("/tenant")
    page.get_by_label("Client account", exact=True).fill("Acme Corp")
    page.get_by_label("Engagement", exact=True).fill("Wave 1")
    page.get_by_role("button", name="Create and work in it").click()
    expect(page.locator("header .tenant")).to_have_text("Acme Corp / Wave 1")

    # Choose from the list of engagements the user may access.
    page.goto("/tenant")
    select = page.get_by_label("Client account and engagement")
    expect(select.locator("option")).to_have_count(2)
    select.select_option(label="Acme Corp / Wave 2")
    screenshot(page, "03-tenant-choose")
    page.get_by_role("button", name="Work in this engagement").click()
    expect(page.locator("header .tenant")).to_have_text("Acme Corp / Wave 2")
    page.goto("/tenant")
    page.get_by_label("Client account and engagement").select_option(label="Acme Corp / Wave 1")
    page.get_by_role("button", name="Work in this engagement").click()

    # The start page says what to do next.
    expect(page.get_by_role("heading", name="Upload a file")).to_be_visible()
    expect(page.get_by_role("heading", name="Review the mapping")).to_be_visible()
    screenshot(page, "04-start")

    # The choice persists per user: sign out, sign in again, same engagement.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    sign_in(page)
    expect(page.locator("header .tenant")).to_have_text("Acme Corp / Wave 1")
    cookie = next(c for c in context.cookies() if c["name"] == "discovery_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_upload_review_correct_one_mapping_and_approve(page: Page, files: Path) -> None:
    csv = files / "servers.csv"
    csv.write_text(SERVERS_CSV)
    upload(page, csv)
    wait_for_review(page)
    screenshot(page, "05-flow-waiting")
    page.get_by_role("link", name="Review the mapping").click()

    owner = page.locator("tr[data-source='Owner']")
    expect(owner.locator("td.samples")).to_contain_text("alice@example.com")
    expect(page.locator("tr[data-source='Server Name'] .conf-num")).to_have_text(
        re.compile(r"\d+%")
    )
    # A weak suggestion is highlighted and says why.
    status = page.locator("tr[data-source='Status']")
    expect(status).to_have_class(re.compile(r"\blow\b"))
    expect(status).to_contain_text("Low confidence: check this one.")
    expect(page.locator("tr[data-source='Server Name']")).not_to_have_class(re.compile(r"\blow\b"))
    suggested = owner.get_by_label("Map Owner to").input_value()
    assert suggested != "technical_owner", "the test needs a suggestion to correct"
    # The searchable dropdown: typing narrows the list but never changes the choice.
    owner.get_by_label("Search fields for Owner").fill("technical")
    expect(owner.get_by_label("Map Owner to")).to_have_value(suggested)
    hidden = owner.get_by_label("Map Owner to").locator("option[value=memory_gb]")
    expect(hidden).to_have_js_property("hidden", True)
    ram = page.locator("tr[data-source='RAM (GB)']")
    ram_choice = ram.get_by_label("Map RAM (GB) to").input_value()
    ram.get_by_label("Search fields for RAM (GB)").fill("stor")
    expect(ram.get_by_label("Map RAM (GB) to")).to_have_value(ram_choice)
    ram.get_by_label("Search fields for RAM (GB)").fill("")
    expect(ram.get_by_label("Map RAM (GB) to")).to_have_value(ram_choice)
    # The reviewer picks.
    owner.get_by_label("Map Owner to").select_option("technical_owner")
    expect(owner.get_by_label("Map Owner to")).to_have_value("technical_owner")
    page.get_by_label("Map Notes to").select_option("")

    page.get_by_role("button", name="Preview the result (dry run)").click()
    expect(page.get_by_text("With the mapping as chosen above.")).to_be_visible()
    expect(page.locator("[data-preview=create]")).to_have_text("4")
    expect(page.locator("[data-preview=error]")).to_have_text("1")
    # The preview keeps the corrections made so far.
    expect(page.get_by_label("Map Owner to")).to_have_value("technical_owner")
    expect(page.get_by_label("Map Notes to")).to_have_value("")
    screenshot(page, "06-mapping-review")
    page.get_by_role("button", name="Approve and continue").click()

    expect(page.get_by_text("Mappings approved.")).to_be_visible()
    expect(page.locator("#flow-status")).to_have_text(re.compile("^Completed"), timeout=90_000)
    expect(page.locator("[data-phase=tech_debt_assessment] .phase-state")).to_have_text("done")
    expect(page.locator("[data-counter=invalid_rows]")).to_have_text("1")
    expect(page.locator("[data-phase=asset_inventory] .phase-time")).to_have_text(
        re.compile(r"\d+\.\d s")
    )
    screenshot(page, "07-flow-completed")

    # The rows that need fixing, as CSV, from the list of imports.
    page.goto("/imports")
    row = page.locator("#imports-table tr", has_text="servers.csv")
    with page.expect_download() as download:
        row.get_by_role("link", name="Errors CSV").click()
    errors = Path(download.value.path()).read_text()
    assert errors.splitlines()[0].startswith("row_number,")
    assert "no name or address" in errors


def test_find_an_asset_by_search_and_open_its_lineage(page: Page) -> None:
    page.goto("/assets")
    expect(page.locator("#showing")).to_contain_text("of 4 assets")
    screenshot(page, "08-inventory")
    page.get_by_label("Search name, host, FQDN or IP").fill("web0")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#showing")).to_contain_text("Showing 1\u20132 of 2 assets")
    page.get_by_label("Search name, host, FQDN or IP").fill("web01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#assets-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="web01").click()

    expect(page.get_by_role("heading", name="web01", exact=True)).to_be_visible()
    lineage = page.locator("#lineage")
    expect(lineage.get_by_role("heading", name=re.compile("Row 1 of servers.csv"))).to_be_visible()
    expect(lineage.locator("table.kv")).to_contain_text("rack 4")
    # The raw row as it was in the file, in the file's column order.
    expect(lineage.locator("table.kv th")).to_have_text(SERVERS_CSV.splitlines()[0].split(","))
    expect(lineage).to_contain_text("created by servers.csv")
    # The corrected mapping was used: Owner went to technical_owner.
    expect(page.locator("table.kv tr", has_text="Technical owner")).to_contain_text(
        "alice@example.com"
    )
    expect(page.get_by_role("heading", name="Depends on")).to_be_visible()
    expect(page.get_by_role("link", name="db01")).to_be_visible()
    screenshot(page, "09-asset-lineage")


def test_wiring_health_is_healthy(page: Page) -> None:
    page.goto("/health")
    expect(page.locator("#overall")).to_have_text("Overall: healthy")
    tiles = page.locator(".tile")
    expect(tiles.first).to_be_visible()
    assert tiles.count() >= 10
    expect(page.locator(".tile.bad")).to_have_count(0)
    page.locator(".tile summary").first.click()
    expect(page.locator(".tile details[open]")).to_contain_text("nothing is wrong")
    expect(page.locator("figure.chart [role=img]").first).to_have_attribute(
        "aria-label", re.compile(r"Assets by type: .*\d")
    )
    page.get_by_role("button", name="Refresh now").click()
    expect(page.locator("#cache-note")).to_contain_text("Computed just now")
    screenshot(page, "10-health")


def test_a_malformed_file_shows_a_clear_error(page: Page, files: Path) -> None:
    image = files / "photo.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    upload(page, image)
    expect(page.locator("#upload-error")).to_contain_text("is not a CSV, XLSX or JSON file")
    screenshot(page, "11-upload-refused")

    # This one is dropped on the drop zone, as a person would drag it from a folder.
    page.goto("/imports")
    drop = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["Server Name,IP Address\\n"], "only-header.csv",
                                        {type: "text/csv"}));
            return transfer;
        }"""
    )
    page.locator("#dropzone").dispatch_event("drop", {"dataTransfer": drop})
    expect(page.locator("#file-chosen")).to_have_text("Chosen: only-header.csv")
    page.get_by_role("button", name="Upload and start").click()
    expect(page.locator("#flow-error")).to_contain_text(
        "This file has a header row but no data rows.", timeout=60_000
    )
    expect(page.locator("#flow-status")).to_have_text("Failed")
    expect(page.locator("[data-phase=data_import] .phase-state")).to_have_text("failed")
    screenshot(page, "12-flow-failed")
    page.goto("/imports")
    row = page.locator("#imports-table tr", has_text="only-header.csv")
    expect(row).to_contain_text("This file has a header row but no data rows.")
    screenshot(page, "13-imports")


def test_a_script_cell_is_shown_as_text(page: Page, files: Path) -> None:
    hostile = files / "hostile.csv"
    hostile.write_text(HOSTILE_CSV)
    upload(page, hostile)
    wait_for_review(page)
    page.get_by_role("link", name="Review the mapping").click()
    expect(page.locator("tr[data-source='Notes'] td.samples")).to_contain_text(SCRIPT)
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.locator("#flow-status")).to_have_text("Completed", timeout=90_000)

    page.goto("/assets?q=evil01")
    page.get_by_role("link", name="evil01").click()
    cell = page.locator("#lineage table.kv tr", has_text="Notes").locator("td")
    expect(cell).to_have_text(SCRIPT)
    assert cell.locator("script").count() == 0
    screenshot(page, "14-script-as-text-asset", widths=("desktop",))
    page.goto("/assets?q=%3Cimg")
    expect(page.locator("#assets-table")).to_contain_text("<img src=x onerror=")
    assert page.evaluate("window.__injected") is None
    assert page.locator("#assets-table img").count() == 0
    screenshot(page, "15-script-as-text-inventory", widths=("desktop",))


def test_every_page_is_keyboard_reachable(page: Page, server: Server) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The skip link jumps over the navigation into the page's content.
    assert page.evaluate("document.activeElement.closest('main') !== null")
    # The navigation is reachable with Tab alone, and Enter follows a link.
    page.goto("/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/assets":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/assets$"))
    # Every form control on the main pages has a label.
    for path in ("/imports", "/assets", "/tenant"):
        page.goto(path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(e => !e.hidden && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                .map(e => e.id || e.name)"""
        )
        assert unlabelled == [], f"{path}: {unlabelled}"


def test_fallback_columns_are_shown_and_approving_keeps_them(page: Page, files: Path) -> None:
    tools = "OS according to the VMware Tools"
    upload(page, write_vinfo_csv(files / "vinfo.csv"))
    wait_for_review(page)
    page.get_by_role("link", name="Review the mapping").click()
    review_url = page.url
    row = page.locator(f"tr[data-source='{tools}']")
    expect(row).to_have_class(re.compile(r"\bfallback\b"))
    expect(row.locator(".rank")).to_have_text("Fallback 2 for Operating system.")
    expect(page.get_by_label(f"Use {tools} as a fallback")).to_be_checked()
    expect(
        page.get_by_label("Use OS according to the configuration file as a fallback")
    ).not_to_be_checked()
    # Another column's field is changed: it leaves the fallbacks, and the page says so.
    vm_id = page.locator("tr[data-source='VM ID']")
    vm_id.get_by_label("Map VM ID to").select_option("")
    expect(page.get_by_label("Use VM ID as a fallback")).not_to_be_checked()
    expect(vm_id.locator(".rank")).to_have_text("No longer a fallback of this field.")
    screenshot(page, "16-mapping-fallbacks", widths=("desktop",))
    page.get_by_role("button", name="Approve and continue").click()
    expect(page.get_by_text("Mappings approved.")).to_be_visible()
    expect(page.locator("#flow-status")).to_have_text("Completed", timeout=90_000)

    # As used: the Tools' OS stayed fallback 2, VM ID left.
    page.goto(review_url)
    expect(row.locator(".rank")).to_have_text("Fallback 2 for Operating system.")
    expect(page.locator("tr[data-source='VM ID'] .rank")).to_have_count(0)
    # The VM without a configuration-file OS has the Tools' one.
    page.goto(f"/assets?q={CONFIG_OS_EMPTY}")
    page.get_by_role("link", name=CONFIG_OS_EMPTY).click()
    expect(page.locator("main")).to_contain_text("Ubuntu Linux (64-bit)")
