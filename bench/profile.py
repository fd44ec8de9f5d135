"""Optional sampling profiles (``--profile``) with py-spy, summarised for the report."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import log

_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


@dataclass
class Profile:
    name: str
    samples: int = 0
    self_top: list[tuple[str, float]] = field(default_factory=list)
    inclusive_top: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def as_text(self, limit: int = 15) -> str:
        if self.error:
            return f"(no profile: {self.error})"
        lines = [f"{self.samples} samples", "", "self time (share of samples):"]
        lines += [f"  {share:5.1%}  {name}" for name, share in self.self_top[:limit]]
        lines += ["", "inclusive time (share of samples, the project's functions):"]
        lines += [f"  {share:5.1%}  {name}" for name, share in self.inclusive_top[:limit]]
        return "\n".join(lines)


def _frame_name(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    short = "/".join(path.split("/")[-2:]) if path else "?"
    return f"{match.group('func')} ({short})"


# Inclusive time is shown for the project's own functions below the entry points.
_INTERESTING = ("discovery/", "bench/")
_ENTRY = ("__main__", "cli/", "bench/cli.py", "flows/jobs.py", "flows/runner.py")


def summarise(name: str, raw: Path) -> Profile:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        count = int(match.group("count"))
        frames = [f for f in match.group("stack").split(";") if f]
        if not frames:
            continue
        total += count
        own[_frame_name(frames[-1])] += count
        seen: set[str] = set()
        for frame in frames:
            if any(p in frame for p in _INTERESTING) and not any(p in frame for p in _ENTRY):
                label = _frame_name(frame)
                if label not in seen:
                    seen.add(label)
                    inclusive[label] += count
    if total == 0:
        return Profile(name, error="no samples")
    return Profile(
        name,
        samples=total,
        self_top=[(k, v / total) for k, v in own.most_common(25)],
        inclusive_top=[(k, v / total) for k, v in inclusive.most_common(25)],
    )


@contextlib.contextmanager
def sampled(name: str, pid: int, directory: Path | None) -> Iterator[list[Profile]]:
    """Record ``pid`` with py-spy inside the block (when ``directory`` is given)."""
    result: list[Profile] = []
    if directory is None:
        yield result
        return
    spy = shutil.which("py-spy")
    if spy is None:
        result.append(Profile(name, error="py-spy is not installed"))
        yield result
        return
    directory.mkdir(parents=True, exist_ok=True)
    raw = directory / f"{name}.txt"
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--rate", "50", "--format", "raw",
         "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield result
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        if raw.exists():
            result.append(summarise(name, raw))
        else:
            message = (err or b"").decode(errors="replace").strip().splitlines()
            result.append(Profile(name, error=message[-1] if message else "py-spy wrote nothing"))
            log(f"profile {name}: {result[-1].error}")
