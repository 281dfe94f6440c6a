"""Cold start of the Lambda handler beside a bare Starlette + Mangum one (issue 2, "Speed").

Run on demand, never in the test suite::

    .venv/bin/python bench/cold_start.py [--runs 10] [--database sqlite|postgres]
        [--profile] [--python /path/to/runtime-venv/bin/python]

Each run spawns fresh processes, interleaved (handler, bare, bare+sqlalchemy, handler, ...)
so machine noise hits all alike. Each child times its import and its first
``GET /api/health`` (an API Gateway HTTP API v2 event) with ``perf_counter`` and prints
JSON. The goals: the handler's import + first request within 3x of the bare handler's
(issue 2), and within 1.5x of the third process, the bare one plus SQLAlchemy's async
engine, which shows what the stack alone costs (issue 9).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import importtime
import report
from child import IMPORTED_MARKER
from environment import bench_env
from spawn import PINNED, run, spawn

TARGETS = {
    "handler": "fieldedge_handlers.aws_lambda",
    "bare": "baseline_handler",
    "bare+sqlalchemy": "baseline_sqlalchemy",
}


def measure(env: dict[str, str], runs: int) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
    for module in TARGETS.values():  # one unmeasured start each: bytecode caches written
        spawn(module, env)
    for _ in range(runs):
        for name, module in TARGETS.items():
            results[name].append(spawn(module, env))
    return results


def import_profile(env: dict[str, str], n: int, repeat: int = 5) -> None:
    """``-X importtime`` of the import alone, and of what the first request imports lazily;
    per-module medians over ``repeat`` processes each."""
    handler = TARGETS["handler"]
    eager, lazy = [], []
    for _ in range(repeat):
        done = run(env, "-X", "importtime", "-c", f"import {handler}")
        if done.returncode != 0:
            sys.exit(done.stderr)
        eager.append(importtime.parse(done.stderr))
        cold = spawn(handler, env, flags=("-X", "importtime"))
        lazy.append(importtime.parse(cold["stderr"], after=IMPORTED_MARKER))
    report.imports(f"import {handler}", importtime.median_of(eager), n)
    report.imports("imported during the first request", importtime.median_of(lazy), n)


def cprofile(env: dict[str, str], n: int) -> None:
    profiled = spawn(TARGETS["handler"], env, "--profile", str(n))
    text = profiled["stderr"].replace(IMPORTED_MARKER + "\n", "")
    print(f"\ncProfile of the first request, top {n} by cumulative time\n{text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--top", type=int, default=15, help="importers to list")
    parser.add_argument("--profile", action="store_true", help="cProfile the first request")
    parser.add_argument("--python", default=sys.executable, help="interpreter under test")
    args = parser.parse_args()
    with bench_env(args.database, args.python) as env:
        pinned = "pinned to CPU 1" if PINNED else "not pinned"
        print(f"cold start: database={args.database}, {args.runs} runs each, {pinned}")
        print(f"interpreter: {args.python}")
        report.timings(measure(env, args.runs), TARGETS)
        import_profile(env, args.top)
        if args.profile:
            cprofile(env, 30)


if __name__ == "__main__":
    main()
