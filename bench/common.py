"""What every benchmark needs: a scratch database, timings, machine facts, peak RSS."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from discovery.core import migrations
from discovery.core.database import libpq_url

REPO_ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    """Progress on stderr (stdout carries the table)."""
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # the scratch database every benchmark uses
    server: str  # "DATABASE_URL" or "embedded"
    work_dir: Path  # temporary files (CSV, uploads, serve's data dir)


def _start_embedded(directory: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        return pgserver.get_server(directory, cleanup_mode="stop")  # type: ignore[attr-defined]


@contextlib.contextmanager
def bench_database(*, keep: bool = False) -> Iterator[BenchDatabase]:
    """A new database, migrated to head, on ``DATABASE_URL``'s server or an embedded one.

    The database named by ``DATABASE_URL`` is only used to create (and afterwards drop)
    ``discovery_bench_<random>`` beside it, so its own data is never touched; the user
    needs CREATEDB (and superuser for B2's fast load; see :mod:`bench.b2`).
    """
    work_dir = Path(tempfile.mkdtemp(prefix="discovery-bench-"))
    configured = os.environ.get("DATABASE_URL")
    embedded: Any = None
    try:
        if configured:
            server_url, where = libpq_url(configured), "DATABASE_URL"
        else:
            log("DATABASE_URL is not set: starting an embedded PostgreSQL")
            embedded = _start_embedded(work_dir / "pgdata")
            server_url, where = libpq_url(str(embedded.get_uri())), "embedded"
        name = f"discovery_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = libpq_url(make_url(server_url).set(database=name))
        try:
            migrations.upgrade(url)
            yield BenchDatabase(url, where, work_dir)
        finally:
            if keep:
                log(f"kept the bench database: {url}")
            else:
                with psycopg.connect(server_url, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if embedded is not None:
            with contextlib.suppress(Exception):
                embedded.cleanup()
        shutil.rmtree(work_dir, ignore_errors=True)


def vacuum_analyze(url: str, *tables: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        for table in tables:
            connection.execute(f"VACUUM (ANALYZE) migration.{table}")


def settle(url: str, *tables: str) -> None:
    """Leave the server as a quiet service finds it before latencies are timed: the
    tables vacuumed and analysed (what the previous benchmark changed), and a checkpoint
    taken, so that its writes are not flushed during the timings. The checkpoint needs
    superuser (or pg_checkpoint); without it, it is skipped and said."""
    vacuum_analyze(url, *tables)
    with psycopg.connect(url, autocommit=True) as connection:
        try:
            connection.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            log("no checkpoint before timing (the user may not take one)")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p50 of 20 values is the 10th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency_figures(seconds: Sequence[float]) -> dict[str, float]:
    millis = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(millis, 0.50), 2),
        "p95_ms": round(percentile(millis, 0.95), 2),
        "min_ms": round(min(millis), 2),
        "max_ms": round(max(millis), 2),
        "calls": len(millis),
    }


def _meminfo_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 0)
    return float("nan")


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine_facts(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'), "
            "current_setting('work_mem')"
        ).fetchone()
    version, shared_buffers, work_mem = row if row else ("unknown", "unknown", "unknown")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_mb": _meminfo_mb(),
        "postgresql": version,
        "shared_buffers": shared_buffers,
        "work_mem": work_mem,
        "python": platform.python_version(),
        "os": platform.platform(),
        "commit": _git_commit(),
    }


# --- peak RSS of a process tree, sampled from /proc -------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found.extend(int(p) for p in (task / "children").read_text().split())
    return found


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _is_postgres(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().strip() in ("postgres", "postmaster")
    return False


def tree_rss_kb(roots: Sequence[int]) -> int:
    """The summed resident set of ``roots`` and all their descendants.

    PostgreSQL's own processes are left out (an embedded server may run below the
    service): they are measured apart, by ``postgres_pss_kb``.
    """
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(_children(pid))
    return sum(_rss_kb(pid) for pid in seen if not _is_postgres(pid))


def postmaster_pid(url: str) -> int | None:
    """The PID of the server behind ``url`` when it runs on this machine, else None."""
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
    if row is None:
        return None
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{row[0]}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])  # the backend's parent
    return None


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def postgres_pss_kb(postmaster: int) -> int:
    """The summed proportional set size of a PostgreSQL server's processes.

    PSS, not RSS: the backends share ``shared_buffers``, which summed RSS would count
    once per backend.
    """
    return sum(_pss_kb(pid) for pid in [postmaster, *_children(postmaster)])


class PeakRss:
    """Samples the summed RSS of a process tree every ``interval`` seconds in a thread."""

    def __init__(
        self, roots: Sequence[int], interval: float = 0.1, postmaster: int | None = None
    ) -> None:
        self.roots = list(roots)
        self.postmaster = postmaster
        self.interval = interval
        self.peak_kb = 0
        self.postgres_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _run(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.roots))
            if self.postmaster and rounds % 5 == 0:  # smaps_rollup costs more: every 5th
                self.postgres_peak_kb = max(self.postgres_peak_kb, postgres_pss_kb(self.postmaster))
            rounds += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, tree_rss_kb(self.roots))

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)

    @property
    def postgres_peak_mb(self) -> float:
        return round(self.postgres_peak_kb / 1024, 1)


class Stopwatch:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._started
