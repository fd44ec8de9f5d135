"""``python -m bench {all,b1,b2,b3}``: run the benchmarks, print the table, write the report.

Options:
  --rows N      B1's CSV rows (default 100,000)
  --assets N    B2/B3's assets, and as many raw rows (default 1,000,000)
  --calls N     timed calls per B2/B3 form (default 20)
  --json PATH   every figure, machine-readable
  --report PATH the Markdown report (default docs/benchmarks.md; --no-report for none)
  --profile DIR py-spy profiles of B1 (server end to end, baseline, ours), summarised
  --keep-db     keep the scratch database afterwards
  --no-baseline B1 without the seed-pattern and inventory-only comparison (for 1M-row
                end-to-end runs: the seed pattern alone takes about 30 minutes there)

Uses the PostgreSQL server of ``DATABASE_URL`` (a scratch database is created beside the
one named, and dropped afterwards) or, without it, an embedded PostgreSQL in a
temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, BenchDatabase, bench_database, log, machine_facts
from bench.report import markdown, table, write_json

DEFAULT_REPORT = REPO_ROOT / "docs" / "benchmarks.md"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("which", choices=("all", "b1", "b2", "b3"))
    parser.add_argument("--rows", type=int, default=100_000, help="B1 CSV rows")
    parser.add_argument("--assets", type=int, default=1_000_000, help="B2/B3 assets")
    parser.add_argument("--calls", type=int, default=20, help="timed calls per B2/B3 form")
    parser.add_argument("--json", type=Path, help="write every figure as JSON here")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="Markdown report")
    parser.add_argument("--no-report", action="store_true", help="write no Markdown report")
    parser.add_argument("--profile", type=Path, help="py-spy profiles of B1 into this folder")
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--no-baseline", action="store_true", help="B1 end to end only (no seed comparison)"
    )
    args = parser.parse_args(argv)
    if args.rows < 100 or args.assets < 1000 or args.calls < 1:
        parser.error("--rows must be >= 100, --assets >= 1000, --calls >= 1")
    return args


async def _run(args: argparse.Namespace, db: BenchDatabase) -> dict[str, Any]:
    from bench.b1 import run_b1
    from bench.b2 import build_dataset, run_b2
    from bench.b3 import run_b3

    results: dict[str, Any] = {}
    if args.which in ("all", "b1"):
        results["b1"] = await run_b1(db, args.rows, args.profile, baseline=not args.no_baseline)
    if args.which in ("all", "b2", "b3"):
        tenants, load_seconds, how = await build_dataset(db, args.assets)
        results["dataset"] = {
            "assets": args.assets,
            "raw_rows": args.assets,
            "tenants": [t.size for t in tenants],
            "load_seconds": round(load_seconds, 1),
            "how": how,
        }
        if args.which in ("all", "b2"):
            results["b2"] = await run_b2(db, tenants, args.calls)
        if args.which in ("all", "b3"):
            results["b3"] = await run_b3(db, tenants, args.calls)
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    started = time.perf_counter()
    shown = ["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)]
    with bench_database(keep=args.keep_db) as db:
        results: dict[str, Any] = {
            "command": shlex.join(shown),
            "database": "DATABASE_URL's server" if db.server == "DATABASE_URL" else "embedded",
            "machine": machine_facts(db.url),
        }
        results.update(asyncio.run(_run(args, db)))
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(table(results))
    if not args.no_report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(markdown(results, args.report))
        log(f"report written to {args.report}")
    if args.json:
        write_json(results, args.json)
        log(f"figures written to {args.json}")
    log(f"done in {results['wall_seconds']:.0f} s")
