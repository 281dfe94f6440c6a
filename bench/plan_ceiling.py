"""The beat-plan scenarios' floor in the ceiling server: the same answers from
hand-written SQL over asyncpg (what a developer would write for Postgres alone: local
days by ``AT TIME ZONE``, ``generate_series``, ``json_agg``), no app code around it, in
one transaction like fieldedge's. The bench checks the ceiling ran these (``BARE``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from starlette.requests import Request
from starlette.responses import Response

WEEK = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

TODAY_SQL = """
WITH planned AS (
  SELECT DISTINCT ON (s.contact_id) s.contact_id, p.created_at, p.id AS plan_id, s.position
  FROM plans p
  JOIN beats b ON b.id = p.beat_id AND b.company_id = $1 AND b.deleted_at IS NULL
  JOIN beat_stops s ON s.beat_id = b.id AND s.company_id = $1
  WHERE p.company_id = $1 AND p.user_id = $2 AND p.deleted_at IS NULL
    AND (p.date = $3 OR ($3 BETWEEN p.start_date AND p.end_date AND p.weekdays::jsonb ? $4))
  ORDER BY s.contact_id, p.created_at, p.id, s.position
), done AS (
  SELECT v.id, v.contact_id, v.checked_in_at,
         EXISTS (SELECT 1 FROM orders o WHERE o.company_id = $1 AND o.user_id = $2
                 AND o.contact_id = v.contact_id AND o.deleted_at IS NULL
                 AND o.created_at >= $5 AND o.created_at < $6) AS productive
  FROM visits v
  WHERE v.company_id = $1 AND v.user_id = $2 AND v.deleted_at IS NULL
    AND v.checked_in_at >= $5 AND v.checked_in_at < $6
), chosen AS (
  SELECT e.v::uuid AS contact_id, e.ord
  FROM route_days r, json_array_elements_text(r.contact_ids) WITH ORDINALITY AS e(v, ord)
  WHERE r.company_id = $1 AND r.user_id = $2 AND r.day = $3
)
SELECT c.id, c.name, c.city, c.latitude, c.longitude, pl.contact_id IS NOT NULL AS planned,
       COALESCE(json_agg(json_build_object('visitId', d.id, 'checkedInAt', d.checked_in_at,
                'productive', d.productive) ORDER BY d.checked_in_at, d.id)
                FILTER (WHERE d.id IS NOT NULL), '[]') AS visits
FROM contacts c
LEFT JOIN planned pl ON pl.contact_id = c.id
LEFT JOIN done d ON d.contact_id = c.id
LEFT JOIN chosen ch ON ch.contact_id = c.id
WHERE c.company_id = $1 AND c.deleted_at IS NULL
  AND c.id IN (SELECT contact_id FROM planned UNION SELECT contact_id FROM done)
GROUP BY c.id, pl.contact_id, pl.created_at, pl.plan_id, pl.position, ch.ord
ORDER BY ch.ord NULLS LAST, pl.created_at, pl.plan_id, pl.position
"""

COMPLIANCE_SQL = """
WITH days AS (SELECT d::date AS day FROM generate_series($2::date, $3::date, '1 day') AS d),
planned AS (
  SELECT DISTINCT p.user_id, days.day, s.contact_id
  FROM plans p
  JOIN beats b ON b.id = p.beat_id AND b.company_id = $1 AND b.deleted_at IS NULL
  JOIN beat_stops s ON s.beat_id = b.id AND s.company_id = $1
  JOIN contacts c ON c.id = s.contact_id AND c.company_id = $1 AND c.deleted_at IS NULL
  JOIN days ON p.date = days.day OR (days.day BETWEEN p.start_date AND p.end_date
                                     AND p.weekdays::jsonb ? to_char(days.day, 'DY'))
  WHERE p.company_id = $1 AND p.deleted_at IS NULL AND p.user_id = ANY($4)
), visited AS (
  SELECT DISTINCT v.user_id, (v.checked_in_at AT TIME ZONE $5)::date AS day, v.contact_id
  FROM visits v
  WHERE v.company_id = $1 AND v.deleted_at IS NULL AND v.user_id = ANY($4)
    AND v.checked_in_at >= $6 AND v.checked_in_at < $7
), ordered AS (
  SELECT DISTINCT o.user_id, (o.created_at AT TIME ZONE $5)::date AS day, o.contact_id
  FROM orders o
  WHERE o.company_id = $1 AND o.deleted_at IS NULL AND o.user_id = ANY($4)
    AND o.created_at >= $6 AND o.created_at < $7
)
SELECT pl.user_id, pl.day, count(*) AS planned, count(vi.contact_id) AS visited,
       count(CASE WHEN vi.contact_id IS NOT NULL AND od.contact_id IS NOT NULL THEN 1 END)
         AS productive
FROM planned pl
LEFT JOIN visited vi USING (user_id, day, contact_id)
LEFT JOIN ordered od USING (user_id, day, contact_id)
GROUP BY pl.user_id, pl.day
ORDER BY pl.user_id, pl.day
"""


def _pct(part: int, whole: int) -> float | None:
    # half-up to one decimal on exact integers
    return (
        None
        if whole == 0
        else (part * 1000 // whole + (1 if (part * 1000) % whole * 2 >= whole else 0)) / 10
    )


def _bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)


def _envelope(data: Any) -> Response:
    meta = {"requestId": uuid.uuid4().hex, "timestamp": datetime.now(UTC).isoformat()}
    body = orjson.dumps({"success": True, "data": data, "meta": meta}, default=str)
    return Response(body, media_type="application/json")


async def plans_today(request: Request, state: dict[str, Any], claims: dict[str, Any]) -> Response:
    cid, rep = uuid.UUID(claims["cid"]), uuid.UUID(claims["sub"])
    async with state["pool"].acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.company_id', $1, true)", str(cid))
        zone = ZoneInfo(await conn.fetchval("SELECT timezone FROM companies WHERE id = $1", cid))
        today = datetime.now(zone).date()
        day = (
            date.fromisoformat(request.query_params["date"])
            if "date" in request.query_params
            else today
        )
        start, end = _bounds(day, zone)
        rows = await conn.fetch(TODAY_SQL, cid, rep, day, WEEK[day.weekday()], start, end)
    stops, unplanned = [], []
    for row in rows:
        contact = {k: row[k] for k in ("id", "name", "city", "latitude", "longitude")}
        visits = orjson.loads(row["visits"])
        if not row["planned"]:
            unplanned += [{"contact": contact, "visit": v} for v in visits]
            continue
        status = ("PRODUCTIVE" if any(v["productive"] for v in visits) else "VISITED") if visits \
            else ("MISSED" if day < today else "PENDING")  # fmt: skip
        stops.append({"position": len(stops) + 1, "contact": contact, "status": status,
                      "visits": visits})  # fmt: skip
    done = [s for s in stops if s["status"] in ("VISITED", "PRODUCTIVE")]
    state["kinds"]["plans today (40 outlets)"] = "hand-written SQL"
    return _envelope({"userId": rep, "day": day, "reordered": False, "planned": len(stops),
                      "visited": len(done),
                      "productive": sum(s["status"] == "PRODUCTIVE" for s in stops),
                      "stops": stops, "unplanned": unplanned})  # fmt: skip


async def compliance(request: Request, state: dict[str, Any], claims: dict[str, Any]) -> Response:
    cid, manager = uuid.UUID(claims["cid"]), uuid.UUID(claims["sub"])
    first = date.fromisoformat(request.query_params["from"])
    last = date.fromisoformat(request.query_params["to"])
    async with state["pool"].acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.company_id', $1, true)", str(cid))
        team = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM users WHERE company_id = $1 AND manager_id = $2", cid, manager
            )
        ]
        name = await conn.fetchval("SELECT timezone FROM companies WHERE id = $1", cid)
        zone = ZoneInfo(name)
        start, end = _bounds(first, zone)[0], _bounds(last, zone)[1]
        rows = await conn.fetch(
            COMPLIANCE_SQL, cid, first, last, [manager, *team], name, start, end
        )
    days, reps = [], {}
    for r in rows:
        p, v, s = r["planned"], r["visited"], r["productive"]
        days.append(
            {
                "userId": r["user_id"],
                "day": r["day"],
                "planned": p,
                "visited": v,
                "productive": s,
                "compliance": _pct(v, p),
                "strikeRate": _pct(s, v),
            }
        )
        t = reps.setdefault(r["user_id"], [0, 0, 0])
        t[0], t[1], t[2] = t[0] + p, t[1] + v, t[2] + s
    state["kinds"]["plan compliance (50 reps x 30 days)"] = "hand-written SQL"
    return _envelope({
        "dayFrom": first, "dayTo": last,
        "reps": [{"userId": u, "planned": p, "visited": v, "productive": s,
                  "compliance": _pct(v, p), "strikeRate": _pct(s, v)}
                 for u, (p, v, s) in reps.items()],
        "days": days,
    })  # fmt: skip
