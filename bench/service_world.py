"""The field-service world (issue 13, Speed): one company with 100 sites, 5 equipment
types, 10,000 machines and 100,000 work orders over the last year (40 % CORRECTIVE, 40 %
PREVENTIVE, the rest inspections and installations; 70 % COMPLETED, 5 % CANCELLED, the
rest open, most of them overdue), plus a rival company's 1,000 work orders beside it.

The ADMIN is registered through the API (a token to measure with); the bulk rows are
copied straight into Postgres (the bench's user bypasses row-level security), then
``VACUUM ANALYZE``d so the planner knows them, as a live database would.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

PASSWORD = "a-long-enough-passphrase"
SITES, TYPES, MACHINES, WORK_ORDERS = 100, 5, 10_000, 100_000
OPEN = ("OPEN", "ASSIGNED", "IN_PROGRESS", "ON_HOLD")


def _register(c: httpx.Client, name: str) -> tuple[str, str]:
    body = {"companyName": name, "name": "Admin", "email": f"admin@{name.lower()}.example.com",
            "password": PASSWORD}  # fmt: skip
    made = c.post("/api/v1/auth/register", json=body)
    if made.is_error:
        raise SystemExit(f"bench: service world: register {made.status_code} {made.text}")
    token = made.json()["data"]["accessToken"]
    me = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    me.raise_for_status()
    return token, me.json()["data"]["user"]["companyId"]


def seed_service(base: str, database_url: str) -> dict[str, Any]:
    """The companies through the API, then their rows; the token the scenarios use."""
    with httpx.Client(base_url=base, timeout=60) as c:
        token, company = _register(c, "Servicebench")
        rival_token, rival = _register(c, "Rivalbench")
        contacts = []
        for t in (token, rival_token):
            made = c.post("/api/v1/contacts", json={"name": "Customer"},
                          headers={"Authorization": f"Bearer {t}"})  # fmt: skip
            made.raise_for_status()
            contacts.append(made.json()["data"]["id"])
    url = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(_fill(url, uuid.UUID(company), uuid.UUID(contacts[0]), MACHINES, WORK_ORDERS))
    asyncio.run(_fill(url, uuid.UUID(rival), uuid.UUID(contacts[1]), 100, 1_000))
    return {"token": token}


def _synced(company: uuid.UUID, at: datetime) -> dict[str, Any]:
    return {"company_id": company, "version": 0, "field_versions": "{}", "created_at": at,
            "updated_at": at}  # fmt: skip


async def _copy(conn: asyncpg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    await conn.copy_records_to_table(
        table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns
    )


async def _fill(url: str, company: uuid.UUID, contact: uuid.UUID, machines: int,
                orders: int) -> None:  # fmt: skip
    rng = random.Random(13)
    now = datetime.now(UTC)
    year_ago = now - timedelta(days=365)
    sites = [{"id": uuid.uuid4(), "contact_id": contact, "name": f"Site {i}",
              **_synced(company, year_ago)} for i in range(SITES)]  # fmt: skip
    types = [{"id": uuid.uuid4(), "name": f"Type {i}", "attributes": "[]",
              **_synced(company, year_ago)} for i in range(TYPES)]  # fmt: skip
    statuses = ("OPERATIONAL",) * 7 + ("DEGRADED", "DOWN", "RETIRED")
    kit = [{"id": uuid.uuid4(), "type_id": types[i % TYPES]["id"],
            "site_id": sites[i % SITES]["id"], "make": "Make", "model": "M",
            "serial": f"SN-{i:06d}", "status": rng.choice(statuses), "attributes": "{}",
            "status_log": "[]", **_synced(company, year_ago)}
           for i in range(machines)]  # fmt: skip
    kinds = ("CORRECTIVE",) * 4 + ("PREVENTIVE",) * 4 + ("INSPECTION", "INSTALLATION")
    work = []
    for _ in range(orders):
        machine = rng.choice(kit)
        created = year_ago + timedelta(seconds=rng.uniform(0, 365 * 86400))
        roll = rng.random()
        status = "COMPLETED" if roll < 0.7 else "CANCELLED" if roll < 0.75 else rng.choice(OPEN)
        done = created + timedelta(hours=rng.uniform(1, 72)) if status == "COMPLETED" else None
        work.append({
            "id": uuid.uuid4(), "site_id": machine["site_id"], "equipment_id": machine["id"],
            "kind": rng.choice(kinds), "priority": "MEDIUM", "title": "Job",
            "due_at": created + timedelta(days=3), "status": status, "checklist": "[]",
            "comments": "[]", "flagged_items": "[]", "attachments": "[]",
            "completed_at": done, **_synced(company, created),
        })  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        for table, rows in (("sites", sites), ("equipment_types", types), ("equipment", kit),
                            ("work_orders", work)):  # fmt: skip
            await _copy(conn, table, rows)
        await conn.execute("VACUUM ANALYZE sites, equipment_types, equipment, work_orders")
    finally:
        await conn.close()
