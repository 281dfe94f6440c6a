"""The orders report's floor in the ceiling server: the same answer (orders taken per
local day over the range, every day listed) from hand-written SQL over asyncpg, what a
developer would write for Postgres alone (local days by ``AT TIME ZONE``), in one
transaction like fieldedge's. The bench checks the ceiling ran it (``BARE``)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from bench.plan_ceiling import _bounds, _envelope

NAME = "orders report (200,000 orders, a year by day)"

ORDERS_SQL = """
SELECT (o.created_at AT TIME ZONE $2)::date AS day, count(*) AS orders, sum(o.total) AS value
FROM orders o
WHERE o.company_id = $1 AND o.deleted_at IS NULL AND o.user_id = ANY($3)
  AND o.status IN ('PENDING', 'APPROVED', 'DISPATCHED', 'DELIVERED')
  AND o.created_at >= $4 AND o.created_at < $5
GROUP BY 1
"""


async def orders(request: Request, state: dict[str, Any], claims: dict[str, Any]) -> Response:
    cid, manager = uuid.UUID(claims["cid"]), uuid.UUID(claims["sub"])
    first = date.fromisoformat(request.query_params["from"])
    last = date.fromisoformat(request.query_params["to"])
    async with state["pool"].acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.company_id', $1, true)", str(cid))
        mine = "SELECT id FROM users WHERE company_id = $1 AND manager_id = $2"
        team = [r["id"] for r in await conn.fetch(mine, cid, manager)]
        row = await conn.fetchrow("SELECT timezone, currency FROM companies WHERE id = $1", cid)
        zone = ZoneInfo(row["timezone"])
        start, end = _bounds(first, zone)[0], _bounds(last, zone)[1]
        rows = await conn.fetch(ORDERS_SQL, cid, row["timezone"], [manager, *team], start, end)
    by_day = {r["day"]: (r["orders"], int(r["value"])) for r in rows}
    groups = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        count, value = by_day.get(day, (0, 0))
        groups.append({"key": day.isoformat(), "label": None, "orders": count, "value": value,
                       "quantity": None})  # fmt: skip
    state["kinds"][NAME] = "hand-written SQL"
    return _envelope({
        "from": first, "to": last, "groupBy": "day", "timezone": row["timezone"],
        "currency": row["currency"], "orders": sum(g["orders"] for g in groups),
        "value": sum(g["value"] for g in groups), "groups": groups,
    })  # fmt: skip
