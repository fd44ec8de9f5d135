"""A real ``discovery serve`` (own embedded PostgreSQL, any free port) and helpers to
drive it with Debian's system Chromium through Playwright."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "browser-test-password-1"
WIDTHS = {"desktop": (1280, 900), "mobile": (390, 844)}
LISTENING = re.compile(r"API at (http://\S+?)/api/v1")
START_SECONDS = 120


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.log[-80:])


@contextmanager
def discovery_serve(data_dir: Path, **settings: str) -> Iterator[Server]:
    """``discovery serve --port 0`` on an embedded database in ``data_dir``; stopped after.

    ``settings`` are extra environment variables for the server (``DISCOVERY_…=value``)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    env.update(
        DISCOVERY_DATA_DIR=str(data_dir),
        DISCOVERY_ADMIN_EMAIL=ADMIN_EMAIL,
        DISCOVERY_ADMIN_PASSWORD=ADMIN_PASSWORD,
        DISCOVERY_SECRET_KEY="browser-tests-secret-key-0123456789abcdef",
        DISCOVERY_LOG_LEVEL="INFO",
    )
    env.update(settings)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("discovery")), "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    log: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            match = LISTENING.search(line)
            if match and not url:
                url.append(match.group(1))
                found.set()
        found.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert found.wait(START_SECONDS) and url, "discovery serve did not start:\n" + "".join(log)
        server = Server(url[0], process, log)
        _wait_until_live(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        reader.join(5)


def _wait_until_live(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if httpx.get(server.base_url + "/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert server.process.poll() is None, "discovery serve exited:\n" + server.output()
        assert time.monotonic() < deadline, "discovery serve never became live:\n" + server.output()
        time.sleep(0.2)


# What sticks out at the right edge: the page itself wider than the window (the reader
# scrolls sideways), and tables or boxes that cut their content (it scrolls inside them).
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push("the page is " + document.documentElement.scrollWidth + " px wide");
    for (const e of document.body.querySelectorAll("*")) {
      if (e.getBoundingClientRect().right > width + 1 && e.children.length === 0) found.push(name(e));
    }
  }
  for (const e of document.querySelectorAll(".scroll, pre, .card, .results, .chart")) {
    if (e.scrollWidth > e.clientWidth + 1) found.push(name(e) + " cuts its content");
  }
  return found.slice(0, 12);
}"""


def overflowing(page: Page) -> list[str]:
    """What sticks out of the window's width (empty when everything fits)."""
    found: list[str] = page.evaluate(_OVERFLOW)
    return found


def screenshot(
    page: Page,
    name: str,
    *,
    widths: tuple[str, ...] = ("desktop", "mobile"),
    fits: bool = False,
) -> None:
    """``test-artifacts/<name>-<width>.png`` of the whole page at each width; with
    ``fits``, also that nothing sticks out at the right edge at any of them."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for label in widths:
        width, height = WIDTHS[label]
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        if fits:
            assert not overflowing(page), f"{name} at {width} px: {overflowing(page)}"
    if original:
        page.set_viewport_size(original)
