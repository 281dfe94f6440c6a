"""The scale scenarios' floor: the same lists from hand-written SQL over asyncpg, what a
developer would write for Postgres alone (no app code, no transaction, the JWT checked
as fieldedge checks it). Serves the same paths and query strings as fieldedge, so wrk
sends the very same request to both: ``python -m bench.serve scale-ceiling``. With
``SCALE_CEILING_TRANSACTION=1`` each query runs as fieldedge runs it (and as
``bench/ceiling.py`` does): inside ``BEGIN`` + the tenant scope and a ``ROLLBACK``.
"""

from __future__ import annotations

import math
import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from jose import jws
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STATE: dict[str, Any] = {}
EARTH_RADIUS_M = 6_371_008.8
CONTACT = (
    "id, company_id, type, owner_id, territory_id, created_by, name, phone, email, address,"
    " city, latitude, longitude, tags, notes, version, created_at, updated_at, deleted_at"
)
LIVE = "company_id = $1 AND deleted_at IS NULL"
HAVERSINE = (
    "2 * 6371008.8 * asin(sqrt(least(1.0, power(sin(radians(latitude - $2) / 2), 2)"
    " + cos(radians($2)) * cos(radians(latitude)) * power(sin(radians(longitude - $3) / 2), 2))))"
)


def _claims(request: Request) -> dict[str, Any]:
    token = request.headers["authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = orjson.loads(jws.verify(token, STATE["secret"], algorithms=["HS256"]))
    return claims


async def _page(sql: str, *args: Any) -> Response:
    async with STATE["pool"].acquire() as connection:
        if not STATE["transaction"]:
            rows = await connection.fetch(sql, *args)
        else:
            # fieldedge's read: BEGIN with the tenant scope in one round trip, the query,
            # ROLLBACK (the company id is the verified token's, a UUID: safe inline).
            scope = str(uuid.UUID(args[0]))
            await connection.execute(f"BEGIN; SELECT set_config('app.company_id', '{scope}', true)")
            try:
                rows = await connection.fetch(sql, *args)
            finally:
                await connection.execute("ROLLBACK")
    items = [dict(row) for row in rows[:20]]
    body = {"success": True, "data": items, "pagination": {"limit": 20, "hasMore": len(rows) > 20}}
    return Response(orjson.dumps(body, default=str), media_type="application/json")


async def contacts(request: Request) -> Response:
    cid, params = _claims(request)["cid"], request.query_params
    head = f"SELECT {CONTACT} FROM contacts WHERE {LIVE}"
    if "near" in params:
        lat, lng = (float(part) for part in params["near"].split(","))
        radius = float(params.get("radiusKm", 10)) * 1000
        dlat = math.degrees(radius / EARTH_RADIUS_M)
        dlng = dlat / math.cos(math.radians(lat))
        sql = (
            f"SELECT * FROM (SELECT {CONTACT}, {HAVERSINE} AS distance_m FROM contacts"
            f" WHERE {LIVE} AND latitude BETWEEN $4 AND $5 AND longitude BETWEEN $6 AND $7) m"
            " WHERE distance_m <= $8 ORDER BY distance_m, id LIMIT 21"
        )
        return await _page(
            sql, cid, lat, lng, lat - dlat, lat + dlat, lng - dlng, lng + dlng, radius
        )
    if "q" in params:
        term = params["q"].strip().lower()
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = "".join(c for c in term if c.isdigit())
        sql = (
            f"{head} AND (lower(name) LIKE $2 OR lower(city) LIKE $2"
            " OR ($3::text IS NOT NULL AND replace(phone, '+', '') LIKE $3)) ORDER BY id LIMIT 21"
        )
        phone_like = digits and all(c.isdigit() or c in " +-()." for c in term)
        return await _page(sql, cid, pattern, f"%{digits}%" if phone_like else None)
    if "city" in params:
        return await _page(
            f"{head} AND lower(city) = lower($2) ORDER BY id LIMIT 21", cid, params["city"]
        )
    if "tag" in params:
        sql = f"{head} AND tags::jsonb @> jsonb_build_array($2::text) ORDER BY id LIMIT 21"
        return await _page(sql, cid, params["tag"].strip().lower())
    return await _page(f"{head} ORDER BY id LIMIT 21", cid)


async def visits(request: Request) -> Response:
    cid, params = _claims(request)["cid"], request.query_params
    sql = (
        f"SELECT * FROM visits WHERE {LIVE} AND user_id = $2"
        " AND checked_in_at >= $3 AND checked_in_at < $4 ORDER BY id LIMIT 21"
    )
    since, until = (datetime.fromisoformat(params[k]) for k in ("since", "until"))
    return await _page(sql, cid, params["userId"], since, until)


async def orders(request: Request) -> Response:
    cid, params = _claims(request)["cid"], request.query_params
    if "status" in params:
        sql = f"SELECT * FROM orders WHERE {LIVE} AND status = $2 ORDER BY id LIMIT 21"
        return await _page(sql, cid, params["status"])
    sql = f"SELECT * FROM orders WHERE {LIVE} AND total > amount_paid ORDER BY id LIMIT 21"
    return await _page(sql, cid)


async def live(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(_app: Starlette) -> Any:
    STATE["secret"] = os.environ["JWT_SECRET"]
    STATE["transaction"] = os.environ.get("SCALE_CEILING_TRANSACTION") == "1"
    STATE["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    yield
    await STATE["pool"].close()


app = Starlette(
    routes=[
        Route("/api/health/live", live),
        Route("/api/v1/contacts", contacts),
        Route("/api/v1/visits", visits),
        Route("/api/v1/orders", orders),
    ],
    lifespan=lifespan,
)
