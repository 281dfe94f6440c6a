"""Field-force routes under load on Postgres, beside a bare Starlette + asyncpg endpoint
doing the same queries, in the same invocation.

    python bench/fieldforce.py [--requests 2000] [--concurrency 16] [--runs 3] [--profile]

A fresh, migrated Postgres database; the real server (``python -m
fieldedge_handlers.cloudrun``, production mode, memory KV, limits set out of reach) and
the bare baseline (``bench/baseline_fieldforce.py``) each run in their own process pinned
to CPU 0, the load generator on CPU 1 (``taskset``, when there are two CPUs). The company
is set up through the API (a rep with 200 contacts, three products); each endpoint is
warmed up, then measured ``--runs`` times, app and bare interleaved, and the medians are
reported with their ratio. ``--profile`` then runs the app under cProfile for one list
load and prints what dominates. ``BENCH_DATABASE_URL`` is the admin URL (default local).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from guarantees import HUGE, PASSWORD, PIN, database

Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
APP_ENV = {
    "FIELDEDGE_ENV": "prod",
    "JWT_SECRET": "bench-secret-" + "b" * 40,
    "KV_URL": "memory://",
    "LOG_LEVEL": "WARNING",  # the access log would measure the terminal, not the app
    "OUTBOX_INLINE": "false",
    "DB_POOL_SIZE": "10",
    **{f"RATE_{k}": HUGE for k in ("AUTH_IP_PER_MIN", "READ_PER_MIN", "WRITE_PER_MIN")},
}


@contextmanager
def process(cmd: list[str], env: dict[str, str], ready: str, log: Path) -> Iterator[str]:
    """A server process on loopback, pinned to CPU 0; yields its base URL once ``ready``."""
    pin = ["taskset", "-c", "0"] if PIN else []
    with log.open("wb") as out:
        proc = subprocess.Popen([*pin, *cmd], env={**os.environ, **env}, stdout=out, stderr=out)
        base = f"http://127.0.0.1:{env['PORT']}"
        try:
            for _ in range(300):  # bounded: 30 s
                try:
                    if httpx.get(base + ready, timeout=0.5).status_code < 500:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"{cmd[-1]} did not start: see {log}")
            yield base
        finally:
            proc.terminate()
            proc.wait(20)


def setup(base: str) -> dict[str, Any]:
    """A company, a rep with 200 contacts around Pune, three products; the rep's token."""
    c = httpx.Client(base_url=base, timeout=30)
    email = f"bench-{os.getpid()}-{time.time_ns()}@example.com"
    body = {"companyName": "Bench", "name": "Admin", "email": email, "password": PASSWORD}
    registered = c.post("/api/v1/auth/register", json=body).json()["data"]
    admin = {"Authorization": "Bearer " + registered["accessToken"]}
    me = c.get("/api/v1/auth/me", headers=admin).json()["data"]["user"]
    rep_body = {"name": "Rep", "email": "rep-" + email, "role": "SALES_REP", "password": PASSWORD}
    rep = c.post("/api/v1/users", json=rep_body, headers=admin).json()["data"]
    rng = random.Random(42)
    contacts = []
    for i in range(200):
        lat, lng = 18.52 + rng.uniform(-0.1, 0.1), 73.85 + rng.uniform(-0.1, 0.1)
        contact = {"name": f"Contact {i}", "type": "RETAILER", "ownerId": rep["id"],
                   "city": "Pune", "latitude": lat, "longitude": lng}  # fmt: skip
        response = c.post("/api/v1/contacts", json=contact, headers=admin)
        response.raise_for_status()
        contacts.append(response.json()["data"])
    products = []
    for i in range(3):
        product = {"sku": f"B-{i}", "name": f"Item {i}", "unitPrice": 1000 + i, "taxRateBp": 1800}
        products.append(c.post("/api/v1/products", json=product, headers=admin).json()["data"])
    login = {"email": rep["email"], "password": PASSWORD}
    token = c.post("/api/v1/auth/login", json=login).json()["data"]["accessToken"]
    c.close()
    return {"company": me["companyId"], "rep": rep["id"], "token": token,
            "contacts": contacts, "products": [p["id"] for p in products]}  # fmt: skip


def calls(world: dict[str, Any], prefix: str, auth: bool) -> dict[str, Call]:
    """The three requests, against the app (``/api/v1``) or the bare server (``/``)."""
    headers = {"Authorization": f"Bearer {world['token']}"} if auth else {}
    rng = random.Random(7)

    def visit() -> dict[str, Any]:
        contact = rng.choice(world["contacts"])
        return {"contactId": contact["id"], "latitude": contact["latitude"],
                "longitude": contact["longitude"], "accuracyM": 10}  # fmt: skip

    def order() -> dict[str, Any]:
        items = [{"productId": p, "quantity": rng.randint(1, 9)} for p in world["products"]]
        return {"contactId": rng.choice(world["contacts"])["id"], "items": items}

    return {
        "GET contacts?limit=20": lambda c: c.get(f"{prefix}/contacts?limit=20", headers=headers),
        "POST visits": lambda c: c.post(f"{prefix}/visits", json=visit(), headers=headers),
        "POST orders (3 lines)": lambda c: c.post(
            f"{prefix}/orders", json=order(), headers=headers
        ),
    }


async def load(base: str, call: Call, n: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    remaining = iter(range(n))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for _ in remaining:
            started = time.perf_counter()
            response = await call(client)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code >= 300

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": n / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": errors,
    }


def profile(tmp: Path, db: str, world: dict[str, Any], n: int, concurrency: int) -> None:
    out = tmp / "app.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "fieldedge_handlers.cloudrun"]
    env = {**APP_ENV, "DATABASE_URL": db, "PORT": "18612"}
    with process(cmd, env, "/api/health/live", tmp / "profile.log") as base:
        call = calls(world, "/api/v1", True)["GET contacts?limit=20"]
        asyncio.run(load(base, call, n, concurrency))
    for _ in range(50):  # bounded: the profile is written as the process exits
        if out.exists():
            break
        time.sleep(0.1)
    stats = pstats.Stats(str(out))
    print(f"\nProfile of the app serving {n} x GET contacts (top by own time):")
    stats.sort_stats("tottime").print_stats(20)
    print("Top by cumulative time:")
    stats.sort_stats("cumulative").print_stats(35)


def report(results: dict[str, dict[str, list[dict[str, float]]]], args: argparse.Namespace) -> None:
    print(f"{args.requests} requests x {args.runs} runs, concurrency {args.concurrency}, "
          f"pinned={PIN}, Postgres, medians (runs' req/s in brackets)")  # fmt: skip
    for endpoint, sides in results.items():
        medians = {}
        for side, runs in sides.items():
            m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            medians[side] = m
            each = ", ".join(f"{run['rps']:.0f}" for run in runs)
            print(f"  {endpoint:24} {side:5} {m['rps']:8.1f} req/s  p50 {m['p50_ms']:6.1f} ms  "
                  f"p99 {m['p99_ms']:6.1f} ms  errors {int(m['errors'])}  ({each})")  # fmt: skip
        ratio = medians["app"]["rps"] / medians["bare"]["rps"]
        print(f"  {endpoint:24} app/bare = {100 * ratio:.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if PIN:
        os.sched_setaffinity(0, {1})
    here = Path(__file__).parent
    with tempfile.TemporaryDirectory() as tmp_name, database() as db:
        tmp = Path(tmp_name)
        app_cmd = [sys.executable, "-m", "fieldedge_handlers.cloudrun"]
        app_env = {**APP_ENV, "DATABASE_URL": db, "PORT": "18610", "STORAGE_URL": f"file://{tmp}/s"}
        with process(app_cmd, app_env, "/api/health/live", tmp / "app.log") as app:
            world = setup(app)
            bare_env = {"DATABASE_URL": db.replace("+asyncpg", ""), "PORT": "18611",
                        "COMPANY_ID": world["company"], "USER_ID": world["rep"]}  # fmt: skip
            bare_cmd = [sys.executable, str(here / "baseline_fieldforce.py")]
            with process(bare_cmd, bare_env, "/contacts", tmp / "bare.log") as bare:
                sides = {
                    "app": (app, calls(world, "/api/v1", True)),
                    "bare": (bare, calls(world, "", False)),
                }
                results: dict[str, dict[str, list[dict[str, float]]]] = {}
                for endpoint in sides["app"][1]:
                    results[endpoint] = {"app": [], "bare": []}
                    for base, table in sides.values():  # warm-up
                        asyncio.run(load(base, table[endpoint], 300, args.concurrency))
                    for _ in range(args.runs):
                        for side, (base, table) in sides.items():
                            run = load(base, table[endpoint], args.requests, args.concurrency)
                            results[endpoint][side].append(asyncio.run(run))
        report(results, args)
        if args.profile:
            profile(tmp, db, world, args.requests, args.concurrency)


if __name__ == "__main__":
    main()
