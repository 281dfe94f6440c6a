"""A process killed with SIGKILL in the middle of writes, and started again.

Orders are sent eight at a time, each under its own Idempotency-Key; after the tenth
answer the server is killed outright (no shutdown, no flush). What it acknowledged must
all be there, whole; what it never acknowledged must be wholly there or wholly absent;
and retrying every key on the restarted server must end with one order per key, numbered
without a gap or a repeat.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest

from fixtures.database import pg_fetch, run_async, truncate_all
from fixtures.identity_api import bearer

from ..processes import SECRET, TIMEOUT_S, company, data, start, stop

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(120)]

ORDERS = 40
IN_FLIGHT = 8
KILL_AFTER = 10


async def test_every_acknowledged_write_survives_a_kill_and_no_other_is_half_there(
    migrated_postgres_url: str, postgres_url: str, tmp_path: Path
) -> None:
    run_async(lambda: truncate_all(migrated_postgres_url))
    env = {
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": migrated_postgres_url,
        "STORAGE_URL": f"file://{tmp_path}/storage",
        "RATE_WRITE_PER_MIN": "10000",
    }
    process, base = start(env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
            tenant = await company(client, client)
            body = {
                "contactId": tenant["contact"],
                "items": [{"productId": tenant["product"], "quantity": 2}],
            }
            keys = [f"kill-{uuid.uuid4()}" for _ in range(ORDERS)]
            acknowledged: dict[str, str] = {}
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def send(key: str) -> None:
                async with gate:
                    if process.poll() is not None:
                        return
                    headers = bearer(tenant["rep"]) | {"Idempotency-Key": key}
                    try:
                        response = await client.post("/api/v1/orders", json=body, headers=headers)
                    except httpx.TransportError:
                        return  # cut off by the kill: never acknowledged
                    acknowledged[key] = data(response, 201)["id"]
                    if len(acknowledged) == KILL_AFTER:
                        process.kill()

            await asyncio.wait_for(asyncio.gather(*(send(k) for k in keys)), 60)
    finally:
        stop(process)
    assert len(acknowledged) >= KILL_AFTER
    assert len(acknowledged) < ORDERS, "the kill came after every write: nothing was cut off"

    rows = await pg_fetch(postgres_url, "SELECT id, number, items, total FROM orders")
    audited = await pg_fetch(
        postgres_url, "SELECT entity_id FROM audit_log WHERE action = 'order.created'"
    )
    recorded = await pg_fetch(postgres_url, "SELECT key FROM idempotency_keys")
    present = {str(row["id"]) for row in rows}
    assert set(acknowledged.values()) <= present
    for row in rows:  # whole: numbered, its line and total written, audited
        items = row["items"] if isinstance(row["items"], list) else json.loads(row["items"])
        assert (row["number"] is not None, len(items), row["total"]) == (True, 1, 2500), row
    assert {str(row["entity_id"]) for row in audited} == present
    assert len(recorded) == len(rows)

    process, base = start(env)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
            replayed: dict[str, str] = {}
            for key in keys:
                headers = bearer(tenant["rep"]) | {"Idempotency-Key": key}
                response = await client.post("/api/v1/orders", json=body, headers=headers)
                replayed[key] = data(response, 201)["id"]
    finally:
        stop(process)
    assert all(replayed[key] == order for key, order in acknowledged.items())
    assert len(set(replayed.values())) == ORDERS
    numbers = await pg_fetch(postgres_url, "SELECT number FROM orders ORDER BY number")
    assert [row["number"] for row in numbers] == [f"ORD-{n:06d}" for n in range(1, ORDERS + 1)]
