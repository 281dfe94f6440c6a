"""Webhook fan-out (issue 14): 1,000 events to 5 endpoints on a loopback receiver.

    .venv/bin/python -m bench.webhooks [sqlite|postgres]   # postgres: 127.0.0.1:5432, trust

A fresh migrated database; one company with five endpoints subscribed to
``contact.created``; 1,000 contacts created through the use case (each commit time kept
by its event id); then two dispatchers drain the outbox while a uvicorn receiver on
loopback (its own process, so it does not share the dispatchers' core) records when each
delivery arrived. Printed: deliveries/s, p50/p99 from commit to delivery, errors; and,
in the same run, the baseline: the same 5,000 signed bodies POSTed straight with one
httpx client at the same concurrency (what the network and receiver allow), so the
ratio stays honest on a noisy machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

EVENTS, ENDPOINTS, DISPATCHERS = 1000, 5, 2


def _dump(out: str, seen: dict[str, float]) -> None:
    Path(out).write_text(json.dumps(seen))  # at shutdown, once


def _receiver(port: int, ready: Any, out: str) -> None:
    """The receiver process: 204 to everything, arrival time per (path, webhook-id)."""
    import uvicorn

    seen: dict[str, float] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                    ready.set()
                else:
                    _dump(out, seen)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        headers = dict(scope["headers"])
        seen[f"{scope['path']} {headers.get(b'webhook-id', b'').decode()}"] = time.time()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")


async def _database(backend: str, tmp: Path) -> tuple[str, Any]:
    from fieldedge_adapters.sql import migrations

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await migrations.upgrade(url)
        return url, None
    import asyncpg

    name = f"fieldedge_bench_hooks_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await migrations.upgrade(url)
    return url, (admin, name)


async def run(backend: str) -> dict[str, Any]:
    from fieldedge.domain.access import Principal
    from fieldedge.domain.identity import Role
    from fieldedge.ports.database import Scope
    from fieldedge.services import contacts
    from fieldedge.services.auth.register import Register, register
    from fieldedge.services.outbox.dispatcher import dispatch_due
    from fieldedge.services.webhooks import endpoints
    from fieldedge_handlers.bootstrap import build_deps, close_deps, load_settings

    port = 18_000 + uuid.uuid4().int % 1000
    ready = multiprocessing.Event()
    tmp = Path(tempfile.mkdtemp())
    out = tmp / "arrivals.json"
    receiver = multiprocessing.Process(target=_receiver, args=(port, ready, str(out)))
    receiver.start()
    ready.wait(10)
    url, cleanup = await _database(backend, tmp)
    settings = load_settings(
        database_url=url, fieldedge_env="test", jwt_secret="b" * 48, outbox_inline=False,
        webhook_allow_loopback=True, outbox_batch=100, kv_url="memory://",
        storage_url=f"file://{tmp}/storage", argon2_memory_kib=1024, argon2_time_cost=1,
    )  # fmt: skip
    deps = build_deps(settings)
    try:
        pair = await register(
            Register("Bench Co", "Admin", "bench@example.com", "a long passphrase 42"), deps
        )
        claims = deps.tokens.verify(pair.access_token, now=deps.clock.now())
        admin = Principal(claims.user_id, claims.company_id, Role.ADMIN)
        hooks = [
            await endpoints.subscribe(
                admin,
                endpoints.Subscribe(f"http://127.0.0.1:{port}/e{n}", ["contact.created"]),
                deps,
            )
            for n in range(ENDPOINTS)
        ]
        for n in range(EVENTS):
            await contacts.create_contact(admin, contacts.CreateContact(name=f"C{n}"), deps)
        async with deps.db.unit_of_work(Scope.system()) as uow:
            rows = await uow.outbox.list(status=None, after=None, limit=EVENTS * ENDPOINTS + 10)
        queued = [e for e in rows if e.kind == "webhook"]
        # An event's outbox row is stamped in its write's transaction: its commit time.
        by_event = {e.payload["event"]["id"]: e.created_at.timestamp() for e in queued}

        started = time.perf_counter()

        async def dispatcher() -> None:
            while (await dispatch_due(deps, limit=100)).claimed:
                pass

        await asyncio.gather(*(dispatcher() for _ in range(DISPATCHERS)))
        elapsed = time.perf_counter() - started
        bodies = [e.payload["event"] for e in queued]
        base = await _baseline(port, bodies, hooks[0].secret)
    finally:
        await close_deps(deps)
        if cleanup is not None:
            admin_conn, name = cleanup
            await admin_conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin_conn.close()
    receiver.terminate()
    receiver.join(10)
    arrivals = json.loads(out.read_text()) if out.exists() else {}
    lags = [
        arrived - by_event[key.split(" ", 1)[1]]
        for key, arrived in arrivals.items()
        if key.startswith("/e") and key.split(" ", 1)[1] in by_event
    ]
    lags.sort()
    delivered = len(lags)
    return {
        "backend": backend,
        "deliveries": delivered,
        "expected": EVENTS * ENDPOINTS,
        "deliveries_per_s": round(delivered / elapsed, 1),
        "p50_commit_to_delivery_s": round(statistics.median(lags), 2) if lags else None,
        "p99_commit_to_delivery_s": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else None,
        "baseline_posts_per_s": base,
        "ratio": round(delivered / elapsed / base, 2) if base else None,
        "note": "commit-to-delivery includes the wait while all 1,000 commits ran first",
    }


async def _baseline(port: int, bodies: list[dict[str, Any]], secret: str) -> float:
    """The same bodies, signed, POSTed straight to the receiver at the dispatchers'
    concurrency: what delivery costs without the outbox around it."""
    import httpx
    import orjson

    from fieldedge.services.webhooks import signing

    gate = asyncio.Semaphore(4 * DISPATCHERS)
    async with httpx.AsyncClient(timeout=10) as client:

        async def one(n: int, body: dict[str, Any]) -> None:
            raw = orjson.dumps(body)
            headers = signing.headers([secret], body["id"], int(time.time()), raw)
            async with gate:
                await client.post(f"http://127.0.0.1:{port}/base{n}", content=raw, headers=headers)

        started = time.perf_counter()
        await asyncio.gather(*(one(n, body) for n, body in enumerate(bodies)))
        return round(len(bodies) / (time.perf_counter() - started), 1)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1] if len(sys.argv) > 1 else "sqlite")), indent=2))
