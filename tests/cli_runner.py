"""Running the real ``discovery`` command in a subprocess, the way users run it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass

ISOLATED = ("DATABASE_URL", "DISCOVERY_DATA_DIR", "DISCOVERY_ENV", "DISCOVERY_SECRET_KEY")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def discovery(*args: str, env: dict[str, str], stdin: str = "", timeout: float = 120) -> Result:
    completed = subprocess.run(
        [sys.executable, "-m", "discovery", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def new_client(env: dict[str, str], prefix: str) -> str:
    """A new client account (named ``prefix`` and a random suffix) with engagement Wave 1."""
    client = f"{prefix} {uuid.uuid4().hex[:8]}"
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    assert discovery("tenants", "create-engagement", client, "Wave 1", env=env).returncode == 0
    return client
