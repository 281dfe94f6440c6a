"""The cost of the request guarantees: an authenticated write with rate limiting on Redis,
against the same write with limits effectively off (a huge limit on ``memory://``).

    python bench/guarantees.py [--requests 2000] [--concurrency 16] [--idempotency]

Two real server processes (``python -m fieldedge_handlers.cloudrun``) on one fresh,
migrated Postgres database, pinned to CPU 0; the load generator runs on CPU 1. Each
server gets a company of its own and is warmed up, then the runs interleave (guarded,
plain, guarded, ...) three times each; the medians are compared. ``--idempotency`` adds
a fresh ``Idempotency-Key`` to every guarded write (only meaningful once the routes
honour it). Needs Postgres and Redis: ``BENCH_DATABASE_URL`` (admin URL, default the
local server) and ``BENCH_REDIS_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "a-long-enough-passphrase"
HUGE = str(10**9)
PIN = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


async def _admin(sql: str) -> None:
    import asyncpg

    parts = urlsplit(PG)
    conn = await asyncpg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres"
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def database() -> Iterator[str]:
    from fieldedge_adapters.sql.migrations import upgrade

    name = f"fieldedge_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(PG)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def server(tmp: Path, port: int, **env: str) -> Iterator[str]:
    pin = ["taskset", "-c", "0"] if PIN else []
    cmd = [*pin, sys.executable, "-m", "fieldedge_handlers.cloudrun"]
    full_env = {
        **os.environ,
        "PORT": str(port),
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": "bench-secret-" + "b" * 40,
        "STORAGE_URL": f"file://{tmp}/storage",
        "LOG_LEVEL": "WARNING",  # the access log would measure the terminal, not the app
        "RATE_AUTH_IP_PER_MIN": HUGE,
        **env,
    }
    with (tmp / f"{port}.log").open("wb") as log:
        process = subprocess.Popen(cmd, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):  # bounded: 20 s
                try:
                    if httpx.get(f"{base}/api/health/live", timeout=0.5).is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"server on {port} did not start: see {log.name}")
            yield base
        finally:
            process.terminate()
            process.wait(15)


def token(base: str) -> str:
    body = {
        "companyName": "Bench Co",
        "name": "Bench Admin",
        "email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
        "password": PASSWORD,
    }
    response = httpx.post(f"{base}/api/v1/auth/register", json=body, timeout=30)
    response.raise_for_status()
    return str(response.json()["data"]["accessToken"])


async def load(base: str, bearer: str, n: int, concurrency: int, keys: bool) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            headers = {"Idempotency-Key": uuid.uuid4().hex} if keys else {}
            started = time.perf_counter()
            response = await client.patch(
                "/api/v1/company", json={"name": f"Bench {i}"}, headers=headers
            )
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    auth = {"Authorization": f"Bearer {bearer}"}
    async with httpx.AsyncClient(base_url=base, headers=auth, limits=limits, timeout=30) as c:
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": n / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idempotency", action="store_true")
    args = parser.parse_args()
    if PIN:
        os.sched_setaffinity(0, {1})
    configs = {
        "guarded (Redis limits)": {"KV_URL": REDIS, "RATE_WRITE_PER_MIN": HUGE},
        "plain (memory://, huge limit)": {"KV_URL": "memory://", "RATE_WRITE_PER_MIN": HUGE},
    }
    with tempfile.TemporaryDirectory() as tmp, database() as db, ExitStack() as stack:
        bases = {
            name: stack.enter_context(server(Path(tmp), 18500 + i, DATABASE_URL=db, **env))
            for i, (name, env) in enumerate(configs.items())
        }
        tokens = {name: token(base) for name, base in bases.items()}
        for name, base in bases.items():  # warm up: pools, script cache, JIT-free paths
            asyncio.run(load(base, tokens[name], 300, args.concurrency, False))
        results: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
        for _ in range(args.runs):
            for name, base in bases.items():
                keys = args.idempotency and name.startswith("guarded")
                run = asyncio.run(load(base, tokens[name], args.requests, args.concurrency, keys))
                results[name].append(run)
    print(
        f"{args.requests} PATCH /api/v1/company x {args.runs} runs, concurrency "
        f"{args.concurrency}, pinned={PIN}, idempotency={args.idempotency}"
    )
    medians = {}
    for name, runs in results.items():
        m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        medians[name] = m
        each = ", ".join(f"{run['rps']:.0f}" for run in runs)
        print(
            f"  {name:32} {m['rps']:8.1f} req/s  p50 {m['p50_ms']:6.1f} ms  "
            f"p99 {m['p99_ms']:6.1f} ms  errors {int(m['errors'])}  "
            f"(runs: {each})"
        )
    guarded, plain = (medians[name]["rps"] for name in configs)
    print(f"  overhead: {100 * (1 - guarded / plain):.1f}% of throughput (goal < 15%)")


if __name__ == "__main__":
    main()
