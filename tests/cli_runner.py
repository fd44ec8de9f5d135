"""Running the real ``discovery`` command in a subprocess, the way users run it."""

from __future__ import annotations

import os
import subprocess
import sys
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
