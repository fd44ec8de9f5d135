"""A clean machine with no DATABASE_URL: the embedded PostgreSQL, as users run it."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from discovery.core.migrations import head_revision
from tests.cli_runner import cli_env, discovery


def test_db_commands_on_a_fresh_embedded_database(tmp_path: Path) -> None:
    env = cli_env(DISCOVERY_DATA_DIR=str(tmp_path / "data"))
    upgraded = discovery("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    assert discovery("db", "current", env=env).stdout.strip() == f"{head_revision()} (head)"

    down = discovery("db", "downgrade", "base", env=env)
    assert down.returncode == 0, down.stderr
    assert discovery("db", "current", env=env).stdout.startswith("none")

    up = discovery("db", "upgrade", "head", env=env)
    assert up.returncode == 0, up.stderr
    client = discovery("tenants", "create-client", "Acme", env=env)
    assert client.returncode == 0, client.stderr

    # The data persists across restarts of the embedded server.
    again = discovery("tenants", "create-client", "Acme", env=env)
    assert again.stdout == client.stdout
    assert "already exists" in again.stderr


def _read_until(process: subprocess.Popen[str], needle: str, timeout: float) -> str:
    assert process.stderr is not None
    seen = ""
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            # Read what the pipe holds (not a line through a buffer: lines written together
            # would wait in it, unseen by select, until the deadline).
            chunk = os.read(process.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
    return seen


def test_serve_starts_the_embedded_database_migrates_and_stops_cleanly(tmp_path: Path) -> None:
    env = cli_env(DISCOVERY_DATA_DIR=str(tmp_path / "data"))
    process = subprocess.Popen(
        [sys.executable, "-m", "discovery", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        output = _read_until(process, "press Ctrl+C", timeout=120)
        assert f"embedded PostgreSQL ready at revision {head_revision()}" in output
        # Another process joins the running embedded server.
        current = discovery("db", "current", env=env)
        assert current.stdout.strip() == f"{head_revision()} (head)"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
