"""The benchmark suite still runs and reports every figure (never their values).

A tiny run of ``python -m bench all`` in a subprocess, on the test database's server
(``TEST_DATABASE_URL``; the suite makes a scratch database beside it) or, without it,
on an embedded PostgreSQL of its own. The report goes to a temporary file, so
``docs/benchmarks.md`` is never overwritten here.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

B1_FIGURES = (
    "rows",
    "e2e_seconds",
    "e2e_rows_per_s",
    "inventory_speedup_vs_baseline",
    "e2e_over_copy_floor",
    "peak_rss_mb",
    "copy_floor_seconds",
    "baseline_inventory_seconds",
    "ours_inventory_seconds",
)
PHASES = (
    "data_import",
    "field_mapping",
    "data_cleansing",
    "asset_inventory",
    "dependency_analysis",
    "tech_debt_assessment",
)
B2_FORMS = ("v3_1_not_in", "v3_3_exists", "ours")
B3_FORMS = (
    "offset_page_1",
    "offset_page_deep",
    "keyset_deep",
    "q_offset_page_1",
    "q_offset_page_deep",
    "q_keyset_deep",
    "contains_offset_page_1",
    "contains_keyset_deep",
    "contains_rare_page_1",
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_the_benchmark_suite_runs_and_reports_every_figure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCOVERY_")}
    env.pop("DATABASE_URL", None)
    if os.environ.get("TEST_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    out, report = tmp_path / "out.json", tmp_path / "benchmarks.md"
    done = subprocess.run(
        # 30,000 assets: the largest tenant (12,000) is above the listing's exact-count
        # limit, so its estimated-total path runs too.
        [sys.executable, "-m", "bench", "all", "--rows", "2000", "--assets", "30000",
         "--calls", "10", "--json", str(out), "--report", str(report)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(out.read_text())

    b1 = figures["b1"]
    missing = [name for name in B1_FIGURES if not _number(b1.get(name))]
    missing += [f"phase {p}" for p in PHASES if not _number(b1["phase_seconds"].get(p))]
    schema_floor = b1["schema_write_floor_seconds"]
    missing += [f"schema floor {k}" for k in ("assets_insert", "without_key_counts")
                if not _number(schema_floor.get(k))]  # fmt: skip
    for bench, forms in (("b2", B2_FORMS), ("b3", B3_FORMS)):
        for form in forms:
            found = figures[bench]["forms"].get(form, {})
            missing += [
                f"{bench} {form} {k}" for k in ("p50_ms", "p95_ms") if not _number(found.get(k))
            ]
    assert not missing, missing
    for key in ("cores", "memory_mb", "postgresql", "date"):
        assert figures["machine"][key], key

    text = report.read_text()
    assert "## Summary" in text and figures["command"] in text
    assert "inventory speed-up vs seed" in done.stdout
