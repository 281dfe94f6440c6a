"""The bare baseline for ``bench/fieldforce.py``: Starlette + an asyncpg pool, the same
queries the API's three routes need at their core and nothing else (no auth, envelope,
validation, unit of work, audit or ORM). Run as ``python bench/baseline_fieldforce.py``
with ``DATABASE_URL`` (a plain ``postgresql://`` URL), ``PORT``, ``COMPANY_ID`` and
``USER_ID`` in the environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

COMPANY, USER = uuid.UUID(os.environ["COMPANY_ID"]), uuid.UUID(os.environ["USER_ID"])
POOL: dict[str, Any] = {}


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, default=str), status, media_type="application/json")


async def contacts(request: Request) -> Response:
    rows = await POOL["pool"].fetch(
        "SELECT id, name, type, phone, city, latitude, longitude, version, updated_at "
        "FROM contacts WHERE company_id = $1 AND owner_id = $2 AND deleted_at IS NULL "
        "ORDER BY id LIMIT 21",
        COMPANY,
        USER,
    )
    return _json([dict(row) for row in rows[:20]])


async def visits(request: Request) -> Response:
    body = json.loads(await request.body())
    now = datetime.now(UTC)
    async with POOL["pool"].acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "UPDATE companies SET change_counter = change_counter + 1 WHERE id = $1 "
            "RETURNING change_counter",
            COMPANY,
        )
        await conn.fetchrow(
            "SELECT latitude, longitude FROM contacts WHERE id = $1 AND company_id = $2",
            uuid.UUID(body["contactId"]),
            COMPANY,
        )
        visit_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO visits (id, company_id, contact_id, user_id, latitude, longitude, "
            "accuracy_m, checked_in_at, verified, flags, version, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, '[]', $9, $8, $8)",
            visit_id, COMPANY, uuid.UUID(body["contactId"]), USER, body["latitude"],
            body["longitude"], body["accuracyM"], now, version,
        )  # fmt: skip
    return _json({"id": str(visit_id), "version": version}, 201)


async def orders(request: Request) -> Response:
    body = json.loads(await request.body())
    now = datetime.now(UTC)
    ids = [uuid.UUID(item["productId"]) for item in body["items"]]
    async with POOL["pool"].acquire() as conn, conn.transaction():
        prices = {
            row["id"]: row["unit_price"]
            for row in await conn.fetch(
                "SELECT id, unit_price FROM products WHERE company_id = $1 AND id = ANY($2)",
                COMPANY,
                ids,
            )
        }
        total = sum(
            prices[i] * item["quantity"] for i, item in zip(ids, body["items"], strict=True)
        )
        row = await conn.fetchrow(
            "UPDATE companies SET change_counter = change_counter + 1, order_seq = order_seq + 1 "
            "WHERE id = $1 RETURNING change_counter, order_seq",
            COMPANY,
        )
        order_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO orders (id, company_id, number, contact_id, user_id, status, items, "
            "currency, subtotal, tax, total, amount_paid, version, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, 'INR', $7, 0, $7, 0, $8, $9, $9)",
            order_id, COMPANY, f"BARE-{row['order_seq']:06d}", uuid.UUID(body["contactId"]),
            USER, json.dumps(body["items"]), total, row["change_counter"], now,
        )  # fmt: skip
    return _json({"id": str(order_id), "total": total}, 201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    POOL["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=10)
    yield
    await POOL["pool"].close()


app = Starlette(
    routes=[
        Route("/contacts", contacts),
        Route("/visits", visits, methods=["POST"]),
        Route("/orders", orders, methods=["POST"]),
    ],
    lifespan=lifespan,
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
