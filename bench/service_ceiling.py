"""The field-service scenarios' floor: ``GET /work-orders/overdue`` and the equipment-
health report from hand-written SQL over asyncpg, what a developer would write for
Postgres alone (``GROUPING SETS``, ``FILTER``), in one transaction with the tenant set as
fieldedge's are, the JWT checked as fieldedge checks it; no app code around it. Same
paths, so wrk sends the very same request to both: ``python -m bench.serve service-ceiling``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# The JWT check, the pool and the health route are the scale ceiling's (one STATE).
from bench.scale_ceiling import STATE, _claims, lifespan, live

OPEN = "('OPEN', 'ASSIGNED', 'IN_PROGRESS', 'ON_HOLD')"

OVERDUE_SQL = f"""
SELECT id, company_id, site_id, equipment_id, kind, priority, title, description, due_at,
       assignee_id, status, hold_reason, template_id, checklist, comments, flagged_items,
       attachments, created_by, started_at, completed_at, completed_by, cancelled_at, version,
       created_at, updated_at
FROM work_orders
WHERE company_id = $1 AND deleted_at IS NULL AND status IN {OPEN} AND due_at < $2
ORDER BY id LIMIT 21
"""

HEALTH_SQL = f"""
WITH f AS (
  SELECT equipment_id, count(*) AS n, max(created_at) - min(created_at) AS span,
         count(*) FILTER (WHERE status = 'COMPLETED') AS repairs,
         sum(extract(epoch FROM completed_at - created_at))
           FILTER (WHERE status = 'COMPLETED') AS repair_s
  FROM work_orders
  WHERE company_id = $1 AND deleted_at IS NULL AND kind = 'CORRECTIVE'
    AND status <> 'CANCELLED' AND equipment_id IS NOT NULL
  GROUP BY equipment_id
), units AS (
  SELECT e.site_id, e.type_id, e.status, coalesce(f.n, 0) AS failures,
         CASE WHEN f.n > 1 THEN f.n - 1 ELSE 0 END AS gaps,
         CASE WHEN f.n > 1 THEN extract(epoch FROM f.span) ELSE 0 END AS gap_s,
         coalesce(f.repairs, 0) AS repairs, coalesce(f.repair_s, 0) AS repair_s, 0 AS overdue
  FROM equipment e LEFT JOIN f ON f.equipment_id = e.id
  WHERE e.company_id = $1 AND e.deleted_at IS NULL
  UNION ALL
  SELECT w.site_id, e.type_id, NULL, 0, 0, 0, 0, 0, count(*)
  FROM work_orders w
  LEFT JOIN equipment e ON e.id = w.equipment_id AND e.deleted_at IS NULL
  WHERE w.company_id = $1 AND w.deleted_at IS NULL AND w.kind = 'PREVENTIVE'
    AND w.status IN {OPEN} AND w.due_at < $2
  GROUP BY w.site_id, e.type_id
), g AS (
  SELECT site_id, type_id, GROUPING(site_id, type_id) AS level, count(status) AS machines,
         count(*) FILTER (WHERE status = 'OPERATIONAL') AS operational,
         count(*) FILTER (WHERE status = 'DEGRADED') AS degraded,
         count(*) FILTER (WHERE status = 'DOWN') AS down,
         count(*) FILTER (WHERE status = 'RETIRED') AS retired,
         sum(failures) AS failures, sum(gaps) AS gaps, sum(gap_s) AS gap_s,
         sum(repairs) AS repairs, sum(repair_s) AS repair_s, sum(overdue) AS overdue
  FROM units GROUP BY GROUPING SETS ((site_id), (type_id), ())
)
SELECT g.*, coalesce(s.name, t.name) AS name
FROM g
LEFT JOIN sites s ON g.level = 1 AND s.id = g.site_id
LEFT JOIN equipment_types t ON g.level = 2 AND t.id = g.type_id
WHERE g.level = 3 OR s.id IS NOT NULL OR t.id IS NOT NULL
ORDER BY g.level, name
"""


def _envelope(data: Any, **extra: Any) -> Response:
    meta = {"requestId": uuid.uuid4().hex, "timestamp": datetime.now(UTC).isoformat()}
    body = {"success": True, "data": data, "meta": meta, **extra}
    return Response(orjson.dumps(body, default=str), media_type="application/json")


async def _fetch(cid: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async with STATE["pool"].acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.company_id', $1, true)", cid)
        rows: list[asyncpg.Record] = await conn.fetch(sql, uuid.UUID(cid), *args)
    return rows


async def overdue(request: Request) -> Response:
    rows = await _fetch(_claims(request)["cid"], OVERDUE_SQL, datetime.now(UTC))
    items = []
    for row in rows[:20]:
        item = dict(row)
        for key in ("checklist", "comments", "flagged_items", "attachments"):
            item[key] = orjson.loads(item[key])
        items.append(item)
    page = {"limit": 20, "nextCursor": str(rows[19]["id"]) if len(rows) > 20 else None,
            "hasMore": len(rows) > 20}  # fmt: skip
    return _envelope(items, pagination=page)


def _hours(seconds: Any, count: Any) -> float | None:
    return round(float(seconds) / int(count) / 3600, 2) if count else None


def _group(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["site_id"] if row["level"] == 1 else row["type_id"],
        "name": row["name"], "machines": row["machines"],
        "byStatus": {"OPERATIONAL": row["operational"], "DEGRADED": row["degraded"],
                     "DOWN": row["down"], "RETIRED": row["retired"]},
        "failures": int(row["failures"] or 0), "repairs": int(row["repairs"] or 0),
        "mtbfHours": _hours(row["gap_s"] or 0, row["gaps"] or 0),
        "mttrHours": _hours(row["repair_s"] or 0, row["repairs"] or 0),
        "overduePreventive": int(row["overdue"] or 0),
    }  # fmt: skip


async def equipment_health(request: Request) -> Response:
    now = datetime.now(UTC)
    rows = await _fetch(_claims(request)["cid"], HEALTH_SQL, now)
    total = next(_group(r) for r in rows if r["level"] == 3)
    return _envelope({
        "generatedAt": now, "scope": "COMPANY", "total": {**total, "id": None, "name": None},
        "sites": [_group(r) for r in rows if r["level"] == 1],
        "types": [_group(r) for r in rows if r["level"] == 2],
    })  # fmt: skip


app = Starlette(
    routes=[
        Route("/api/health/live", live),
        Route("/api/v1/work-orders/overdue", overdue),
        Route("/api/v1/analytics/equipment-health", equipment_health),
    ],
    lifespan=lifespan,
)
