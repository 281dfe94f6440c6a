"""The soak: ``python -m bench.soak [--minutes 10] [--connections 16]``, not run in CI.

fieldedge as the Cloud Run entry builds it (prod mode, Postgres, Redis KV, rate limits out
of reach) under wrk's mixed load for the given minutes, in one-minute slices: a rep
listing contacts, products and orders, checking in, taking orders (some under an
``Idempotency-Key``) and pulling a sync page. Each slice reports req/s, p99, the server's
CPU ms and the database's buffers per request (the cost of the same mix early and late,
which the shared machine's load, unlike req/s, does not move), the load average, 2xx /
4xx / 5xx, socket errors and the server's RSS. The first slice is the warm-up (lazy
imports, pools, caches); RSS growth is measured from its end to the last slice's. Passes
(exit 0) with zero 5xx, zero socket errors and RSS growth under 10 %; the figures are
appended to ``bench/RESULTS.md``.

Two things make the run what production sees (issue 11; before them the soak slowed as
its tenant grew, and that was the bench's doing, not fieldedge's):

- The wrk thread is one device: its first pull has a null cursor, every later one the
  cursor the last pull handed back, as the PWA does (a snapshot's pages, then the
  changes since). Every pull used to restart from null, a fresh install's first page
  over and over, which no client sends and which reads the rep's whole visit history
  each time (a snapshot page is ordered by id over "their visits or visits at their
  contacts").
- Before each slice the run's database is analysed, the autovacuum a production Postgres
  runs and the shared server here does not (``autovacuum = off``, and its configuration
  is not the bench's to change). Without statistics the planner never re-plans: a pooled
  connection keeps a generic plan made without them, and some of those read every row
  of the rep as the tenant grew (in one run, 11,800 orders a scan of
  ``(company, user, created_at)`` at the sync pulls' rate; one ``ANALYZE`` mid-run took
  the database's work from 280 to 31 buffers a request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine, wrk
from bench.__main__ import HUGE, PIN, SECRET, server
from bench.environment import PG_URL, database
from bench.world import seed

HERE = Path(__file__).resolve().parent
GROWTH_LIMIT = 0.10

LUA = """
local threads = {}
local counter = 0
local mix = %(mix)s
local token = %(token)s
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  ok, c4, c5, cursor = 0, 0, 0, nil
  math.randomseed(os.time() + id * 7919)
end
function request()
  counter = counter + 1
  local r = mix[math.random(#mix)]
  local h = {["Authorization"] = "Bearer " .. token}
  local body = r[3]
  if r[1] == "POST" and r[2] == "/api/v1/sync/pull" then
    -- The thread is one device: it pulls on from the last cursor it was handed.
    local at = cursor and ('"' .. cursor .. '"') or "null"
    body = string.format('{"cursor": %%s, "limit": 50}', at)
  end
  if body then h["Content-Type"] = "application/json" end
  if r[4] then h["Idempotency-Key"] = string.format("s-%%d-%%d-%%d", id, counter, os.time()) end
  return wrk.format(r[1], r[2], h, body)
end
function response(status, hdrs, body)
  if status >= 500 then c5 = c5 + 1 elseif status >= 400 then c4 = c4 + 1 else ok = ok + 1 end
  if status == 200 and body and string.find(body, '"serverTime"', 1, true) then
    cursor = string.match(body, '"cursor":%%s*"([^"]+)"') or cursor
  end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("ok"); b = b + t:get("c4"); c = c + t:get("c5") end
  local e = summary.errors
  io.write(string.format(
    'SOAKJSON {"requests": %%d, "duration_us": %%d, "p99_us": %%d, "ok": %%d, "c4": %%d, ' ..
    '"c5": %%d, "socket_errors": %%d}\\n', summary.requests, summary.duration,
    latency:percentile(99), a, b, c, e.connect + e.read + e.write + e.timeout))
end
"""


def mix(world: dict[str, Any]) -> list[tuple[str, str, str | None, bool]]:
    """(method, path, body, idempotent), repeated by weight: reads outnumber writes."""
    rng = random.Random(11)
    contacts, products = world["contacts"], world["products"]

    def visit() -> str:
        c = rng.choice(contacts)
        return json.dumps(
            {
                "contactId": c["id"],
                "latitude": c["latitude"],
                "longitude": c["longitude"],
                "accuracyM": 10,
            }
        )

    def order() -> str:
        items = [{"productId": p, "quantity": rng.randint(1, 9)} for p in products]
        return json.dumps({"contactId": rng.choice(contacts)["id"], "items": items})

    entries: list[tuple[str, str, str | None, bool]] = []
    entries += [("GET", "/api/v1/contacts?limit=20", None, False)] * 6
    entries += [("GET", "/api/v1/products", None, False)] * 3
    entries += [("GET", "/api/v1/orders?limit=20", None, False)] * 2
    entries += [("POST", "/api/v1/visits", visit(), False) for _ in range(4)]
    entries += [("POST", "/api/v1/orders", order(), False) for _ in range(2)]
    entries += [("POST", "/api/v1/orders", order(), True)]
    # The body is the script's: the thread's own cursor (null on its first pull).
    entries += [("POST", "/api/v1/sync/pull", None, False)]
    entries += [("GET", "/api/health", None, False)]
    return entries


def script(tmp: Path, world: dict[str, Any]) -> Path:
    def lua(value: str | None) -> str:
        return "nil" if value is None else json.dumps(value)

    rows = ", ".join(
        f"{{{lua(m)}, {lua(p)}, {lua(b)}, {'true' if i else 'false'}}}" for m, p, b, i in mix(world)
    )
    path = tmp / "soak.lua"
    path.write_text(LUA % {"mix": "{" + rows + "}", "token": json.dumps(world["token"])})
    return path


def slice_(url: str, lua: Path, seconds: int, connections: int) -> dict[str, Any]:
    cmd = [*(["taskset", "-c", "0"] if PIN else []), wrk.ensure_wrk(), "-t", "1"]
    cmd += ["-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(lua), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("SOAKJSON ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    out: dict[str, Any] = json.loads(lines[-1].removeprefix("SOAKJSON "))
    out["rps"] = out["requests"] / (out["duration_us"] / 1e6)
    return out


async def _db_work(name: str, *, analyse: bool = False) -> dict[str, Any]:
    """The run's database's buffer reads so far (hits and misses: the work its statements
    did, which the machine's other load does not change) and the server's autovacuum;
    first, with ``analyse``, the statistics autovacuum would keep (see ``main``)."""
    import asyncpg

    connection = await asyncpg.connect(PG_URL.format(name=name).replace("+asyncpg", ""))
    try:
        if analyse:
            await connection.execute("ANALYZE")
            # Its own reads counted before the slice's start is read, not in the slice.
            await connection.execute("SELECT pg_stat_force_next_flush()")
        blocks = await connection.fetchval(
            "SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = $1", name
        )
        autovacuum = await connection.fetchval("SHOW autovacuum")
    finally:
        await connection.close()
    return {"blocks": int(blocks or 0), "autovacuum": autovacuum}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if args.minutes < 2:
        raise SystemExit("bench.soak: --minutes is at least 2 (one warm-up, one measured)")
    wrk.ensure_wrk()
    info = machine.info()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fieldedge-soak-") as tmp_name:
        tmp = Path(tmp_name)
        env = {
            "FIELDEDGE_ENV": "prod",
            "JWT_SECRET": SECRET,
            "LOG_LEVEL": "WARNING",
            "KV_URL": "redis://127.0.0.1:6379/15",
            "OUTBOX_INLINE": "false",
            "STORAGE_URL": f"file://{tmp}/storage",
            "MAIL_URL": "console://",
            "ACCESS_TOKEN_TTL_S": "3600",  # the soak outlasts the default 15 minutes
            **{
                f"RATE_{k}": HUGE
                for k in (
                    "AUTH_EMAIL_PER_MIN",
                    "AUTH_IP_PER_MIN",
                    "READ_PER_MIN",
                    "WRITE_PER_MIN",
                    "SYNC_PER_MIN",
                )
            },
        }
        with database("postgres", tmp, sys.executable) as url:
            env["DATABASE_URL"] = url
            with server("app", env, 18710, tmp / "seed.log", False):
                world = seed("http://127.0.0.1:18710")
            lua = script(tmp, world)
            slices: list[dict[str, Any]] = []
            name, autovacuum = url.rsplit("/", 1)[1], "unknown"
            with server("app", env, 18711, tmp / "app.log", PIN) as pid:
                for minute in range(args.minutes):
                    # Per request, the server's CPU and the database's buffer reads: the
                    # cost of the same mix early and late, which the shared machine's
                    # load (req/s follows it) does not change. Each minute the database
                    # is analysed, as autovacuum does in production (the shared server
                    # runs without it, and its configuration is not the bench's): plans
                    # made on tables that never get statistics (a pooled connection keeps
                    # its generic plan until they change) read more as the tenant grew.
                    db = asyncio.run(_db_work(name, analyse=True))
                    cpu = machine.cpu_seconds(pid)
                    out = slice_("http://127.0.0.1:18711", lua, 60, args.connections)
                    done = asyncio.run(_db_work(name))
                    n = max(out["requests"], 1)
                    out["cpu_ms"] = (machine.cpu_seconds(pid) - cpu) * 1000 / n
                    out["blocks"] = (done["blocks"] - db["blocks"]) / n
                    out["load"] = os.getloadavg()[0]
                    out["rss_mb"] = machine.rss_mb(pid)
                    autovacuum = done["autovacuum"]
                    slices.append(out)
                    print(
                        f"  minute {minute + 1}: {out['rps']:.0f} req/s, "
                        f"{out['cpu_ms']:.2f} CPU ms/req, {out['blocks']:.1f} buffers/req, "
                        f"load {out['load']:.1f}, 4xx {out['c4']}, 5xx {out['c5']}, "
                        f"socket errors {out['socket_errors']}, RSS {out['rss_mb']:.1f} MB",
                        flush=True,
                    )
    warm, last = slices[0]["rss_mb"], slices[-1]["rss_mb"]
    growth = (last - warm) / warm
    c5 = sum(s["c5"] for s in slices)
    sock = sum(s["socket_errors"] for s in slices)
    c4 = sum(s["c4"] for s in slices)
    total = sum(s["requests"] for s in slices)
    passed = c5 == 0 and sock == 0 and growth < GROWTH_LIMIT
    lines = [
        f"\n## Soak {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — commit {info['commit']}",
        f"\n{info['cpu']}, {info['cores']} cores; {args.minutes} x 60 s of mixed load, "
        f"{args.connections} connections, pinned={PIN}; the machine is shared (load is the "
        f"1-minute load average at each minute's end); Postgres autovacuum {autovacuum}. "
        "CPU ms/req is the server process's, buffers/req the database's (hits + reads).\n",
        "| minute | req/s | p99 ms | CPU ms/req | buffers/req | load | 4xx | 5xx "
        "| socket errors | RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {i + 1} | {s['rps']:.0f} | {s['p99_us'] / 1000:.1f} | {s['cpu_ms']:.2f} "
            f"| {s['blocks']:.1f} | {s['load']:.1f} | {s['c4']} | {s['c5']} "
            f"| {s['socket_errors']} | {s['rss_mb']:.1f} |"
            for i, s in enumerate(slices)
        ),
        "",
        f"{total} requests: {c5} 5xx, {sock} socket errors, {c4} 4xx; RSS {warm:.1f} MB "
        f"after the warm-up minute, {last:.1f} MB at the end ({growth:+.1%}; limit "
        f"+{GROWTH_LIMIT:.0%}): {'PASS' if passed else 'FAIL'}. "
        f"Run took {time.perf_counter() - started:.0f} s.\n",
    ]
    text = "\n".join(lines)
    print(text)
    with (HERE / "RESULTS.md").open("a") as f:
        f.write(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
