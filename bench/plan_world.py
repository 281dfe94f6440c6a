"""The beat-plan world (issue 12, Speed): a company on Asia/Kolkata with a manager and 50
reps, each with 44 contacts, a beat of 40 of them planned every day of the last 30 local
days and today, 40 check-ins a rep a day over those 30 days (36 planned outlets, 4 not:
60,000 visits), an order at every third check-in, and today's first 20 outlets visited.

People are made through the API (a throwaway server, as ``bench/world.py`` does); the
bulk rows are copied straight into Postgres, which is what makes 60,000 visits take
seconds rather than an hour of check-ins. The bench's database user bypasses row-level
security; the app reads the rows under it like any other.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

PASSWORD = "a-long-enough-passphrase"
REPS, OUTLETS, OTHERS, DAYS = 50, 40, 4, 30
ZONE = ZoneInfo("Asia/Kolkata")
WEEK = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


def _id() -> uuid.UUID:
    return uuid.uuid4()


@dataclass
class Company:
    """A company registered through the API on Asia/Kolkata, whose ADMIN makes people
    named ``{key}`` with emails ``{key}@{domain}``."""

    client: httpx.Client
    domain: str
    admin: dict[str, str] = field(default_factory=dict)

    @classmethod
    def register(cls, base: str, name: str) -> Company:
        c = httpx.Client(base_url=base, timeout=60)
        slug = name.lower()
        body = {"companyName": name, "name": "Admin", "email": f"{slug}-admin@example.com",
                "password": PASSWORD}  # fmt: skip
        registered = c.post("/api/v1/auth/register", json=body)
        if registered.is_error:
            raise SystemExit(f"bench: {slug} world: register {registered.status_code} "
                             f"{registered.text}")  # fmt: skip
        admin = {"Authorization": "Bearer " + registered.json()["data"]["accessToken"]}
        tz = {"timezone": "Asia/Kolkata"}
        c.patch("/api/v1/company", json=tz, headers=admin).raise_for_status()
        return cls(c, f"{slug}.example.com", admin)

    def person(self, role: str, key: str, **extra: Any) -> str:
        payload = {"name": key, "email": f"{key}@{self.domain}", "role": role, **extra}
        made = self.client.post("/api/v1/users", json=payload, headers=self.admin)
        made.raise_for_status()
        return str(made.json()["data"]["id"])

    def token(self, key: str) -> str:
        body = {"email": f"{key}@{self.domain}", "password": PASSWORD}
        login = self.client.post("/api/v1/auth/login", json=body)
        login.raise_for_status()
        return str(login.json()["data"]["accessToken"])

    def id(self) -> str:
        me = self.client.get("/api/v1/auth/me", headers=self.admin)
        me.raise_for_status()
        return str(me.json()["data"]["user"]["companyId"])


def seed_plans(base: str, database_url: str) -> dict[str, Any]:
    """The people through the API, then the rows; the tokens and dates the scenarios use."""
    firm = Company.register(base, "Plans")
    person, token = firm.person, firm.token
    manager = person("MANAGER", "plans-manager", password=PASSWORD)
    reps = [person("SALES_REP", f"plans-rep-{i}", managerId=manager,
                   **({"password": PASSWORD} if i == 0 else {}))
            for i in range(REPS)]  # fmt: skip
    company = firm.id()
    tokens = {"manager": token("plans-manager"), "rep": token("plans-rep-0")}
    firm.client.close()
    today = datetime.now(ZONE).date()
    first = today - timedelta(days=DAYS)
    url = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(_rows(url, uuid.UUID(company), [uuid.UUID(r) for r in reps], first, today))
    return {**tokens, "from": first.isoformat(), "to": (today - timedelta(days=1)).isoformat()}


async def _copy(conn: asyncpg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    await conn.copy_records_to_table(
        table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns
    )


async def _rows(url: str, company: uuid.UUID, reps: list[uuid.UUID], first: date,
                today: date) -> None:  # fmt: skip
    now = datetime.now(UTC)
    stamp = {"company_id": company, "version": 1, "created_at": now, "updated_at": now}
    contacts, beats, stops, plans, visits, orders = [], [], [], [], [], []
    number = 0
    for rep in reps:
        book = [_id() for _ in range(OUTLETS + OTHERS)]
        contacts += [{"id": cid, "type": "RETAILER", "owner_id": rep, "name": f"Outlet {i}",
                      "city": "Pune", "latitude": 18.52 + i / 1000, "longitude": 73.85,
                      "tags": "[]", "field_versions": "{}", **stamp}
                     for i, cid in enumerate(book)]  # fmt: skip
        beat = _id()
        planned = book[:OUTLETS]
        beats.append({"id": beat, "user_id": rep, "name": "Daily route",
                      "contact_ids": json.dumps([str(x) for x in planned]),
                      "field_versions": "{}", **stamp})  # fmt: skip
        stops += [{"id": uuid.uuid5(beat, str(p)), "beat_id": beat, "position": p,
                   "company_id": company, "contact_id": cid}
                  for p, cid in enumerate(planned)]  # fmt: skip
        plans.append({"id": _id(), "user_id": rep, "beat_id": beat, "date": None,
                      "weekdays": json.dumps(WEEK), "start_date": first, "end_date": today,
                      "field_versions": "{}", **stamp})  # fmt: skip
        for d in range(DAYS + 1):
            day = first + timedelta(days=d)
            # 36 planned and 4 unplanned a past day; today's first 20 so far.
            calls = book[:20] if day == today else book[:36] + book[OUTLETS:]
            for k, cid in enumerate(calls):
                at = datetime.combine(day, time(9, 0), ZONE).astimezone(UTC) + timedelta(
                    minutes=10 * k
                )
                at = min(at, now - timedelta(minutes=1))
                visits.append({"id": _id(), "contact_id": cid, "user_id": rep, "latitude": 18.52,
                               "longitude": 73.85, "accuracy_m": 10.0, "checked_in_at": at,
                               "verified": True, "flags": "[]", "field_versions": "{}",
                               **stamp})  # fmt: skip
                if k % 3 == 0:
                    number += 1
                    orders.append({"id": _id(), "number": f"ORD-{number:06d}", "contact_id": cid,
                                   "user_id": rep, "status": "PENDING", "items": "[]",
                                   "currency": "INR", "subtotal": 1000, "tax": 180,
                                   "total": 1180, "amount_paid": 0, "field_versions": "{}",
                                   **{**stamp, "created_at": at, "updated_at": at}})  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for table, rows in (
                ("contacts", contacts),
                ("beats", beats),
                ("beat_stops", stops),
                ("plans", plans),
                ("visits", visits),
                ("orders", orders),
            ):
                await _copy(conn, table, rows)
            await conn.execute("UPDATE companies SET order_seq = $1 WHERE id = $2", number,
                               company)  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
