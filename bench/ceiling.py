"""The ceiling: bare Starlette + asyncpg + orjson doing each scenario's work — the same
JWT verification (python-jose, same secret and algorithm), the same SQL in the same
transaction, the same JSON out — with nothing else (no envelope, validation, unit of work
or SQLAlchemy). ``DATABASE_URL`` (plain ``postgresql://``), ``JWT_SECRET``."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from jose import jwk, jws
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STATE: dict[str, Any] = {}


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps({"data": data}), status, media_type="application/json")


def _claims(request: Request) -> dict[str, Any]:
    token = request.headers["authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = orjson.loads(jws.verify(token, STATE["key"], algorithms=["HS256"]))
    return claims


async def health(request: Request) -> Response:
    return _json({"status": "ok"})


async def contacts(request: Request) -> Response:
    claims = _claims(request)
    rows = await STATE["pool"].fetch(
        "SELECT id, name, type, phone, city, latitude, longitude, version, updated_at "
        "FROM contacts WHERE company_id = $1 AND owner_id = $2 AND deleted_at IS NULL "
        "ORDER BY id LIMIT 21",
        uuid.UUID(claims["cid"]),
        uuid.UUID(claims["sub"]),
    )
    return _json(
        [
            {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}
            for row in rows[:20]
        ]
    )


async def visits(request: Request) -> Response:
    claims = _claims(request)
    company, user = uuid.UUID(claims["cid"]), uuid.UUID(claims["sub"])
    body = orjson.loads(await request.body())
    now = datetime.now(UTC)
    async with STATE["pool"].acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "UPDATE companies SET change_counter = change_counter + 1 WHERE id = $1 "
            "RETURNING change_counter",
            company,
        )
        await conn.fetchrow(
            "SELECT latitude, longitude FROM contacts WHERE id = $1 AND company_id = $2",
            uuid.UUID(body["contactId"]),
            company,
        )
        visit_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO visits (id, company_id, contact_id, user_id, latitude, longitude, "
            "accuracy_m, checked_in_at, verified, flags, version, created_at, updated_at, "
            "field_versions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, '[]', $9, $8, $8, '{}')",
            visit_id,
            company,
            uuid.UUID(body["contactId"]),
            user,
            body["latitude"],
            body["longitude"],
            body["accuracyM"],
            now,
            version,
        )
    return _json({"id": str(visit_id), "version": version}, 201)


async def orders(request: Request) -> Response:
    claims = _claims(request)
    company, user = uuid.UUID(claims["cid"]), uuid.UUID(claims["sub"])
    body = orjson.loads(await request.body())
    now = datetime.now(UTC)
    ids = [uuid.UUID(item["productId"]) for item in body["items"]]
    async with STATE["pool"].acquire() as conn, conn.transaction():
        prices = {
            row["id"]: row["unit_price"]
            for row in await conn.fetch(
                "SELECT id, unit_price FROM products WHERE company_id = $1 AND id = ANY($2)",
                company,
                ids,
            )
        }
        total = sum(
            prices[i] * item["quantity"] for i, item in zip(ids, body["items"], strict=True)
        )
        row = await conn.fetchrow(
            "UPDATE companies SET change_counter = change_counter + 1, order_seq = order_seq + 1 "
            "WHERE id = $1 RETURNING change_counter, order_seq",
            company,
        )
        order_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO orders (id, company_id, number, contact_id, user_id, status, items, "
            "currency, subtotal, tax, total, amount_paid, version, created_at, updated_at, "
            "field_versions) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, 'INR', $7, 0, $7, 0, $8, "
            "$9, $9, '{}')",
            order_id,
            company,
            f"CEIL-{row['order_seq']:06d}",
            uuid.UUID(body["contactId"]),
            user,
            orjson.dumps(body["items"]).decode(),
            total,
            row["change_counter"],
            now,
        )
    return _json({"id": str(order_id), "total": total}, 201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    STATE["key"] = jwk.construct(os.environ["JWT_SECRET"], "HS256")
    STATE["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=10)
    yield
    await STATE["pool"].close()


app = Starlette(
    routes=[
        Route("/api/health/live", health),
        Route("/api/v1/contacts", contacts),
        Route("/api/v1/visits", visits, methods=["POST"]),
        Route("/api/v1/orders", orders, methods=["POST"]),
    ],
    lifespan=lifespan,
)
