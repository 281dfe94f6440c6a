"""What a login costs beside the Argon2 verification inside it (issue 3, "Speed").

    python bench/login.py [--database postgres|sqlite] [--requests 40] [--runs 3]
        [--concurrency 1,2,4]

A real server (``python -m fieldedge_handlers.cloudrun``, prod settings, default Argon2
parameters, ``KV_URL=memory://`` with the auth rate limits raised out of the way) on a
fresh migrated database, pinned to CPU 0. One user is registered; then, per round and per
concurrency level, a client process pinned to CPU 1 drives ``POST /api/v1/auth/login``
with httpx, and a bare process pinned to CPU 0 (the server's core, idle meanwhile) runs
``PasswordHasher().verify`` with the same parameters and concurrency, no HTTP, no
database. Rounds interleave so background load falls on both alike; medians are reported.
The goal: a login costs little more than its hash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PIN = ["taskset", "-c"] if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 else []
HUGE = str(10**9)
PASSWORD = "a-long-enough-passphrase"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def vm_kib(pid: int | str, field: str) -> int:
    """A ``/proc/<pid>/status`` memory figure in KiB (VmHWM: peak resident set)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": errors,
    }


async def client(base: str, email: str, n: int, concurrency: int) -> dict[str, Any]:
    """Role ``client`` (CPU 1): ``n`` logins, ``concurrency`` at a time, over keep-alive."""
    latencies: list[float] = []
    errors = 0
    todo = iter(range(n))
    body = {"email": email, "password": PASSWORD}

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal errors
        for _ in todo:
            started = time.perf_counter()
            response = await http.post("/api/v1/auth/login", json=body)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        return summary(latencies, time.perf_counter() - started, errors)


async def bare(n: int, concurrency: int) -> dict[str, Any]:
    """Role ``bare`` (CPU 0): the login's hash alone, ``PasswordHasher().verify`` with the
    server's defaults (its worker threads and semaphore included), no HTTP, no database."""
    from fieldedge.services.security.passwords import PasswordHasher

    hasher = PasswordHasher()
    hashed = await hasher.hash(PASSWORD)
    await hasher.verify(PASSWORD, hashed)  # warm: CryptContext built, argon2 loaded
    before = vm_kib("self", "VmHWM")
    latencies: list[float] = []
    errors = 0
    todo = iter(range(n))

    async def worker() -> None:
        nonlocal errors
        for _ in todo:
            started = time.perf_counter()
            ok, _new = await hasher.verify(PASSWORD, hashed)
            latencies.append(time.perf_counter() - started)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result = summary(latencies, time.perf_counter() - started, errors)
    return {**result, "hwm_growth_kib": vm_kib("self", "VmHWM") - before}


def role(cpu: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh pinned process; its last stdout line is JSON."""
    pin = [*PIN, cpu] if PIN else []
    done = subprocess.run(
        [*pin, sys.executable, __file__, "--role", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        sys.exit(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def start_server(tmp: Path, url: str, log: Any) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": "bench-secret-" + "b" * 40,
        "DATABASE_URL": url,
        "KV_URL": "memory://",
        "STORAGE_URL": f"file://{tmp}/storage",
        "MAIL_URL": "console://",
        "LOG_LEVEL": "WARNING",  # the access log would measure the terminal, not the app
        "RATE_AUTH_EMAIL_PER_MIN": HUGE,
        "RATE_AUTH_IP_PER_MIN": HUGE,
    }
    cmd = [*PIN, "0"] if PIN else []
    cmd += [sys.executable, "-m", "fieldedge_handlers.cloudrun"]
    process = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # bounded: about 30 s
        try:
            if httpx.get(f"{base}/api/health/live", timeout=0.5).is_success:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait(10)
    sys.exit(f"server did not start: see {log.name}")


def register(base: str) -> str:
    email = f"bench-{os.getpid()}@example.com"
    body = {"companyName": "Bench Co", "name": "Bench", "email": email, "password": PASSWORD}
    httpx.post(f"{base}/api/v1/auth/register", json=body, timeout=60).raise_for_status()
    return email


def median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def report(levels: list[int], login: dict[int, list[Any]], bare: dict[int, list[Any]]) -> None:
    print("\nconc | login req/s  p50 ms  p99 ms  errors | bare verif/s  p50 ms | login/bare")
    for c in levels:
        lg, br = login[c], bare[c]
        cost = median(br, "rate") / median(lg, "rate")
        print(
            f"{c:4} | {median(lg, 'rate'):11.1f} {median(lg, 'p50_ms'):7.1f} "
            f"{median(lg, 'p99_ms'):7.1f} {sum(r['errors'] for r in lg):7} | "
            f"{median(br, 'rate'):12.1f} {median(br, 'p50_ms'):7.1f} | "
            f"{cost:5.2f}x throughput, {median(lg, 'p50_ms') / median(br, 'p50_ms'):5.2f}x p50"
        )
    one = min(levels)
    print(f"time per hash (bare, concurrency {one}, p50): {median(bare[one], 'p50_ms'):.1f} ms")
    for c in levels:
        grown = median(bare[c], "hwm_growth_kib") / 1024
        print(f"bare process peak RSS growth at concurrency {c}: {grown:.1f} MiB")


def run_role(args: list[str]) -> None:
    if args[0] == "client":
        result = asyncio.run(client(args[1], args[2], int(args[3]), int(args[4])))
    else:
        result = asyncio.run(bare(int(args[1]), int(args[2])))
    print(json.dumps(result))


def main() -> None:
    if sys.argv[1:2] == ["--role"]:
        return run_role(sys.argv[2:])
    from environment import database

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--requests", type=int, default=40, help="logins per measured run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", default="1,2,4")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    n = str(args.requests)
    print(f"login bench: database={args.database}, {n} logins x {args.runs} runs per level, ")
    print(f"  levels {levels}, pinned={bool(PIN)}, load average {os.getloadavg()}")
    login: dict[int, list[Any]] = {c: [] for c in levels}
    bare: dict[int, list[Any]] = {c: [] for c in levels}
    with tempfile.TemporaryDirectory(prefix="fieldedge-login-") as tmp_name:
        tmp = Path(tmp_name)
        with (
            database(args.database, tmp, sys.executable) as url,
            (tmp / "server.log").open("wb") as log,
        ):
            server, base = start_server(tmp, url, log)
            try:
                email = register(base)
                hwm_start = vm_kib(server.pid, "VmHWM")
                warm = str(max(8, 2 * max(levels)))
                role("1", "client", base, email, warm, str(max(levels)))  # pools, caches
                for _ in range(args.runs):
                    for c in levels:
                        login[c].append(role("1", "client", base, email, n, str(c)))
                        bare[c].append(role("0", "bare", n, str(c)))
                hwm_end = vm_kib(server.pid, "VmHWM")
            finally:
                server.terminate()
                server.wait(15)
    report(levels, login, bare)
    print(f"server peak RSS (VmHWM): {hwm_start / 1024:.1f} MiB after register, ", end="")
    print(f"{hwm_end / 1024:.1f} MiB after the run; load average now {os.getloadavg()}")
    print("argon2id m=19456 KiB (19 MiB per hash in flight), t=2, p=1")


if __name__ == "__main__":
    main()
