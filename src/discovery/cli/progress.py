"""A one-line progress display for long flows, on stderr, only on a terminal."""

from __future__ import annotations

import sys
from typing import Any

WIDTH = 30


class ProgressLine:
    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = ""

    def update(self, summary: dict[str, Any], phase_state: dict[str, Any]) -> None:
        if not self.enabled:
            return
        percent = float(summary.get("progress_percentage") or 0.0)
        filled = int(WIDTH * percent / 100)
        phase = summary.get("current_phase") or ""
        detail = ""
        state = phase_state.get(phase, {})
        if state.get("done"):
            total = state.get("total") or 0
            detail = f" {state['done']:,}" + (f"/{total:,}" if total else "") + " rows"
        line = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {percent:5.1f}% {phase}{detail}"
        line = f"{line} ({summary.get('status')})"
        if line != self._last:
            sys.stderr.write("\r" + line.ljust(len(self._last)))
            sys.stderr.flush()
            self._last = line

    def close(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\n")
            sys.stderr.flush()
