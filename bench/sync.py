"""Sync on Postgres, beside raw asyncpg doing the same queries, in one invocation.

    python bench/sync.py [--rows 10000] [--runs 3]

A fresh migrated database and the real server (``python -m fieldedge_handlers.cloudrun``,
production mode, Redis KV when ``BENCH_REDIS_URL`` answers, else memory; limits out of
reach) pinned to CPU 0, the client on CPU 1. A rep's replica of ``--rows`` contacts
(made by sync pushes of 500) is measured as:

- **snapshot**: pulling it whole from a null cursor (pages of 500): ms, rows/s, bytes;
  beside raw asyncpg running the pull's statements for the same pages (the counter, then
  keyset pages by id) and encoding the rows with orjson; the ratio is raw ms / pull ms
  (goal ≥ 0.5);
- **incremental**: 500 contacts changed (one push), then a pull after the snapshot's
  cursor: ms;
- **push 100**: a push of 100 contact creates: ms;
- **check-in under a push**: a second rep's REST check-ins (one at a time) p50 and p99
  alone, then while the first rep pushes 500 creates (repeated until the check-ins are
  done): the ratio of the p99s (goal < 2: a push holds the company's write lock only for
  its final statement).

Medians of ``--runs`` runs. Needs Postgres on 127.0.0.1:5432 (``BENCH_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guarantees import HUGE, PASSWORD, PIN, database, server

PAGE = 500
Headers = dict[str, str]


def _pin_client() -> None:
    if PIN:
        os.sched_setaffinity(0, {1})


def _contact(i: int) -> dict[str, Any]:
    return {"name": f"Outlet {i:05d}", "type": "RETAILER", "city": "Pune",
            "latitude": 18.52 + (i % 100) / 1e4, "longitude": 73.85, "tags": ["bench"]}  # fmt: skip


class Device:
    """One replica's client: pushes with counting mutation ids."""

    def __init__(self, client: httpx.AsyncClient, headers: Headers) -> None:
        self.client, self.headers = client, headers
        self.client_id, self.next_id = str(uuid.uuid4()), 1

    def mutation(self, op: str, entity_id: str, data: dict[str, Any], **extra: Any) -> Any:
        m = {"id": self.next_id, "entity": "contact", "op": op, "entityId": entity_id,
             "data": data, **extra}  # fmt: skip
        self.next_id += 1
        return m

    async def push(self, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = {"clientId": self.client_id, "mutations": mutations}
        r = await self.client.post("/api/v1/sync/push", json=body, headers=self.headers)
        r.raise_for_status()
        results: list[dict[str, Any]] = r.json()["data"]["results"]
        bad = [x for x in results if x["status"] not in ("applied", "duplicate")]
        if bad:
            raise SystemExit(f"push refused: {bad[:2]}")
        return results

    async def pull(self, cursor: str | None) -> tuple[int, int, str, float]:
        """Pull every page after ``cursor``: rows, bytes, the end cursor, ms."""
        rows = size = 0
        started = time.perf_counter()
        while True:
            body = {"cursor": cursor, "limit": PAGE}
            r = await self.client.post("/api/v1/sync/pull", json=body, headers=self.headers)
            r.raise_for_status()
            size += len(r.content)
            data = r.json()["data"]
            rows += sum(len(c["upserted"]) + len(c["deleted"]) for c in data["changes"].values())
            cursor = data["cursor"]
            if not data["hasMore"]:
                return rows, size, data["cursor"], (time.perf_counter() - started) * 1000


async def _login(client: httpx.AsyncClient, email: str) -> Headers:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": "Bearer " + r.json()["data"]["accessToken"]}


async def setup(client: httpx.AsyncClient, rows: int) -> dict[str, Any]:
    email = f"bench-sync-{time.time_ns()}@example.com"
    body = {"companyName": "Bench", "name": "Admin", "email": email, "password": PASSWORD}
    registered = (await client.post("/api/v1/auth/register", json=body)).json()["data"]
    admin = {"Authorization": "Bearer " + registered["accessToken"]}
    reps = []
    for k in range(2):
        rep = {"name": f"Rep {k}", "email": f"rep{k}-{email}", "role": "SALES_REP",
               "password": PASSWORD}  # fmt: skip
        (await client.post("/api/v1/users", json=rep, headers=admin)).raise_for_status()
        reps.append(await _login(client, rep["email"]))
    device = Device(client, reps[0])
    ids = [str(uuid.uuid4()) for _ in range(rows)]
    versions: dict[str, int] = {}
    for start in range(0, rows, PAGE):
        batch = [device.mutation("create", ids[i], _contact(i))
                 for i in range(start, min(start + PAGE, rows))]  # fmt: skip
        versions |= {r["entityId"]: r["version"] for r in await device.push(batch)}
    other = (await client.post("/api/v1/contacts", json=_contact(0), headers=reps[1])).json()
    return {
        "device": device,
        "ids": ids,
        "versions": versions,
        "rep2": reps[1],
        "rep2_contact": other["data"]["id"],
    }


async def raw_snapshot(db_url: str, owner_email: str) -> tuple[float, int, int]:
    """The snapshot's statements in raw asyncpg, pages of 500, rows encoded with orjson."""
    import asyncpg
    import orjson

    dsn = db_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT set_config('app.system', 'on', false)")
        user = await conn.fetchrow("SELECT id, company_id FROM users WHERE email = $1", owner_email)
        started = time.perf_counter()
        size = rows = 0
        async with conn.transaction():
            until = await conn.fetchval("SELECT change_counter FROM companies WHERE id = $1",
                                        user["company_id"])  # fmt: skip
            after = None
            while True:
                page = await conn.fetch(
                    "SELECT * FROM contacts WHERE company_id = $1 AND version <= $2 AND "
                    "deleted_at IS NULL AND owner_id = ANY($3::uuid[]) AND ($4::uuid IS NULL "
                    "OR id > $4) ORDER BY id LIMIT $5",
                    user["company_id"], until, [user["id"]], after, PAGE,
                )  # fmt: skip
                size += len(orjson.dumps([dict(r) for r in page], default=str))
                rows += len(page)
                if len(page) < PAGE:
                    break
                after = page[-1]["id"]
        return (time.perf_counter() - started) * 1000, rows, size
    finally:
        await conn.close()


async def checkins(
    client: httpx.AsyncClient, headers: Headers, contact: str, n: int
) -> list[float]:
    times = []
    for _ in range(n):
        body = {"contactId": contact, "latitude": 18.52, "longitude": 73.85, "accuracyM": 10}
        started = time.perf_counter()
        (await client.post("/api/v1/visits", json=body, headers=headers)).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_run(base: str, db_url: str, rows: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        world = await setup(client, rows)
        device: Device = world["device"]
        fresh = Device(client, device.headers)
        got, size, cursor, snap_ms = await fresh.pull(None)
        assert got >= rows, (got, rows)
        me = (await client.get("/api/v1/auth/me", headers=device.headers)).json()["data"]["user"]
        raw_ms, raw_rows, raw_size = await raw_snapshot(db_url, me["email"])
        changed = world["ids"][:500]
        changes = [device.mutation("update", i, {"notes": "changed"},
                                   baseVersion=world["versions"][i]) for i in changed]  # fmt: skip
        await device.push(changes)
        inc_rows, _, _, inc_ms = await fresh.pull(cursor)
        batch = [device.mutation("create", str(uuid.uuid4()), _contact(i)) for i in range(100)]
        started = time.perf_counter()
        await device.push(batch)
        push_ms = (time.perf_counter() - started) * 1000
        alone = await checkins(client, world["rep2"], world["rep2_contact"], 60)
        stop = asyncio.Event()

        async def pusher() -> None:
            while not stop.is_set():
                await device.push([device.mutation("create", str(uuid.uuid4()), _contact(i))
                                   for i in range(500)])  # fmt: skip

        task = asyncio.create_task(pusher())
        await asyncio.sleep(0.05)
        loaded = await checkins(client, world["rep2"], world["rep2_contact"], 60)
        stop.set()
        await task
    return {
        "snapshot_ms": snap_ms, "snapshot_rows": got, "snapshot_bytes": size,
        "snapshot_rows_per_s": got / snap_ms * 1000, "raw_ms": raw_ms, "raw_rows": raw_rows,
        "raw_bytes": raw_size, "snapshot_ratio": raw_ms / snap_ms,
        "incremental_ms": inc_ms, "incremental_rows": inc_rows, "push100_ms": push_ms,
        "checkin_p50_alone": pct(alone, 0.5), "checkin_p99_alone": pct(alone, 0.99),
        "checkin_p50_push": pct(loaded, 0.5), "checkin_p99_push": pct(loaded, 0.99),
        "checkin_p99_ratio": pct(loaded, 0.99) / pct(alone, 0.99),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _pin_client()
    results = []
    for run in range(args.runs):
        with database() as db_url:
            env = {"DATABASE_URL": db_url, "RATE_SYNC_PER_MIN": HUGE, "RATE_WRITE_PER_MIN": HUGE,
                   "RATE_READ_PER_MIN": HUGE, "OUTBOX_INLINE": "false"}  # fmt: skip
            redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
            env["KV_URL"] = redis
            with server(Path("/tmp"), 18_300 + run, **env) as base:
                results.append(asyncio.run(one_run(base, db_url, args.rows)))
    print(f"sync on Postgres, {args.rows} rows, median of {args.runs} (min, max)\n")
    print("| measure | median | min | max |\n| --- | --- | --- | --- |")
    for key in results[0]:
        values = [r[key] for r in results]
        print(
            f"| {key} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |"
        )


if __name__ == "__main__":
    main()
