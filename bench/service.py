"""Field service at scale (issue 13): ``python -m bench.service [--seconds S]``.

``GET /api/v1/work-orders/overdue`` with 100,000 work orders in the company, and
``GET /api/v1/analytics/equipment-health`` over its 10,000 machines
(``bench/service_world.py``), fieldedge against hand-written SQL over asyncpg
(``bench/service_ceiling.py``) on the very same request, in the same run, interleaved
rounds. Goal: fieldedge ≥ 0.5 of the hand-written SQL's req/s, with migration 0017's
indexes. Servers, pinning and wrk are the suite's (``bench/__main__.py``); a fresh
Postgres database is made, filled and dropped after. Results go to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import machine, wrk
from bench.__main__ import PIN, fieldedge_env, first, measure, record, server
from bench.environment import database
from bench.plan import Req
from bench.service_world import seed_service

GOAL_RATIO = 0.5
ROUTES = {
    "overdue (100,000 work orders)": "/api/v1/work-orders/overdue",
    "equipment health (10,000 machines)": "/api/v1/analytics/equipment-health",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldedge-service-") as tmp_name:
        tmp = Path(tmp_name)
        with database("postgres", tmp, sys.executable) as url:
            lines, errors = run(args, url, tmp)
    return record(lines, errors)


def run(args: argparse.Namespace, url: str, tmp: Path) -> tuple[list[str], int]:
    env = {**fieldedge_env(tmp), "DATABASE_URL": url}
    ceiling_env = {**env, "DATABASE_URL": url.replace("+asyncpg", "")}
    started = time.perf_counter()
    with server("app", env, 18720, tmp / "seed.log", False):
        world = seed_service("http://127.0.0.1:18720", url)
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    load = os.getloadavg()
    with (
        server("app", env, 18721, tmp / "app.log", PIN) as app_pid,
        server("service-ceiling", ceiling_env, 18722, tmp / "ceiling.log", PIN) as ceil_pid,
    ):
        headers = {"Authorization": f"Bearer {world['token']}"}
        sides = [("fieldedge", app_pid, 18721), ("hand-written SQL", ceil_pid, 18722)]
        for name, path in ROUTES.items():
            results[name] = {side: [] for side, _, _ in sides}
            luas = {}
            for side, _, port in sides:  # warm up
                luas[side] = wrk.script(tmp, f"s{len(results)}{side[0]}", "GET", headers, [], False)
                first(port, Req(method="GET", path=path, headers=headers, bodies=[]))
                wrk.run(f"http://127.0.0.1:{port}{path}", luas[side], 1, args.connections, PIN)
            for _ in range(args.rounds):
                for side, pid, port in sides:
                    point = measure(pid, f"http://127.0.0.1:{port}{path}", luas[side],
                                    args.seconds, args.connections)  # fmt: skip
                    results[name][side].append(point)
            print(f"  {name}: done", flush=True)
    errors = sum(p["errors"] for sides_ in results.values() for runs in sides_.values()
                 for p in runs)  # fmt: skip
    return _table(results, args, load), errors


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _table(results: dict[str, dict[str, list[dict[str, Any]]]], args: argparse.Namespace,
           load: tuple[float, float, float]) -> list[str]:  # fmt: skip
    lines = [
        f"## Field service at scale ({datetime.now().astimezone():%Y-%m-%d %H:%M %Z},"
        f" `python -m bench.service`, {args.rounds} rounds of {args.seconds:g} s a side,"
        f" {args.connections} connections)",
        "",
        ", ".join(f"{k} {v}" for k, v in machine.info().items())
        + f"; load average before the load {' '.join(f'{x:.1f}' for x in load)},"
        f" after {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
        " (the machine is shared: other engineers' tests and servers run beside this).",
        "",
        "| route | fieldedge req/s | p50 / p99 ms | CPU ms/req | core busy | SQL req/s "
        "| p50 / p99 ms | CPU ms/req | core busy | ratio (goal ≥ 0.5) | CPU ms/req ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, sides in results.items():
        app, sql = sides["fieldedge"], sides["hand-written SQL"]

        def lat(runs: list[dict[str, Any]]) -> str:
            return f"{_median(runs, 'p50_us') / 1000:.1f} / {_median(runs, 'p99_us') / 1000:.1f}"

        ratio = _median(app, "rps") / max(_median(sql, "rps"), 1e-9)
        app_cpu, sql_cpu = _median(app, "cpu_ms_per_req"), _median(sql, "cpu_ms_per_req")
        lines.append(
            f"| {name} | {_median(app, 'rps'):.0f} | {lat(app)} | {app_cpu:.2f} "
            f"| {_median(app, 'server_core'):.0%} | {_median(sql, 'rps'):.0f} | {lat(sql)} "
            f"| {sql_cpu:.2f} | {_median(sql, 'server_core'):.0%} "
            f"| {ratio:.2f} {'ok' if ratio >= GOAL_RATIO else 'MISSED'} "
            f"| {sql_cpu / max(app_cpu, 1e-9):.2f} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    raise SystemExit(main())
